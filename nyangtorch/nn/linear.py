"""Fully connected layer."""

from __future__ import annotations

import numpy as np

from .checks import check_channels, check_input
from .init import initialise, initialise_bias
from .module import DEFAULT_DTYPE, NyangModel, Parameter, keep


class Linear(NyangModel):
    """``y = x @ W.T + b``;  x: (N, in), W: (out, in), b: (out,), y: (N, out).

    Backward: ``dW = dy.T @ x``, ``db = 1 @ dy`` (sum over the batch), ``dx = dy @ W``.

    ``init``: "he" (default: He-normal weights, zero bias), "xavier", or "torch" (PyTorch's
    default, Kaiming-uniform with a = √5 and a uniform bias); see :mod:`nyangtorch.nn.init`.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, init: str = "he"):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        shape = (out_features, in_features)
        self.weight = Parameter(initialise(shape, init, DEFAULT_DTYPE))
        self.bias = Parameter(initialise_bias(shape, init, DEFAULT_DTYPE)) if bias else None

    def forward(self, x: np.ndarray) -> np.ndarray:
        check_input(self, x, f"(N, {self.in_features})", (2,))
        check_channels(self, x, f"(N, {self.in_features})", self.in_features)
        w = self.weight.data
        if len(x) < self.out_features:
            # The same sums, as yᵀ = W xᵀ: with fewer samples than outputs (a share of 32 in
            # Linear(1600, 128)) OpenBLAS runs this in 0.6–0.85× the time of x @ Wᵀ (float32).
            y = np.ascontiguousarray((w @ x.T).T)
        else:
            y = x @ w.T
        if self.bias is not None:
            y += self.bias.data
        self._cache = keep(x)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self.backward_params(dy)
        return dy @ self.weight.data

    def backward_params(self, dy: np.ndarray) -> None:
        x = self._saved()
        if dy.shape != (len(x), self.out_features):
            raise ValueError(
                f"{self!r}: backward expected grad {(len(x), self.out_features)}, got {dy.shape}"
            )
        self.weight.accumulate(dy.T @ x)
        if self.bias is not None:
            # A matrix product with ones sums the batch faster than dy.sum(axis=0).
            self.bias.accumulate(np.ones(len(dy), dy.dtype) @ dy)

    def extra_repr(self) -> str:
        return f"{self.in_features}→{self.out_features}, bias={self.bias is not None}"
