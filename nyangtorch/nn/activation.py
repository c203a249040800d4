"""Element-wise activations (and Softmax, LogSoftmax). Each keeps the one array its backward
needs."""

from __future__ import annotations

import numpy as np

from .functional import log_softmax, relu, sigmoid, softmax
from .module import NyangModel, keep


class ReLU(NyangModel):
    """``y = max(x, 0)``;  ``dx = dy · [x > 0]``. Any shape."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._cache = keep(lambda: x > 0)
        return relu(x)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy * self._saved()


class LeakyReLU(NyangModel):
    """``y = x if x > 0 else a·x``;  ``dx = dy · (1 if x > 0 else a)``."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: np.ndarray) -> np.ndarray:
        slope = np.where(x > 0, 1.0, self.negative_slope).astype(x.dtype)
        self._cache = keep(slope)  # the forward uses it too
        return x * slope

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy * self._saved()

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(NyangModel):
    """``y = λ·(x if x > 0 else α(eˣ − 1))``;  ``dy/dx = λ·(1 if x > 0 else α eˣ)``, λ = 1."""

    scale = 1.0

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._cache = keep(lambda: self._slope(x))
        return self.scale * (np.maximum(x, 0) + self.alpha * np.expm1(np.minimum(x, 0)))

    def _slope(self, x: np.ndarray) -> np.ndarray:
        """dy/dx: λ on the positive side, λ α eˣ on the negative side."""
        negative = self.alpha * np.exp(np.minimum(x, 0))
        return (self.scale * np.where(x > 0, 1.0, negative)).astype(x.dtype)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy * self._saved()

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class SELU(ELU):
    """ELU with the self-normalising constants of Klambauer et al. (2017):
    ``y = λ·(x if x > 0 else α(eˣ − 1))``, α ≈ 1.6733, λ ≈ 1.0507."""

    scale = 1.0507009873554804934193349852946

    def __init__(self) -> None:
        super().__init__(alpha=1.6732632423543772848170429916717)

    def extra_repr(self) -> str:
        return ""


class Tanh(NyangModel):
    """``y = tanh(x)``;  ``dx = dy · (1 − y²)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        y = np.tanh(x)
        self._cache = keep(y)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        y = self._saved()
        return dy * (1 - y * y)


class Sigmoid(NyangModel):
    """``y = 1 / (1 + e^−x)``;  ``dx = dy · y(1 − y)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        y = sigmoid(x)
        self._cache = keep(y)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        y = self._saved()
        return dy * y * (1 - y)


class _AlongAxis(NyangModel):
    """A layer that normalises along one axis (Softmax, LogSoftmax)."""

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Softmax(_AlongAxis):
    """``y_i = e^{x_i} / Σ_j e^{x_j}`` along ``axis``;  ``dx = y ⊙ (dy − Σ_j dy_j y_j)``.

    For training a classifier use the logits with ``CE`` instead: it fuses softmax and the
    log for stability.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        y = softmax(x, self.axis)
        self._cache = keep(y)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        y = self._saved()
        return y * (dy - (dy * y).sum(axis=self.axis, keepdims=True))


class LogSoftmax(_AlongAxis):
    """``y_i = x_i − log Σ_j e^{x_j}`` along ``axis``;  ``dx = dy − e^y · Σ_j dy_j``.

    Followed by ``NLL`` it is ``CE`` in two steps, as PyTorch's ``log_softmax`` and
    ``nll_loss`` (the log-sum-exp subtracts the maximum first, so nothing overflows).
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        y = log_softmax(x, self.axis)
        self._cache = keep(y)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        y = self._saved()
        return dy - np.exp(y) * dy.sum(axis=self.axis, keepdims=True)
