"""NyangDataloader: batches of (x, y) from a dataset, optionally loaded in worker processes."""

from __future__ import annotations

import multiprocessing

import numpy as np

from ..random import get_rng
from .dataset import NyangDataset


def to_nchw(images: np.ndarray) -> np.ndarray:
    """(B, H, W, C) images -> float32 (B, C, H, W); uint8 is scaled to [0, 1] (as ToTensor).

    The result is a channels-last view, the memory layout nyangtorch's conv layers prefer.
    """
    x = (
        images.astype(np.float32) / np.float32(255)
        if images.dtype == np.uint8
        else images.astype(np.float32, copy=False)
    )
    return x.transpose(0, 3, 1, 2)


def batch_seed(seed: int, epoch: int, batch: int) -> int:
    """One independent, reproducible seed per (loader seed, epoch, batch)."""
    return int(np.random.SeedSequence([seed, epoch, batch]).generate_state(1)[0])


def load_batch(
    dataset: NyangDataset, indices: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Reseed the dataset's transform for this batch, then gather and convert it."""
    reseed = getattr(dataset.transform, "reseed", None)
    if reseed is not None:
        reseed(seed)
    images, labels = dataset.get_batch(indices)
    return to_nchw(images), labels.astype(np.float32, copy=False)


_worker_dataset: NyangDataset | None = None


def _init_worker(dataset: NyangDataset) -> None:
    global _worker_dataset
    _worker_dataset = dataset


def _worker_load(job: tuple[np.ndarray, int]) -> tuple[np.ndarray, np.ndarray]:
    indices, seed = job
    x, y = load_batch(_worker_dataset, indices, seed)
    return np.ascontiguousarray(x), y  # contiguous arrays pickle without a copy of a view


class NyangDataloader:
    """Iterate a dataset in batches: ``for x, y in loader`` with ``x`` float32 (N, C, H, W) and
    ``y`` one-hot float32 (N, classes).

    The last partial batch is kept unless ``drop_last``; ``len(loader)`` is the number of
    batches. With ``shuffle`` each epoch (each new iteration) has a fresh order drawn from
    ``(seed, epoch)``. Random augmentation is reseeded per batch from ``(seed, epoch, batch)``,
    so ``num_workers > 0`` (batches loaded in worker processes, in order) yields exactly the same
    batches as ``num_workers = 0``. Workers stop when iteration ends, breaks or fails.
    """

    def __init__(
        self,
        dataset: NyangDataset,
        batch_size: int = 32,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        num_workers: int = 0,
    ) -> None:
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(
                f"NyangDataloader: batch_size must be an integer >= 1, got {batch_size!r}"
            )
        if num_workers < 0:
            raise ValueError(f"NyangDataloader: num_workers must be >= 0, got {num_workers}")
        if len(dataset) == 0:
            raise ValueError("NyangDataloader: the dataset is empty")
        self.dataset, self.batch_size, self.shuffle = dataset, int(batch_size), shuffle
        self.drop_last, self.num_workers = drop_last, num_workers
        self.seed = int(get_rng().integers(2**31)) if seed is None else int(seed)
        self.epoch = 0

    def __len__(self) -> int:
        n, b = len(self.dataset), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def batches(self, epoch: int) -> list[np.ndarray]:
        """The index arrays of each batch of ``epoch``."""
        n = len(self.dataset)
        order = (
            np.random.default_rng([self.seed, epoch]).permutation(n)
            if self.shuffle
            else np.arange(n)
        )
        return [
            order[i : i + self.batch_size]
            for i in range(0, len(self) * self.batch_size, self.batch_size)
        ]

    def __iter__(self):
        epoch, self.epoch = self.epoch, self.epoch + 1
        jobs = [(idx, batch_seed(self.seed, epoch, b)) for b, idx in enumerate(self.batches(epoch))]
        if self.num_workers == 0:
            for indices, seed in jobs:
                yield load_batch(self.dataset, indices, seed)
            return
        pool = multiprocessing.get_context("fork").Pool(
            self.num_workers, initializer=_init_worker, initargs=(self.dataset,)
        )
        try:
            yield from pool.imap(_worker_load, jobs)
        finally:  # also on break, exceptions and garbage collection of the generator
            pool.terminate()
            pool.join()

    def __repr__(self) -> str:
        return (
            f"NyangDataloader({type(self.dataset).__name__} of {len(self.dataset)}, "
            f"batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, batches={len(self)}, num_workers={self.num_workers})"
        )
