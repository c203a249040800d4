"""nyangtorch vs torch in one process: training-step, whole-epoch and test-set inference
time, and peak memory, for the reference CNN and the BatchNorm CNN, at batch 64 and 256,
with 1 and 2 threads.

A step is timed on the first real Fashion-MNIST batches from the loader (augmentation off);
a whole epoch runs the real loader over the 60,000 training images (reference CNN, batch
64), the sides taking turns every 50 batches (see training_epoch_seconds); inference runs
the 10,000 test images. The sides take turns, block after block, round after round (see
nyangtorch.compare.speed); torch is timed both NCHW and channels_last and the faster counts.
Peak memory is measured in a spawned process per side. Ratios are ours ÷ torch (below 1:
nyangtorch is faster or smaller), with the range over rounds in brackets.

    python benchmarks/compare.py [--quick] [--threads 1 2]
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/compare.py   # newer BLAS kernel
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from common import blas_info, set_threads, side_by_side

import nyangtorch
from nyangtorch import models
from nyangtorch.compare import peak_memory_mb
from nyangtorch.compare.speed import (
    inference_seconds,
    training_epoch_seconds,
    training_step_seconds,
)
from nyangtorch.data import FashionMNIST, NyangDataloader


def memory(side: str, model, x, y, test_loader) -> float:
    """Peak MB of 10 training steps and test-set inference, in a spawned process."""
    return peak_memory_mb(side, model, x, y, [xb for xb, _ in test_loader], np.float32, steps=10)


def model_rows(name: str, make, train, test, threads: int, steps: int, repeats: int) -> None:
    """Print one row per batch size: step, inference and peak memory."""
    for batch in (64, 256):
        nyangtorch.manual_seed(0)
        model = make()
        loader = NyangDataloader(train, batch, shuffle=True, seed=0)
        batches = [b for b, _ in zip(loader, range(steps))]
        step = training_step_seconds(model, batches, repeats)
        test_loader = NyangDataloader(test, batch)
        images = [x for x, _ in test_loader]
        inference = inference_seconds(model, images, max(3, repeats // 2))
        x, y = batches[0]
        mem = [memory(side, model, x, y, test_loader) for side in ("ours", "torch")]
        print(
            f"{name:<8}{batch:>6}{threads:>4}  {side_by_side(step):<52}"
            f"{side_by_side(inference, 's'):<50}"
            f"{mem[0]:5.0f} / {mem[1]:4.0f} MB  {mem[0] / mem[1]:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and repeats")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    steps, repeats = (20, 3) if args.quick else (60, 7)
    train, test = FashionMNIST("train"), FashionMNIST("test")
    print(f"torch {torch.__version__}, numpy {np.__version__}")
    print(
        f"{'model':<8}{'batch':>6}{'thr':>4}  {'training step: ours / torch, ratio':<52}"
        f"{'test-set inference: ours / torch, ratio':<50}peak memory: ours / torch, ratio"
    )
    for threads in args.threads:
        set_threads(threads)
        for name, make in (("cnn", models.reference_cnn), ("cnn-bn", models.reference_cnn_bn)):
            model_rows(name, make, train, test, threads, steps, repeats)
        nyangtorch.manual_seed(0)
        loader = NyangDataloader(train, 64, shuffle=True, seed=0)
        rounds = 1 if args.quick else 2
        epochs = training_epoch_seconds(models.reference_cnn(), loader, rounds)
        print(
            f"whole epoch, real loader, cnn, batch 64, {threads} thread(s): "
            f"{side_by_side(epochs, 's')}"
        )
        print(f"  BLAS ({threads} thread(s)): {blas_info()}")


if __name__ == "__main__":
    main()
