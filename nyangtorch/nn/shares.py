"""Sums over the shares of one batch, when threads run them side by side.

Data-parallel training on one machine (:class:`nyangtorch.train.DataParallel`) cuts a batch
into shares and runs share k through replica k of the model, in thread k. Most layers treat
each sample on its own and need nothing from the other shares. A layer whose output depends
on the whole batch (BatchNorm's mean and variance) calls :func:`share_sum` on its per-share
numbers and gets the sum over every share: ``S = Σ_k s_k``, the number one thread would have
computed on the whole batch (to rounding). Outside such a run, the sum is its input.

The threads wait for each other in every call, so every share must make the same calls in
the same order, as replicas of one model running one layer after another do. A share that
stops (an error, or a model whose shares take different paths) ends the others' waits with
:class:`ShareStopped` instead of leaving them waiting for ever.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

import numpy as np

Result = TypeVar("Result")

_local = threading.local()  # .member: (the ShareGroup, this thread's share) while one runs


class ShareStopped(RuntimeError):
    """A share stopped before giving its numbers to a :func:`share_sum` the others wait in."""


class ShareGroup:
    """The ``size`` threads that run the shares of one batch: :meth:`run` runs a share's
    work in its thread, and :func:`share_sum` inside that work adds over the shares. One
    group per pass over a batch: a share that has stopped does not join again."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._changed = threading.Condition()
        self._rounds: list[list[np.ndarray | None]] = []  # round r: each share's values
        self._totals: list[np.ndarray] = []  # round r's sum, once every share gave its values
        self._calls = [0] * size  # how many sums each share has called
        self._stopped = [False] * size
        self._failed = False  # a sum could not be made: nobody waits for one any more

    def run(self, share: int, work: Callable[[], Result]) -> Result:
        """``work()`` as share ``share`` (0 ≤ share < size) of this group, in this thread."""
        outer = getattr(_local, "member", None)  # a group this thread already runs a share of
        _local.member = (self, share)
        try:
            return work()
        finally:
            _local.member = outer
            with self._changed:
                self._stopped[share] = True
                self._changed.notify_all()

    def sum(self, share: int, values: np.ndarray) -> np.ndarray:
        """``Σ_k values_k`` over the shares, once every share has given its ``values`` for this
        round (the n-th call of each share). Added in share order, by the last to arrive,
        so every share gets the same bits."""
        with self._changed:
            r = self._calls[share]
            self._calls[share] += 1
            if r == len(self._rounds):
                self._rounds.append([None] * self.size)
            given = self._rounds[r]
            given[share] = values
            if all(v is not None for v in given):
                try:
                    self._totals.append(_total(given))
                except BaseException:  # wrong shapes, or Ctrl-C: the others must not wait
                    self._failed = True
                    raise
                finally:
                    self._changed.notify_all()

            def ready() -> bool:  # this round's sum, or no sum coming
                return (
                    len(self._totals) > r
                    or self._failed
                    or any(v is None and self._stopped[k] for k, v in enumerate(given))
                )

            self._changed.wait_for(ready)
            if len(self._totals) > r:
                return self._totals[r]
            if self._failed:
                raise ShareStopped(f"the shares' sum number {r + 1} failed in another share")
            gone = next(k for k, v in enumerate(given) if v is None and self._stopped[k])
        raise ShareStopped(
            f"share {gone} of the batch stopped before its sum number {r + 1}: every "
            "share must run the same layers in the same order (a layer that adds over the "
            "shares, such as BatchNorm, may not sit in a branch that depends on the data)"
        )


def _total(given: list[np.ndarray]) -> np.ndarray:
    """Σ of the shares' values, in share order, read-only: every share gets this one array."""
    shapes = {v.shape for v in given}
    if len(shapes) > 1:
        raise ValueError(f"share_sum: the shares gave values of different shapes {sorted(shapes)}")
    total = functools.reduce(np.add, given)
    total.setflags(write=False)
    return total


def share_sum(values: np.ndarray) -> np.ndarray:
    """``Σ_k values_k`` over the shares of the batch that threads are running now, each
    share's ``values`` (same shape in every share) given by its own thread; ``values``
    itself outside such a run (see the module's notes)."""
    member = getattr(_local, "member", None)
    if member is None:
        return values
    group, share = member
    return group.sum(share, values)
