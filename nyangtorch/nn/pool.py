"""Max and average pooling over k×k windows (PyTorch's floor mode)."""

from __future__ import annotations

import numpy as np

from .checks import check_input, pair
from .module import NyangModel, keep
from .windows import (
    channels_first,
    channels_last,
    conv_output_size,
    pad_hw,
    scatter_windows,
    unpad_hw,
    windows,
)


class _Pool(NyangModel):
    """Shared set-up: argument checks, padding and the (channels-last) window view."""

    pad_value = 0.0

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = pair(stride if stride is not None else kernel_size, "stride")
        self.padding = pair(padding, "padding")
        if any(2 * p > k for p, k in zip(self.padding, self.kernel_size)):
            raise ValueError(
                f"{self!r}: padding should be at most half of kernel_size (as in PyTorch)"
            )

    def _windows(self, x: np.ndarray):
        check_input(self, x, "(N, C, H, W)", (4,))
        out = conv_output_size(self, x.shape[2:], self.kernel_size, self.stride, self.padding)
        xp = pad_hw(channels_last(x), self.padding, self.pad_value)
        return xp, windows(xp, self.kernel_size, self.stride, out), out

    def _scatter(self, padded_shape, out, dtype, grad_at) -> np.ndarray:
        dxp = scatter_windows(padded_shape, self.kernel_size, self.stride, out, dtype, grad_at)
        return channels_first(unpad_hw(dxp, self.padding))

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool(_Pool):
    """``y[n, c, i, j] = max_{u,v} xp[n, c, i·s + u, j·s + v]`` (xp padded with −∞).

    Backward routes each ``dy`` to the *first* maximum of its window (row-major order, as
    PyTorch does), so ties (common after a ReLU) never double-count. x: (N, C, H, W),
    y: (N, C, Ho, Wo).
    """

    pad_value = -np.inf

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp, win, out = self._windows(x)
        # One copy gathers each kernel offset's values into a contiguous slab, (kh·kw, N, Ho,
        # Wo, C). The max and the search for it then run along long contiguous rows: on the
        # strided window view every NumPy pass walks runs of only C numbers (measured: this
        # saves about 1 ms of a 12.7 ms reference-CNN training step, both pools together).
        slabs = np.ascontiguousarray(win.transpose(3, 4, 0, 1, 2, 5))
        slabs = slabs.reshape(-1, *slabs.shape[2:])
        y = slabs.max(axis=0)
        # Backward needs only which offset held each maximum: found now, while the slabs are
        # fresh in cache, and kept as one small integer per output (not in inference).
        self._cache = keep(lambda: (first_max_offset(slabs, y), xp.shape, out))
        return channels_first(y)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        offset, padded_shape, out = self._saved()
        dy = channels_last(dy)
        kw = self.kernel_size[1]
        return self._scatter(
            padded_shape, out, dy.dtype,
            lambda i, j, into: np.multiply(dy, offset == i * kw + j, out=into),
        )  # fmt: skip


def first_max_offset(slabs: np.ndarray, y: np.ndarray) -> np.ndarray:
    """For each output, the first slab (kernel offset, row-major) holding its maximum ``y``.

    The first, as PyTorch: ties (common after a ReLU) then send the gradient to one input.
    The offset is the number of leading slabs that miss the maximum, counted with one running
    mask (``np.argmax(axis=0)`` and masked copies are ~15× slower here)."""
    missed = slabs[0] != y  # True while every offset so far missed the maximum
    offset = missed.astype(np.min_scalar_type(len(slabs) - 1))
    for k in range(1, len(slabs) - 1):  # the last offset holds it if all others missed
        missed &= slabs[k] != y
        offset += missed
    return offset


class AvgPool(_Pool):
    """``y[n, c, i, j] = mean_{u,v} xp[n, c, i·s + u, j·s + v]`` (zero padding counted, as
    PyTorch's default ``count_include_pad=True``). Backward spreads ``dy / (kh·kw)`` evenly.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp, win, out = self._windows(x)
        self._cache = keep((xp.shape, out))
        return channels_first(win.mean(axis=(3, 4), dtype=x.dtype))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        padded_shape, out = self._saved()
        dy = channels_last(dy)
        share = dy.dtype.type(1 / (self.kernel_size[0] * self.kernel_size[1]))
        return self._scatter(
            padded_shape, out, dy.dtype, lambda i, j, into: np.multiply(dy, share, out=into)
        )


class GlobalAvgPool(NyangModel):
    """``y[n, c] = mean_{i,j} x[n, c, i, j]``: (N, C, H, W) -> (N, C), as PyTorch's
    ``AdaptiveAvgPool2d(1)`` followed by ``Flatten``. Backward spreads ``dy / (H·W)`` evenly
    over each channel's pixels.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        check_input(self, x, "(N, C, H, W)", (4,))
        self._cache = keep(x.shape)
        return x.mean(axis=(2, 3))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        n, c, h, w = self._saved()
        if dy.shape != (n, c):
            raise ValueError(f"{self!r}: backward expected grad {(n, c)}, got {dy.shape}")
        # Written channels-last, the memory layout convolutions hand on: the layers before
        # this one then run their element-wise passes over contiguous memory.
        dx = np.empty((n, h, w, c), dtype=dy.dtype)
        dx[...] = (dy / (h * w))[:, None, None, :]
        return channels_first(dx)
