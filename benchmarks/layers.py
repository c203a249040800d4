"""Forward+backward time of each layer of the reference CNN, nyangtorch vs torch, one process.

Shapes: batch 64 of Fashion-MNIST (1×28×28) through Conv(1,32,3), MaxPool(2), Conv(32,64,3),
MaxPool(2), Linear(1600,128), Linear(128,10); plus the full training step (forward, CE loss,
backward, Adam step). Prints milliseconds and the ratio ours ÷ torch (below 1 is faster).

Each side gets an image batch in the memory layout its own network hands a layer: NCHW for
torch, channels-last for nyangtorch (whose conv and pool outputs are channels-last views).
The last column times ours on torch's NCHW layout too, which costs it a gather.

    python benchmarks/layers.py [--threads N] [--batch 64]
"""

from __future__ import annotations

import argparse

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


def time_layer(ours, theirs, x: np.ndarray) -> tuple[float, float, float]:
    """(ours on channels-last input, torch on NCHW, ours on NCHW) seconds."""
    dy = np.ones_like(ours(x))

    def ours_step(x):
        ours.backward(ours(x))

    xt = torch.from_numpy(x).requires_grad_(True)
    dyt = torch.from_numpy(dy)

    def torch_step():
        theirs(xt).backward(dyt)

    x_last = channels_last_memory(x)
    return (
        median_time(lambda: ours_step(x_last)),
        median_time(torch_step),
        median_time(lambda: ours_step(x)),
    )


def time_training_step(batch: int) -> tuple[float, float]:
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

    return median_time(ours_step, repeat=30), median_time(torch_step, repeat=30)


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
    print(f"{'forward+backward':<26}{'ours ms':>9}{'torch ms':>10}{'ratio':>8}{'ours on NCHW':>16}")
    rows = [(name, *time_layer(o, t, x)) for name, o, t, x in layer_cases(args.batch)]
    rows.append(("training step (Adam)", *time_training_step(args.batch), None))
    for name, ours_s, torch_s, nchw_s in rows:
        line = f"{name:<26}{ours_s * 1e3:9.3f}{torch_s * 1e3:10.3f}{ours_s / torch_s:8.2f}"
        if nchw_s is not None:
            line += f"{nchw_s * 1e3:9.3f} ms {nchw_s / torch_s:5.2f}"
        print(line)


if __name__ == "__main__":
    main()
