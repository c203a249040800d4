"""NyangDataloader: batches of (x, y) from a dataset, optionally loaded in worker processes."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
import time
import traceback

import numpy as np

from ..random import get_rng
from .dataset import ArrayDataset, NyangDataset, one_hot


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


def batch_seed(seed: int, epoch: int, batch: int, rank: int = 0) -> int:
    """One independent, reproducible seed per (loader seed, epoch, batch, rank). Rank 0, and so
    every single-process run, keeps the seeds it always had; the other ranks' pieces of a
    global batch add their rank, so no two pieces are augmented alike."""
    key = [seed, epoch, batch] + ([rank] if rank else [])
    return int(np.random.SeedSequence(key).generate_state(1)[0])


def load_batch(
    dataset: NyangDataset, indices: np.ndarray, seed: int, one_hot_labels: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Reseed the dataset's transform for this batch, then gather and convert it."""
    reseed = getattr(dataset.transform, "reseed", None)
    if reseed is not None:
        reseed(seed)
    images, labels = dataset.get_batch(indices)
    if one_hot_labels:
        return to_nchw(images), one_hot(labels, dataset.num_classes)
    return to_nchw(images), np.asarray(labels, np.int64)


class RemoteTraceback(Exception):
    """The traceback of an error raised in a worker process (the cause of the error raised
    here), as text: the frames of another process cannot travel."""

    def __str__(self) -> str:
        return "\n" + self.args[0]


def _portable_error(error: Exception) -> tuple:
    """What a worker sends back about ``error``: the error itself when it pickles, else its
    type's module and name and its message (an error holding a lock or a lambda does not)."""
    text = "".join(traceback.format_exception(error))
    try:
        pickle.dumps(error)
        return error, None, text
    except Exception:  # any failure to pickle: send the description instead
        kind = type(error)
        return None, (kind.__module__, kind.__qualname__, str(error)), text


def _rebuild_error(error, description, text) -> BaseException:
    """The worker's error, of its original type and message, with its traceback as cause."""
    if error is None:
        module, name, message = description
        kind = getattr(sys.modules.get(module), name, None)
        if isinstance(kind, type) and issubclass(kind, Exception):
            error = kind.__new__(kind)  # no __init__: its signature is unknown here
            error.args = (message,)
        else:  # a class the consumer cannot see (defined inside a function)
            error = RuntimeError(f"{module}.{name}: {message}")
    error.__cause__ = RemoteTraceback(text)
    return error


