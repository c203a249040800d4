"""Peak memory of one side's training and inference, each measured in a fresh process.

A forked child would inherit torch's OpenMP thread pool, which is not fork-safe (the child
can hang), so the measurement runs in a *spawned* interpreter. Both sides import torch before
the baseline is read, so the figure is working memory (activations, gradients, optimizer state,
buffers), not library code.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np


def _rss_kb(field_name: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field_name):
                return int(line.split()[1])
    return 0


def _workload(
    side: str, model, x: np.ndarray, y: np.ndarray, test_batches, dtype, steps: int
) -> None:
    """``steps`` training steps (Adam) on one batch, then inference over ``test_batches``,
    ours each as nyang_train and nyang_inference run them."""
    import torch

    from .. import nn, optim
    from ..eval.threads import map_batches
    from ..nn.module import no_grad
    from ..train.parallel import for_training
    from .convert import to_torch, torch_target

    x = x.astype(dtype)
    if side == "ours":
        opt, ce = optim.Adam(model.parameters()), nn.CE()
        stepper = for_training(model)  # as nyang_train trains it
        for _ in range(steps):
            opt.zero_grad()
            ce(stepper(x), y)
            stepper.backward_params(ce.backward())
            opt.step()
        model.eval()
        with no_grad():  # shares of each batch side by side, as nyang_inference
            batches = (xb.astype(dtype, copy=False) for xb in test_batches)
            for _ in map_batches(model, batches):
                pass
        return
    twin = to_torch(model)
    opt = torch.optim.Adam(twin.parameters())
    xt, yt = torch.from_numpy(np.ascontiguousarray(x)), torch_target(y, dtype)
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(twin(xt), yt).backward()
        opt.step()
    twin.eval()
    with torch.no_grad():
        for xb in test_batches:
            twin(torch.from_numpy(np.ascontiguousarray(xb, dtype=dtype)))


def _measure(*args) -> float:
    import torch  # noqa: F401  (loaded before the baseline: library memory is not counted)

    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset this process's peak-RSS counter (VmHWM)
    before = _rss_kb("VmRSS:")
    _workload(*args)
    return (_rss_kb("VmHWM:") - before) / 1024


def peak_memory_mb(
    side: str,
    model,
    x: np.ndarray,
    y: np.ndarray,
    test_batches=(),
    dtype=np.float32,
    steps: int = 30,
    timeout: float = 900,
) -> float | None:
    """Peak resident memory (MB) that ``side`` ("ours" or "torch") adds while training
    ``model`` for ``steps`` steps on the batch ``(x, y)`` and running ``test_batches``.
    None where Linux's /proc is not available."""
    if side not in ("ours", "torch"):
        raise ValueError(f"side must be 'ours' or 'torch', got {side!r}")
    if not os.path.exists("/proc/self/clear_refs"):
        return None
    # A fresh interpreter per measurement; a crash surfaces as BrokenProcessPool, not a hang.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        job = pool.submit(_measure, side, model, x, y, list(test_batches), np.dtype(dtype), steps)
        return job.result(timeout)
