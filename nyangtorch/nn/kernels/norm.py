"""Batch normalisation's passes over the data, as loops over rows and channels.

The data is a (M, C) matrix: one row per sample (and pixel, for images: M = N·H·W), one
column per channel. Sums over the rows accumulate in float64 whatever the data's dtype, so
a float32 channel of millions of values loses no digits to the order they are added in.
The channel loop is the innermost one: channels lie next to each other in memory.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def channel_sums(a: np.ndarray, b: np.ndarray, shift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(Σ_m a[m, c], Σ_m a[m, c]·(b[m, c] − shift[c]))`` for each channel c, in float64:
    the statistics' Σx and Σx² (a = b = x, shift 0), and the gradient's Σdy and
    Σdy·(x − μ) (a = dy, b = x, shift μ)."""
    rows, channels = a.shape
    sums = np.zeros(channels, np.float64)
    products = np.zeros(channels, np.float64)
    for m in range(rows):
        for c in range(channels):
            value = np.float64(a[m, c])
            sums[c] += value
            products[c] += value * (np.float64(b[m, c]) - shift[c])
    return sums, products


@njit(cache=True, nogil=True)
def normalise(
    x: np.ndarray, mean: np.ndarray, scale: np.ndarray, shift: np.ndarray, y: np.ndarray
) -> None:
    """``y[m, c] = (x[m, c] − μ[c]) · scale[c] + shift[c]``, written into y (M, C)."""
    rows, channels = x.shape
    for m in range(rows):
        for c in range(channels):
            y[m, c] = (x[m, c] - mean[c]) * scale[c] + shift[c]


@njit(cache=True, nogil=True)
def input_grad(
    dy: np.ndarray,
    x: np.ndarray,
    mean: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    d: np.ndarray,
    dx: np.ndarray,
) -> None:
    """``dx[m, c] = a[c]·dy[m, c] − b[c]·(x[m, c] − μ[c]) − d[c]``, written into dx (M, C)."""
    rows, channels = x.shape
    for m in range(rows):
        for c in range(channels):
            dx[m, c] = a[c] * dy[m, c] - b[c] * (x[m, c] - mean[c]) - d[c]
