"""Winograd's F(4×4, 3×3) transforms written out, as loops over samples, tiles and channels:
the input, output and weight transforms and their adjoints.

The matrices (``nn/winograd.py``: B4_T, A4_T) hold small integers, so each 1-D transform of
six (or four) numbers is a few additions and multiplications by 2, 4, 5 or 8, written once
in a small function below and applied first down the columns (combining rows), then along
the rows. The general loops multiply by every nonzero entry of the matrix and add in
memory; these keep a tile's numbers in registers. Measured for a share of 32 (32 → 64
channels, 11×11 outputs, float32, one thread), general → written out: input 0.30 → 0.09 ms,
output 0.44 → 0.19, output adjoint 0.34 → 0.21, input adjoint 0.29 → 0.16. G4 holds
fractions (1/4, 1/6, 1/12, 1/24); its transforms, once per step rather than per tile, add
in the general loops' order and give their numbers bit for bit (64 × 32 filters: 0.026 →
0.021 ms, adjoint 0.026 → 0.010). The tests check all of them against the general loops,
their plain twin.

Tile arrays are (6, 6, N, th, tw, C), as in ``kernels/winograd_matrices.py``: tile (i, j)
reads the 6×6 input pixels at (4i − ph, 4j − pw) and makes the 4×4 outputs at (4i, 4j).
Images are channels-last, (N, H, W, C), with the channel loop innermost. Pixels outside the
image read as zero and receive no gradient; outputs beyond (Ho, Wo) are dropped.

The constants (2, 4, 5, 8; 1/4, 1/6, ...) are passed in the arrays' dtype: a Python number
would make Numba compute a float32 kernel in float64.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, inline="always")
def bt_column(d0, d1, d2, d3, d4, d5, two, four, five):
    """Bᵀ d for six numbers d, Bᵀ = [[4, 0, −5, 0, 1, 0], [0, −4, −4, 1, 1, 0],
    [0, 4, −4, −1, 1, 0], [0, −2, −1, 2, 1, 0], [0, 2, −1, −2, 1, 0], [0, 4, 0, −5, 0, 1]]."""
    return (
        four * d0 - five * d2 + d4,
        d3 + d4 - four * (d1 + d2),
        four * (d1 - d2) + d4 - d3,
        two * (d3 - d1) + d4 - d2,
        two * (d1 - d3) + d4 - d2,
        four * d1 - five * d3 + d5,
    )


@njit(cache=True, nogil=True, inline="always")
def b_column(v0, v1, v2, v3, v4, v5, two, four, five):
    """B v for six numbers v (the transpose of :func:`bt_column`)."""
    return (
        four * v0,
        four * (v2 + v5 - v1) + two * (v4 - v3),
        -(five * v0 + four * (v1 + v2) + v3 + v4),
        v1 - v2 + two * (v3 - v4) - five * v5,
        v0 + v1 + v2 + v3 + v4,
        v5,
    )


@njit(cache=True, nogil=True, inline="always")
def at_column(m0, m1, m2, m3, m4, m5, two, four, eight):
    """Aᵀ m for six numbers m, Aᵀ = [[1, 1, 1, 1, 1, 0], [0, 1, −1, 2, −2, 0],
    [0, 1, 1, 4, 4, 0], [0, 1, −1, 8, −8, 1]]."""
    p12, d12, p34, d34 = m1 + m2, m1 - m2, m3 + m4, m3 - m4
    return m0 + p12 + p34, d12 + two * d34, p12 + four * p34, d12 + eight * d34 + m5


@njit(cache=True, nogil=True, inline="always")
def a_column(e0, e1, e2, e3, two, four, eight):
    """A e for four numbers e (the transpose of :func:`at_column`)."""
    p02, p13 = e0 + e2, e1 + e3
    q02, q13 = e0 + four * e2, two * e1 + eight * e3
    return e0, p02 + p13, p02 - p13, q02 + q13, q02 - q13, e3


@njit(cache=True, nogil=True, inline="always")
def g_column(g0, g1, g2, quarter, sixth, twelfth, twenty_fourth):
    """G g for three numbers g, G = [[1/4, 0, 0], [−1/6, −1/6, −1/6], [−1/6, 1/6, −1/6],
    [1/24, 1/12, 1/6], [1/24, −1/12, 1/6], [0, 0, 1]]: each sum in the general loops' order,
    so the numbers are theirs bit for bit."""
    return (
        quarter * g0,
        -sixth * g0 - sixth * g1 - sixth * g2,
        -sixth * g0 + sixth * g1 - sixth * g2,
        twenty_fourth * g0 + twelfth * g1 + sixth * g2,
        twenty_fourth * g0 - twelfth * g1 + sixth * g2,
        g2,
    )


@njit(cache=True, nogil=True, inline="always")
def gt_column(d0, d1, d2, d3, d4, d5, quarter, sixth, twelfth, twenty_fourth):
    """Gᵀ d for six numbers d (the transpose of :func:`g_column`), in the general loops'
    order."""
    return (
        quarter * d0 - sixth * d1 - sixth * d2 + twenty_fourth * d3 + twenty_fourth * d4,
        -sixth * d1 + sixth * d2 + twelfth * d3 - twelfth * d4,
        -sixth * d1 - sixth * d2 + sixth * d3 + sixth * d4 + d5,
    )


@njit(cache=True, nogil=True)
def weight_tiles(w: np.ndarray, u: np.ndarray) -> None:
    """``u[a, b, c, o] = (G g Gᵀ)[a, b]`` for the filter ``g = w[:, :, c, o]``. w: (3, 3, C,
    O), the weight with its output channel innermost; u: (6, 6, C, O), filled in place."""
    channels, outs = w.shape[2], w.shape[3]
    dt = w.dtype.type
    quarter, sixth, twelfth, twenty_fourth = dt(1 / 4), dt(1 / 6), dt(1 / 12), dt(1 / 24)
    t = np.empty((6, 3, outs), w.dtype)
    for c in range(channels):
        for v in range(3):  # G g: combine the filter's rows
            for o in range(outs):
                r = g_column(
                    w[0, v, c, o], w[1, v, c, o], w[2, v, c, o],
                    quarter, sixth, twelfth, twenty_fourth,
                )  # fmt: skip
                for a in range(6):
                    t[a, v, o] = r[a]
        for a in range(6):  # (G g) Gᵀ: combine its columns
            for o in range(outs):
                r = g_column(
                    t[a, 0, o], t[a, 1, o], t[a, 2, o], quarter, sixth, twelfth, twenty_fourth
                )
                for b in range(6):
                    u[a, b, c, o] = r[b]


@njit(cache=True, nogil=True)
def weight_tiles_adjoint(du: np.ndarray, dw: np.ndarray) -> None:
    """The adjoint of :func:`weight_tiles`: ``dw[o, :, :, c] = Gᵀ du[:, :, o, c] G``.
    du: (6, 6, O, C), each entry's gradient transposed; dw: (O, 3, 3, C), written in place."""
    outs, channels = du.shape[2], du.shape[3]
    dt = du.dtype.type
    quarter, sixth, twelfth, twenty_fourth = dt(1 / 4), dt(1 / 6), dt(1 / 12), dt(1 / 24)
    s = np.empty((3, 6, channels), du.dtype)
    for o in range(outs):
        for b in range(6):  # Gᵀ du: combine rows
            for c in range(channels):
                r = gt_column(
                    du[0, b, o, c], du[1, b, o, c], du[2, b, o, c],
                    du[3, b, o, c], du[4, b, o, c], du[5, b, o, c],
                    quarter, sixth, twelfth, twenty_fourth,
                )  # fmt: skip
                for k in range(3):
                    s[k, b, c] = r[k]
        for k in range(3):  # (Gᵀ du) G: combine columns
            for c in range(channels):
                r = gt_column(
                    s[k, 0, c], s[k, 1, c], s[k, 2, c], s[k, 3, c], s[k, 4, c], s[k, 5, c],
                    quarter, sixth, twelfth, twenty_fourth,
                )  # fmt: skip
                for v in range(3):
                    dw[o, k, v, c] = r[v]


