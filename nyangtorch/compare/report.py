"""Write a twin run's report: results.json, summary.md and PNG plots."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

import numpy as np

from .._plotting import pyplot
from .differences import DIFFERENCES


def environment() -> dict:
    """Machine, library versions, thread counts and the BLAS NumPy runs (threadpoolctl)."""
    import torch

    env = {
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "openblas_env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
    }
    try:
        from threadpoolctl import threadpool_info

        # Every thread pool in the process (torch, SciPy and scikit-learn bring their own);
        # "package" tells which one is NumPy's.
        env["blas"] = [
            {k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            | {"package": package_of(i.get("filepath", ""))}
            for i in threadpool_info()
        ]
    except ImportError:
        env["blas"] = "threadpoolctl not installed"
    return env


def package_of(library_path: str) -> str:
    """The installed package a shared library came with:
    ``…/site-packages/numpy.libs/libscipy_openblas64_.so`` -> ``numpy``."""
    parts = Path(library_path).parts
    if "site-packages" not in parts or parts[-1] == "site-packages":
        return ""
    return parts[parts.index("site-packages") + 1].removesuffix(".libs")


def write_report(results: dict, folder: str | Path) -> Path:
    """``results``: {"float32": TwinResult dict, "float64": TwinResult dict, ...}. Writes
    results.json, summary.md, losses.png, loss_difference.png, speed_memory.png."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"environment": environment(), "differences": DIFFERENCES, **results}
    (folder / "results.json").write_text(json.dumps(payload, indent=2, default=float))
    plt = pyplot()
    twins = {name: r for name, r in results.items() if "ours" in r}  # not the speed table
    main = twins.get("float32") or next(iter(twins.values()))
    ours, theirs = np.array(main["ours"]["step_losses"]), np.array(main["torch"]["step_losses"])

    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot(theirs, label=main["torch"]["name"], alpha=0.8, linewidth=0.8)
    ax.plot(ours, label="nyangtorch", alpha=0.8, linewidth=0.8, linestyle="--")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
    ax.set_title(f"training loss per step ({main['config']['dtype']})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "losses.png", dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 3.5))
    for name, result in twins.items():
        a, b = np.array(result["ours"]["step_losses"]), np.array(result["torch"]["step_losses"])
        ax.semilogy(
            np.abs(a - b) / np.maximum(np.abs(b), 1e-300) + 1e-18, label=name, linewidth=0.8
        )
    ax.set_xlabel("step")
    ax.set_ylabel("|loss difference| / loss")
    ax.set_title("per-step relative loss difference, nyangtorch vs torch")
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "loss_difference.png", dpi=100)
    plt.close(fig)

    speed = results.get("speed", {})
    if speed:
        fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
        names = list(speed["models"])
        for ax, (key, label) in zip(
            axes,
            [
                ("step_ms", "training step (ms)"),
                ("inference_s", "test-set inference (s)"),
                ("memory_mb", "peak memory (MB)"),
            ],
        ):
            width = 0.38
            xs = np.arange(len(names))
            ours = [speed["models"][n][key][0] or 0 for n in names]
            theirs = [speed["models"][n][key][1] or 0 for n in names]
            ax.bar(xs - width / 2, ours, width, label="nyangtorch", color="tab:orange")
            ax.bar(xs + width / 2, theirs, width, label="torch", color="tab:blue")
            ax.set_xticks(xs, names)
            ax.set_title(label)
        axes[0].legend()
        fig.tight_layout()
        fig.savefig(folder / "speed_memory.png", dpi=100)
        plt.close(fig)

    (folder / "summary.md").write_text(summary_markdown(payload))
    return folder


SPEED_NOTE = " ".join([
    "Each side runs blocks of training steps and inference over the 10,000 test images, the",
    "sides taking turns block after block (medians of the rounds); torch runs both NCHW and",
    "channels_last and the faster counts. Peak memory is that of training steps plus inference",
    "with each side in a fresh process. The twin runs above interleave the two frameworks step",
    "by step, where their thread pools fight over the cores, so their times are not speed",
    "measurements. A timed training step includes handing torch its batch in its memory format,",
    "as a torch training loop does; inference converts the test images before the clock starts.",
])  # fmt: skip


def _fmt(value, spec: str = ".4f") -> str:
    return "—" if value is None else format(value, spec)


