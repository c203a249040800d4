"""Winograd's F(2×2, 3×3) tile transforms, as loops over samples, tiles and channels.

A 3×3 convolution at stride 1 is cut into 2×2 blocks of outputs; block (i, j) reads the 4×4
input tile at (2i − ph, 2j − pw). Each transform below is one of the small matrix products of
``Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A`` (see ``nn/winograd.py``) or its adjoint, written out: the
matrices hold only 0, ±1 and ±½, so each product is a few additions. A 4×4 product is done in
two steps, first down the columns (combining rows), then along the rows.

Tile arrays are (4, 4, N, th, tw, C): entry (a, b) of every tile, for every tile and channel,
so that each (a, b) is one (N·th·tw, C) matrix for the matrix products. Images are
channels-last, (N, H, W, C), and the channel loop is the innermost one, over contiguous
numbers (see ``kernels/windows.py``). Pixels outside the image read as zero and receive no
gradient; outputs beyond the image's (Ho, Wo) (the last block of an odd size) are dropped.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def weight_tiles(w: np.ndarray, u: np.ndarray) -> None:
    """``u[a, b, c, o] = (G g Gᵀ)[a, b]`` for the filter ``g = w[:, :, c, o]``, with
    G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]. w: (3, 3, C, O), the weight with its
    output channel innermost; u: (4, 4, C, O), filled in place. The innermost loop runs over
    the output channels, contiguous in both (vector instructions): 4× faster than a loop
    over filters, one at a time."""
    channels, outs = w.shape[2], w.shape[3]
    t = np.empty((4, 3, outs), w.dtype)
    for c in range(channels):
        for v in range(3):  # G g: combine the filter's rows
            for o in range(outs):
                g0, g1, g2 = w[0, v, c, o], w[1, v, c, o], w[2, v, c, o]
                t[0, v, o] = g0
                t[1, v, o] = (g0 + g1 + g2) * 0.5
                t[2, v, o] = (g0 - g1 + g2) * 0.5
                t[3, v, o] = g2
        for a in range(4):  # (G g) Gᵀ: combine its columns
            for o in range(outs):
                u[a, 0, c, o] = t[a, 0, o]
                u[a, 1, c, o] = (t[a, 0, o] + t[a, 1, o] + t[a, 2, o]) * 0.5
                u[a, 2, c, o] = (t[a, 0, o] - t[a, 1, o] + t[a, 2, o]) * 0.5
                u[a, 3, c, o] = t[a, 2, o]


@njit(cache=True, nogil=True)
def weight_tiles_adjoint(du: np.ndarray, dw: np.ndarray) -> None:
    """The adjoint of :func:`weight_tiles`: ``dw[o, :, :, c] = Gᵀ du[:, :, o, c] G``.

    du: (4, 4, O, C), each entry's gradient transposed; dw: (O, 3, 3, C), the weight
    gradient with its input channel innermost, written in place (the loops over c run over
    contiguous numbers in both, as in :func:`weight_tiles`)."""
    outs, channels = du.shape[2], du.shape[3]
    s = np.empty((3, 4, channels), du.dtype)
    for o in range(outs):
        for b in range(4):  # Gᵀ du: combine rows
            for c in range(channels):
                d0, d1, d2, d3 = du[0, b, o, c], du[1, b, o, c], du[2, b, o, c], du[3, b, o, c]
                s[0, b, c] = d0 + (d1 + d2) * 0.5
                s[1, b, c] = (d1 - d2) * 0.5
                s[2, b, c] = (d1 + d2) * 0.5 + d3
        for u in range(3):  # (Gᵀ du) G: combine columns
            for c in range(channels):
                dw[o, u, 0, c] = s[u, 0, c] + (s[u, 1, c] + s[u, 2, c]) * 0.5
                dw[o, u, 1, c] = (s[u, 1, c] - s[u, 2, c]) * 0.5
                dw[o, u, 2, c] = (s[u, 1, c] + s[u, 2, c]) * 0.5 + s[u, 3, c]


@njit(cache=True, nogil=True)
def input_tiles(x: np.ndarray, ph: int, pw: int, v: np.ndarray) -> None:
    """``v[a, b, n, i, j, c] = (Bᵀ d B)[a, b]`` for the 4×4 tile ``d`` of channel c at
    (2i − ph, 2j − pw), zero outside x, with Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0],
    [0, −1, 1, 0], [0, 1, 0, −1]].

    x: (N, H, W, C), contiguous; v: (4, 4, N, th, tw, C), filled in place."""
    n_images, h, w, channels = x.shape
    th, tw = v.shape[3], v.shape[4]
    # Bᵀ d for a whole row of tiles at once: their 2·tw + 2 columns, neighbours sharing two.
    strip = np.empty((4, 2 * tw + 2, channels), x.dtype)
    zero = x.dtype.type(0)
    for n in range(n_images):
        for i in range(th):
            r = 2 * i - ph  # the tiles' first row
            in0, in1, in2, in3 = 0 <= r < h, 0 <= r + 1 < h, 0 <= r + 2 < h, 0 <= r + 3 < h
            for k in range(2 * tw + 2):  # Bᵀ d: combine the four rows, column by column
                q = k - pw
                if not 0 <= q < w:
                    strip[:, k, :] = 0
                    continue
                for c in range(channels):
                    d0 = x[n, r, q, c] if in0 else zero
                    d1 = x[n, r + 1, q, c] if in1 else zero
                    d2 = x[n, r + 2, q, c] if in2 else zero
                    d3 = x[n, r + 3, q, c] if in3 else zero
                    strip[0, k, c] = d0 - d2
                    strip[1, k, c] = d1 + d2
                    strip[2, k, c] = d2 - d1
                    strip[3, k, c] = d1 - d3
            for a in range(4):  # (Bᵀ d) B: combine each tile's four columns
                for j in range(tw):
                    k = 2 * j
                    for c in range(channels):
                        v[a, 0, n, i, j, c] = strip[a, k, c] - strip[a, k + 2, c]
                        v[a, 1, n, i, j, c] = strip[a, k + 1, c] + strip[a, k + 2, c]
                        v[a, 2, n, i, j, c] = strip[a, k + 2, c] - strip[a, k + 1, c]
                        v[a, 3, n, i, j, c] = strip[a, k + 1, c] - strip[a, k + 3, c]


@njit(cache=True, nogil=True)
def input_tiles_adjoint(dv: np.ndarray, ph: int, pw: int, dx: np.ndarray) -> None:
    """The adjoint of :func:`input_tiles`: each tile's ``B dv Bᵀ`` is added back onto the
    4×4 pixels it was made from, starting from zero; tiles overlap by two rows and columns,
    and entries outside the image are dropped.

    dv: (4, 4, N, th, tw, C); dx: (N, H, W, C), written in place."""
    n_images, h, w, channels = dx.shape
    th, tw = dv.shape[3], dv.shape[4]
    t = np.empty((4, 4, channels), dv.dtype)
    dx[:] = 0
    for n in range(n_images):
        for i in range(th):
            for j in range(tw):
                for b in range(4):  # B dv: combine rows
                    for c in range(channels):
                        v0, v1 = dv[0, b, n, i, j, c], dv[1, b, n, i, j, c]
                        v2, v3 = dv[2, b, n, i, j, c], dv[3, b, n, i, j, c]
                        t[0, b, c] = v0
                        t[1, b, c] = v1 - v2 + v3
                        t[2, b, c] = v2 + v1 - v0
                        t[3, b, c] = -v3
                for a in range(4):  # (B dv) Bᵀ: combine columns, onto the pixels
                    r = 2 * i + a - ph
                    if not 0 <= r < h:
                        continue
                    q = 2 * j - pw
                    if 0 <= q < w:
                        for c in range(channels):
                            dx[n, r, q, c] += t[a, 0, c]
                    if 0 <= q + 1 < w:
                        for c in range(channels):
                            dx[n, r, q + 1, c] += t[a, 1, c] - t[a, 2, c] + t[a, 3, c]
                    if 0 <= q + 2 < w:
                        for c in range(channels):
                            dx[n, r, q + 2, c] += t[a, 2, c] + t[a, 1, c] - t[a, 0, c]
                    if 0 <= q + 3 < w:
                        for c in range(channels):
                            dx[n, r, q + 3, c] -= t[a, 3, c]


@njit(cache=True, nogil=True)
def output_tiles(m: np.ndarray, bias: np.ndarray, y: np.ndarray) -> None:
    """``y[n, 2i + a, 2j + b, o] = (Aᵀ m A)[a, b] + bias[o]``, with Aᵀ = [[1, 1, 1, 0],
    [0, 1, −1, −1]], for the outputs y has room for.

    m: (4, 4, N, th, tw, O); bias: (O,); y: (N, Ho, Wo, O), filled in place."""
    n_images, ho, wo, outs = y.shape
    th, tw = m.shape[3], m.shape[4]
    t = np.empty((2, 4, outs), m.dtype)
    for n in range(n_images):
        for i in range(th):
            for j in range(tw):
                for b in range(4):  # Aᵀ m: combine rows
                    for o in range(outs):
                        m0, m1 = m[0, b, n, i, j, o], m[1, b, n, i, j, o]
                        m2, m3 = m[2, b, n, i, j, o], m[3, b, n, i, j, o]
                        t[0, b, o] = m0 + m1 + m2
                        t[1, b, o] = m1 - m2 - m3
                # (Aᵀ m) A: combine columns; the last block of an odd Ho or Wo has one row or
                # column of outputs, the other falls outside y
                for a in range(min(2, ho - 2 * i)):
                    for o in range(outs):
                        y[n, 2 * i + a, 2 * j, o] = t[a, 0, o] + t[a, 1, o] + t[a, 2, o] + bias[o]
                    if 2 * j + 1 < wo:
                        for o in range(outs):
                            y[n, 2 * i + a, 2 * j + 1, o] = (
                                t[a, 1, o] - t[a, 2, o] - t[a, 3, o] + bias[o]
                            )


@njit(cache=True, nogil=True)
def output_tiles_adjoint(dy: np.ndarray, dm: np.ndarray, db: np.ndarray) -> None:
    """The adjoint of :func:`output_tiles`: ``dm[a, b, n, i, j, o] = (A g Aᵀ)[a, b]`` for the
    2×2 block ``g`` of dy at (2i, 2j) (zero beyond dy), and the bias gradient
    ``db[o] = Σ dy[..., o]``.

    dy: (N, Ho, Wo, O); dm: (4, 4, N, th, tw, O) and db: (O,) (float64 for an accurate
    sum), written in place."""
    n_images, ho, wo, outs = dy.shape
    th, tw = dm.shape[3], dm.shape[4]
    g = np.empty((2, 2, outs), dy.dtype)
    s = np.empty((4, 2, outs), dy.dtype)
    db[:] = 0
    for n in range(n_images):
        for i in range(th):
            for j in range(tw):
                for a in range(2):
                    for b in range(2):
                        r, q = 2 * i + a, 2 * j + b
                        if r < ho and q < wo:
                            for o in range(outs):
                                g[a, b, o] = dy[n, r, q, o]
                                db[o] += dy[n, r, q, o]
                        else:
                            g[a, b, :] = 0
                for b in range(2):  # A g: combine the block's rows
                    for o in range(outs):
                        s[0, b, o] = g[0, b, o]
                        s[1, b, o] = g[0, b, o] + g[1, b, o]
                        s[2, b, o] = g[0, b, o] - g[1, b, o]
                        s[3, b, o] = -g[1, b, o]
                for a in range(4):  # (A g) Aᵀ: combine its columns
                    for o in range(outs):
                        dm[a, 0, n, i, j, o] = s[a, 0, o]
                        dm[a, 1, n, i, j, o] = s[a, 0, o] + s[a, 1, o]
                        dm[a, 2, n, i, j, o] = s[a, 0, o] - s[a, 1, o]
                        dm[a, 3, n, i, j, o] = -s[a, 1, o]
