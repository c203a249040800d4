"""Inference on several cores at once: each thread runs a share of every batch, the BLAS one
core each.

Why. In a forward pass the matrix products run in NumPy's BLAS, on every core, while the
compiled kernels (im2col, pooling, Winograd's transforms) run on one: between two products
the other cores wait (OpenBLAS's threads spin there). Inference has no backward, so the
images of a batch are independent: with the BLAS held to one thread per product, T threads
run T shares of the batch side by side, and every part of the pass uses every core. The
kernels are compiled with ``nogil=True`` and NumPy's matrix product releases the GIL too, so
the threads really run at once. Shares of one batch rather than T whole batches keep the
arrays in use those of one batch, though each thread's allocator keeps its own free memory
(the comparison's peak memory, training then inference: 0.86× torch's, 0.66× with inference
on one thread). Measured on two cores (reference CNN, 10,000 test images in batches of 64,
one process): 0.40–0.48 s, against 0.58–0.59 s one batch at a time on the two-threaded BLAS.

One threaded map runs at a time per process: the BLAS's thread count is a setting of the
whole process, and two overlapping limits would restore each other's values out of order.
A map that starts while another runs (two Streamlit sessions, say) runs on its caller's
thread.

Training does the same with a replica of the model per thread, so that each share keeps
its own saved arrays for backward (``nyangtorch.train.parallel``). Its shares may wait for
each other (BatchNorm's sums), so they run side by side even while a map runs, with that
map's one-thread BLAS.

The BLAS's thread count is read and set with ``threadpoolctl`` (an optional helper); without
it, batches run on one thread, as before.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from typing import TypeVar

import numpy as np

from ..nn.module import is_grad_enabled, set_grad_enabled

Item = TypeVar("Item")
Result = TypeVar("Result")

# Fewest images per share: below about this a share's per-layer Python overhead outweighs
# the core it gets. A guard for many-core machines (a batch of 64 on 32 cores runs as 4
# shares, not 32); measured on two cores only, with shares of 32 and 128.
MIN_SHARE = 16

_limiting = threading.Lock()  # held by the one threaded map running (see the module's notes)


def blas_threads() -> int:
    """The threads NumPy's BLAS may use now (the user's ``threadpool_limits``, or
    ``OPENBLAS_NUM_THREADS``, or one per core); 1 without threadpoolctl. With several BLAS
    libraries loaded (SciPy brings its own), the smallest count: a library loaded after the
    user's limit was set keeps its default, and must not undo that limit."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return 1
    counts = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
    return min(counts, default=1)


def thread_count(threads: int | None) -> int:
    """``threads``, checked (an integer >= 1), or :func:`blas_threads` for None."""
    if threads is None:
        return blas_threads()
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"threads must be an integer >= 1 (or None: the BLAS's), got {threads!r}")
    return int(threads)


