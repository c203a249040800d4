"""Winograd's minimal filtering F(2×2, 3×3): a 3×3 convolution at stride 1 with 16
multiplications per 2×2 block of outputs instead of 36 (Lavin & Gray, "Fast Algorithms for
Convolutional Neural Networks", 2016).

For one channel, a 4×4 input tile d, a 3×3 filter g and the 2×2 block of outputs it makes:

    Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A

    Bᵀ = [[1, 0, −1, 0],     G = [[1,  0,  0],     Aᵀ = [[1, 1,  1,  0],
          [0, 1,  1, 0],          [½,  ½,  ½],           [0, 1, −1, −1]]
          [0, −1, 1, 0],          [½, −½,  ½],
          [0, 1,  0, −1]]         [0,  0,  1]]

Tiles step by 2, so neighbours share two rows or columns. Summed over the input channels,
the element-wise product ⊙ becomes one matrix product per tile entry (a, b), 16 in all:

    V[a, b] = (Bᵀ d B)[a, b] for every tile:    (N·th·tw, C)
    U[a, b] = (G g Gᵀ)[a, b] for every filter:  (C, O)
    M[a, b] = V[a, b] @ U[a, b]:                 (N·th·tw, O),  then Y = Aᵀ M A + bias

Backward goes back through the same linear maps (their transposes):

    dM = A dY Aᵀ,   dU[a, b] = V[a, b]ᵀ @ dM[a, b],   dg = Gᵀ dU G,
    dV[a, b] = dM[a, b] @ U[a, b]ᵀ,   dd = B dV Bᵀ added onto the tile's pixels.

The three products do 2·16·N·th·tw·C·O multiply-adds each where im2col's do
2·9·N·Ho·Wo·C·O: 0.44× for even Ho and Wo. The transforms, compiled loops in
``kernels/winograd.py``, cost a pass over V and M each. In exact arithmetic the result is the
convolution's; in floating point it differs by rounding (about 1e-7 relative in float32,
1e-16 in float64), as im2col's order of sums differs from PyTorch's.
"""

from __future__ import annotations

import numpy as np

from .kernels import winograd as kernels

Pair = tuple[int, int]


def tiles(size: Pair) -> Pair:
    """(th, tw): the 2×2 blocks that cover outputs (Ho, Wo), the last one part-filled when
    a size is odd."""
    return (size[0] + 1) // 2, (size[1] + 1) // 2


def weight_tiles(weight: np.ndarray) -> np.ndarray:
    """U = G g Gᵀ for every filter: weight (O, C, 3, 3) -> (16, C, O)."""
    if weight.ndim != 4 or weight.shape[2:] != (3, 3):
        raise ValueError(f"winograd: F(2×2, 3×3) takes (O, C, 3, 3) weights, got {weight.shape}")
    o, c = weight.shape[:2]
    u = np.empty((4, 4, c, o), dtype=weight.dtype)
    kernels.weight_tiles(np.ascontiguousarray(weight.transpose(2, 3, 1, 0)), u)
    return u.reshape(16, c, o)


def weight_tiles_adjoint(du_t: np.ndarray) -> np.ndarray:
    """dg = Gᵀ dU G: dUᵀ, (16, O, C) (each entry's (O, C) matrix, the orientation the
    product dMᵀ @ V gives) -> the weight gradient (O, C, 3, 3)."""
    _, o, c = du_t.shape
    dw = np.empty((o, 3, 3, c), dtype=du_t.dtype)
    kernels.weight_tiles_adjoint(du_t.reshape(4, 4, o, c), dw)
    return np.ascontiguousarray(dw.transpose(0, 3, 1, 2))


def input_tiles(x: np.ndarray, padding: Pair, grid: Pair) -> np.ndarray:
    """V = Bᵀ d B for every 4×4 tile of the channels-last image x (N, H, W, C) padded with
    ``padding`` zeros, on a ``grid`` (th, tw) of tiles: (16, N·th·tw, C)."""
    n, _, _, c = x.shape
    v = np.empty((4, 4, n, *grid, c), dtype=x.dtype)
    kernels.input_tiles(np.ascontiguousarray(x), *padding, v)
    return v.reshape(16, -1, c)


def input_tiles_adjoint(
    dv: np.ndarray, padding: Pair, grid: Pair, image_shape: tuple[int, ...]
) -> np.ndarray:
    """dd = B dV Bᵀ added back onto the pixels: dV (16, N·th·tw, C) -> the image gradient,
    channels-last ``image_shape`` (N, H, W, C)."""
    n, _, _, c = image_shape
    dx = np.empty(image_shape, dtype=dv.dtype)
    kernels.input_tiles_adjoint(dv.reshape(4, 4, n, *grid, c), *padding, dx)
    return dx


def output_tiles(m: np.ndarray, bias: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    """Y = Aᵀ M A + bias: M (16, N·th·tw, O) -> the channels-last output ``shape``
    (N, Ho, Wo, O)."""
    n, ho, wo, o = shape
    y = np.empty(shape, dtype=m.dtype)
    bias = np.zeros(o, dtype=m.dtype) if bias is None else bias
    kernels.output_tiles(m.reshape(4, 4, n, *tiles((ho, wo)), o), bias, y)
    return y


def output_tiles_adjoint(dy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """dM = A dY Aᵀ for every block of the channels-last output gradient dy (N, Ho, Wo, O):
    (dM (16, N·th·tw, O), the bias gradient Σ dy (O,))."""
    n, ho, wo, o = dy.shape
    dm = np.empty((4, 4, n, *tiles((ho, wo)), o), dtype=dy.dtype)
    # db is summed in float64 in the same pass: a float32 running sum over N·Ho·Wo terms
    # would lose digits that NumPy's pairwise sum and torch keep.
    db = np.empty(o, dtype=np.float64)
    kernels.output_tiles_adjoint(np.ascontiguousarray(dy), dm, db)
    return dm.reshape(16, -1, o), db.astype(dy.dtype)