def _exit_with(parent: int) -> None:
    """In a worker: end the process once the training process is gone. Killed outright, the
    consumer leaves the worker blocked on a full pipe for ever (the other workers hold the
    pipe's read end open), so a thread watches the parent instead."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _worker(dataset: NyangDataset, jobs: list, one_hot_labels: bool, conn, parent: int) -> None:
    """Worker process: load its share of the batches in order and send each one back (the
    pipe holds about one batch, so a worker runs at most a batch ahead of the consumer)."""
    _exit_with(parent)
    try:
        for indices, seed in jobs:
            x, y = load_batch(dataset, indices, seed, one_hot_labels)
            conn.send((True, (np.ascontiguousarray(x), y)))  # a view would pickle as a copy
    except Exception as error:  # hand the failure to the consumer, who raises it
        conn.send((False, _portable_error(error)))
    finally:
        conn.close()


class NyangDataloader:
    """Iterate a dataset in batches: ``for x, y in loader`` with ``x`` float32 (N, C, H, W) and
    ``y`` int64 class indices (N,), as torch's DataLoader gives them to ``CrossEntropyLoss``;
    ``one_hot=True`` gives float32 one-hot rows (N, classes) instead, for MSE or BCE.
    ``dataset`` may be ``(images, labels)`` arrays, read as an :class:`ArrayDataset`.

    The last partial batch is kept unless ``drop_last``; ``len(loader)`` is the number of
    batches. With ``shuffle`` each epoch (each new iteration) has a fresh order drawn from
    ``(seed, epoch)``. Random augmentation is reseeded per batch from ``(seed, epoch, batch)``,
    so ``num_workers > 0`` (batches loaded in worker processes, in order) yields exactly the same
    batches as ``num_workers = 0``. Workers stop when iteration ends, breaks or fails.

    ``shard=(rank, world)`` gives one rank of a data-parallel run its share (see
    :mod:`nyangtorch.distributed`): the global batches are exactly the batches of one process
    with batch size ``batch_size · world`` (same seed, same order), and rank ``r`` takes the
    ``r``-th of ``world`` pieces of each — ``batch_size`` samples, or near-equal pieces of a
    last, smaller batch (one too small to give every rank a sample joins the batch before it).
    So the shards are disjoint and cover the data set every epoch, and every rank runs
    ``len(loader)`` steps: an uneven count would leave ranks waiting in an Allreduce. All ranks
    must share ``seed`` to shuffle alike; each rank reseeds augmentation with its rank too.
    """

    def __init__(
        self,
        dataset: NyangDataset | tuple[np.ndarray, np.ndarray],
        batch_size: int = 32,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        num_workers: int = 0,
        one_hot: bool = False,
        shard: tuple[int, int] | None = None,
    ) -> None:
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(
                f"NyangDataloader: batch_size must be an integer >= 1, got {batch_size!r}"
            )
        if num_workers < 0:
            raise ValueError(f"NyangDataloader: num_workers must be >= 0, got {num_workers}")
        if isinstance(dataset, tuple) and len(dataset) == 2:  # (x, y) arrays, as Keras takes
            dataset = ArrayDataset(*dataset)
        if not isinstance(dataset, NyangDataset):
            raise TypeError(
                f"NyangDataloader: expected a dataset or an (images, labels) pair of arrays, "
                f"got {type(dataset).__name__}"
            )
        if len(dataset) == 0:
            raise ValueError("NyangDataloader: the dataset is empty")
        rank, world = shard if shard is not None else (0, 1)
        integers = all(isinstance(v, (int, np.integer)) for v in (rank, world))
        if not (integers and 0 <= rank < world):
            raise ValueError(
                f"NyangDataloader: shard must be (rank, world) with 0 <= rank < world, got {shard}"
            )
        if len(dataset) < world:
            raise ValueError(
                f"NyangDataloader: {len(dataset)} samples cannot be shared among {world} ranks"
            )
        if world > 1 and shuffle and seed is None:
            raise ValueError(
                f"NyangDataloader: shard={shard} needs a seed, the same on every rank, so that "
                "all ranks shuffle alike (e.g. seed=0)"
            )
        self.rank, self.world = int(rank), int(world)
        self.dataset, self.batch_size, self.shuffle = dataset, int(batch_size), shuffle
        self.drop_last, self.num_workers, self.one_hot = drop_last, num_workers, one_hot
        self.seed = int(get_rng().integers(2**31)) if seed is None else int(seed)
        self.epoch = 0

    def state_dict(self) -> dict:
        """Where the loader stands: its seed and the next epoch (orders and augmentation are
        drawn from these, so a resumed run sees the batches the uninterrupted one would)."""
        return {"seed": self.seed, "epoch": self.epoch}

    def load_state_dict(self, state: dict) -> None:
        self.seed, self.epoch = int(state["seed"]), int(state["epoch"])

    @property
    def shard(self) -> tuple[int, int]:
        """``(rank, world)``: this loader's share of the data; ``(0, 1)`` is all of it."""
        return self.rank, self.world

    def __len__(self) -> int:
        full, rest = divmod(len(self.dataset), self.batch_size * self.world)
        # A last, smaller global batch is a step of its own unless dropped, or too small to
        # give every rank a sample (then it joins the batch before it).
        return full + int(rest >= self.world and not self.drop_last)

    def batches(self, epoch: int) -> list[np.ndarray]:
        """The index arrays of this rank's batch in each step of ``epoch``."""
        n, size, steps = len(self.dataset), self.batch_size * self.world, len(self)
        order = (
            np.random.default_rng([self.seed, epoch]).permutation(n)
            if self.shuffle
            else np.arange(n)
        )
        global_batches = [order[i : i + size] for i in range(0, steps * size, size)]
        if global_batches and not self.drop_last:
            global_batches[-1] = order[(steps - 1) * size :]  # the last one runs to the end
        return [np.array_split(batch, self.world)[self.rank] for batch in global_batches]

    def __iter__(self):
        epoch, self.epoch = self.epoch, self.epoch + 1
        jobs = [
            (indices, batch_seed(self.seed, epoch, b, self.rank))
            for b, indices in enumerate(self.batches(epoch))
        ]
        if self.num_workers == 0:
            for indices, seed in jobs:
                yield load_batch(self.dataset, indices, seed, self.one_hot)
            return
        # Worker w loads batches w, w + k, w + 2k, ... and the consumer reads them round robin,
        # so batches arrive in order. Plain processes and pipes, not multiprocessing.Pool:
        # Pool.terminate() joins helper threads and was seen to hang when stopped mid-epoch.
        context, k = multiprocessing.get_context("fork"), self.num_workers
        workers = []
        try:
            for w in range(k):
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(
                    target=_worker,
                    args=(self.dataset, jobs[w::k], self.one_hot, sender, os.getpid()),
                    daemon=True,
                )
                process.start()
                sender.close()  # the worker holds the only sending end: EOF if it dies
                workers.append((process, receiver))
            for b in range(len(jobs)):
                try:
                    ok, value = workers[b % k][1].recv()
                except EOFError:
                    process = workers[b % k][0]
                    process.join(timeout=5)  # the pipe closes a moment before the exit is seen
                    code = process.exitcode
                    raise RuntimeError(
                        f"NyangDataloader: worker {b % k} exited (code {code}) before batch {b}"
                    ) from None
                if not ok:
                    raise _rebuild_error(*value)
                yield value
        finally:  # also on break, exceptions and garbage collection of the generator
            for process, receiver in workers:
                process.terminate()
                process.join()
                receiver.close()

    def __repr__(self) -> str:
        shard = f", shard={self.shard}" if self.world > 1 else ""
        return (
            f"NyangDataloader({type(self.dataset).__name__} of {len(self.dataset)}, "
            f"batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, batches={len(self)}, num_workers={self.num_workers}{shard})"
        )
