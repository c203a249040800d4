"""Ops that join arrays inside a model's ``forward``: a sum (residual) and a concatenation.

Each is a small layer with its own backward, so the tape records it like any other call;
``nn.functional.add`` and ``nn.functional.cat`` are their spellings in a ``forward``, where a
plain ``a + b`` or ``np.concatenate`` would leave the tape no way back.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .module import NyangModel, keep


class Add(NyangModel):
    """``y = a + b`` (same shapes);  ``da = dy``, ``db = dy``."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.shape != b.shape:
            raise ValueError(
                f"add: shapes {a.shape} and {b.shape} differ; a residual sum needs a shortcut "
                "that gives the block's output shape (a 1×1 Conv with the block's stride)"
            )
        return a + b

    def backward(self, dy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return dy, dy


class Cat(NyangModel):
    """``y = [x_1 … x_k]`` joined along ``axis``;  ``dx_i`` is the slice of ``dy`` where
    ``x_i`` went. With axis 1, (N, C_i, H, W) arrays give (N, Σ C_i, H, W)."""

    def __init__(self, axis: int = 1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, *arrays: np.ndarray) -> np.ndarray:
        y = np.concatenate(arrays, axis=self.axis)
        self._cache = keep(lambda: np.cumsum([x.shape[self.axis] for x in arrays[:-1]]))
        return y

    def backward(self, dy: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.split(dy, self._saved(), axis=self.axis))

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


def add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a + b`` as a recorded op: a residual sum in a model's ``forward``."""
    return Add()(a, b)


def cat(arrays: Sequence[np.ndarray], axis: int = 1) -> np.ndarray:
    """``np.concatenate(arrays, axis)`` as a recorded op; axis 1 joins channels."""
    return Cat(axis)(*arrays)
