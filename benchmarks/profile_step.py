"""Where a training step of the reference CNN spends its time, layer by layer (nyangtorch).

Times each layer's forward and backward inside the real network, in the order the network
runs them (``NyangFlow.execution_order``: a ReLU before a MaxPool runs after it), so each
layer sees the data and memory layout it really gets; plus the loss and the Adam step.
Medians over repetitions.

    python benchmarks/profile_step.py [--batch 64] [--threads 2] [--batchnorm] [--inference]

``--inference`` times the forward pass alone, in eval mode under no_grad (as in inference).
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import numpy as np
from common import blas_info, set_threads

import nyangtorch
from nyangtorch import models, nn, optim


def in_execution_order(model) -> list[tuple[str, nn.NyangModel]]:
    return [(str(i), model.layers[i]) for i in model.execution_order()]


def profile(model, batch: int, repeat: int = 30) -> dict[str, float]:
    rng = np.random.default_rng(0)
    x = rng.random((batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    loss_fn, opt = nn.CE(), optim.Adam(model.parameters(), lr=1e-3)
    layers = in_execution_order(model)
    times: dict[str, list[float]] = defaultdict(list)
    for r in range(repeat + 3):
        record = r >= 3
        opt.zero_grad()
        h = x
        for name, layer in layers:
            t = time.perf_counter()
            h = layer(h)
            if record:
                times[f"fwd {name} {type(layer).__name__}"].append(time.perf_counter() - t)
        t = time.perf_counter()
        loss_fn(h, y)
        g = loss_fn.backward()
        times["loss"].append(time.perf_counter() - t)
        for name, layer in reversed(layers):
            t = time.perf_counter()
            # The first layer's input is the image: no gradient needed (as in torch).
            g = layer.backward(g) if name != layers[0][0] else layer.backward_params(g)
            if record:
                times[f"bwd {name} {type(layer).__name__}"].append(time.perf_counter() - t)
        t = time.perf_counter()
        opt.step()
        times["adam step"].append(time.perf_counter() - t)
    return {k: float(np.median(v)) for k, v in times.items()}


def profile_inference(model, batch: int, repeat: int = 30) -> dict[str, float]:
    x = np.random.default_rng(0).random((batch, 1, 28, 28), dtype=np.float32)
    times: dict[str, list[float]] = defaultdict(list)
    with nn.inference_mode(model):
        for r in range(repeat + 3):
            h = x
            for name, layer in in_execution_order(model):
                t = time.perf_counter()
                h = layer(h)
                if r >= 3:
                    times[f"fwd {name} {type(layer).__name__}"].append(time.perf_counter() - t)
    return {k: float(np.median(v)) for k, v in times.items()}


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
    result = (profile_inference if args.inference else profile)(model, args.batch)
    total = sum(result.values())
    for name, seconds in result.items():
        print(f"{name:<28}{seconds * 1e3:8.3f} ms {seconds / total:6.1%}")
    print(f"{'sum':<28}{total * 1e3:8.3f} ms")


if __name__ == "__main__":
    main()
