"""Batch normalisation over the batch (and spatial) axes, per channel."""

from __future__ import annotations

import numpy as np

from .functional import channels_first, channels_last, check_channels, check_input
from .module import DEFAULT_DTYPE, NyangModel, Parameter, keep


class BatchNorm(NyangModel):
    """``y = γ · x̂ + β``, ``x̂ = (x − μ) / sqrt(σ² + ε)`` per channel; x: (N, C) or (N, C, H, W).

    Training uses the batch's μ and biased σ² over the M = N (or N·H·W) values of each channel
    and updates ``running = (1 − m)·running + m·batch`` with the *unbiased* variance
    ``σ²·M/(M − 1)``, as PyTorch does; eval uses the running estimates.
    Backward, with per-channel sums ``dβ = Σ dy`` and ``dγ = Σ dy·x̂``:
    ``dx = γ / sqrt(σ² + ε) · (dy − (dβ + x̂·dγ) / M)`` in training, and
    ``dx = γ / sqrt(σ² + ε) · dy`` in eval (the statistics are then constants).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Parameter(np.ones(num_features, DEFAULT_DTYPE))
        self.bias = Parameter(np.zeros(num_features, DEFAULT_DTYPE))
        self.register_buffer("running_mean", np.zeros(num_features, DEFAULT_DTYPE))
        self.register_buffer("running_var", np.ones(num_features, DEFAULT_DTYPE))

    def _rows(self, x: np.ndarray) -> np.ndarray:
        """x as (M, C): one row per value of each channel (free for channels-last memory)."""
        expected = f"(N, {self.num_features}) or (N, {self.num_features}, H, W)"
        check_input(self, x, expected, (2, 4))
        check_channels(self, x, expected, self.num_features)
        return x if x.ndim == 2 else channels_last(x).reshape(-1, self.num_features)

    @staticmethod
    def _like(rows: np.ndarray, x: np.ndarray) -> np.ndarray:
        """(M, C) rows back to the shape of x."""
        if x.ndim == 2:
            return rows
        n, c, h, w = x.shape
        return channels_first(rows.reshape(n, h, w, c))

    def forward(self, x: np.ndarray) -> np.ndarray:
        rows = self._rows(x)
        m = len(rows)
        if self.training:
            if m < 2:
                raise ValueError(
                    f"{self!r}: training needs more than 1 value per channel, got input {x.shape}"
                )
            ones = np.ones(m, rows.dtype)  # sums over rows as matrix products (fast)
            mean = ones @ rows / m
            centred = rows - mean
            var = ones @ (centred * centred) / m
            momentum = self.momentum
            # Buffers follow the dtype of the data they are computed from.
            self.running_mean = ((1 - momentum) * self.running_mean + momentum * mean).astype(
                mean.dtype
            )
            unbiased = var * (m / (m - 1))
            self.running_var = ((1 - momentum) * self.running_var + momentum * unbiased).astype(
                var.dtype
            )
        else:
            centred = rows - self.running_mean
            var = self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)
        # y = γ·x̂ + β as (x − μ)·(γ/σ) + β: per-channel factors first, so the big array is
        # touched twice, and backward keeps x − μ and 1/σ rather than a separate x̂.
        y = centred * (self.weight.data * inv_std)
        y += self.bias.data
        self._cache = keep((centred, inv_std, self.training))
        return self._like(y, x)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        centred, inv_std, batch_stats = self._saved()
        dy_rows = self._rows(dy)
        ones = np.ones(len(dy_rows), dy_rows.dtype)
        d_beta = ones @ dy_rows
        d_gamma = (ones @ (dy_rows * centred)) * inv_std  # Σ dy·x̂, with x̂ = (x − μ)/σ
        self.weight.accumulate(d_gamma)
        self.bias.accumulate(d_beta)
        scale = self.weight.data * inv_std
        dx = dy_rows * scale
        if batch_stats:
            # dx = γ/σ·(dy − (dβ + x̂·dγ)/M), expanded so only per-channel factors are formed:
            # γ/σ·dy − (x − μ)·(γ/σ²·dγ/M) − γ/σ·dβ/M.
            m = len(dy_rows)
            dx -= centred * (scale * inv_std * d_gamma / m)
            dx -= scale * d_beta / m
        return self._like(dx, dy)

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"
