"""Flatten every axis but the batch axis."""

from __future__ import annotations

import numpy as np

from .module import NyangModel, keep


class Flatten(NyangModel):
    """``(N, C, H, W) -> (N, C·H·W)`` in C, H, W order (as ``torch.nn.Flatten``)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._cache = keep(x.shape)
        return x.reshape(x.shape[0], -1)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy.reshape(self._saved())
