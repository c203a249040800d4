"""Dropout: randomly zero activations while training."""

from __future__ import annotations

import numpy as np

from ..random import get_rng
from .module import NyangModel, keep


class Dropout(NyangModel):
    """Zero each element with probability ``p`` in training.

    Inverted (default, as PyTorch): train ``y = x · m / (1 − p)``, eval ``y = x``.
    Classic (``inverted=False``, as the original paper): train ``y = x · m``,
    eval ``y = (1 − p) · x``. ``m ~ Bernoulli(1 − p)``; backward ``dx = dy · scale`` with the
    same mask or factor. The mask comes from :func:`nyangtorch.manual_seed`'s generator.
    """

    splittable = False  # random masks: shares of a batch would draw them in another order

    def __init__(self, p: float = 0.5, inverted: bool = True) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p}")
        self.p, self.inverted = p, inverted

    def forward(self, x: np.ndarray) -> np.ndarray:
        if self.training:
            kept = get_rng().random(x.shape) >= self.p
            gain = 1.0 / (1.0 - self.p) if self.inverted and self.p < 1 else 1.0
            scale = kept.astype(x.dtype) * x.dtype.type(gain)
        else:
            scale = x.dtype.type(1.0 if self.inverted else 1.0 - self.p)
        self._cache = keep(scale)
        return x * scale

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy * self._saved()

    def extra_repr(self) -> str:
        return f"p={self.p}" + ("" if self.inverted else ", inverted=False")
