"""Plain NumPy the compiled kernels (nyangtorch/nn/kernels) are tested against.

``im2col`` and ``col2im`` are those of "Deep Learning from Scratch" (Koki Saitoh, 2016;
oreilly-japan/deep-learning-from-scratch, common/util.py) on (N, C, H, W) arrays, with
(kh, kw) kernels, (sh, sw) strides and (ph, pw) padding; ``max_pool``, ``avg_pool`` and
their backwards are the book's Pooling layer built on them. One loop over the kernel
offsets, one slice per offset, nothing else: easy to check by eye, and slow.
"""

import numpy as np


def output_size(shape, kernel, stride, padding) -> tuple[int, int]:
    """``Ho, Wo = (H + 2p − k) // s + 1`` for an (N, C, H, W) shape."""
    h, w = shape[2:]
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    return (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1


def im2col(x, kernel, stride, padding, pad_value=0.0) -> np.ndarray:
    """(N, C, H, W) -> (N·Ho·Wo, C·kh·kw): row (n, i, j) is window (i, j) of sample n,
    column (c, u, v) its pixel (u, v) in channel c."""
    n, c = x.shape[:2]
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    ho, wo = output_size(x.shape, kernel, stride, padding)
    img = np.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)], constant_values=pad_value)
    col = np.zeros((n, c, kh, kw, ho, wo), dtype=x.dtype)
    for u in range(kh):
        for v in range(kw):
            col[:, :, u, v] = img[:, :, u : u + sh * ho : sh, v : v + sw * wo : sw]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * ho * wo, -1)


def col2im(col, shape, kernel, stride, padding) -> np.ndarray:
    """The adjoint of :func:`im2col`: (N·Ho·Wo, C·kh·kw) -> (N, C, H, W), every entry added
    back onto the pixel it was copied from."""
    n, c, h, w = shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    ho, wo = output_size(shape, kernel, stride, padding)
    col = col.reshape(n, ho, wo, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=col.dtype)
    for u in range(kh):
        for v in range(kw):
            img[:, :, u : u + sh * ho : sh, v : v + sw * wo : sw] += col[:, :, u, v]
    return img[:, :, ph : h + ph, pw : w + pw]


def max_pool(x, kernel, stride, padding) -> tuple[np.ndarray, np.ndarray]:
    """``y`` (N, C, Ho, Wo), the max of each window (padding −∞), and for backward the
    offset of each window's first maximum in row-major order (``np.argmax`` takes the first)."""
    n, c = x.shape[:2]
    ho, wo = output_size(x.shape, kernel, stride, padding)
    col = im2col(x, kernel, stride, padding, -np.inf).reshape(-1, kernel[0] * kernel[1])
    return col.max(axis=1).reshape(n, ho, wo, c).transpose(0, 3, 1, 2), col.argmax(axis=1)


def max_pool_backward(dy, first, shape, kernel, stride, padding) -> np.ndarray:
    """Each ``dy`` goes to its window's first maximum, all through :func:`col2im`."""
    dcol = np.zeros((dy.size, kernel[0] * kernel[1]), dtype=dy.dtype)
    dcol[np.arange(dy.size), first] = dy.transpose(0, 2, 3, 1).ravel()
    return col2im(dcol, shape, kernel, stride, padding)


def avg_pool(x, kernel, stride, padding) -> np.ndarray:
    """``y`` (N, C, Ho, Wo), the sum of each window (padding 0) divided by its area."""
    n, c = x.shape[:2]
    ho, wo = output_size(x.shape, kernel, stride, padding)
    col = im2col(x, kernel, stride, padding).reshape(-1, kernel[0] * kernel[1])
    area = x.dtype.type(kernel[0] * kernel[1])
    return (col.sum(axis=1) / area).reshape(n, ho, wo, c).transpose(0, 3, 1, 2)


def avg_pool_backward(dy, shape, kernel, stride, padding) -> np.ndarray:
    """Each ``dy / area`` goes to every pixel of its window, through :func:`col2im`."""
    area = kernel[0] * kernel[1]
    dcol = np.repeat(dy.transpose(0, 2, 3, 1).reshape(-1, 1) / dy.dtype.type(area), area, 1)
    return col2im(dcol, shape, kernel, stride, padding)


LAYOUTS = ["NCHW", "channels-last"]


def in_layout(x: np.ndarray, layout: str) -> np.ndarray:
    """``x`` (N, C, H, W) in NCHW memory, or as an NCHW view of channels-last memory: the two
    layouts a layer gets (a data loader's batch, and the previous layer's output)."""
    if layout == "channels-last":
        return np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(x)


# Winograd's F(2×2, 3×3) (Lavin & Gray, 2016): Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A for a 4×4 input
# tile d, a 3×3 filter g and a 2×2 block of outputs Y.
WINOGRAD_BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=float)
WINOGRAD_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
WINOGRAD_AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=float)


def winograd_tiles(x, padding, grid, m=2) -> np.ndarray:
    """Every α×α input tile (α = m + 2) of channels-last x (N, H, W, C), zero-padded:
    (N, th, tw, α, α, C); tile (i, j) starts at (m·i − ph, m·j − pw)."""
    (ph, pw), (th, tw), alpha = padding, grid, m + 2
    n, h, w, c = x.shape
    big = np.zeros((n, m * th + 2, m * tw + 2, c), dtype=x.dtype)
    rows, cols = min(h, m * th + 2 - ph), min(w, m * tw + 2 - pw)
    big[:, ph : ph + rows, pw : pw + cols] = x[:, :rows, :cols]
    out = np.empty((n, th, tw, alpha, alpha, c), dtype=x.dtype)
    for i in range(th):
        for j in range(tw):
            out[:, i, j] = big[:, m * i : m * i + alpha, m * j : m * j + alpha]
    return out
