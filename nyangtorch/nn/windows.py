"""Sliding windows over images: padding, memory layout, im2col and its adjoint col2im.

im2col turns every kh×kw window of an image into one row, so a convolution becomes a single
matrix product; col2im adds per-window gradients back onto the pixels they came from.

Memory layout. Arrays are (N, C, H, W) in shape, as in PyTorch, but the spatial layers work
on the channels-last view (N, H, W, C): a window is then kh·kw runs of C contiguous numbers,
which copy and add far faster than runs of kw. A layer's output is channels-last in memory
(its matrix product gives rows = pixels, columns = channels) and is handed on as a free
NCHW-shaped view, so the next layer's channels-last view is free too (PyTorch calls this
memory format "channels_last").
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import as_strided

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


def pad_hw(x: np.ndarray, padding: Pair, value: float = 0.0) -> np.ndarray:
    """Pad H and W of a channels-last (N, H, W, C) array by ``padding`` on both sides."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    n, h, w, c = x.shape
    out = np.full((n, h + 2 * ph, w + 2 * pw, c), value, dtype=x.dtype)
    out[:, ph : ph + h, pw : pw + w] = x
    return out


def unpad_hw(x: np.ndarray, padding: Pair) -> np.ndarray:
    """Undo :func:`pad_hw`: the (N, H, W, C) interior of a padded array, a view."""
    ph, pw = padding
    h, w = x.shape[1:3]
    return x[:, ph : h - ph, pw : w - pw]


def windows(xp: np.ndarray, kernel: Pair, stride: Pair, out_size: Pair) -> np.ndarray:
    """Every window of a channels-last array, as a read-only view with no copy:
    (N, Hp, Wp, C) -> (N, Ho, Wo, kh, kw, C), ``[n, i, j, u, v] = xp[n, i·s + u, j·s + v]``."""
    n, _, _, c = xp.shape
    sn, sh, sw, sc = xp.strides
    return as_strided(
        xp,
        shape=(n, *out_size, *kernel, c),
        strides=(sn, sh * stride[0], sw * stride[1], sh, sw, sc),
        writeable=False,
    )


def im2col(xp: np.ndarray, kernel: Pair, stride: Pair, out_size: Pair) -> np.ndarray:
    """(N, Hp, Wp, C) -> (N·Ho·Wo, kh·kw·C): one row per output position, one strided copy."""
    n, c = xp.shape[0], xp.shape[3]
    rows = n * out_size[0] * out_size[1]
    return windows(xp, kernel, stride, out_size).reshape(rows, kernel[0] * kernel[1] * c)


def im2col_by_columns(
    xp: np.ndarray, kernel: Pair, stride: Pair, out_size: Pair, ones: bool
) -> np.ndarray:
    """One channel (N, Hp, Wp, 1) -> im2col's transpose, (kh·kw [+ 1], N·Ho·Wo).

    Row ``u·kw + v`` holds pixel (u, v) of every window: one long strided copy per kernel
    offset. ``ones`` appends a row of ones (for a bias folded into the weights)."""
    (kh, kw), (ho, wo) = kernel, out_size
    win = windows(xp, kernel, stride, out_size)
    out = np.empty((kh * kw + ones, xp.shape[0] * ho * wo), dtype=xp.dtype)
    grid = out[: kh * kw].reshape(kh, kw, xp.shape[0], ho, wo)
    for u in range(kh):
        for v in range(kw):
            grid[u, v] = win[:, :, :, u, v, 0]
    if ones:
        out[-1] = 1
    return out


def scatter_windows(
    padded_shape: tuple[int, int, int, int],
    kernel: Pair,
    stride: Pair,
    out_size: Pair,
    dtype: np.dtype,
    grad_at: Callable[[int, int, np.ndarray | None], np.ndarray | None],
) -> np.ndarray:
    """Add per-window gradients back to the pixels each window covered (channels-last).

    ``grad_at(i, j, out)`` gives the (N, Ho, Wo, C) gradient that flows to kernel offset
    (i, j) of every window, written into ``out`` when that is an array (as a ufunc's ``out=``);
    the result is (N, Hp, Wp, C). The loops run over the kh·kw kernel offsets (9 for 3×3),
    never over pixels: each offset is one vectorised strided add over the whole batch.
    Windows that tile without overlap (stride = kernel, as in 2×2 pooling) are written once,
    straight into place: no zero-fill, no temporary, no read-back. Overlapping windows add
    up in two stages: the kh row offsets of each kernel column into a column buffer
    (N, Hp, Wo, C), where for stride 1 each add is one contiguous run per sample, then the
    buffer into its columns of the result (for 3×3 col2im ~1.3× faster than nine strided adds).
    """
    (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out_size
    if (sh, sw) == (kh, kw):
        out = np.empty(padded_shape, dtype=dtype)
        out[:, ho * kh :] = 0  # rows and columns past the last window get no gradient
        out[:, : ho * kh, wo * kw :] = 0  # (floor mode)
        for i in range(kh):
            for j in range(kw):
                grad_at(i, j, out[:, i : i + sh * ho : sh, j : j + sw * wo : sw])
        return out
    n, hp, _, c = padded_shape
    out = np.zeros(padded_shape, dtype=dtype)
    for j in range(kw):
        column = np.zeros((n, hp, wo, c), dtype=dtype)
        for i in range(kh):
            column[:, i : i + sh * ho : sh] += grad_at(i, j, None)
        out[:, :, j : j + sw * wo : sw] += column
    return out


def col2im(
    dslabs: np.ndarray, padded_shape: tuple[int, int, int, int], kernel: Pair, stride: Pair
) -> np.ndarray:
    """Adjoint of :func:`windows`: per-offset window grads (kh·kw, N, Ho, Wo, C), offset
    ``u·kw + v`` in slab ``u·kw + v``, -> (N, Hp, Wp, C)."""
    kw = kernel[1]

    def grad_at(i: int, j: int, out: np.ndarray | None) -> np.ndarray | None:
        slab = dslabs[i * kw + j]
        return slab if out is None else np.copyto(out, slab)

    return scatter_windows(padded_shape, kernel, stride, dslabs.shape[2:4], dslabs.dtype, grad_at)