@njit(cache=True, nogil=True)
def input_tiles(x: np.ndarray, ph: int, pw: int, v: np.ndarray) -> None:
    """``v[a, b, n, i, j, c] = (Bᵀ d B)[a, b]`` for the 6×6 tile d of channel c at
    (4i − ph, 4j − pw), zero outside x. x: (N, H, W, C), contiguous; v: (6, 6, N, th, tw, C),
    written in place."""
    n_images, h, w, channels = x.shape
    th, tw = v.shape[3], v.shape[4]
    dt = x.dtype.type
    zero, two, four, five = dt(0), dt(2), dt(4), dt(5)
    # Bᵀ d for a whole row of tiles at once: their 4·tw + 2 columns, neighbours sharing two.
    strip = np.empty((6, 4 * tw + 2, channels), x.dtype)
    inside = np.empty(6, np.bool_)
    for n in range(n_images):
        for i in range(th):
            r = 4 * i - ph  # the tiles' first row
            for u in range(6):
                inside[u] = 0 <= r + u < h
            for k in range(4 * tw + 2):  # Bᵀ d: combine the six rows, column by column
                q = k - pw
                if not 0 <= q < w:
                    strip[:, k, :] = 0
                    continue
                for c in range(channels):
                    s = bt_column(
                        x[n, r, q, c] if inside[0] else zero,
                        x[n, r + 1, q, c] if inside[1] else zero,
                        x[n, r + 2, q, c] if inside[2] else zero,
                        x[n, r + 3, q, c] if inside[3] else zero,
                        x[n, r + 4, q, c] if inside[4] else zero,
                        x[n, r + 5, q, c] if inside[5] else zero,
                        two, four, five,
                    )  # fmt: skip
                    for a in range(6):
                        strip[a, k, c] = s[a]
            for a in range(6):  # (Bᵀ d) B: combine each tile's six columns
                for j in range(tw):
                    k = 4 * j
                    for c in range(channels):
                        t = bt_column(
                            strip[a, k, c], strip[a, k + 1, c], strip[a, k + 2, c],
                            strip[a, k + 3, c], strip[a, k + 4, c], strip[a, k + 5, c],
                            two, four, five,
                        )  # fmt: skip
                        for b in range(6):
                            v[a, b, n, i, j, c] = t[b]


