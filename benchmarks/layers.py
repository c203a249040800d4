"""Forward+backward time of each layer of the reference CNN, nyangtorch vs torch, one process.

Shapes: batch 64 of Fashion-MNIST (1×28×28) through Conv(1,32,3), MaxPool(2), Conv(32,64,3),
MaxPool(2), Linear(1600,128), Linear(128,10); plus the full training step (forward, CE loss,
backward, Adam step). Prints milliseconds and the ratio ours ÷ torch (below 1 is faster).

Each side gets an image batch in the memory layout its own network hands a layer: NCHW for
torch (its default), channels-last for nyangtorch (whose conv and pool outputs are
channels-last views); the ratio compares these. Two more columns swap the layouts: ours on
NCHW (which costs it a gather) and torch in ``torch.channels_last`` memory format, which
torch also picks by itself for a one-channel batch stored (N, H, W, 1), as our loader's are.

    python benchmarks/layers.py [--threads N] [--batch 64]
"""

from __future__ import annotations

import argparse
import copy

import numpy as np
import torch
from common import blas_info, median_time, set_threads

import nyangtorch
from nyangtorch import models, nn, optim
from nyangtorch.compare import to_torch


def layer_cases(batch: int):
    rng = np.random.default_rng(0)
    relu = lambda shape: np.maximum(rng.standard_normal(shape), 0).astype(np.float32)  # noqa: E731
    return [
        ("Conv(1,32,3)", nn.Conv(1, 32, 3), torch.nn.Conv2d(1, 32, 3), relu((batch, 1, 28, 28))),
        (
            "ReLU 32×26×26",
            nn.ReLU(),
            torch.nn.ReLU(),
            rng.standard_normal((batch, 32, 26, 26)).astype(np.float32),
        ),
        ("MaxPool(2) 32×26×26", nn.MaxPool(2), torch.nn.MaxPool2d(2), relu((batch, 32, 26, 26))),
        (
            "Conv(32,64,3)",
            nn.Conv(32, 64, 3),
            torch.nn.Conv2d(32, 64, 3),
            relu((batch, 32, 13, 13)),
        ),
        ("MaxPool(2) 64×11×11", nn.MaxPool(2), torch.nn.MaxPool2d(2), relu((batch, 64, 11, 11))),
        ("Linear(1600,128)", nn.Linear(1600, 128), torch.nn.Linear(1600, 128), relu((batch, 1600))),
        ("Linear(128,10)", nn.Linear(128, 10), torch.nn.Linear(128, 10), relu((batch, 128))),
        (
            "BatchNorm(32) 32×26×26",
            nn.BatchNorm(32),
            torch.nn.BatchNorm2d(32),
            relu((batch, 32, 26, 26)),
        ),
    ]


def channels_last_memory(x: np.ndarray) -> np.ndarray:
    """The same (N, C, H, W) values, stored as (N, H, W, C)."""
    if x.ndim != 4:
        return x
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


def time_layer(ours, theirs, x: np.ndarray) -> tuple[float, float, float, float]:
    """(ours on channels-last input, torch on NCHW, ours on NCHW, torch channels_last) s."""
    dy = np.ones_like(ours(x))

    def ours_step(x):
        ours.backward(ours(x))

    xt = torch.from_numpy(x).requires_grad_(True)
    dyt = torch.from_numpy(dy)

    def torch_step():
        theirs(xt).backward(dyt)

    x_last = channels_last_memory(x)
    times = (
        median_time(lambda: ours_step(x_last)),
        median_time(torch_step),
        median_time(lambda: ours_step(x)),
    )
    if x.ndim != 4:
        return (*times, times[1])
    theirs_last = copy.deepcopy(theirs).to(memory_format=torch.channels_last)
    xt_last = torch.from_numpy(x_last).requires_grad_(True)  # NCHW-shaped, NHWC in memory
    dyt_last = dyt.contiguous(memory_format=torch.channels_last)
    return (*times, median_time(lambda: theirs_last(xt_last).backward(dyt_last)))


def time_training_step(batch: int) -> tuple[float, float, float]:
    """(ours, torch NCHW, torch channels_last) seconds per Adam step."""
    ours = models.reference_cnn()
    theirs = to_torch(ours)
    rng = np.random.default_rng(1)
    x = rng.random((batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    loss_fn, opt = nn.CE(), optim.Adam(ours.parameters(), lr=1e-3)

    def ours_step():
        opt.zero_grad()
        loss_fn(ours(x), y)
        ours.backward_params(loss_fn.backward())  # the image needs no gradient (as in torch)
        opt.step()

    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    topt = torch.optim.Adam(theirs.parameters(), lr=1e-3)

    def torch_step():
        topt.zero_grad()
        torch.nn.functional.cross_entropy(theirs(xt), yt).backward()
        topt.step()

    theirs_last = copy.deepcopy(theirs).to(memory_format=torch.channels_last)
    xt_last = xt.contiguous(memory_format=torch.channels_last)
    topt_last = torch.optim.Adam(theirs_last.parameters(), lr=1e-3)

    def torch_last_step():
        topt_last.zero_grad()
        torch.nn.functional.cross_entropy(theirs_last(xt_last), yt).backward()
        topt_last.step()

    return tuple(median_time(f, repeat=30) for f in (ours_step, torch_step, torch_last_step))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    set_threads(args.threads)
    nyangtorch.manual_seed(0)
    print(
        f"torch {torch.__version__}, numpy {np.__version__}, "
        f"threads {args.threads}, batch {args.batch}"
    )
    print(f"BLAS: {blas_info()}")
    print(
        f"{'forward+backward':<26}{'ours ms':>9}{'torch ms':>10}{'ratio':>8}"
        f"{'ours on NCHW':>18}{'torch channels_last':>23}"
    )
    rows = [(name, *time_layer(o, t, x)) for name, o, t, x in layer_cases(args.batch)]
    # One-channel images: NCHW and channels-last are the same bytes, so "ours on NCHW" = ours.
    ours_s, torch_s, torch_last_s = time_training_step(args.batch)
    rows.append(("training step (Adam)", ours_s, torch_s, ours_s, torch_last_s))
    for name, ours_s, torch_s, nchw_s, torch_last_s in rows:
        print(
            f"{name:<26}{ours_s * 1e3:9.3f}{torch_s * 1e3:10.3f}{ours_s / torch_s:8.2f}"
            f"{nchw_s * 1e3:11.3f} ms {nchw_s / torch_s:5.2f}"
            f"{torch_last_s * 1e3:11.3f} ms ours÷ {ours_s / torch_last_s:5.2f}"
        )


if __name__ == "__main__":
    main()
