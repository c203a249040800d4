"""Winograd's F(m×m, 3×3) tile transforms for any m, as loops over the entries of the
transform matrices Bᵀ (α×α), G (α×3) and Aᵀ (m×α), α = m + 2.

Each transform is one of the small matrix products of ``Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A``
(see ``nn/winograd.py``) or its adjoint, written as the sums they are: ``(Bᵀ d)[a] =
Σ_u Bᵀ[a, u]·d[u]``, skipping the matrices' zeros. A product on both sides is done in two
steps, first combining rows, then columns. They are the plain twin of the written-out
kernels (``kernels/winograd.py`` for F(2×2, 3×3), ``kernels/winograd4.py`` for F(4×4, 3×3)),
which the tests check against them.

Tile arrays are (α, α, N, th, tw, C), as in ``kernels/winograd.py``: entry (a, b) of every
tile, for every tile and channel. Tile (i, j) reads the α×α input pixels at (m·i − ph,
m·j − pw) and makes the m×m outputs at (m·i, m·j); neighbours share two rows or columns.
Images are channels-last, (N, H, W, C), with the channel loop innermost. Pixels outside
the image read as zero and receive no gradient; outputs beyond (Ho, Wo) are dropped.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def weight_tiles(w: np.ndarray, g: np.ndarray, u: np.ndarray) -> None:
    """``u[a, b, c, o] = (G w[:, :, c, o] Gᵀ)[a, b]``. w: (3, 3, C, O); g: (α, 3) in w's
    dtype; u: (α, α, C, O), written in place."""
    alpha, channels, outs = g.shape[0], w.shape[2], w.shape[3]
    t = np.empty((alpha, 3, outs), w.dtype)
    for c in range(channels):
        t[:] = 0
        for a in range(alpha):  # G w: combine the filter's rows
            for r in range(3):
                coef = g[a, r]
                if coef != 0:
                    for v in range(3):
                        for o in range(outs):
                            t[a, v, o] += coef * w[r, v, c, o]
        u[:, :, c, :] = 0
        for a in range(alpha):  # (G w) Gᵀ: combine its columns
            for b in range(alpha):
                for v in range(3):
                    coef = g[b, v]
                    if coef != 0:
                        for o in range(outs):
                            u[a, b, c, o] += coef * t[a, v, o]


@njit(cache=True, nogil=True)
def weight_tiles_adjoint(du: np.ndarray, g: np.ndarray, dw: np.ndarray) -> None:
    """The adjoint of :func:`weight_tiles`: ``dw[o, :, :, c] = Gᵀ du[:, :, o, c] G``.
    du: (α, α, O, C); dw: (O, 3, 3, C), written in place."""
    alpha, outs, channels = g.shape[0], du.shape[2], du.shape[3]
    s = np.empty((3, alpha, channels), du.dtype)
    for o in range(outs):
        s[:] = 0
        for r in range(3):  # Gᵀ du: combine rows
            for a in range(alpha):
                coef = g[a, r]
                if coef != 0:
                    for b in range(alpha):
                        for c in range(channels):
                            s[r, b, c] += coef * du[a, b, o, c]
        dw[o] = 0
        for r in range(3):  # (Gᵀ du) G: combine columns
            for v in range(3):
                for b in range(alpha):
                    coef = g[b, v]
                    if coef != 0:
                        for c in range(channels):
                            dw[o, r, v, c] += coef * s[r, b, c]


@njit(cache=True, nogil=True)
def input_tiles(x: np.ndarray, ph: int, pw: int, bt: np.ndarray, v: np.ndarray) -> None:
    """``v[a, b, n, i, j, c] = (Bᵀ d B)[a, b]`` for the α×α tile d of channel c at
    (m·i − ph, m·j − pw), zero outside x. x: (N, H, W, C), contiguous; bt: (α, α) in x's
    dtype; v: (α, α, N, th, tw, C), written in place."""
    n_images, h, w, channels = x.shape
    alpha, th, tw = bt.shape[0], v.shape[3], v.shape[4]
    m = alpha - 2
    # Bᵀ d for a whole row of tiles at once: their m·tw + 2 columns.
    strip = np.empty((alpha, m * tw + 2, channels), x.dtype)
    for n in range(n_images):
        for i in range(th):
            strip[:] = 0
            for k in range(m * tw + 2):  # Bᵀ d: combine the tile's rows, column by column
                q = k - pw
                if not 0 <= q < w:
                    continue
                for r in range(alpha):
                    row = m * i - ph + r
                    if not 0 <= row < h:
                        continue
                    for a in range(alpha):
                        coef = bt[a, r]
                        if coef != 0:
                            for c in range(channels):
                                strip[a, k, c] += coef * x[n, row, q, c]
            v[:, :, n, i] = 0
            for a in range(alpha):  # (Bᵀ d) B: combine each tile's columns
                for j in range(tw):
                    for b in range(alpha):
                        for s in range(alpha):
                            coef = bt[b, s]
                            if coef != 0:
                                for c in range(channels):
                                    v[a, b, n, i, j, c] += coef * strip[a, m * j + s, c]


@njit(cache=True, nogil=True)
def input_tiles_adjoint(dv: np.ndarray, ph: int, pw: int, bt: np.ndarray, dx: np.ndarray) -> None:
    """The adjoint of :func:`input_tiles`: each tile's ``B dv Bᵀ`` added back onto the α×α
    pixels it was made from, starting from zero; entries outside the image are dropped.
    dv: (α, α, N, th, tw, C); dx: (N, H, W, C), written in place."""
    n_images, h, w, channels = dx.shape
    alpha, th, tw = bt.shape[0], dv.shape[3], dv.shape[4]
    m = alpha - 2
    t = np.empty((alpha, alpha, channels), dv.dtype)
    dx[:] = 0
    for n in range(n_images):
        for i in range(th):
            for j in range(tw):
                t[:] = 0
                for r in range(alpha):  # B dv: combine rows
                    for a in range(alpha):
                        coef = bt[a, r]
                        if coef != 0:
                            for b in range(alpha):
                                for c in range(channels):
                                    t[r, b, c] += coef * dv[a, b, n, i, j, c]
                for r in range(alpha):  # (B dv) Bᵀ: combine columns, onto the pixels
                    row = m * i - ph + r
                    if not 0 <= row < h:
                        continue
                    for s in range(alpha):
                        q = m * j - pw + s
                        if not 0 <= q < w:
                            continue
                        for b in range(alpha):
                            coef = bt[b, s]
                            if coef != 0:
                                for c in range(channels):
                                    dx[n, row, q, c] += coef * t[r, b, c]


@njit(cache=True, nogil=True)
def output_tiles(mt: np.ndarray, at: np.ndarray, bias: np.ndarray, y: np.ndarray) -> None:
    """``y[n, m·i + a, m·j + b, o] = (Aᵀ M A)[a, b] + bias[o]`` for the outputs y has room
    for. mt: (α, α, N, th, tw, O), the tiles' M; at: (m, α) in mt's dtype; bias: (O,);
    y: (N, Ho, Wo, O), written in place."""
    n_images, ho, wo, outs = y.shape
    m, alpha = at.shape
    th, tw = mt.shape[3], mt.shape[4]
    t = np.empty((m, alpha, outs), mt.dtype)
    for n in range(n_images):
        for i in range(th):
            for j in range(tw):
                t[:] = 0
                for a in range(m):  # Aᵀ M: combine rows
                    for k in range(alpha):
                        coef = at[a, k]
                        if coef != 0:
                            for b in range(alpha):
                                for o in range(outs):
                                    t[a, b, o] += coef * mt[k, b, n, i, j, o]
                for a in range(min(m, ho - m * i)):  # (Aᵀ M) A: combine columns
                    for b in range(min(m, wo - m * j)):
                        out = y[n, m * i + a, m * j + b]
                        out[:] = bias
                        for k in range(alpha):
                            coef = at[b, k]
                            if coef != 0:
                                for o in range(outs):
                                    out[o] += coef * t[a, k, o]


@njit(cache=True, nogil=True)
def output_tiles_adjoint(dy: np.ndarray, at: np.ndarray, dm: np.ndarray, db: np.ndarray) -> None:
    """The adjoint of :func:`output_tiles`: ``dm[:, :, n, i, j, o] = A e Aᵀ`` for the m×m
    block e of dy at (m·i, m·j) (zero beyond dy), and ``db[o] = Σ dy[..., o]``.
    dy: (N, Ho, Wo, O); dm: (α, α, N, th, tw, O) and db: (O,) (float64, for an accurate
    sum), written in place."""
    n_images, ho, wo, outs = dy.shape
    m, alpha = at.shape
    th, tw = dm.shape[3], dm.shape[4]
    s = np.empty((alpha, m, outs), dy.dtype)
    db[:] = 0
    for n in range(n_images):
        for i in range(th):
            for j in range(tw):
                s[:] = 0
                for a in range(min(m, ho - m * i)):  # A e: the block's rows, spread
                    for b in range(min(m, wo - m * j)):
                        e = dy[n, m * i + a, m * j + b]
                        for o in range(outs):
                            db[o] += e[o]
                        for k in range(alpha):
                            coef = at[a, k]
                            if coef != 0:
                                for o in range(outs):
                                    s[k, b, o] += coef * e[o]
                dm[:, :, n, i, j] = 0
                for k in range(alpha):  # (A e) Aᵀ: its columns, spread
                    for b in range(m):
                        for q in range(alpha):
                            coef = at[b, q]
                            if coef != 0:
                                for o in range(outs):
                                    dm[k, q, n, i, j, o] += coef * s[k, b, o]
