"""Block-timed speed of nyangtorch and torch on the same model and batches.

Each side runs a block of steps, timed on its own; the blocks take turns (ours, torch, …)
and repeat, and the medians count: a slow spell of a shared machine then hits every side
alike. Blocks, not single steps: the two frameworks' thread pools (OpenBLAS, OpenMP) wait
busily after each call, so timing them interleaved step by step, as a twin run does,
measures their fight over the cores instead. For the same reason each block starts after a
short pause (``SETTLE_SECONDS``): measured on 2 cores, NumPy's OpenBLAS threads spin for
about 0.1 s after its last product and slowed the first five steps of a torch block that
followed at once to about twice their time; torch's OpenMP threads slowed our first step.
(After a 0.1 s pause torch's first step was still about 10% slow.)

torch is timed in both memory formats, NCHW (its default) and ``channels_last``, and the
faster one is the figure compared with: for these small convolutions that is usually
channels_last, which torch also picks by itself for a one-channel batch stored
(N, H, W, 1), as nyangtorch's loader gives it.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import itertools
import time
from collections.abc import Callable, Iterable

import numpy as np

from .. import nn, optim
from ..eval.threads import map_batches, thread_count
from ..nn import winograd
from ..nn.module import inference_mode
from ..nn.windows import conv_output_size
from ..train.parallel import for_training
from .convert import _torch, to_torch

TORCH_FORMATS = ("torch NCHW", "torch channels_last")
# Idle time before each timed block, for the other side's threads to stop spinning: OpenBLAS
# spins 2^28 clock cycles after its last product (0.1 s at 2.6 GHz), twice that for margin.
SETTLE_SECONDS = 0.2


def median_seconds(fn, repeats: int, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeats`` runs, after ``warmup`` untimed runs."""
    return float(np.median(interleaved_seconds({"fn": fn}, repeats, warmup)["fn"]))


