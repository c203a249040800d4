"""Forward+backward time of each layer of the reference CNN, and the training step of the
reference CNN and the BatchNorm CNN, nyangtorch vs torch in one process.

Shapes: batch 64 of Fashion-MNIST (1×28×28) through Conv(1,32,3), MaxPool(2) with its ReLU,
Conv(32,64,3), MaxPool(2) with its ReLU, Linear(1600,128), Linear(128,10), and a BatchNorm;
the second Conv as in the reference CNN, ``next_pool=2`` (ours computes the 10×10 outputs its
pool reads, torch's Conv2d all 11×11; the pool row then times both on 11×11), by Winograd's
F(2×2, 3×3) as the model runs it and by im2col, its plain twin;
plus the full training step (forward, CE loss, backward, Adam step). Prints milliseconds and
the ratio ours ÷ torch (below 1 is faster) against torch's faster memory format, NCHW (its
default) or ``channels_last`` (which it also picks by itself for a one-channel batch stored
(N, H, W, 1), as our loader's are), with the range over rounds in brackets. nyangtorch gets
its input in the channels-last memory its own layers hand on. The sides take turns in blocks
of calls, round after round (see common.block_times).

    python benchmarks/layers.py [--threads N] [--batch 64] [--repeats 15]
"""

from __future__ import annotations

import argparse
import copy

import numpy as np
import torch
from common import blas_info, block_times, ratio_text, set_threads

import nyangtorch
from nyangtorch import models, nn, optim
from nyangtorch.compare import to_torch
from nyangtorch.train.parallel import for_training


def layer_cases(batch: int):
    """(name, ours, torch's twin, input) for each layer of the reference CNN."""
    rng = np.random.default_rng(0)

    def normal(*shape):
        return rng.standard_normal((batch, *shape)).astype(np.float32)

    def relu(*shape):  # what a layer after a ReLU gets
        return np.maximum(normal(*shape), 0)

    def pool_relu():
        return torch.nn.Sequential(torch.nn.MaxPool2d(2), torch.nn.ReLU())

    tnn = torch.nn
    return [
        ("Conv(1,32,3)", nn.Conv(1, 32, 3), tnn.Conv2d(1, 32, 3), relu(1, 28, 28)),
        ("MaxPool(2)+ReLU 32×26×26", nn.MaxPool(2, relu=True), pool_relu(), normal(32, 26, 26)),
        *(
            (
                f"Conv(32,64,3) {algorithm}",
                nn.Conv(32, 64, 3, next_pool=2, algorithm=algorithm.lower()),
                tnn.Conv2d(32, 64, 3),
                relu(32, 13, 13),
            )
            for algorithm in ("Winograd", "im2col")
        ),
        ("MaxPool(2)+ReLU 64×11×11", nn.MaxPool(2, relu=True), pool_relu(), normal(64, 11, 11)),
        ("Linear(1600,128)", nn.Linear(1600, 128), tnn.Linear(1600, 128), relu(1600)),
        ("ReLU 128", nn.ReLU(), tnn.ReLU(), normal(128)),
        ("Linear(128,10)", nn.Linear(128, 10), tnn.Linear(128, 10), relu(128)),
        ("BatchNorm(32) 32×26×26", nn.BatchNorm(32), tnn.BatchNorm2d(32), normal(32, 26, 26)),
    ]


def channels_last_memory(x: np.ndarray) -> np.ndarray:
    """The same (N, C, H, W) values, stored as (N, H, W, C)."""
    if x.ndim != 4:
        return x
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


def time_layer(ours, theirs, x: np.ndarray, repeats: int) -> dict[str, np.ndarray]:
    """Seconds per forward+backward: ours on channels-last input, torch NCHW and (for
    images) torch channels_last."""
    x_last = channels_last_memory(x)
    xt = torch.from_numpy(np.ascontiguousarray(x)).requires_grad_(True)
    dyt = torch.ones_like(theirs(xt))  # its own output's shape (a next_pool Conv's is smaller)

    def ours_step():
        ours.backward(ours(x_last))

    def torch_step(layer, xt, dyt):
        return lambda: layer(xt).backward(dyt)

    fns = {"ours": ours_step, "torch NCHW": torch_step(theirs, xt, dyt)}
    if x.ndim == 4:
        last = torch.channels_last
        fns["torch channels_last"] = torch_step(
            copy.deepcopy(theirs).to(memory_format=last),
            torch.from_numpy(x_last).requires_grad_(True),  # NCHW-shaped, NHWC in memory
            dyt.contiguous(memory_format=last),
        )
    return block_times(fns, repeats)


def time_training_step(make, batch: int, repeats: int) -> dict[str, np.ndarray]:
    """Seconds per Adam step of the model ``make()``: ours (run as nyang_train runs it: data
    parallel on the BLAS's threads where the model allows), torch NCHW, torch channels_last."""
    ours = make()
    stepper = for_training(ours)
    rng = np.random.default_rng(1)
    x = rng.random((batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    loss_fn, opt = nn.CE(), optim.Adam(ours.parameters(), lr=1e-3)

    def ours_step():
        opt.zero_grad()
        loss_fn(stepper(x), y)
        stepper.backward_params(loss_fn.backward())  # the image needs no gradient (as in torch)
        opt.step()

    def torch_step(twin, xt):
        topt = torch.optim.Adam(twin.parameters(), lr=1e-3)
        yt = torch.from_numpy(y)

        def step():
            topt.zero_grad()
            torch.nn.functional.cross_entropy(twin(xt), yt).backward()
            topt.step()

        return step

    twin = to_torch(ours)
    xt = torch.from_numpy(x)
    last = torch.channels_last
    fns = {
        "ours": ours_step,
        "torch NCHW": torch_step(twin, xt),
        "torch channels_last": torch_step(
            copy.deepcopy(twin).to(memory_format=last), xt.contiguous(memory_format=last)
        ),
    }
    # Blocks of 40 steps, not 10: after the idle pause before each block, a DataParallel
    # step takes about four steps to come back to speed (measured: 12 ms, then 7.6–7.8 ms;
    # a one-thread-of-Python step 12.3 ms, then 9.0–9.6 ms), and training runs without pauses.
    return block_times(fns, repeats, block=40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    set_threads(args.threads)
    nyangtorch.manual_seed(0)
    print(
        f"torch {torch.__version__}, numpy {np.__version__}, "
        f"threads {args.threads}, batch {args.batch}"
    )
    print(f"BLAS: {blas_info()}")
    print(
        f"{'forward+backward':<28}{'ours ms':>9}{'torch NCHW':>12}{'channels_last':>15}"
        "   ours ÷ faster torch [range over rounds]"
    )
    rows = [(name, time_layer(o, t, x, args.repeats)) for name, o, t, x in layer_cases(args.batch)]
    for name, make in (("CNN", models.reference_cnn), ("BatchNorm CNN", models.reference_cnn_bn)):
        rows.append((f"training step, {name}", time_training_step(make, args.batch, args.repeats)))
    for name, times in rows:
        ms = {k: f"{np.median(v) * 1e3:.3f}" for k, v in times.items()}
        print(
            f"{name:<28}{ms['ours']:>9}{ms['torch NCHW']:>12}"
            f"{ms.get('torch channels_last', '—'):>15}   {ratio_text(times)}"
        )


if __name__ == "__main__":
    main()