@njit(cache=True, nogil=True)
def input_tiles_adjoint(dv: np.ndarray, ph: int, pw: int, dx: np.ndarray) -> None:
    """The adjoint of :func:`input_tiles`: each tile's ``B dv Bᵀ`` added back onto the 6×6
    pixels it was made from, starting from zero; entries outside the image are dropped.
    dv: (6, 6, N, th, tw, C); dx: (N, H, W, C), written in place."""
    n_images, h, w, channels = dx.shape
    th, tw = dv.shape[3], dv.shape[4]
    dt = dv.dtype.type
    two, four, five = dt(2), dt(4), dt(5)
    t = np.empty((6, 6, channels), dv.dtype)
    pixels = np.empty((6, channels), dv.dtype)  # one row of a tile's B dv Bᵀ
    dx[:] = 0
    for n in range(n_images):
        for i in range(th):
            for j in range(tw):
                for b in range(6):  # B dv: combine rows
                    for c in range(channels):
                        s = b_column(
                            dv[0, b, n, i, j, c], dv[1, b, n, i, j, c], dv[2, b, n, i, j, c],
                            dv[3, b, n, i, j, c], dv[4, b, n, i, j, c], dv[5, b, n, i, j, c],
                            two, four, five,
                        )  # fmt: skip
                        for r in range(6):
                            t[r, b, c] = s[r]
                q = 4 * j - pw
                first, end = max(0, -q), min(6, w - q)  # the tile's columns inside the image
                for r in range(6):  # (B dv) Bᵀ: combine columns, onto the pixels
                    row = 4 * i - ph + r
                    if not 0 <= row < h:
                        continue
                    for c in range(channels):
                        s = b_column(
                            t[r, 0, c], t[r, 1, c], t[r, 2, c], t[r, 3, c], t[r, 4, c],
                            t[r, 5, c], two, four, five,
                        )  # fmt: skip
                        for u in range(6):
                            pixels[u, c] = s[u]
                    for u in range(first, end):
                        for c in range(channels):
                            dx[n, row, q + u, c] += pixels[u, c]


