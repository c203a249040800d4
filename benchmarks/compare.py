"""nyangtorch vs torch in one process: training-epoch time, test-set inference time and peak
memory for the reference CNN and the BatchNorm CNN, at batch 64 and 256, with 1 and 2 threads.

An epoch's time is the median of several blocks of training steps on real Fashion-MNIST
batches, scaled to the 60,000 training images (the machines are noisy: medians). Inference
runs the 10,000 test images. Peak memory is measured in a spawned process per side. Ratios
are ours ÷ torch (below 1: nyangtorch is faster or smaller).

    python benchmarks/compare.py [--quick]
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/compare.py   # newer BLAS kernel
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from common import blas_info, set_threads

import nyangtorch
from nyangtorch import models
from nyangtorch.compare import peak_memory_mb
from nyangtorch.compare.speed import inference_seconds, training_step_seconds
from nyangtorch.data import FashionMNIST, NyangDataloader


def memory(side: str, model, x, y, test_loader) -> float:
    """Peak MB of 10 training steps and test-set inference, in a spawned process."""
    return peak_memory_mb(side, model, x, y, [xb for xb, _ in test_loader], np.float32, steps=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and repeats")
    args = parser.parse_args()
    steps, repeats = (20, 3) if args.quick else (60, 5)
    train, test = FashionMNIST("train"), FashionMNIST("test")
    print(f"torch {torch.__version__}, numpy {np.__version__}")
    print(
        f"{'model':<8}{'batch':>6}{'thr':>4}{'epoch ours':>12}{'torch':>8}{'ratio':>7}"
        f"{'infer ours':>12}{'torch':>8}{'ratio':>7}{'mem ours':>10}{'torch':>8}{'ratio':>7}"
    )
    for threads in (1, 2):
        set_threads(threads)
        blas = blas_info()
        for name, make in (("cnn", models.reference_cnn), ("cnn-bn", models.reference_cnn_bn)):
            for batch in (64, 256):
                nyangtorch.manual_seed(0)
                model = make()
                loader = NyangDataloader(train, batch, shuffle=True, seed=0)
                batches = [b for b, _ in zip(loader, range(steps))]
                ours_step, torch_step = training_step_seconds(model, batches[:steps], repeats)
                per_epoch = len(train) / batch
                test_loader = NyangDataloader(test, batch)
                images = [x for x, _ in test_loader]
                ours_inf, torch_inf = inference_seconds(model, images, max(1, repeats // 2))
                x, y = batches[0]
                mem = [memory(side, model, x, y, test_loader) for side in ("ours", "torch")]
                epoch_ours, epoch_torch = ours_step * per_epoch, torch_step * per_epoch
                print(
                    f"{name:<8}{batch:>6}{threads:>4}{epoch_ours:>11.1f}s{epoch_torch:>7.1f}s"
                    f"{ours_step / torch_step:>7.2f}{ours_inf:>11.2f}s{torch_inf:>7.2f}s"
                    f"{ours_inf / torch_inf:>7.2f}"
                    f"{mem[0]:>9.0f}M{mem[1]:>7.0f}M{mem[0] / mem[1]:>7.2f}"
                )
        print(f"  BLAS ({threads} thread(s)): {blas}")


if __name__ == "__main__":
    main()
