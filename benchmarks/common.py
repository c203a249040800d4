"""Timing helpers shared by the benchmarks: interleaved block timing, ratio ranges, thread and
BLAS info."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from nyangtorch import tune_allocator
from nyangtorch.compare.speed import TORCH_FORMATS, interleaved_seconds

# Benchmarks time what a training run does, and nyang_train tunes the allocator first.
tune_allocator()


def block_times(
    fns: dict[str, Callable[[], object]], repeats: int = 15, block: int = 10
) -> dict[str, np.ndarray]:
    """Seconds per call of each function, one value per round: each round runs a block of
    ``block`` calls of every function in turn (these machines are noisy, and a slow spell
    then hits every side alike; blocks rather than single calls, because the thread pools of
    NumPy's BLAS and torch keep busy-waiting for a moment after each call, and each block
    starts after a short pause for the same reason: see nyangtorch.compare.speed)."""

    def blocked(fn):
        def run():
            for _ in range(block):
                fn()

        return run

    times = interleaved_seconds({k: blocked(f) for k, f in fns.items()}, repeats, warmup=2)
    return {k: np.array(v) / block for k, v in times.items()}


def versus_torch(times: dict[str, list[float]]) -> tuple[str, float, float, float, float]:
    """Ours against torch in its faster memory format (by median; of those timed): (format,
    torch's median, median ratio ours ÷ torch, lowest and highest ratio of a round)."""
    fastest = min((k for k in TORCH_FORMATS if k in times), key=lambda k: np.median(times[k]))
    ours, theirs = np.asarray(times["ours"]), np.asarray(times[fastest])
    per_round = ours / theirs
    ratio = float(np.median(ours) / np.median(theirs))
    return fastest, float(np.median(theirs)), ratio, float(per_round.min()), float(per_round.max())


def ratio_text(times: dict[str, list[float]]) -> str:
    """``0.72 [0.66–0.80] vs channels_last``: the median ratio, the range over rounds, and
    torch's memory format it was measured against."""
    fastest, _, ratio, low, high = versus_torch(times)
    return f"{ratio:.2f} [{low:.2f}–{high:.2f}] vs {fastest.removeprefix('torch ')}"


def side_by_side(times: dict[str, list[float]], unit: str = "ms") -> str:
    """``6.10 / 8.02 ms  0.76 [0.70–0.81] vs channels_last``: medians, ours / torch's
    faster, and :func:`ratio_text`."""
    scale = 1e3 if unit == "ms" else 1.0
    torch_seconds = versus_torch(times)[1]
    ours = np.median(times["ours"]) * scale
    return f"{ours:.2f} / {torch_seconds * scale:.2f} {unit}  {ratio_text(times)}"


def blas_info() -> str:
    """Which BLAS NumPy runs, with which kernel and threads (via threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    parts = [
        f"{i.get('internal_api')} {i.get('version')} kernel={i.get('architecture')} "
        f"threads={i.get('num_threads')}"
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    ]
    env = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    return "; ".join(parts) + f" | env {env or 'OPENBLAS_* unset'}"


def set_threads(n: int) -> None:
    """Use ``n`` threads in both NumPy's BLAS and torch."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(n)
    threadpool_limits(n)
