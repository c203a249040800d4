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

from .kernels import windows as kernels

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


def im2col(
    x: np.ndarray,
    kernel: Pair,
    stride: Pair,
    *,
    padding: Pair = (0, 0),
    ones: bool = False,
    size: Pair | None = None,
) -> np.ndarray:
    """Channels-last (N, H, W, C) -> (N·Ho·Wo, kh·kw·C [+ 1]): row (n, i, j) is window (i, j)
    of sample n, its pixels in (u, v, c) order, zero outside the image; ``ones`` appends a
    column of ones (for a bias folded into the weights). ``size`` is the grid of windows
    (Ho, Wo), every window that fits by default (:func:`conv_output_size`); a smaller one
    leaves out the last rows and columns of windows. The loop is compiled
    (``kernels/windows.py``)."""
    n, h, w, c = x.shape
    ho, wo = size or conv_output_size("im2col", (h, w), kernel, stride, padding)
    cols = np.empty((n, ho, wo, kernel[0] * kernel[1] * c + ones), dtype=x.dtype)
    kernels.im2col(np.ascontiguousarray(x), *kernel, *stride, *padding, cols)
    return cols.reshape(n * ho * wo, -1)


def col2im(
    dcols: np.ndarray,
    image_shape: tuple[int, ...],
    kernel: Pair,
    stride: Pair,
    padding: Pair,
    size: Pair | None = None,
) -> np.ndarray:
    """The adjoint of :func:`im2col`: window gradients (N·Ho·Wo, kh·kw·C) -> the (N, H, W, C)
    image gradient of ``image_shape``, each entry added onto the pixel it was copied from
    (compiled, ``kernels/windows.py``); ``size`` is the grid of windows, as in im2col."""
    n, h, w, _ = image_shape
    ho, wo = size or conv_output_size("col2im", (h, w), kernel, stride, padding)
    dx = np.empty(image_shape, dtype=dcols.dtype)
    kernels.col2im(dcols.reshape(n, ho, wo, -1), *kernel, *stride, *padding, dx)
    return dx


def im2col_one_channel(
    x: np.ndarray,
    kernel: Pair,
    stride: Pair,
    *,
    padding: Pair = (0, 0),
    ones: bool = False,
    size: Pair | None = None,
) -> np.ndarray:
    """One channel (N, H, W) -> im2col's transpose, (kh·kw [+ 1], N·Ho·Wo), zero-padded.

    Row ``u·kw + v`` holds pixel (u, v) of every window: one strided NumPy copy per kernel
    offset, the book's im2col. For one channel this beats the compiled row-by-row im2col,
    whose rows are only kh·kw numbers, and a compiled copy by columns too (0.12 vs 0.34 ms at
    64×28×28: Numba cannot vectorise a loop whose indices are computed and may be negative).
    ``ones`` appends a row of ones (for a bias folded into the weights); ``size`` is the grid
    of windows, as in :func:`im2col`."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    ho, wo = size or conv_output_size("im2col", x.shape[1:], kernel, stride, padding)
    xp = np.pad(x, [(0, 0), (ph, ph), (pw, pw)]) if ph or pw else x
    out = np.empty((kh * kw + ones, len(x) * ho * wo), dtype=x.dtype)
    grid = out[: kh * kw].reshape(kh, kw, len(x), ho, wo)
    for u in range(kh):
        for v in range(kw):
            grid[u, v] = xp[:, u : u + sh * ho : sh, v : v + sw * wo : sw]
    if ones:
        out[-1] = 1
    return out
