"""Batch normalisation over the batch (and spatial) axes, per channel."""

from __future__ import annotations

import numpy as np

from ..distributed import allgather, allreduce_sum, world_size
from .checks import check_channels, check_input
from .kernels import float_input
from .kernels import norm as kernels
from .module import DEFAULT_DTYPE, NyangModel, Parameter, keep
from .shares import share_sum
from .windows import channels_first, channels_last


class BatchNorm(NyangModel):
    """``y = γ · x̂ + β``, ``x̂ = (x − μ) / sqrt(σ² + ε)`` per channel; x: (N, C) or (N, C, H, W).

    Training uses the batch's μ and biased σ² over the M = N (or N·H·W) values of each channel,
    from the per-channel sums: ``μ = Σx / M``, ``σ² = Σx² / M − μ²`` (summed in float64), and
    updates ``running = (1 − m)·running + m·batch`` with the *unbiased* variance
    ``σ²·M/(M − 1)``, as PyTorch does; eval uses the running estimates. The passes over the
    data are compiled loops (``kernels/norm.py``): one for the sums, one for y.
    Backward, with per-channel sums ``dβ = Σ dy`` and ``dγ = Σ dy·x̂``:
    ``dx = γ / sqrt(σ² + ε) · (dy − (dβ + x̂·dγ) / M)`` in training, and
    ``dx = γ / sqrt(σ² + ε) · dy`` in eval (the statistics are then constants).

    In data-parallel training (:mod:`nyangtorch.distributed`) plain BatchNorm normalises each
    rank's piece of the batch with that piece's own statistics, as PyTorch's DDP does, and the
    saved running statistics are rank 0's. ``sync=True`` makes it PyTorch's SyncBatchNorm: μ and
    σ² are those of the global batch, M the count over all ranks (forward gathers each rank's
    count, mean and variance), and backward sums ``dβ`` and ``dγ`` over the ranks for ``dx``,
    so a model trains as on one process with the global batch. Outside MPI both are the same.

    On the threads of one machine (:class:`~nyangtorch.train.DataParallel`), each thread's
    share of the batch adds its sums to the other shares' (:func:`~nyangtorch.nn.shares.share_sum`):
    Σx and Σx² with the counts in forward, dβ and dγ for dx in backward. The statistics are
    the whole batch's, as on one thread.
    """

    sync = False  # a class default, so model files written before ``sync`` existed still load

    def __init__(
        self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, sync: bool = False
    ) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.sync = sync
        self.weight = Parameter(np.ones(num_features, DEFAULT_DTYPE))
        self.bias = Parameter(np.zeros(num_features, DEFAULT_DTYPE))
        self.register_buffer("running_mean", np.zeros(num_features, DEFAULT_DTYPE))
        self.register_buffer("running_var", np.ones(num_features, DEFAULT_DTYPE))

    def _rows(self, x: np.ndarray) -> np.ndarray:
        """x as (M, C): one row per value of each channel, M = N (for (N, C) input) or
        M = N·H·W in channels-last order (a free view of channels-last memory, which
        convolutions hand on; a copy otherwise)."""
        expected = f"(N, {self.num_features}) or (N, {self.num_features}, H, W)"
        check_input(self, x, expected, (2, 4))
        check_channels(self, x, expected, self.num_features)
        x = float_input(x)
        return x if x.ndim == 2 else channels_last(x).reshape(-1, self.num_features)

    @staticmethod
    def _like(rows: np.ndarray, x: np.ndarray) -> np.ndarray:
        """(M, C) rows back to the shape of x (an NCHW view of channels-last memory)."""
        if x.ndim == 2:
            return rows
        n, c, h, w = x.shape
        return channels_first(rows.reshape(n, h, w, c))

    def _synchronised(self) -> bool:
        return self.sync and world_size() > 1

    def forward(self, x: np.ndarray) -> np.ndarray:
        rows = self._rows(x)
        dtype = rows.dtype
        if self.training:
            # The per-channel sums, Σx and Σx², are all this process's statistics need: with
            # the count, added over the threads' shares of the batch when there are several.
            sum_x, sum_x2 = kernels.channel_sums(rows, rows, np.zeros(self.num_features))
            count_and_sums = share_sum(np.concatenate([[len(rows)], sum_x, sum_x2]))
            m, (sum_x, sum_x2) = int(count_and_sums[0]), np.split(count_and_sums[1:], 2)
            if m < 2:
                raise ValueError(
                    f"{self!r}: training needs more than 1 value per channel, got input {x.shape}"
                )
            mean = sum_x / m
            var = np.maximum(sum_x2 / m - mean * mean, 0.0)  # E[x²] − μ², rounding kept ≥ 0
            if self._synchronised():  # the global batch's count, mean and variance
                m, mean, var = global_statistics(m, mean, var)
            momentum = self.momentum
            # Buffers follow the dtype of the data they are computed from.
            self.running_mean = ((1 - momentum) * self.running_mean + momentum * mean).astype(dtype)
            unbiased = var * (m / (m - 1))
            self.running_var = ((1 - momentum) * self.running_var + momentum * unbiased).astype(
                dtype
            )
        else:
            mean, var = self.running_mean.astype(np.float64), self.running_var.astype(np.float64)
        inv_std = 1.0 / np.sqrt(var + self.eps)  # float64, as the statistics
        # y = γ·x̂ + β as (x − μ)·(γ/σ) + β: the per-channel factor first, so the data is
        # read once and written once.
        y = np.empty_like(rows)
        scale = (self.weight.data * inv_std).astype(dtype)
        kernels.normalise(rows, mean.astype(dtype), scale, self.bias.data.astype(dtype), y)
        # M, the count the statistics came from, only when they are the batch's.
        self._cache = keep((rows, mean, inv_std, m if self.training else None))
        return self._like(y, x)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        rows, mean, inv_std, m = self._saved()
        dy_rows = self._rows(dy)
        if dy_rows.shape != rows.shape:
            raise ValueError(f"{self!r}: backward got grad {dy.shape}, not this layer's output")
        # The per-channel sums Σdy and Σdy·(x − μ), then dβ = Σdy and dγ = Σdy·x̂ with
        # x̂ = (x − μ)/σ (summed over the ranks below, for dx, when synchronised).
        sum_dy, sum_dy_xc = kernels.channel_sums(dy_rows, rows, mean)
        d_beta, d_gamma = sum_dy, sum_dy_xc * inv_std
        self.weight.accumulate(d_gamma)
        self.bias.accumulate(d_beta)
        scale = self.weight.data * inv_std
        if m is not None:
            d_beta, d_gamma = share_sum(np.stack([d_beta, d_gamma]))  # the threads' shares
            if self._synchronised():
                # μ and σ² came from every rank's x, so dx needs dβ and dγ of every rank's dy;
                # the parameters' gradients above stay this rank's, averaged with all others.
                d_beta, d_gamma = allreduce_sum(np.stack([d_beta, d_gamma]))
            # dx = γ/σ·(dy − (dβ + x̂·dγ)/M), expanded so only per-channel factors are formed:
            # γ/σ·dy − (x − μ)·(γ/σ²·dγ/M) − γ/σ·dβ/M.
            b, d = scale * inv_std * d_gamma / m, scale * d_beta / m
        else:  # eval: the statistics are constants, dx = γ/σ·dy
            b = d = np.zeros_like(scale)
        dx = np.empty_like(dy_rows)
        factors = (v.astype(dx.dtype) for v in (mean, scale, b, d))  # float32 stays float32
        kernels.input_grad(dy_rows, rows, *factors, dx)
        return self._like(dx, dy)

    def extra_repr(self) -> str:
        sync = ", sync=True" if self.sync else ""
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}{sync}"


