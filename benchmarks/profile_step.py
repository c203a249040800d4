"""Where a training step of the reference CNN spends its time, layer by layer (nyangtorch).

Prints ``nyangtorch.compare.speed.layer_times``: each layer's forward and backward inside the
real network, in the network's order, plus the loss and the Adam step; medians over
repetitions. The comparison report has the same table.

    python benchmarks/profile_step.py [--batch 64] [--threads 2] [--batchnorm] [--inference]

``--inference`` times the forward pass alone, in eval mode under no_grad (as in inference).
"""

from __future__ import annotations

import argparse

import numpy as np
from common import blas_info, set_threads

import nyangtorch
from nyangtorch import models
from nyangtorch.compare.speed import layer_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batchnorm", action="store_true", help="profile the BatchNorm CNN")
    parser.add_argument("--inference", action="store_true", help="forward pass only, eval mode")
    args = parser.parse_args()
    set_threads(args.threads)
    nyangtorch.manual_seed(0)
    model = models.reference_cnn_bn() if args.batchnorm else models.reference_cnn()
    print(f"BLAS: {blas_info()}")
    rng = np.random.default_rng(0)
    x = rng.random((args.batch, 1, 28, 28), dtype=np.float32)
    y = None if args.inference else rng.integers(0, 10, args.batch)
    result = layer_times(model, x, y)
    total = sum(result.values())
    for name, seconds in result.items():
        print(f"{name:<28}{seconds * 1e3:8.3f} ms {seconds / total:6.1%}")
    print(f"{'sum':<28}{total * 1e3:8.3f} ms")


if __name__ == "__main__":
    main()
