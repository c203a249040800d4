"""im2col and its adjoint col2im, as loops over samples, window positions and channels.

Arrays are channels-last, (N, H, W, C), and windows are those of a (kh, kw) kernel moved by
(sh, sw) over the image padded with (ph, pw) zeros on each side. The padding is never
stored: a window position outside the image reads as zero (im2col) and receives no gradient
(col2im). The channel loop is the innermost one because channels are what lie next to each
other in memory: it runs over contiguous numbers, which the compiler turns into vector
instructions.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def covering(p: int, k: int, s: int, out: int) -> tuple[int, int]:
    """The windows ``lo ≤ i < hi`` along one axis whose span ``i·s ≤ p < i·s + k`` holds
    padded position ``p`` (a pixel's index plus the padding), among the ``out`` windows:
    ``i ≥ ceil((p − k + 1) / s) = (p − k + s) // s`` and ``i ≤ p // s``."""
    return max(0, (p - k + s) // s), min(out, p // s + 1)


@njit(cache=True)
def im2col(
    x: np.ndarray, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, cols: np.ndarray
) -> None:
    """``cols[(n, i, j), (u, v, c)] = x[n, i·sh + u − ph, j·sw + v − pw, c]`` (0 outside x).

    x: (N, H, W, C); cols: (N·Ho·Wo, kh·kw·C [+ 1]), one row per window, filled in place.
    A last column beyond kh·kw·C, if cols has one, is set to 1: a bias folded into the
    weight matrix then adds itself in the matrix product."""
    n_images, h, w, channels = x.shape
    width = cols.shape[1]
    ho = (h + 2 * ph - kh) // sh + 1
    wo = (w + 2 * pw - kw) // sw + 1
    row = 0
    for n in range(n_images):
        for i in range(ho):
            for j in range(wo):
                for u in range(kh):
                    r = i * sh + u - ph
                    for v in range(kw):
                        q = j * sw + v - pw
                        start = (u * kw + v) * channels
                        if 0 <= r < h and 0 <= q < w:
                            for c in range(channels):
                                cols[row, start + c] = x[n, r, q, c]
                        else:
                            for c in range(channels):
                                cols[row, start + c] = 0
                if width > kh * kw * channels:
                    cols[row, width - 1] = 1
                row += 1


@njit(cache=True)
def col2im(
    dcols: np.ndarray, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, dx: np.ndarray
) -> None:
    """The adjoint of :func:`im2col`: every pixel gets the sum of the gradients of the
    window entries that copied it,
    ``dx[n, r, q, c] = Σ_{windows (i, j) over (r, q)} dcols[(n, i, j), (u, v, c)]`` with
    ``u = r + ph − i·sh``, ``v = q + pw − j·sw``.

    dcols: (N·Ho·Wo, kh·kw·C); dx: (N, H, W, C), written in place. Summed pixel by pixel
    (rather than adding each window into a zeroed dx, as the book's col2im does) so each
    pixel of dx is written once: no zero-fill pass and no read-modify-write of dx."""
    n_images, h, w, channels = dx.shape
    ho = (h + 2 * ph - kh) // sh + 1
    wo = (w + 2 * pw - kw) // sw + 1
    for n in range(n_images):
        for r in range(h):
            i_lo, i_hi = covering(r + ph, kh, sh, ho)
            for q in range(w):
                j_lo, j_hi = covering(q + pw, kw, sw, wo)
                for c in range(channels):
                    dx[n, r, q, c] = 0
                for i in range(i_lo, i_hi):
                    u = r + ph - i * sh
                    for j in range(j_lo, j_hi):
                        v = q + pw - j * sw
                        row = (n * ho + i) * wo + j
                        start = (u * kw + v) * channels
                        for c in range(channels):
                            dx[n, r, q, c] += dcols[row, start + c]