def roofline_lines(speed: dict) -> list[str]:
    """How far each side's training step is from the time its matrix products alone need at
    the GEMM rate measured on the same machine."""
    if "gemm_gflops" not in speed:  # a report written before the roofline was measured
        return []
    go, gt = speed["gemm_gflops"]
    rows, depth, width = speed.get("gemm_shape", (7744, 288, 64))  # older: conv2's full 11×11
    lines = [
        f"**Roofline.** A float32 product of the reference CNN's largest shape (conv2's im2col "
        f"rows at batch 64, ({rows}×{depth}) @ ({depth}×{width})) runs at {go:.0f} GFLOP/s in "
        f"NumPy's BLAS and {gt:.0f} GFLOP/s in torch here. Dividing each step's matrix-product "
        "work by that rate gives the least time a step can take; the rest is everything else "
        "(copies, element-wise layers, the optimizer). torch's convolutions run oneDNN kernels "
        "rather than this product (faster than it, see below), so its floor is only a guide.",
        "",
        "| model | GFLOP per step, ours / torch | per epoch (60,000 images) "
        "| floor ours / torch (ms) "
        "| measured ÷ floor, ours / torch |",
        "|---|---|---|---|---|",
    ]
    batch = speed["batch_size"]
    for name, m in speed["models"].items():
        if "step_gflop" not in m:
            continue
        flop_ours, flop_torch = _gflop_pair(m["step_gflop"])
        fo, ft = flop_ours / go * 1e3, flop_torch / gt * 1e3
        so, st = m["step_ms"]
        epoch = 60000 / batch / 1e3
        lines.append(
            f"| {name} | {flop_ours:.2f} / {flop_torch:.2f} | "
            f"{flop_ours * epoch:.2f} / {flop_torch * epoch:.2f} TFLOP | "
            f"{fo:.1f} / {ft:.1f} | {so / fo:.1f} / {st / ft:.1f} |"
        )
    return lines


def _gflop_pair(flop: float | list[float]) -> tuple[float, float]:
    """A step's GFLOP, ours and torch's; reports written before the reference CNN skipped
    the outputs its pools never read hold one number for both."""
    return (flop, flop) if isinstance(flop, (int, float)) else tuple(flop)


def layer_time_lines(speed: dict) -> list[str]:
    """Where nyangtorch's training step goes, layer by layer (forward and backward)."""
    lines = []
    for name, m in speed["models"].items():
        if "layer_ms" not in m:  # a report written before layers were timed
            continue
        ms = m["layer_ms"]
        total = sum(ms.values())
        layers = [key[4:] for key in ms if key.startswith("fwd ")]
        lines += [
            f"**Where a nyangtorch step goes: {name}** (batch {speed['batch_size']}, each "
            "layer timed inside the network, in the order it runs; medians).",
            "",
            "| layer | forward (ms) | backward (ms) | share |",
            "|---|---|---|---|",
        ]
        for layer in layers:
            fwd, bwd = ms[f"fwd {layer}"], ms.get(f"bwd {layer}", 0.0)
            lines.append(f"| {layer} | {fwd:.3f} | {bwd:.3f} | {(fwd + bwd) / total:.0%} |")
        for key in ("loss", "adam step"):
            lines.append(f"| {key} | {ms[key]:.3f} | | {ms[key] / total:.0%} |")
        lines += [f"| total | {total:.2f} | | |", ""]
        if "gemm_gflops" in speed and "step_gflop" in m:
            products = _gflop_pair(m["step_gflop"])[0] / speed["gemm_gflops"][0] * 1e3
            lines += [
                f"At the measured GEMM rate the matrix products need {products:.1f} ms of these "
                f"{total:.1f} ms; the other {total - products:.1f} ms are copies and "
                "transforms (im2col, col2im, Winograd's tiles, pooling), element-wise layers "
                "and the optimizer, each a pass over arrays of several MB on one core.",
                "",
            ]
    return lines


INIT_NAMES = {
    "he": "nyangtorch, He-normal (default)",
    "torch": 'nyangtorch, init="torch"',
    "pytorch": "PyTorch's own initialisation",
}


def init_lines(runs: dict | None) -> list[str]:
    """The section on initialisation: each start's first loss and first epochs."""
    if not runs:
        return []
    config = runs.get("config", {})
    starts = [name for name in INIT_NAMES if name in runs]
    epochs = len(runs[starts[0]]["epochs"])
    lines = [
        "## Initialisation: the first epochs",
        "",
        f"The reference CNN from each start, Adam (lr 0.001), {config.get('train_images', '?')} "
        f"training images in batches of {config.get('batch_size', '?')}, validated on "
        f"{config.get('valid_images', '?')}. He-normal's wider weights start the loss higher "
        '(ln 10 ≈ 2.30 is a uniform guess); init="torch" starts where PyTorch does.',
        "",
        "| start | first loss | "
        + " | ".join(f"epoch {e + 1} valid loss / accuracy" for e in range(epochs))
        + " |",
        "|---|---|" + "---|" * epochs,
    ]
    for name in starts:
        run = runs[name]
        cells = [f"{r['valid_loss']:.4f} / {r['valid_accuracy']:.4f}" for r in run["epochs"]]
        lines.append(
            f"| {INIT_NAMES[name]} | {run['first_loss']:.3f} | " + " | ".join(cells) + " |"
        )
    return [*lines, ""]


