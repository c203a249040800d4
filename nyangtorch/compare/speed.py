"""Block-timed speed of nyangtorch and torch on the same model and batches.

Each side runs its own block of steps, timed on its own and repeated (medians): the two
frameworks' thread pools (OpenBLAS, OpenMP) wait busily between calls, so timing them
interleaved step by step, as a twin run does, measures their fight over the cores instead.
"""

from __future__ import annotations

import contextlib
import time

import numpy as np

from .. import nn, optim
from ..nn.module import inference_mode
from .convert import _torch, to_torch


def median_seconds(fn, repeats: int, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeats`` runs, after ``warmup`` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def training_step_seconds(model: nn.NyangFlow, batches, repeats: int = 5) -> tuple[float, float]:
    """Seconds per Adam training step over ``batches`` [(x, y class indices)], ours and torch's."""
    torch = _torch()
    twin = to_torch(model)
    ce, opt = nn.CE(), optim.Adam(model.parameters(), lr=1e-3)
    topt = torch.optim.Adam(twin.parameters(), lr=1e-3)
    tbatches = [
        (torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(y)) for x, y in batches
    ]

    def ours():
        for x, y in batches:
            opt.zero_grad()
            ce(model(x), y)
            model.backward_params(ce.backward())
            opt.step()

    def theirs():
        for x, y in tbatches:
            topt.zero_grad()
            torch.nn.functional.cross_entropy(twin(x), y).backward()
            topt.step()

    n = len(batches)
    return median_seconds(ours, repeats) / n, median_seconds(theirs, repeats) / n


def inference_seconds(model: nn.NyangFlow, images, repeats: int = 3) -> tuple[float, float]:
    """Seconds to run every batch in ``images`` in eval mode, ours and torch's."""
    torch = _torch()
    twin = to_torch(model).eval()
    tbatches = [torch.from_numpy(np.ascontiguousarray(x)) for x in images]

    def ours():
        with inference_mode(model):
            for x in images:
                model(x)

    def theirs():
        with torch.no_grad():
            for x in tbatches:
                twin(x)

    return median_seconds(ours, repeats), median_seconds(theirs, repeats)


def layer_times(
    model: nn.NyangFlow, x: np.ndarray, y: np.ndarray | None = None, repeats: int = 30
) -> dict[str, float]:
    """Median seconds of each layer's forward and backward inside a training step of
    ``model`` on batch ``x`` with targets ``y`` (CE loss, Adam), plus the loss and the Adam
    step; keys like ``"fwd 3 Conv"``. Layers run in the network's order, so each sees the
    data and memory layout it really gets. With ``y=None``: the forward pass alone, in eval
    mode under no_grad (inference)."""
    layers = [(f"{i} {type(layer).__name__}", layer) for i, layer in enumerate(model)]
    loss_fn, opt = nn.CE(), optim.Adam(model.parameters(), lr=1e-3)
    times: dict[str, list[float]] = {}

    def timed(key: str, fn, *args):
        start = time.perf_counter()
        out = fn(*args)
        times.setdefault(key, []).append(time.perf_counter() - start)
        return out

    def loss_grad(logits: np.ndarray) -> np.ndarray:
        loss_fn(logits, y)
        return loss_fn.backward()

    def step():
        h = x
        for name, layer in layers:
            h = timed(f"fwd {name}", layer, h)
        if y is None:
            return
        g = timed("loss", loss_grad, h)
        for k, (name, layer) in enumerate(reversed(layers)):
            # The first layer's input is the data: no gradient for it (as in torch).
            backward = layer.backward_params if k == len(layers) - 1 else layer.backward
            g = timed(f"bwd {name}", backward, g)
        timed("adam step", opt.step)
        opt.zero_grad()

    with inference_mode(model) if y is None else contextlib.nullcontext():
        for r in range(3 + repeats):
            if r == 3:  # three warm-up steps, not counted
                times.clear()
            step()
    return {key: float(np.median(v)) for key, v in times.items()}


def step_gflop(model: nn.NyangFlow, image_shape: tuple[int, ...], batch: int) -> float:
    """GFLOP of the matrix products in one training step (2 per multiply-add): every Conv and
    Linear does its forward, weight-gradient and input-gradient product, except that the
    first needs no input gradient (the images have none)."""
    x, total, first = np.zeros((1, *image_shape), np.float32), 0, True
    with inference_mode(model):
        for layer in (m for m in model.modules() if not isinstance(m, nn.NyangFlow)):
            y = layer(x)
            if isinstance(layer, nn.Conv):
                macs = y.size * layer.in_channels * int(np.prod(layer.kernel_size))
            elif isinstance(layer, nn.Linear):
                macs = y.size * layer.in_features
            else:
                macs = 0
            if macs:
                total += 2 * macs * batch * (2 if first else 3)
                first = False
            x = y
    return total / 1e9


def gemm_gflops(shape=(7744, 288, 64), repeats: int = 20) -> tuple[float, float]:
    """GFLOP/s of one float32 matrix product (M, K) @ (K, N), NumPy's BLAS and torch's. The
    default is the reference CNN's largest product: conv2's im2col rows at batch 64."""
    torch = _torch()
    m, k, n = shape
    rng = np.random.default_rng(0)
    a, b = rng.random((m, k), dtype=np.float32), rng.random((k, n), dtype=np.float32)
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    flop = 2 * m * k * n / 1e9
    ours = median_seconds(lambda: a @ b, repeats, warmup=3)
    theirs = median_seconds(lambda: torch.mm(ta, tb), repeats, warmup=3)
    return flop / ours, flop / theirs


def speed_table(
    factories: dict, batches, test_images, repeats: int = 5, memory: bool = True
) -> dict:
    """``{"models": {name: {"step_ms", "inference_s", "memory_mb"}}, ...}``, each value an
    (ours, torch) pair, for every model factory in ``factories``, on the same batches; plus
    per model the step's matrix-product GFLOP and nyangtorch's time per layer (ms)."""
    from .memory import peak_memory_mb

    torch = _torch()
    batch = len(batches[0][0])
    table = {
        "batch_size": batch,
        "threads": torch.get_num_threads(),
        "gemm_gflops": list(gemm_gflops()),
        "models": {},
    }
    for name, make in factories.items():
        step = training_step_seconds(make(), batches, repeats)
        inference = inference_seconds(make(), test_images, max(1, repeats // 2))
        x, y = batches[0]
        mem = [
            peak_memory_mb(side, make(), x, y, test_images, steps=10) if memory else None
            for side in ("ours", "torch")
        ]
        table["models"][name] = {
            "step_ms": [s * 1e3 for s in step],
            "inference_s": list(inference),
            "memory_mb": mem,
            "step_gflop": step_gflop(make(), batches[0][0].shape[1:], batch),
            "layer_ms": {k: v * 1e3 for k, v in layer_times(make(), x, y).items()},
        }
    return table
