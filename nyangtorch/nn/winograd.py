"""Winograd's minimal filtering F(2×2, 3×3) and F(4×4, 3×3): a 3×3 convolution at stride 1
with 16 multiplications per 2×2 block of outputs instead of 36, or 36 per 4×4 block instead
of 144 (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).

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

F(4×4, 3×3) makes 4×4 blocks from 6×6 tiles with the matrices ``B4_T``, ``G4`` and ``A4_T``
below (Lavin & Gray's, interpolating at 0, ±1, ±2): 36 products per 16 outputs instead of
64 for four F(2×2) blocks, for larger transforms (``kernels/winograd4.py``, written out)
and a larger rounding error (about 2e-6 relative in float32,
1e-15 in float64). It pays where F(2×2)'s blocks fit the output badly: 11×11 outputs take
36 blocks of 2×2 (144 places for 121 outputs) but 9 of 4×4 (144 too, at 0.56× the
products). Every function below takes the block size ``m``: 2 (default) or 4.
"""

from __future__ import annotations

import numpy as np

from .kernels import winograd as kernels
from .kernels import winograd4

Pair = tuple[int, int]

# F(4×4, 3×3): Y = A4ᵀ [(G4 g G4ᵀ) ⊙ (B4ᵀ d B4)] A4 for a 6×6 tile d. kernels/winograd4.py
# writes the products with these matrices out; the tests check it on the general loops over
# them (kernels/winograd_matrices.py).
B4_T = np.array(
    [
        [4, 0, -5, 0, 1, 0],
        [0, -4, -4, 1, 1, 0],
        [0, 4, -4, -1, 1, 0],
        [0, -2, -1, 2, 1, 0],
        [0, 2, -1, -2, 1, 0],
        [0, 4, 0, -5, 0, 1],
    ],
    dtype=np.float64,
)
G4 = np.array(
    [
        [1 / 4, 0, 0],
        [-1 / 6, -1 / 6, -1 / 6],
        [-1 / 6, 1 / 6, -1 / 6],
        [1 / 24, 1 / 12, 1 / 6],
        [1 / 24, -1 / 12, 1 / 6],
        [0, 0, 1],
    ],
    dtype=np.float64,
)
A4_T = np.array(
    [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]],
    dtype=np.float64,
)
BLOCKS = (2, 4)  # the block sizes m this module computes


def _tile_kernels(m: int):
    """The module with F(m×m, 3×3)'s transforms and their adjoints, each written out:
    ``kernels/winograd.py`` or ``kernels/winograd4.py``."""
    if m not in BLOCKS:
        raise ValueError(f"winograd: the block size m must be 2 or 4, got {m!r}")
    return kernels if m == 2 else winograd4


def tiles(size: Pair, m: int = 2) -> Pair:
    """(th, tw): the m×m blocks that cover outputs (Ho, Wo), the last ones part-filled when
    a size is not a multiple of m."""
    return -(-size[0] // m), -(-size[1] // m)


def products(size: Pair, m: int) -> int:
    """The multiplications of F(m×m, 3×3) per input and output channel for outputs ``size``:
    (m + 2)² per block."""
    th, tw = tiles(size, m)
    return (m + 2) ** 2 * th * tw


def weight_tiles(weight: np.ndarray, m: int = 2) -> np.ndarray:
    """U = G g Gᵀ for every filter: weight (O, C, 3, 3) -> (α², C, O), α = m + 2."""
    if weight.ndim != 4 or weight.shape[2:] != (3, 3):
        raise ValueError(f"winograd: F(m×m, 3×3) takes (O, C, 3, 3) weights, got {weight.shape}")
    o, c = weight.shape[:2]
    w = np.ascontiguousarray(weight.transpose(2, 3, 1, 0))
    u = np.empty((m + 2, m + 2, c, o), dtype=weight.dtype)
    _tile_kernels(m).weight_tiles(w, u)
    return u.reshape(-1, c, o)


def weight_tiles_adjoint(du_t: np.ndarray, m: int = 2) -> np.ndarray:
    """dg = Gᵀ dU G: dUᵀ, (α², O, C) (each entry's (O, C) matrix, the orientation the
    product dMᵀ @ V gives) -> the weight gradient (O, C, 3, 3)."""
    _, o, c = du_t.shape
    dw = np.empty((o, 3, 3, c), dtype=du_t.dtype)
    du_t = du_t.reshape(m + 2, m + 2, o, c)
    _tile_kernels(m).weight_tiles_adjoint(du_t, dw)
    return np.ascontiguousarray(dw.transpose(0, 3, 1, 2))


def input_tiles(x: np.ndarray, padding: Pair, grid: Pair, m: int = 2) -> np.ndarray:
    """V = Bᵀ d B for every α×α tile of the channels-last image x (N, H, W, C) padded with
    ``padding`` zeros, on a ``grid`` (th, tw) of tiles: (α², N·th·tw, C)."""
    n, _, _, c = x.shape
    v = np.empty((m + 2, m + 2, n, *grid, c), dtype=x.dtype)
    x = np.ascontiguousarray(x)
    _tile_kernels(m).input_tiles(x, *padding, v)
    return v.reshape((m + 2) ** 2, -1, c)


def input_tiles_adjoint(
    dv: np.ndarray, padding: Pair, grid: Pair, image_shape: tuple[int, ...], m: int = 2
) -> np.ndarray:
    """dd = B dV Bᵀ added back onto the pixels: dV (α², N·th·tw, C) -> the image gradient,
    channels-last ``image_shape`` (N, H, W, C)."""
    n, _, _, c = image_shape
    dx = np.empty(image_shape, dtype=dv.dtype)
    dv = dv.reshape(m + 2, m + 2, n, *grid, c)
    _tile_kernels(m).input_tiles_adjoint(dv, *padding, dx)
    return dx


def output_tiles(
    mt: np.ndarray, bias: np.ndarray | None, shape: tuple[int, ...], m: int = 2
) -> np.ndarray:
    """Y = Aᵀ M A + bias: M (α², N·th·tw, O) -> the channels-last output ``shape``
    (N, Ho, Wo, O)."""
    n, ho, wo, o = shape
    y = np.empty(shape, dtype=mt.dtype)
    bias = np.zeros(o, dtype=mt.dtype) if bias is None else bias
    mt = mt.reshape(m + 2, m + 2, n, *tiles((ho, wo), m), o)
    _tile_kernels(m).output_tiles(mt, bias, y)
    return y


def output_tiles_adjoint(dy: np.ndarray, m: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """dM = A dY Aᵀ for every block of the channels-last output gradient dy (N, Ho, Wo, O):
    (dM (α², N·th·tw, O), the bias gradient Σ dy (O,))."""
    n, ho, wo, o = dy.shape
    dm = np.empty((m + 2, m + 2, n, *tiles((ho, wo), m), o), dtype=dy.dtype)
    # db is summed in float64 in the same pass: a float32 running sum over N·Ho·Wo terms
    # would lose digits that NumPy's pairwise sum and torch keep.
    db = np.empty(o, dtype=np.float64)
    dy = np.ascontiguousarray(dy)
    _tile_kernels(m).output_tiles_adjoint(dy, dm, db)
    return dm.reshape((m + 2) ** 2, -1, o), db.astype(dy.dtype)
