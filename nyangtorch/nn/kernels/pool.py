"""Max and average pooling, forward and backward, as loops over samples, windows and
channels.

Arrays are channels-last, (N, H, W, C); windows are those of a (kh, kw) kernel moved by
(sh, sw) over the image padded with (ph, pw) on each side (−∞ for the max, 0 for the mean),
never stored: the loops visit only the window positions inside the image. Channels are the
innermost loop because they lie next to each other in memory (vector instructions).
"""

from __future__ import annotations

import numpy as np
from numba import njit

NO_GRADIENT = -1  # the offset recorded where a fused ReLU closed: no gradient flows back


@njit(cache=True, nogil=True)
def inside(i: int, s: int, p: int, k: int, size: int) -> tuple[int, int]:
    """The offsets ``lo ≤ u < hi`` of window i (``k`` wide, stride ``s``, padding ``p``)
    whose pixel ``i·s + u − p`` lies inside the image, ``[0, size)``."""
    return max(0, p - i * s), min(k, size + p - i * s)


@njit(cache=True, nogil=True)
def max_pool(
    x: np.ndarray,
    kh: int,
    kw: int,
    sh: int,
    sw: int,
    ph: int,
    pw: int,
    relu: bool,
    y: np.ndarray,
    first: np.ndarray | None,
) -> None:
    """``y[n, i, j, c] = max_{u,v} x[n, i·sh + u − ph, j·sw + v − pw, c]``, and with ``relu``
    ``max(y, 0)``; written into y (N, Ho, Wo, C).

    ``first`` (same shape, integers) gets the row-major offset ``u·kw + v`` of the window's
    *first* maximum, where backward sends the gradient (PyTorch's choice: ties, common after
    a ReLU, never count twice), or ``NO_GRADIENT`` where the fused ReLU closed (y ≤ 0).
    Inference passes None: Numba then compiles a version without those stores.
    A NaN wins the window, as in PyTorch. Padding ≤ half the kernel (checked by the layer)
    leaves every window at least one pixel inside the image."""
    n_images, h, w, channels = x.shape
    ho, wo = y.shape[1:3]
    for n in range(n_images):
        for i in range(ho):
            u_lo, u_hi = inside(i, sh, ph, kh, h)
            for j in range(wo):
                v_lo, v_hi = inside(j, sw, pw, kw, w)
                # Start from −∞ at the first pixel inside the image; larger values win.
                for c in range(channels):
                    y[n, i, j, c] = -np.inf
                    if first is not None:
                        first[n, i, j, c] = u_lo * kw + v_lo
                for u in range(u_lo, u_hi):
                    r = i * sh + u - ph
                    for v in range(v_lo, v_hi):
                        q = j * sw + v - pw
                        for c in range(channels):
                            value = x[n, r, q, c]
                            # Both stores always happen, of the old or the new value: a
                            # branch-free select, which the compiler vectorises.
                            wins = value > y[n, i, j, c] or np.isnan(value)
                            y[n, i, j, c] = value if wins else y[n, i, j, c]
                            if first is not None:
                                first[n, i, j, c] = u * kw + v if wins else first[n, i, j, c]
                if relu:
                    for c in range(channels):
                        if not y[n, i, j, c] > 0:  # NaN stays NaN but passes no gradient
                            if first is not None:
                                first[n, i, j, c] = NO_GRADIENT
                            if y[n, i, j, c] <= 0:
                                y[n, i, j, c] = 0


