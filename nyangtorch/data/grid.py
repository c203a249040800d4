"""Draw a batch of images as a labelled grid (matplotlib)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._plotting import pyplot


def _as_indices(labels) -> np.ndarray | None:
    if labels is None:
        return None
    labels = np.asarray(labels)
    return labels.argmax(axis=1) if labels.ndim == 2 else labels.astype(int)


def displayable(images: np.ndarray, mean=None, std=None) -> np.ndarray:
    """Images as (N, H, W, C) floats in [0, 1]: NCHW float input is un-normalised with
    ``x·std + mean`` (or min-max scaled per image when those are unknown); uint8 is /255."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        x = images.astype(np.float32) / 255
        return x[..., None] if x.ndim == 3 else x
    x = images.transpose(0, 2, 3, 1) if images.ndim == 4 and images.shape[1] in (1, 3) else images
    x = x[..., None] if x.ndim == 3 else x.astype(np.float64)
    if mean is not None and std is not None:
        x = x * np.asarray(std) + np.asarray(mean)
    else:
        low = x.min(axis=(1, 2, 3), keepdims=True)
        high = x.max(axis=(1, 2, 3), keepdims=True)
        x = (x - low) / np.maximum(high - low, 1e-12)
    return np.clip(x, 0, 1)


def nyang_images_grid(
    images: np.ndarray,
    labels=None,
    class_names: Sequence[str] | None = None,
    path=None,
    ncols: int = 8,
    predictions=None,
    mean=None,
    std=None,
):
    """Show images in a grid titled with their labels; with ``predictions``, each title is
    "predicted (true)" and wrong ones are marked in red with a red frame.

    ``images``: a batch from a loader (float32 NCHW, normalised — pass the loader's ``mean`` and
    ``std`` to undo it) or uint8 (N, H, W[, C]). ``labels``/``predictions``: class indices,
    one-hot or logits. Saves a PNG when ``path`` is given; returns the matplotlib Figure.
    """
    plt = pyplot()
    x = displayable(images, mean, std)
    true, pred = _as_indices(labels), _as_indices(predictions)
    name = (lambda i: class_names[i]) if class_names is not None else str
    n = len(x)
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.6 * ncols, 1.8 * nrows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= n:
            ax.axis("off")
            continue
        img = x[k]
        ax.imshow(
            img[..., 0] if img.shape[-1] == 1 else img,
            cmap="gray" if img.shape[-1] == 1 else None,
            vmin=0,
            vmax=1,
        )
        if pred is not None:
            wrong = true is not None and pred[k] != true[k]
            title = f"{name(pred[k])}" + (f" ({name(true[k])})" if wrong else "")
            ax.set_title(title, fontsize=7, color="red" if wrong else "green")
            if wrong:
                for spine in ax.spines.values():
                    spine.set_edgecolor("red")
                    spine.set_linewidth(2)
        elif true is not None:
            ax.set_title(name(true[k]), fontsize=7)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
    return fig
