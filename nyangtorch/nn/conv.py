"""2-D convolution as one matrix product over im2col rows."""

from __future__ import annotations

import numpy as np

from .functional import (
    check_channels,
    check_input,
    col2im,
    conv_output_size,
    im2col,
    pad2d,
    pair,
    unpad2d,
)
from .init import initialise
from .module import DEFAULT_DTYPE, NyangModel, Parameter, keep


class Conv(NyangModel):
    """Cross-correlation, like ``torch.nn.Conv2d``.

    ``y[n, o, i, j] = b[o] + Σ_{c,u,v} W[o, c, u, v] · xp[n, c, i·s + u, j·s + v]``
    x: (N, C, H, W), W: (O, C, kh, kw), y: (N, O, Ho, Wo), ``Ho = (H + 2p − kh) // s + 1``.

    With ``X = im2col(xp)`` of shape (N·Ho·Wo, C·kh·kw) and ``Wm = W.reshape(O, −1)``:
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
        self._saved_cols = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        hint = " — did you forget the channel axis?" if getattr(x, "ndim", 4) == 3 else ""
        expected = f"(N, {self.in_channels}, H, W)"
        check_input(self, x, expected, (4,), hint)
        check_channels(self, x, expected, self.in_channels)
        n = x.shape[0]
        ho, wo = conv_output_size(self, x.shape[2:], self.kernel_size, self.stride, self.padding)
        xp = pad2d(x, self.padding)
        cols = im2col(xp, self.kernel_size, self.stride, (ho, wo))
        y = cols @ self.weight.data.reshape(self.out_channels, -1).T
        if self.bias is not None:
            y += self.bias.data
        self._saved_cols = keep((cols, xp.shape))
        # (N·Ho·Wo, O) is NHWC in memory; the transpose is a free view in NCHW order.
        return y.reshape(n, ho, wo, self.out_channels).transpose(0, 3, 1, 2)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        cols, padded_shape = self._saved(self._saved_cols)
        n, c = padded_shape[:2]
        o, (kh, kw) = self.out_channels, self.kernel_size
        if (
            dy.ndim != 4
            or dy.shape[0] * dy.shape[2] * dy.shape[3] != cols.shape[0]
            or dy.shape[1] != o
        ):
            raise ValueError(
                f"{self!r}: backward got grad of shape {dy.shape}, not this layer's output shape"
            )
        ho, wo = dy.shape[2:]
        dy2 = dy.transpose(0, 2, 3, 1).reshape(-1, o)
        self.weight.accumulate((dy2.T @ cols).reshape(self.weight.shape))
        if self.bias is not None:
            self.bias.accumulate(np.ones(dy2.shape[0], dy2.dtype) @ dy2)
        dcols = dy2 @ self.weight.data.reshape(o, -1)
        dwin = dcols.reshape(n, ho, wo, c, kh, kw).transpose(0, 3, 1, 2, 4, 5)
        return unpad2d(col2im(dwin, padded_shape, self.stride), self.padding)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}→{self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None}"
        )