@njit(cache=True, nogil=True)
def max_pool_2x2(x: np.ndarray, relu: bool, y: np.ndarray, first: np.ndarray | None) -> None:
    """:func:`max_pool` for the usual window, 2×2 at stride 2 without padding: the same
    values and offsets, ``y[n, i, j, c] = max(x[n, 2i, 2j, c], x[n, 2i, 2j + 1, c],
    x[n, 2i + 1, 2j, c], x[n, 2i + 1, 2j + 1, c])``.

    A fast path, tested against max_pool: the four pixels are visited by a loop of constant
    length, which the compiler unrolls, so the channel loop becomes the innermost loop and
    runs in vector registers, the maximum and its offset held there rather than in y and
    first (max_pool's window loops, of sizes known only at run time, store them at every
    pixel). 4× faster at the reference CNN's 64×26×26×32."""
    n_images, ho, wo, channels = y.shape
    for n in range(n_images):
        for i in range(ho):
            for j in range(wo):
                for c in range(channels):
                    best = x[n, 2 * i, 2 * j, c]
                    at = 0
                    for offset in range(1, 4):  # (0, 1), (1, 0), (1, 1): row-major, as u·2 + v
                        value = x[n, 2 * i + offset // 2, 2 * j + offset % 2, c]
                        wins = value > best or np.isnan(value)
                        best = value if wins else best
                        at = offset if wins else at
                    if relu and not best > 0:  # NaN stays NaN but passes no gradient
                        at = NO_GRADIENT
                        best = 0 if best <= 0 else best
                    y[n, i, j, c] = best
                    if first is not None:
                        first[n, i, j, c] = at


@njit(cache=True, nogil=True, error_model="numpy")  # divides: see kernels/__init__.py
def pool_backward(
    dy: np.ndarray,
    first: np.ndarray | None,
    area,
    kh: int,
    kw: int,
    sh: int,
    sw: int,
    ph: int,
    pw: int,
    dx: np.ndarray,
) -> None:
    """Each ``dy[n, i, j, c]`` goes back to the pixels of its window inside the image;
    written into dx (N, H, W, C).

    Max pooling (``first`` given): all of it to the window's first maximum, the offset
    ``first[n, i, j, c]`` (nowhere where a fused ReLU closed). Average pooling (``first`` is
    None): ``dy / area`` to every pixel, area = kh·kw in dy's dtype."""
    n_images, ho, wo, channels = dy.shape
    h, w = dx.shape[1:3]
    tiled = clear_for_windows(dx, kh, kw, sh, sw, ph, pw, ho, wo)
    for n in range(n_images):
        for i in range(ho):
            u_lo, u_hi = inside(i, sh, ph, kh, h)
            for j in range(wo):
                v_lo, v_hi = inside(j, sw, pw, kw, w)
                for u in range(u_lo, u_hi):
                    r = i * sh + u - ph
                    for v in range(v_lo, v_hi):
                        q = j * sw + v - pw
                        offset = u * kw + v
                        for c in range(channels):
                            if first is None:
                                g = dy[n, i, j, c] / area
                            else:
                                g = dy[n, i, j, c] if first[n, i, j, c] == offset else 0
                            if tiled:
                                dx[n, r, q, c] = g
                            else:
                                dx[n, r, q, c] += g


@njit(cache=True, nogil=True)
def max_pool_2x2_backward(dy: np.ndarray, first: np.ndarray, dx: np.ndarray) -> None:
    """:func:`pool_backward` after :func:`max_pool_2x2`: each ``dy[n, i, j, c]`` goes to the
    pixel of its 2×2 window that ``first`` names, zeros to the other three (and to the row
    and column a floor-mode pool leaves out). A fast path with the channel loop innermost,
    tested against pool_backward; 2× faster at the reference CNN's shapes."""
    n_images, ho, wo, channels = dy.shape
    clear_for_windows(dx, 2, 2, 2, 2, 0, 0, ho, wo)
    for n in range(n_images):
        for i in range(ho):
            for j in range(wo):
                for offset in range(4):
                    r, q = 2 * i + offset // 2, 2 * j + offset % 2
                    for c in range(channels):
                        g = dy[n, i, j, c]
                        dx[n, r, q, c] = g if first[n, i, j, c] == offset else 0


@njit(cache=True, nogil=True)
def clear_for_windows(
    dx: np.ndarray, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, ho: int, wo: int
) -> bool:
    """Prepare dx for the windows' gradients and say whether they tile it.

    Windows that tile the image (stride = kernel, as in 2×2 pooling) cover each pixel at
    most once: their pixels are then *set*, and only the rows and columns past the last
    window (floor mode) are zeroed here, which saves a zero-fill pass and a read of dx.
    Otherwise windows overlap or leave gaps: dx is zeroed and the gradients add up."""
    if sh == kh and sw == kw:
        dx[:, ho * kh - ph :] = 0
        dx[:, :, wo * kw - pw :] = 0
        return True
    dx[:] = 0
    return False


@njit(cache=True, nogil=True, error_model="numpy")  # divides: see kernels/__init__.py
def avg_pool(
    x: np.ndarray, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, area, y: np.ndarray
) -> None:
    """``y[n, i, j, c] = Σ_{u,v} x[n, i·sh + u − ph, j·sw + v − pw, c] / area``, area = kh·kw
    in x's dtype (so float32 stays float32): the zero padding counts in the mean (PyTorch's
    ``count_include_pad=True``); written into y."""
    n_images, h, w, channels = x.shape
    ho, wo = y.shape[1:3]
    for n in range(n_images):
        for i in range(ho):
            u_lo, u_hi = inside(i, sh, ph, kh, h)
            for j in range(wo):
                v_lo, v_hi = inside(j, sw, pw, kw, w)
                for c in range(channels):
                    y[n, i, j, c] = 0
                for u in range(u_lo, u_hi):
                    for v in range(v_lo, v_hi):
                        for c in range(channels):
                            y[n, i, j, c] += x[n, i * sh + u - ph, j * sw + v - pw, c]
                for c in range(channels):
                    y[n, i, j, c] /= area
