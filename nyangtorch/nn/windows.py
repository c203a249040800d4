"""Sliding windows over images: output sizes and the channels-last memory layout.

The window loops themselves (im2col, its adjoint col2im, pooling) are compiled kernels in
``kernels/``. im2col turns every kh×kw window of an image into one row, so a convolution
becomes a single matrix product; col2im adds per-window gradients back onto the pixels they
came from.

Memory layout. Arrays are (N, C, H, W) in shape, as in PyTorch, but the spatial layers work
on the channels-last view (N, H, W, C): a window is then kh·kw runs of C contiguous numbers,
which the kernels copy and add with vector instructions. A layer's output is channels-last
in memory (its matrix product gives rows = pixels, columns = channels) and is handed on as a
free NCHW-shaped view, so the next layer's channels-last view is free too (PyTorch calls
this memory format "channels_last").
"""

from __future__ import annotations

import numpy as np

Pair = tuple[int, int]


def conv_output_size(layer, size: Pair, kernel: Pair, stride: Pair, padding: Pair) -> Pair:
    """``out = floor((in + 2p - k) / s) + 1`` per spatial axis (PyTorch's floor mode)."""
    out = tuple((n + 2 * p - k) // s + 1 for n, k, s, p in zip(size, kernel, stride, padding))
    if min(out) < 1:
        raise ValueError(
            f"{layer!r}: input of spatial size {size} is too small for kernel {kernel} "
            f"with padding {padding}"
        )
    return out


def channels_last(x: np.ndarray) -> np.ndarray:
    """(N, C, H, W) -> (N, H, W, C), a view."""
    return x.transpose(0, 2, 3, 1)


def channels_first(x: np.ndarray) -> np.ndarray:
    """(N, H, W, C) -> (N, C, H, W), a view."""
    return x.transpose(0, 3, 1, 2)


def window_args(layer) -> tuple[int, int, int, int, int, int]:
    """A window layer's (kh, kw, sh, sw, ph, pw), in the order the kernels take them."""
    return (*layer.kernel_size, *layer.stride, *layer.padding)
