"""Batch normalisation over the batch (and spatial) axes, per channel."""

from __future__ import annotations

import numpy as np

from .functional import check_channels, check_input
from .module import DEFAULT_DTYPE, NyangModel, Parameter, keep


class BatchNorm(NyangModel):
    """``y = γ · (x − μ) / sqrt(σ² + ε) + β`` per channel c; x: (N, C) or (N, C, H, W).

    Training uses the batch's μ and biased σ² (over N, or N·H·W values) and updates
    ``running = (1 − m)·running + m·batch`` with the *unbiased* variance, as PyTorch does;
    eval uses the running estimates. With ``x̂`` the normalised input and M values per channel,
    backward is ``dx = (1/sqrt(σ² + ε)) · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂))``, ``dx̂ = γ·dy``,
    ``dγ = Σ dy·x̂``, ``dβ = Σ dy`` (means and sums per channel; in eval the two mean terms
    vanish).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Parameter(np.ones(num_features, DEFAULT_DTYPE))
        self.bias = Parameter(np.zeros(num_features, DEFAULT_DTYPE))
        self.register_buffer("running_mean", np.zeros(num_features, DEFAULT_DTYPE))
        self.register_buffer("running_var", np.ones(num_features, DEFAULT_DTYPE))
        self._saved_state = None

    def _axes_and_shape(self, x: np.ndarray):
        expected = f"(N, {self.num_features}) or (N, {self.num_features}, H, W)"
        check_input(self, x, expected, (2, 4))
        check_channels(self, x, expected, self.num_features)
        if x.ndim == 2:
            return (0,), (1, -1)
        return (0, 2, 3), (1, -1, 1, 1)

    def forward(self, x: np.ndarray) -> np.ndarray:
        axes, shape = self._axes_and_shape(x)
        if self.training:
            count = x.size // self.num_features
            if count < 2:
                raise ValueError(
                    f"{self!r}: training needs more than 1 value per channel, got input {x.shape}"
                )
            mean = x.mean(axis=axes)
            var = x.var(axis=axes)
            m = self.momentum
            # Buffers follow the dtype of the data they are computed from.
            self.running_mean = ((1 - m) * self.running_mean + m * mean).astype(mean.dtype)
            self.running_var = (
                (1 - m) * self.running_var + m * var * (count / (count - 1))
            ).astype(var.dtype)
        else:
            mean, var = self.running_mean, self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat = (x - mean.reshape(shape)) * inv_std.reshape(shape)
        self._saved_state = keep((x_hat, inv_std, self.training))
        return x_hat * self.weight.data.reshape(shape) + self.bias.data.reshape(shape)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        x_hat, inv_std, batch_stats = self._saved(self._saved_state)
        axes, shape = self._axes_and_shape(dy)
        self.weight.accumulate((dy * x_hat).sum(axis=axes))
        self.bias.accumulate(dy.sum(axis=axes))
        dx_hat = dy * self.weight.data.reshape(shape)
        if batch_stats:
            dx_hat = (
                dx_hat
                - dx_hat.mean(axis=axes, keepdims=True)
                - x_hat * (dx_hat * x_hat).mean(axis=axes, keepdims=True)
            )
        return dx_hat * inv_std.reshape(shape)

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"