def global_statistics(
    count: int, mean: np.ndarray, var: np.ndarray
) -> tuple[int, np.ndarray, np.ndarray]:
    """Count, mean and biased variance per channel of every rank's values together, from each
    rank's own ``(m_r, μ_r, σ_r²)`` (Chan et al.'s pairwise formula, as PyTorch's SyncBatchNorm):
    ``M = Σ m_r``, ``μ = Σ m_r·μ_r / M``, ``σ² = Σ m_r·(σ_r² + (μ_r − μ)²) / M``.

    Not from ``Σ x`` and ``Σ x²``: ``Σ x²/M − μ²`` cancels badly in float32 when |μ| ≫ σ.
    Every rank combines the same gathered numbers in the same order, so all get the same bits.
    """
    per_rank = allgather(np.concatenate([[count], mean, var], dtype=np.float64))
    counts, means, variances = np.split(per_rank, [1, 1 + len(mean)], axis=1)
    total = counts.sum()
    global_mean = (counts * means).sum(axis=0) / total
    global_var = (counts * (variances + (means - global_mean) ** 2)).sum(axis=0) / total
    return int(total), global_mean.astype(mean.dtype), global_var.astype(var.dtype)


def convert_sync_batchnorm(model: NyangModel) -> NyangModel:
    """Make every BatchNorm in ``model`` synchronise its statistics over the ranks
    (``sync=True``, PyTorch's ``SyncBatchNorm.convert_sync_batchnorm``); returns ``model``."""
    for module in model.modules():
        if isinstance(module, BatchNorm):
            module.sync = True
    return model
