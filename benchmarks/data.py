"""Fashion-MNIST through NyangDataloader: images per second, with and without augmentation,
with 0 and 2 worker processes — set against one training epoch of the reference CNN.

    python benchmarks/data.py
"""

from __future__ import annotations

import time

import numpy as np

import nyangtorch
from nyangtorch import models, nn, optim
from nyangtorch.data import FashionMNIST, NyangDataloader, Preprocessing, nyang_transforms


def epoch_seconds(loader: NyangDataloader) -> float:
    start = time.perf_counter()
    for _ in loader:
        pass
    return time.perf_counter() - start


def training_epoch_estimate(batches: int, batch: int = 64, steps: int = 40) -> float:
    """Seconds for one epoch of reference-CNN training steps (median step × batches)."""
    model, loss_fn = models.reference_cnn(), nn.CE()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x = np.random.default_rng(0).random((batch, 1, 28, 28), dtype=np.float32)
    y = np.random.default_rng(1).integers(0, 10, batch)
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        opt.zero_grad()
        loss_fn(model(x), y)
        model.backward_params(loss_fn.backward())
        opt.step()
        times.append(time.perf_counter() - t)
    return float(np.median(times[5:])) * batches


def main() -> None:
    nyangtorch.manual_seed(0)
    train = FashionMNIST("train")
    stats = Preprocessing.measure(train.images, train.classes)
    print(f"Fashion-MNIST train: {len(train)} images, batch 64")
    print(f"{'augment':<9}{'workers':>8}{'seconds':>10}{'images/s':>12}")
    for augment in (False, True):
        train.transform = nyang_transforms(
            "train", mean=stats.mean, std=stats.std, augment=augment, preset="fashion-mnist"
        )
        for workers in (0, 2):
            loader = NyangDataloader(
                train, batch_size=64, shuffle=True, seed=0, num_workers=workers
            )
            seconds = epoch_seconds(loader)
            print(f"{augment!s:<9}{workers:>8}{seconds:>10.2f}{len(train) / seconds:>12,.0f}")
    raw = NyangDataloader(FashionMNIST("train"), batch_size=64, shuffle=True, seed=0)
    seconds = epoch_seconds(raw)
    print(
        f"{'none*':<9}{0:>8}{seconds:>10.2f}{len(train) / seconds:>12,.0f}"
        "   *no transform: vectorised gather"
    )
    print(
        "one training epoch of the reference CNN (938 steps): "
        f"~{training_epoch_estimate(938):.1f} s"
    )


if __name__ == "__main__":
    main()
