"""Timing helpers shared by the benchmarks: medians of repeated runs, thread and BLAS info."""

from __future__ import annotations

import os

from nyangtorch import tune_allocator
from nyangtorch.compare.speed import median_seconds

# Benchmarks time what a training run does, and nyang_train tunes the allocator first.
tune_allocator()


def median_time(fn, repeat: int = 20, warmup: int = 3) -> float:
    """Median wall time of ``fn()`` in seconds (these machines are noisy: medians, not means)."""
    return median_seconds(fn, repeat, warmup)


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
