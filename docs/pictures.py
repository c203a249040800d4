"""The pictures of the site: matplotlib figures (grids, heatmaps, images) and Altair charts
(curves with labelled axes and full legends).

Figure builders take every input they draw, the language included, so ``st.cache_data`` can
keep their PNG bytes: the same slider position draws once."""

from __future__ import annotations

import io

import altair as alt
import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

# Latin text in DejaVu Sans; Hangul, which it lacks, falls back to NanumGothic (fonts-nanum).
plt.rcParams["font.family"] = ["DejaVu Sans", "NanumGothic"]
plt.rcParams["axes.unicode_minus"] = False

HIGHLIGHT = "#e4572e"  # the one thing a picture points at
ACCENT = "#29a3a3"
# Curve colours far enough apart to tell four to six series from each other at a glance.
PALETTE = ["#1f77b4", "#e4572e", "#2a9d8f", "#f3a712", "#7b2cbf", "#6c757d", "#d62c8b", "#8cb369"]


def png(fig) -> bytes:
    """The figure as PNG bytes (then closed, so figures never pile up in memory)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def number_grid(ax, values: np.ndarray, title: str, cmap="Greys", fmt="{:g}", vmin=None, vmax=None):
    """A matrix as coloured cells with its numbers written in them, black on light cells and
    white on dark ones."""
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax)
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            r, g, b, _ = image.cmap(image.norm(v))
            light = 0.299 * r + 0.587 * g + 0.114 * b > 0.55
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=8,
                    color="black" if light else "white")  # fmt: skip
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)


def outline(ax, row: float, col: float, height: float, width: float, color=HIGHLIGHT, lw=2.5):
    """A rectangle around cells ``[row, row + height) × [col, col + width)``."""
    ax.add_patch(Rectangle((col - 0.5, row - 0.5), width, height, fill=False, ec=color, lw=lw))


# -- Linear ------------------------------------------------------------------------------
def linear_shapes(n: int, d_in: int, d_out: int) -> bytes:
    """``y = x Wᵀ + b`` drawn with its shapes: each array a grid of its real size."""
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(n, d_in)).round(1), rng.normal(size=(d_out, d_in)).round(1)
    y = x @ w.T
    fig, axes = plt.subplots(
        1, 3, figsize=(9, 3.2), gridspec_kw={"width_ratios": [d_in, d_out, d_out]}
    )
    number_grid(axes[0], x, f"x  ({n} × {d_in})", "PuOr", "{:.1f}", -3, 3)
    number_grid(axes[1], w.T, f"Wᵀ  ({d_in} × {d_out})", "PuOr", "{:.1f}", -3, 3)
    number_grid(axes[2], y, f"y = x Wᵀ  ({n} × {d_out})", "PuOr", "{:.1f}", -6, 6)
    outline(axes[0], 0, 0, 1, d_in)
    outline(axes[1], 0, 0, d_in, 1)
    outline(axes[2], 0, 0, 1, 1)
    fig.tight_layout()
    return png(fig)


# -- curves (Altair) ---------------------------------------------------------------------
def lines(
    data: pd.DataFrame,
    x: str,
    y: str,
    color: str,
    x_title: str,
    y_title: str,
    step: bool = False,
    log_y: bool = False,
    height: int = 320,
    points: bool = False,
    integer_x: bool = True,
    legend_columns: int = 2,
):
    """Curves from long-form data, one colour per ``color`` value (in order of appearance),
    with axis titles and a legend under the chart whose labels are never cut short.

    ``step`` draws each value as held until the next x (a learning rate per epoch is a stair,
    not a ramp); ``integer_x`` labels the x axis with whole numbers only (steps, epochs)."""
    scale = alt.Scale(type="log") if log_y else alt.Scale(zero=False)
    x_axis = alt.Axis(format="d", tickMinStep=1) if integer_x else alt.Axis()
    legend = alt.Legend(orient="bottom", columns=legend_columns, labelLimit=0, symbolType="stroke")
    chart = (
        alt.Chart(data)
        .mark_line(interpolate="step-after" if step else "linear", point=points)
        .encode(
            x=alt.X(f"{x}:Q", title=x_title, axis=x_axis),
            y=alt.Y(f"{y}:Q", title=y_title, scale=scale),
            color=alt.Color(
                f"{color}:N", title=None, sort=None, legend=legend, scale=alt.Scale(range=PALETTE)
            ),  # fmt: skip
            tooltip=[
                alt.Tooltip(color, title=" "),
                alt.Tooltip(x, title=x_title),
                alt.Tooltip(y, title=y_title),
            ],  # fmt: skip
        )
        .properties(height=height)
    )
    return chart


def long_form(columns: dict[str, np.ndarray], x: np.ndarray, x_name: str, y_name: str, key: str):
    """``{"series": values}`` with a shared x -> rows (x, y, series) for :func:`lines`."""
    return pd.concat(
        [pd.DataFrame({x_name: x, y_name: v, key: name}) for name, v in columns.items()],
        ignore_index=True,
    )


# -- Softmax and cross-entropy -------------------------------------------------------------
def softmax_bars(logits, probs, grad, target: int, labels: dict) -> bytes:
    k = len(logits)
    fig, axes = plt.subplots(1, 3, figsize=(10, 2.8))
    colors = [HIGHLIGHT if i == target else ACCENT for i in range(k)]
    for ax, values, title in zip(
        axes, (logits, probs, grad), (labels["logits"], labels["probs"], labels["grad"])
    ):
        ax.bar(range(k), values, color=colors)
        ax.axhline(0, color="black", lw=0.8)
        ax.margins(y=0.15)  # room for the numbers written above and below the bars
        ax.set_xticks(range(k), [f"{labels['class']} {i}" for i in range(k)])
        ax.set_title(title, fontsize=10)
        for i, v in enumerate(values):
            ax.text(i, v, f"{v:+.2f}", ha="center", va="bottom" if v >= 0 else "top", fontsize=8)
    axes[1].set_ylim(0, 1.1)
    fig.tight_layout()
    return png(fig)


# -- im2col ------------------------------------------------------------------------------
def im2col_picture(
    size: int, kernel: int, stride: int, padding: int, row: int, labels: dict
) -> bytes:
    """The padded image with one window outlined, the im2col matrix with that window's row
    outlined, and the output position the row becomes."""
    from nyangtorch.nn.kernels.windows import im2col
    from nyangtorch.nn.windows import conv_output_size

    image = np.arange(1, size * size + 1, dtype=float).reshape(1, size, size, 1)  # (N, H, W, C)
    pads = (padding, padding)
    out = conv_output_size("im2col", (size, size), (kernel, kernel), (stride, stride), pads)
    cols = np.empty((1, *out, kernel * kernel))
    im2col(image, kernel, kernel, stride, stride, padding, padding, cols)  # the layer's own loop
    cols = cols.reshape(out[0] * out[1], -1)
    padded = np.pad(image, ((0, 0), pads, pads, (0, 0)))
    i, j = divmod(row, out[1])
    shown = padded[0, :, :, 0].copy()
    fig = plt.figure(figsize=(11, 4.2))
    grid = fig.add_gridspec(
        1, 3, width_ratios=[shown.shape[1], max(kernel * kernel, 4), out[1] + 1]
    )
    ax_img, ax_cols, ax_out = (fig.add_subplot(grid[k]) for k in range(3))
    number_grid(ax_img, shown, labels["image"], "Blues", "{:g}", 0, size * size * 1.6)
    if padding:
        h = shown.shape[0]
        for r in range(h):  # padding cells in grey, so the zeros read as "outside the image"
            for c in range(h):
                if min(r, c) < padding or max(r, c) >= h - padding:
                    ax_img.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, color="#dddddd"))
    outline(ax_img, i * stride, j * stride, kernel, kernel)
    number_grid(ax_cols, cols, labels["cols"], "Blues", "{:g}", 0, size * size * 1.6)
    outline(ax_cols, row, 0, 1, kernel * kernel)
    ax_cols.set_xticks(
        range(kernel * kernel),
        [f"{u},{v}" for u in range(kernel) for v in range(kernel)],
        fontsize=7,
    )
    ax_cols.set_yticks(range(len(cols)), range(len(cols)), fontsize=7)
    ax_cols.set_xlabel(labels["offset"], fontsize=8)
    ax_cols.set_ylabel(labels["row"], fontsize=8)
    positions = np.arange(out[0] * out[1], dtype=float).reshape(out)
    number_grid(ax_out, positions, labels["out"], "Greys", "{:g}", 0, 4 * positions.size)
    outline(ax_out, i, j, 1, 1)
    fig.tight_layout()
    return png(fig)


def feature_maps(
    image: np.ndarray, filters: dict[str, np.ndarray], maps: list[np.ndarray], labels: dict
) -> bytes:
    """An image, each 3×3 filter (its numbers written in), and the map it makes."""
    k = len(filters)
    fig, axes = plt.subplots(2, k + 1, figsize=(2.1 * (k + 1), 4.6))
    axes[0, 0].imshow(image, cmap="gray")
    axes[0, 0].set_title(labels["image"], fontsize=10)
    axes[1, 0].axis("off")
    axes[1, 0].text(0.5, 0.5, labels["explain"], ha="center", va="center", fontsize=9, wrap=True)
    for col, ((name, w), fmap) in enumerate(zip(filters.items(), maps), start=1):
        number_grid(axes[0, col], w, name, "RdBu_r", "{:.2g}", -2, 2)
        axes[1, col].imshow(fmap, cmap="RdBu_r", vmin=-np.abs(fmap).max(), vmax=np.abs(fmap).max())
        axes[1, col].set_title(labels["map"], fontsize=9)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0, 0].axis("off")
    fig.tight_layout()
    return png(fig)


# -- pooling -----------------------------------------------------------------------------
def maxpool_routing(
    x: np.ndarray, y: np.ndarray, routed: np.ndarray, k: int, labels: dict
) -> bytes:
    """Input with its pooling windows, the max of each, and where backward sends dy: the
    routed cells coloured, every other cell 0."""
    fig, axes = plt.subplots(
        1, 3, figsize=(10, 3.6), gridspec_kw={"width_ratios": [x.shape[1], y.shape[1], x.shape[1]]}
    )
    number_grid(axes[0], x, labels["input"], "Greys", "{:.1f}", x.min(), x.max() * 2.5 + 1e-9)
    number_grid(axes[1], y, labels["output"], "Oranges", "{:.1f}", y.min(), y.max() * 1.3 + 1e-9)
    number_grid(axes[2], routed, labels["grad"], "Oranges", "{:g}", 0, 1.3)
    for ax in (axes[0], axes[2]):
        for r in range(0, x.shape[0] - k + 1, k):
            for c in range(0, x.shape[1] - k + 1, k):
                outline(ax, r, c, k, k, color="#555555", lw=1.5)
    for r, c in zip(*np.nonzero(routed)):
        outline(axes[0], r, c, 1, 1, color=HIGHLIGHT, lw=2.5)
    fig.tight_layout()
    return png(fig)


# -- BatchNorm ---------------------------------------------------------------------------
def batchnorm_histograms(before: np.ndarray, after: np.ndarray, labels: dict) -> bytes:
    fig, axes = plt.subplots(1, 2, figsize=(10, 3), sharey=True)
    for ax, data, title in ((axes[0], before, labels["before"]), (axes[1], after, labels["after"])):
        for c in range(data.shape[1]):
            ax.hist(data[:, c], bins=30, alpha=0.55, label=f"{labels['channel']} {c}")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(labels["value"])
    axes[0].set_ylabel(labels["count"])
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return png(fig)


# -- Dropout -----------------------------------------------------------------------------
def dropout_picture(image: np.ndarray, kept: np.ndarray, p: float, labels: dict) -> bytes:
    scaled = image * kept / (1 - p) if p < 1 else image * 0
    fig, axes = plt.subplots(1, 4, figsize=(10, 2.9))
    vmax = max(float(scaled.max()), float(image.max()), 1e-9)
    for ax, data, title, cmap in (
        (axes[0], image, labels["input"], "gray"),
        (axes[1], kept.astype(float), labels["mask"], "gray"),
        (axes[2], scaled, labels["train"], "gray"),
        (axes[3], image, labels["eval"], "gray"),
    ):
        ax.imshow(data, cmap=cmap, vmin=0, vmax=vmax if ax is not axes[1] else 1)
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return png(fig)


# -- optimizers on a loss surface ----------------------------------------------------------
def optimizer_paths(grid: tuple, paths: dict[str, np.ndarray], labels: dict) -> bytes:
    """Contours of a 2-D loss, ``grid = (θ₁ values, θ₂ values, loss)``, and each optimizer's
    path on it, start to end."""
    gx, gy, z = grid
    fig, ax = plt.subplots(figsize=(9, 5))
    ax.contourf(gx, gy, np.log1p(z), levels=30, cmap="Blues_r", alpha=0.85)
    ax.contour(gx, gy, np.log1p(z), levels=15, colors="white", linewidths=0.5, alpha=0.6)
    for (name, path), color in zip(paths.items(), ["#e4572e", "#f3a712", "#7b2cbf", "#2a9d8f"]):
        ax.plot(path[:, 0], path[:, 1], "-o", ms=2.5, lw=1.6, color=color, label=name)
        ax.plot(*path[-1], "X", ms=9, color=color, mec="black")
    start = paths[next(iter(paths))][0]
    ax.plot(*start, "o", ms=9, color="white", mec="black", label=labels["start"])
    ax.set_xlim(gx.min(), gx.max())
    ax.set_ylim(gy.min(), gy.max())
    ax.set_xlabel("θ₁")
    ax.set_ylabel("θ₂")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9)
    ax.set_title(labels["title"], fontsize=10)
    fig.tight_layout()
    return png(fig)


# -- evaluation and the playground ----------------------------------------------------------
def confusion(matrix: np.ndarray, classes: list[str], labels: dict) -> bytes:
    """The package's own confusion plot, its axis words in the reader's language."""
    from nyangtorch.train import plot_confusion

    fig = plot_confusion(matrix, classes, title=labels["title"])
    ax = fig.axes[0]
    ax.set_xlabel(labels["predicted"])
    ax.set_ylabel(labels["true"])
    return png(fig)


def image_grid(
    images: list[np.ndarray],
    titles: list[str],
    ncols: int,
    cmap="gray",
    symmetric: bool = False,
    size: float = 1.25,
) -> bytes:
    """Small images in a grid, each with a title (filters, feature maps, mistakes)."""
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, (size + 0.35) * nrows), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, title in zip(axes.flat, images, titles):
        if symmetric:
            m = float(np.abs(image).max()) or 1.0
            ax.imshow(image, cmap=cmap, vmin=-m, vmax=m)
        else:
            ax.imshow(image, cmap=cmap)
        ax.set_title(title, fontsize=7)
    fig.tight_layout()
    return png(fig)
