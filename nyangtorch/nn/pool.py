"""Max and average pooling over k×k windows (PyTorch's floor mode).

The loops live in ``kernels/pool.py``, compiled; the layers here check arguments, allocate
the outputs and keep what backward needs.
"""

from __future__ import annotations

import numpy as np

from .checks import check_input, pair
from .kernels import float_input
from .kernels import pool as kernels
from .module import NyangModel, keep
from .windows import channels_first, channels_last, conv_output_size


class _Pool(NyangModel):
    """Shared set-up: argument checks, the channels-last input and the empty output."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = pair(stride if stride is not None else kernel_size, "stride")
        self.padding = pair(padding, "padding")
        if any(2 * p > k for p, k in zip(self.padding, self.kernel_size)):
            raise ValueError(
                f"{self!r}: padding should be at most half of kernel_size (as in PyTorch)"
            )

    def _input(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x as channels-last (N, H, W, C), and an empty output (N, Ho, Wo, C)."""
        check_input(self, x, "(N, C, H, W)", (4,))
        x = float_input(x)
        ho, wo = conv_output_size(self, x.shape[2:], self.kernel_size, self.stride, self.padding)
        n, c = x.shape[:2]
        return channels_last(x), np.empty((n, ho, wo, c), dtype=x.dtype)

    def _window_args(self) -> tuple[int, int, int, int, int, int]:
        """(kh, kw, sh, sw, ph, pw), in the order the kernels take them."""
        return (*self.kernel_size, *self.stride, *self.padding)

    def _is_2x2(self) -> bool:
        """True for the usual 2×2 window at stride 2 without padding, which has fast kernels."""
        return self._window_args() == (2, 2, 2, 2, 0, 0)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool(_Pool):
    """``y[n, c, i, j] = max_{u,v} xp[n, c, i·s + u, j·s + v]`` (xp padded with −∞).

    Backward routes each ``dy`` to the *first* maximum of its window (row-major order, as
    PyTorch does), so ties (common after a ReLU) never double-count. x: (N, C, H, W),
    y: (N, C, Ho, Wo).

    ``relu=True`` applies a ReLU to the pooled values in the same pass,
    ``y = max(0, max_{u,v} xp)`` — exactly ``MaxPool`` followed by ``ReLU``, values and
    gradients (``dy`` flows back only where ``y > 0``), without a second pass over the
    output and without a mask: the ReLU is recorded in the offsets backward reads. The
    reference models use it in their Conv–MaxPool–ReLU blocks.
    """

    relu = False  # also the value for MaxPools pickled before the option existed

    def __init__(self, kernel_size, stride=None, padding=0, relu: bool = False):
        super().__init__(kernel_size, stride, padding)
        self.relu = relu

    def forward(self, x: np.ndarray) -> np.ndarray:
        x_last, y = self._input(x)
        # Per output, which window offset held the first maximum: one small integer (not a
        # mask as large as x), all backward needs besides the input's shape.
        # Inference keeps nothing (first is None), and the kernel then skips those stores.
        k = self.kernel_size[0] * self.kernel_size[1]
        first = keep(lambda: np.empty(y.shape, dtype=np.int8 if k <= 127 else np.int32))
        if self._is_2x2():
            kernels.max_pool_2x2(x_last, self.relu, y, first)
        else:
            kernels.max_pool(x_last, *self._window_args(), self.relu, y, first)
        self._cache = keep((first, x_last.shape))
        return channels_first(y)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        first, input_shape = self._saved()
        if dy.shape != channels_first(first).shape:
            raise ValueError(f"{self!r}: backward got grad {dy.shape}, not this layer's output")
        dy = float_input(dy)
        dx = np.empty(input_shape, dtype=dy.dtype)
        if self._is_2x2():
            kernels.max_pool_2x2_backward(channels_last(dy), first, dx)
        else:
            area = 1  # unused: a window's first maximum takes all of its gradient
            kernels.pool_backward(channels_last(dy), first, area, *self._window_args(), dx)
        return channels_first(dx)

    def extra_repr(self) -> str:
        return super().extra_repr() + (", relu=True" if self.relu else "")


class AvgPool(_Pool):
    """``y[n, c, i, j] = mean_{u,v} xp[n, c, i·s + u, j·s + v]`` (zero padding counted, as
    PyTorch's default ``count_include_pad=True``). Backward spreads ``dy / (kh·kw)`` evenly.
    """

    def _area(self, dtype: np.dtype):
        """kh·kw in the data's dtype, so float32 divides in float32 (as PyTorch does)."""
        return dtype.type(self.kernel_size[0] * self.kernel_size[1])

    def forward(self, x: np.ndarray) -> np.ndarray:
        x_last, y = self._input(x)
        kernels.avg_pool(x_last, *self._window_args(), self._area(y.dtype), y)
        self._cache = keep((x_last.shape, y.shape))
        return channels_first(y)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        input_shape, output_shape = self._saved()
        dy = channels_last(float_input(dy))
        if dy.shape != output_shape:
            raise ValueError(f"{self!r}: backward got grad {dy.shape}, not this layer's output")
        dx = np.empty(input_shape, dtype=dy.dtype)
        kernels.pool_backward(dy, None, self._area(dy.dtype), *self._window_args(), dx)
        return channels_first(dx)


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
