"""Flatten every axis but the batch axis."""

from __future__ import annotations

import numpy as np

from .module import NyangModel, keep


class Flatten(NyangModel):
    """``(N, C, H, W) -> (N, C·H·W)`` in C, H, W order (as ``torch.nn.Flatten``).

    Backward reshapes the gradient back, in the memory layout the input had: after a conv or
    pool that is channels-last, and handing the layers before it an NCHW-ordered gradient
    would make their element-wise passes walk strided runs (~0.15 ms of a reference-CNN step).
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.ndim < 2:  # nothing to flatten: one number per sample is already (N,)
            raise ValueError(f"{self!r}: expected input (N, C, ...), got {x.shape}")
        # A one-sample blank in x's memory layout, the pattern for backward's gradient.
        self._cache = keep(lambda: np.empty_like(x[:1]))
        return x.reshape(x.shape[0], -1)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        blank = self._saved()
        shape = (len(dy), *blank.shape[1:])
        if dy.size != np.prod(shape):
            raise ValueError(f"{self!r}: backward got grad {dy.shape}, not this layer's output")
        if blank.flags.c_contiguous:
            return dy.reshape(shape)
        dx = np.empty_like(blank, shape=shape)
        dx[...] = dy.reshape(shape)
        return dx