def interleaved_seconds(
    fns: dict[str, Callable[[], object]], repeats: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Wall times of each function over ``repeats`` rounds, the functions taking turns in
    every round (A, B, C, A, B, C, …), after ``warmup`` untimed rounds. With more than one
    function, each call starts after ``SETTLE_SECONDS`` of idle time."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for r in range(warmup + repeats):
        for name, fn in fns.items():
            if len(fns) > 1:
                time.sleep(SETTLE_SECONDS)
            start = time.perf_counter()
            fn()
            if r >= warmup:
                times[name].append(time.perf_counter() - start)
    return times


def fastest_torch(medians: dict[str, float]) -> tuple[str, float]:
    """The faster of torch's memory formats: (name, seconds)."""
    return min(((name, medians[name]) for name in TORCH_FORMATS), key=lambda item: item[1])


def _torch_twins(model: nn.NyangFlow, train: bool):
    """torch's twin of ``model`` in each memory format, and the function that puts a batch
    in that format: a contiguous NCHW copy, or channels_last."""
    torch = _torch()
    twin = to_torch(model).train(train)
    last = copy.deepcopy(twin).to(memory_format=torch.channels_last)
    return {
        "torch NCHW": (twin, lambda x: torch.from_numpy(x.copy(order="C"))),
        "torch channels_last": (
            last,
            lambda x: torch.from_numpy(x).contiguous(memory_format=torch.channels_last),
        ),
    }


def _trainers(model: nn.NyangFlow) -> dict[str, Callable[[Iterable], None]]:
    """For ``"ours"`` and each of :data:`TORCH_FORMATS`: a function that runs an Adam
    training step (lr 1e-3, CE loss) on each (x, y class indices) batch it is given, ours on
    ``model`` itself, each torch format on its own twin of it, each with its own optimizer, so
    that calls continue one training run.
    Ours runs as ``nyang_train`` does, data parallel on the BLAS's threads where the model
    allows (``nyangtorch.train.parallel``); torch gets each batch in its memory format as it
    comes."""
    torch = _torch()
    ce, opt = nn.CE(), optim.Adam(model.parameters(), lr=1e-3)
    stepper = for_training(model)  # as nyang_train runs it

    def ours(batches: Iterable) -> None:
        for x, y in batches:
            opt.zero_grad()
            ce(stepper(x), y)
            stepper.backward_params(ce.backward())
            opt.step()

    def torch_steps(twin, convert):
        topt = torch.optim.Adam(twin.parameters(), lr=1e-3)

        def steps(batches: Iterable) -> None:
            for x, y in batches:
                topt.zero_grad()
                loss = torch.nn.functional.cross_entropy(twin(convert(x)), torch.from_numpy(y))
                loss.backward()
                topt.step()

        return steps

    trainers = {"ours": ours}
    trainers.update({name: torch_steps(*twin) for name, twin in _torch_twins(model, True).items()})
    return trainers


def training_step_seconds(
    model: nn.NyangFlow, batches: list, repeats: int = 5, warmup: int = 1
) -> dict[str, list[float]]:
    """Seconds per Adam training step over ``batches`` [(x, y class indices)], one value per
    round for each of ``"ours"`` and :data:`TORCH_FORMATS`, blocks interleaved: each round,
    every side runs all of ``batches`` in turn."""
    fns = {name: functools.partial(run, batches) for name, run in _trainers(model).items()}
    times = interleaved_seconds(fns, repeats, warmup)
    return {name: [t / len(batches) for t in ts] for name, ts in times.items()}


def training_epoch_seconds(
    model: nn.NyangFlow, loader, rounds: int = 1, chunk: int = 50
) -> dict[str, list[float]]:
    """Seconds per whole epoch of Adam training steps over ``loader`` (an iterable of
    (x, y class indices) batches, read anew each round), one value per round for each of
    ``"ours"`` and :data:`TORCH_FORMATS`.

    The sides take turns chunk by chunk, not epoch by epoch: each round reads ``chunk``
    batches from the loader, lets every side train on them in turn (each after
    ``SETTLE_SECONDS`` of idle time), and goes on with the next ``chunk``. A shared machine's
    slow spells last seconds to minutes (measured here: a whole 10 s epoch at 1.8× its usual
    time, then the next at 1×), so whole-epoch blocks land in them one side at a time;
    half-second blocks share them. The loader's time, measured as it reads each chunk, is
    added to every side's epoch: each side would read the same batches."""
    trainers = _trainers(model)
    epochs: dict[str, list[float]] = {name: [] for name in trainers}
    for _ in range(rounds):
        spent = dict.fromkeys(trainers, 0.0)
        batches = iter(loader)
        while True:
            start = time.perf_counter()
            part = list(itertools.islice(batches, chunk))
            reading = time.perf_counter() - start
            if not part:
                break
            for name, run in trainers.items():
                time.sleep(SETTLE_SECONDS)
                start = time.perf_counter()
                run(part)
                spent[name] += time.perf_counter() - start + reading
        for name, seconds in spent.items():
            epochs[name].append(seconds)
    return epochs


def inference_seconds(model: nn.NyangFlow, images, repeats: int = 3) -> dict[str, list[float]]:
    """Seconds to run every batch in ``images`` in eval mode, one value per round for each of
    ``"ours"`` and :data:`TORCH_FORMATS`, interleaved."""
    torch = _torch()

    threads = thread_count(None)  # read once, outside the timed runs

    def ours():  # as nyang_inference runs it: each batch's shares side by side
        with inference_mode(model):
            for _ in map_batches(model, images, threads):
                pass

    def torch_inference(twin, convert):
        tbatches = [convert(x) for x in images]

        def run():
            with torch.no_grad():
                for x in tbatches:
                    twin(x)

        return run

    fns = {"ours": ours}
    fns.update({name: torch_inference(*t) for name, t in _torch_twins(model, False).items()})
    return interleaved_seconds(fns, repeats)


def medians(times: dict[str, list[float]]) -> dict[str, float]:
    return {name: float(np.median(ts)) for name, ts in times.items()}


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


def step_gflop(
    model: nn.NyangFlow, image_shape: tuple[int, ...], batch: int
) -> tuple[float, float]:
    """GFLOP of the matrix products in one training step (2 per multiply-add), nyangtorch's
    and PyTorch's: every Conv and Linear does its forward, weight-gradient and input-gradient
    product, except that the first needs no input gradient (the images have none). They
    differ where a Conv skips the outputs its next pool never reads (``next_pool``): PyTorch
    computes every output; and where a Conv runs Winograd's F(m×m, 3×3): (m + 2)² multiply-adds
    per m×m block of outputs, input channel and output channel, where im2col does 9·m² (its
    backward may run other blocks than its forward: ``Conv.winograd_backward_block``)."""
    x, ours, theirs, first = np.zeros((1, *image_shape), np.float32), 0, 0, True
    with inference_mode(model):
        for layer in (m for m in model.modules() if not isinstance(m, nn.NyangFlow)):
            y = layer(x)
            if isinstance(layer, nn.Conv):
                per_output = layer.in_channels * int(np.prod(layer.kernel_size))
                window = layer.kernel_size, layer.stride, layer.padding
                full = conv_output_size(layer, x.shape[2:], *window)
                size, channels = y.shape[2:], layer.in_channels * layer.out_channels
                blocks = (
                    layer.winograd_block(size, gradients=True),
                    layer.winograd_backward_block(size),
                )
                forward, backward = (
                    winograd.products(size, m) * channels if m else y.size * per_output
                    for m in blocks
                )
                macs = forward, backward, y.shape[1] * full[0] * full[1] * per_output
            elif isinstance(layer, nn.Linear):
                macs = (y.size * layer.in_features,) * 3
            else:
                macs = 0, 0, 0
            if macs[0]:
                backward_passes = 1 if first else 2
                ours += 2 * batch * (macs[0] + backward_passes * macs[1])
                theirs += 2 * batch * (1 + backward_passes) * macs[2]
                first = False
            x = y
    return ours / 1e9, theirs / 1e9


GEMM_SHAPE = (6400, 288, 64)  # conv2's im2col rows at batch 64 by its weights, (M, K, N)


def gemm_gflops(shape=GEMM_SHAPE, repeats: int = 20) -> tuple[float, float]:
    """GFLOP/s of one float32 matrix product (M, K) @ (K, N), NumPy's BLAS and torch's. The
    default is the reference CNN's largest product: conv2's im2col rows at batch 64, one
    for each of the 10×10 windows its pool reads."""
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
    (ours, torch) pair (torch in its faster memory format, named in ``torch_formats``), for
    every model factory in ``factories``, on the same batches; plus per model the step's
    matrix-product GFLOP and nyangtorch's time per layer (ms)."""
    from .memory import peak_memory_mb

    torch = _torch()
    batch = len(batches[0][0])
    table = {
        "batch_size": batch,
        "threads": torch.get_num_threads(),
        "gemm_gflops": list(gemm_gflops()),
        "gemm_shape": list(GEMM_SHAPE),
        "models": {},
    }
    for name, make in factories.items():
        step = medians(training_step_seconds(make(), batches, repeats))
        inference = medians(inference_seconds(make(), test_images, max(1, repeats // 2)))
        x, y = batches[0]
        mem = [
            peak_memory_mb(side, make(), x, y, test_images, steps=10) if memory else None
            for side in ("ours", "torch")
        ]
        step_format, step_torch = fastest_torch(step)
        inference_format, inference_torch = fastest_torch(inference)
        table["models"][name] = {
            "step_ms": [step["ours"] * 1e3, step_torch * 1e3],
            "inference_s": [inference["ours"], inference_torch],
            "torch_formats": {"step": step_format, "inference": inference_format},
            "memory_mb": mem,
            "step_gflop": step_gflop(make(), batches[0][0].shape[1:], batch),
            "layer_ms": {k: v * 1e3 for k, v in layer_times(make(), x, y).items()},
        }
    return table
