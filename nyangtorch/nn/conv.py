"""2-D convolution as one matrix product over im2col rows."""

from __future__ import annotations

import numpy as np

from .functional import (
    channels_first,
    channels_last,
    check_channels,
    check_input,
    col2im,
    conv_output_size,
    im2col,
    pad_hw,
    pair,
    unpad_hw,
)
from .init import initialise
from .module import DEFAULT_DTYPE, NyangModel, Parameter, keep


class Conv(NyangModel):
    """Cross-correlation, like ``torch.nn.Conv2d``.

    ``y[n, o, i, j] = b[o] + Σ_{c,u,v} W[o, c, u, v] · xp[n, c, i·s + u, j·s + v]``
    x: (N, C, H, W), W: (O, C, kh, kw), y: (N, O, Ho, Wo), ``Ho = (H + 2p − kh) // s + 1``.

    With ``X = im2col(xp)`` of shape (N·Ho·Wo, kh·kw·C) and ``Wm`` the weight as (O, kh·kw·C):
    forward ``Y = X @ Wm.T + b``; backward ``dWm = dY.T @ X``, ``db = 1 @ dY``,
    ``dX = dY @ Wm`` and ``dx = col2im(dX)``: three matrix products in all.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        bias: bool = True,
        init: str = "he",
    ):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = pair(stride, "stride")
        self.padding = pair(padding, "padding")
        shape = (out_channels, in_channels, *self.kernel_size)
        self.weight = Parameter(initialise(shape, init, DEFAULT_DTYPE))
        self.bias = Parameter(np.zeros(out_channels, DEFAULT_DTYPE)) if bias else None

    def _weight_matrix(self) -> np.ndarray:
        """W (O, C, kh, kw) as (O, kh·kw·C), the column order of channels-last im2col."""
        return self.weight.data.transpose(0, 2, 3, 1).reshape(self.out_channels, -1)

    def forward(self, x: np.ndarray) -> np.ndarray:
        expected = f"(N, {self.in_channels}, H, W)"
        check_input(self, x, expected, (4,))
        check_channels(self, x, expected, self.in_channels)
        n = x.shape[0]
        ho, wo = conv_output_size(self, x.shape[2:], self.kernel_size, self.stride, self.padding)
        xp = pad_hw(channels_last(x), self.padding)
        cols = im2col(xp, self.kernel_size, self.stride, (ho, wo))
        y = cols @ self._weight_matrix().T
        if self.bias is not None:
            y += self.bias.data
        self._cache = keep((cols, xp.shape))
        return channels_first(y.reshape(n, ho, wo, self.out_channels))

    def _param_grads(self, dy: np.ndarray) -> np.ndarray:
        """Add dW and db; return dY as (N·Ho·Wo, O) rows for the input gradient."""
        cols, padded_shape = self._saved()
        o, (kh, kw), c = self.out_channels, self.kernel_size, self.in_channels
        if dy.ndim != 4 or dy.shape[1] != o or dy.shape[0] * dy.shape[2] * dy.shape[3] != len(cols):
            raise ValueError(
                f"{self!r}: backward got grad {dy.shape}, not this layer's output shape"
            )
        dy2 = channels_last(dy).reshape(-1, o)
        dw = (dy2.T @ cols).reshape(o, kh, kw, c).transpose(0, 3, 1, 2)
        self.weight.accumulate(np.ascontiguousarray(dw))
        if self.bias is not None:
            # A matrix product with ones sums the rows faster than dy2.sum(axis=0).
            self.bias.accumulate(np.ones(len(dy2), dy2.dtype) @ dy2)
        return dy2

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy2 = self._param_grads(dy)
        padded_shape = self._cache[1]  # set by forward (checked by _param_grads)
        n, ho, wo = dy.shape[0], dy.shape[2], dy.shape[3]
        dcols = (dy2 @ self._weight_matrix()).reshape(
            n, ho, wo, *self.kernel_size, self.in_channels
        )
        dxp = col2im(dcols, padded_shape, self.stride)
        return channels_first(unpad_hw(dxp, self.padding))

    def backward_params(self, dy: np.ndarray) -> None:
        self._param_grads(dy)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}→{self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None}"
        )