def shares(x: np.ndarray, parts: int) -> list[np.ndarray]:
    """x (N, ...) cut into ``parts`` consecutive shares (N_k, ...), Σ N_k = N, of nearly
    equal size: views, none empty (fewer when N < parts; an empty x is one share)."""
    bounds = [len(x) * k // parts for k in range(parts + 1)]
    return [x[lo:hi] for lo, hi in zip(bounds, bounds[1:]) if hi > lo] or [x]


def share_count(x: np.ndarray, threads: int) -> int:
    """How many shares a batch x (N, ...) is cut into on ``threads`` threads: one per thread,
    each of at least ``MIN_SHARE`` samples, and at least one (a 0-d x goes whole)."""
    n = len(x) if np.ndim(x) else 0
    return max(1, min(threads, n // MIN_SHARE))


def require_blas_control(threads: int, who: str) -> None:
    """Raise ImportError, naming ``who``, if ``threads`` > 1 needs threadpoolctl (to hold NumPy's
    BLAS to one thread per share) and it is not installed."""
    if threads == 1:
        return
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        raise ImportError(
            f"{who}: {threads} threads need threadpoolctl, to hold NumPy's BLAS to one thread "
            "per share (pip install threadpoolctl), or pass threads=1"
        ) from None


def with_grad_mode(grad: bool, fn: Callable[..., Result], *args) -> Result:
    """``fn(*args)`` under grad mode ``grad``: a thread started for a caller takes the
    caller's (each thread has its own, as in PyTorch)."""
    with set_grad_enabled(grad):
        return fn(*args)


_blas = None  # threadpoolctl's view of NumPy's BLAS, made on first use (see blas_threads_each)


@contextmanager
def blas_threads_each(limit: int) -> Iterator[None]:
    """Hold NumPy's BLAS to ``limit`` threads while the block runs, so that the caller's own
    threads share the cores. While another threaded map runs in this process (one at a time:
    see the module's notes), or without threadpoolctl, change nothing: the BLAS's thread count
    is then that map's (one) or the user's.

    For a limit set many times a second (every training step): the BLAS libraries are looked
    up once, the first time (0.24 ms), and each block then costs about 15 µs."""
    global _blas
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        ThreadpoolController = None  # yielded below, outside this except: no chained error
    if ThreadpoolController is None or not _limiting.acquire(blocking=False):
        yield
        return
    try:
        if _blas is None:
            _blas = ThreadpoolController().select(user_api="blas")
        with _blas.limit(limits=limit):
            yield
    finally:
        _limiting.release()


def map_batches(
    fn: Callable[[np.ndarray], np.ndarray],
    batches: Iterable[np.ndarray],
    threads: int | None = None,
) -> Iterator[np.ndarray]:
    """``fn(x)`` for each batch x (N, ...), in order: x cut into ``threads`` :func:`shares`
    (of at least ``MIN_SHARE`` images each), run side by side (:func:`map_in_threads`), and
    the outputs (N_k, ...) put back together along the sample axis. ``fn`` must treat samples
    independently, as a forward pass in eval mode does."""
    threads = thread_count(threads)

    def jobs():  # (is it its batch's last share, the share)
        for x in batches:
            pieces = shares(x, share_count(x, threads))  # a 0-d x: whole, fn's check names it
            for k, piece in enumerate(pieces):
                yield k == len(pieces) - 1, piece

    outputs: list[np.ndarray] = []
    with closing(map_in_threads(lambda job: (job[0], fn(job[1])), jobs(), threads)) as done:
        for last, out in done:
            outputs.append(out)
            if last:
                yield outputs[0] if len(outputs) == 1 else np.concatenate(outputs)
                outputs = []


def map_in_threads(
    fn: Callable[[Item], Result], items: Iterable[Item], threads: int | None = None
) -> Iterator[Result]:
    """``fn(item)`` for each of ``items``, yielded in their order, computed on ``threads``
    threads (default :func:`blas_threads`) with NumPy's BLAS held to one thread meanwhile.

    ``fn`` must not change shared state: within one call of nyang_inference (eval mode, under
    ``no_grad``) a forward pass keeps nothing, so one model serves every thread. ``no_grad``
    is a setting of each thread, so the threads take the caller's. At most
    2·threads items are read ahead. With one thread, or while another threaded map runs in
    this process, this is ``map(fn, items)`` on the caller's thread. The BLAS's thread count
    is restored when the iterator ends or is closed; an exception from ``fn`` comes out at its
    item's turn, after the items not yet started are cancelled."""
    threads = thread_count(threads)
    require_blas_control(threads, "map_in_threads")
    if threads == 1 or not _limiting.acquire(blocking=False):
        yield from map(fn, items)
        return
    from threadpoolctl import threadpool_limits

    grad = is_grad_enabled()
    pending: deque[Future] = deque()
    try:
        with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(threads) as pool:
            try:
                for item in items:
                    pending.append(pool.submit(with_grad_mode, grad, fn, item))
                    if len(pending) >= 2 * threads:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
            finally:  # an error, or the caller stopped early: start nothing more
                for future in pending:
                    future.cancel()
    finally:
        _limiting.release()