def summary_markdown(payload: dict) -> str:
    lines = ["# nyangtorch vs PyTorch", ""]
    env = payload["environment"]
    pools = env["blas"] if isinstance(env["blas"], list) else []
    blas = next((b for b in pools if b.get("package") == "numpy"), pools[0] if pools else {})
    lines += [
        f"numpy {env['numpy']} ({blas.get('internal_api')} {blas.get('version')}, kernel "
        f"{blas.get('architecture')}, {blas.get('num_threads')} threads), torch {env['torch']} "
        f"({env['torch_threads']} threads), {env['cpus']} CPUs, "
        f"OPENBLAS env {env['openblas_env']}.",
        "",
    ]
    for name in ("float64", "float32"):
        if name not in payload:
            continue
        r = payload[name]
        o, t, c = r["ours"], r["torch"], r["config"]
        lines += [
            f"## {name} twin run",
            "",
            f"{c['steps']} steps, batch {c['batch_size']}, "
            f"{c['optimizer']} {c['optimizer_kwargs']}, "
            f"{c['epochs']} epoch(s), scheduler {c['scheduler']}.",
            "",
            f"- largest per-step loss difference: {r['max_abs_loss_diff']:.3g} absolute, "
            f"{r['max_rel_loss_diff']:.3g} relative",
            f"- largest final weight difference: {r['max_weight_diff']:.3g}",
            "",
        ]
        lines += ["| | nyangtorch | torch | ours ÷ torch |", "|---|---|---|---|"]
        for key, label, spec in [
            ("test_accuracy", "test accuracy", ".4f"),
            ("test_f1", "test macro-F1", ".4f"),
            ("train_seconds", "training time, interleaved (s)", ".1f"),
            ("inference_seconds", "test inference (s)", ".2f"),
            ("peak_memory_mb", "peak memory (MB)", ".0f"),
        ]:
            a, b = o.get(key), t.get(key)
            # Interleaved step by step, the two thread pools compete for the cores: no ratio.
            show = a and b and not key.startswith("test_") and key != "train_seconds"
            ratio = f"{a / b:.2f}" if show else ""
            lines.append(f"| {label} | {_fmt(a, spec)} | {_fmt(b, spec)} | {ratio} |")
        if o["epochs"]:
            lines += [
                "",
                "| epoch | valid acc (ours) | valid acc (torch) "
                "| valid loss (ours) | valid loss (torch) |",
                "|---|---|---|---|---|",
            ]
            for eo, et in zip(o["epochs"], t["epochs"]):
                lines.append(
                    f"| {eo['epoch']} | {eo['valid_accuracy']:.4f} | {et['valid_accuracy']:.4f} | "
                    f"{eo['valid_loss']:.4f} | {et['valid_loss']:.4f} |"
                )
        lines.append("")
    lines += init_lines(payload.get("init"))
    speed = payload.get("speed")
    if speed:
        lines += [
            "## Speed and memory (block-timed)",
            "",
            f"Batch {speed['batch_size']}, {speed['threads']} threads, Fashion-MNIST. {SPEED_NOTE}",
            "",
            "| model | training step ours / torch (ms) | ratio "
            "| inference ours / torch (s) | ratio | peak memory ours / torch (MB) | ratio |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, m in speed["models"].items():
            (so, st), (io, it), (mo, mt) = m["step_ms"], m["inference_s"], m["memory_mb"]
            memory = f"{mo:.0f} / {mt:.0f} | {mo / mt:.2f}" if mo and mt else "— | —"
            lines.append(
                f"| {name} | {so:.1f} / {st:.1f} | {so / st:.2f} | {io:.2f} / {it:.2f} | "
                f"{io / it:.2f} | {memory} |"
            )
        lines += ["", *roofline_lines(speed), "", *layer_time_lines(speed)]
    lines += [
        "## Every difference, explained",
        "",
        "| topic | status | finding | what was done |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {d['topic']} | {d['status']} | {d['finding']} | {d['action']} |"
        for d in payload["differences"]
    ]
    lines += [
        "",
        "![losses](losses.png)",
        "",
        "![difference](loss_difference.png)",
        "",
        "![speed](speed_memory.png)",
        "",
    ]
    return "\n".join(lines)