@njit(cache=True, nogil=True)
def output_tiles(mt: np.ndarray, bias: np.ndarray, y: np.ndarray) -> None:
    """``y[n, 4i + a, 4j + b, o] = (Aᵀ M A)[a, b] + bias[o]`` for the outputs y has room
    for. mt: (6, 6, N, th, tw, O); bias: (O,); y: (N, Ho, Wo, O), written in place."""
    n_images, ho, wo, outs = y.shape
    th, tw = mt.shape[3], mt.shape[4]
    dt = mt.dtype.type
    two, four, eight = dt(2), dt(4), dt(8)
    t = np.empty((4, 6, outs), mt.dtype)
    block = np.empty((4, outs), mt.dtype)  # one row of a block's outputs
    for n in range(n_images):
        for i in range(th):
            for j in range(tw):
                for b in range(6):  # Aᵀ M: combine rows
                    for o in range(outs):
                        s = at_column(
                            mt[0, b, n, i, j, o], mt[1, b, n, i, j, o], mt[2, b, n, i, j, o],
                            mt[3, b, n, i, j, o], mt[4, b, n, i, j, o], mt[5, b, n, i, j, o],
                            two, four, eight,
                        )  # fmt: skip
                        for a in range(4):
                            t[a, b, o] = s[a]
                cols = min(4, wo - 4 * j)  # the last block of a size not a multiple of 4
                for a in range(min(4, ho - 4 * i)):  # (Aᵀ M) A: combine columns
                    for o in range(outs):
                        s = at_column(
                            t[a, 0, o], t[a, 1, o], t[a, 2, o], t[a, 3, o], t[a, 4, o],
                            t[a, 5, o], two, four, eight,
                        )  # fmt: skip
                        for b in range(4):
                            block[b, o] = s[b] + bias[o]
                    y[n, 4 * i + a, 4 * j : 4 * j + cols] = block[:cols]


@njit(cache=True, nogil=True)
def output_tiles_adjoint(dy: np.ndarray, dm: np.ndarray, db: np.ndarray) -> None:
    """The adjoint of :func:`output_tiles`: ``dm[:, :, n, i, j, o] = A e Aᵀ`` for the 4×4
    block e of dy at (4i, 4j) (zero beyond dy), and ``db[o] = Σ dy[..., o]``.
    dy: (N, Ho, Wo, O); dm: (6, 6, N, th, tw, O) and db: (O,) (float64, for an accurate
    sum), written in place."""
    n_images, ho, wo, outs = dy.shape
    th, tw = dm.shape[3], dm.shape[4]
    dt = dy.dtype.type
    two, four, eight = dt(2), dt(4), dt(8)
    e = np.zeros((4, 4, outs), dy.dtype)
    s = np.empty((6, 4, outs), dy.dtype)
    db[:] = 0
    for n in range(n_images):
        for i in range(th):
            for j in range(tw):
                rows, cols = min(4, ho - 4 * i), min(4, wo - 4 * j)
                if rows < 4 or cols < 4:  # a part-filled last block: zeros beyond dy
                    e[:] = 0
                for a in range(rows):
                    for b in range(cols):
                        for o in range(outs):
                            e[a, b, o] = dy[n, 4 * i + a, 4 * j + b, o]
                            db[o] += e[a, b, o]
                for b in range(4):  # A e: spread the block's rows
                    for o in range(outs):
                        t = a_column(
                            e[0, b, o], e[1, b, o], e[2, b, o], e[3, b, o], two, four, eight
                        )
                        for k in range(6):
                            s[k, b, o] = t[k]
                for k in range(6):  # (A e) Aᵀ: spread its columns
                    for o in range(outs):
                        t = a_column(
                            s[k, 0, o], s[k, 1, o], s[k, 2, o], s[k, 3, o], two, four, eight
                        )
                        for q in range(6):
                            dm[k, q, n, i, j, o] = t[q]
