"""2-D convolution as one matrix product over im2col rows (the window loops compiled in
``kernels/windows.py``), or, for 3×3 kernels at stride 1, as Winograd's F(2×2, 3×3) or
F(4×4, 3×3) (``winograd.py``)."""

from __future__ import annotations

import numpy as np

from . import winograd
from .activation import ELU, LeakyReLU, ReLU, Sigmoid, Tanh
from .checks import check_channels, check_input, pair
from .init import initialise, initialise_bias
from .kernels import float_input
from .module import DEFAULT_DTYPE, NyangModel, Parameter, is_grad_enabled, keep
from .pool import AvgPool, MaxPool
from .windows import (
    channels_first,
    channels_last,
    col2im,
    conv_output_size,
    im2col,
    im2col_one_channel,
)

# "auto" runs Winograd from this many input and output channels on. Measured on two cores
# (batch 64, forward + backward, float32): 0.57–0.89× im2col's time from 32 channels on,
# 1.2× at 16 input channels and 2.7× at 3, where the tile transforms outweigh the products.
WINOGRAD_MIN_CHANNELS = 32
# "auto" runs F(4×4, 3×3) where it needs at most this fraction of F(2×2, 3×3)'s products
# (winograd.products), else F(2×2): in a forward pass that keeps what backward needs, every
# side that is 0 or 3 mod 4 (0.56×); without gradients (no_grad, inference) also 10×10,
# 13×13, 14×14 (0.73–0.81×). Measured (32 → 64 channels, a share of 32, one thread, float32,
# forward + backward), F(4×4)'s time ÷ F(2×2)'s: 0.62 for 11×11 outputs, 0.69 for 7×7, 0.70
# for 28×28 (products 0.56×); 0.72–0.85 for 10×10, 13×13 and 14×14 (0.73–0.81×); 1.16–1.23
# for 5×5 and 6×6 (1.0×). With gradients F(2×2) stays at 0.73–0.81× for exactness: each
# F(2×2) output sums only its own 3×3 window's pixels, so a blank window (a zero image
# border) gives exactly the bias, as PyTorch's convolution does; an F(4×4) output also sums
# the rest of its 6×6 tile, which cancels only up to rounding (±1e-17 in float64). With a
# zero bias, ReLU then passes a gradient where PyTorch's relu'(0) = 0 passes none: the
# reference CNN (10×10 outputs) drifted 3% from its float64 twin in 20 steps on F(4×4),
# against 3e-15 on F(2×2). A forward pass alone only moves by that rounding, and so does a
# backward pass, which decides nothing: after a forward on F(2×2), backward runs on the
# blocks a forward without gradients would pick (Conv.winograd_backward_block).
WINOGRAD4_MAX_PRODUCTS = 0.6
WINOGRAD4_MAX_PRODUCTS_NO_GRAD = 0.85

# Layers that map each value to one value in the same place: between a Conv and its pool
# they keep the outputs the pool never reads unread (Conv.next_pool).
ELEMENT_WISE = (ReLU, LeakyReLU, ELU, Tanh, Sigmoid)


class Conv(NyangModel):
    """Cross-correlation, like ``torch.nn.Conv2d``.

    ``y[n, o, i, j] = b[o] + Σ_{c,u,v} W[o, c, u, v] · xp[n, c, i·s + u, j·s + v]``
    x: (N, C, H, W), W: (O, C, kh, kw), y: (N, O, Ho, Wo), ``Ho = (H + 2p − kh) // s + 1``.

    With ``X = im2col(xp)`` of shape (N·Ho·Wo, kh·kw·C) and ``Wm`` the weight as (O, kh·kw·C):
    forward ``Y = X @ Wm.T + b``; backward ``dWm = (X.T @ dY).T``, ``db = 1 @ dY`` and
    ``dx = col2im(dY @ Wm)``: three matrix products, and two compiled loops (im2col, col2im).

    ``algorithm``: "im2col" (the above, for every layer), "winograd" (Winograd's F(2×2, 3×3),
    :mod:`nyangtorch.nn.winograd`: 0.44× the multiplications, for 3×3 kernels at stride 1
    only), "winograd4" (F(4×4, 3×3): 0.25× for outputs that are multiples of 4), or "auto"
    (default): Winograd where it applies and both channel counts are at least
    ``WINOGRAD_MIN_CHANNELS`` (32), where it measured faster, else im2col; F(4×4) where its
    blocks need at most ``WINOGRAD4_MAX_PRODUCTS`` (0.6) of F(2×2)'s products for the output
    size (sides that are 0 or 3 mod 4, such as 11×11, 7×7, 28×28), else F(2×2); without
    gradients (inside ``no_grad``) and in backward up to ``WINOGRAD4_MAX_PRODUCTS_NO_GRAD``
    (0.85: 10×10 too). All give the convolution up to rounding.

    ``init``: "he" (default: He-normal weights, zero bias), "xavier", or "torch" (PyTorch's
    default, Kaiming-uniform with a = √5 and a uniform bias); see :mod:`nyangtorch.nn.init`.

    ``next_pool=k`` says the next layer, after any element-wise activations, is a k×k pool
    with stride k and no padding (the usual ``MaxPool(2)``), in floor mode: it never reads
    the last ``Ho mod k`` rows and ``Wo mod k`` columns, so this layer does not compute
    them. y is then (N, O, Ho − Ho mod k, Wo − Wo mod k), where PyTorch's Conv2d gives
    (N, O, Ho, Wo); the pool's output and the input gradient are those without the option,
    and the weight gradient is too, up to rounding (its sum over the windows no longer adds
    the zeros). The reference CNN's second convolution gives 11×11 and its pool reads
    10×10: with ``next_pool=2`` it does 100 of its 121 window products per image. A
    NyangFlow checks that the pool really comes next; a model written forward-only must
    keep the promise.
    """

    # Class defaults: also the values for Convs pickled before these options existed.
    next_pool = None
    algorithm = "auto"
    _tiles_memo = None  # (weight array, m, its values, U): see _weight_tiles; never saved

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str = 0,
        bias: bool = True,
        init: str = "he",
        next_pool: int | None = None,
        algorithm: str = "auto",
    ):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = pair(stride, "stride")
        if isinstance(padding, str):
            padding = same_padding(self.kernel_size, self.stride, padding)
        self.padding = pair(padding, "padding")
        self.next_pool = None if next_pool is None else pool_size(next_pool)
        self.algorithm = check_algorithm(algorithm, self.kernel_size, self.stride)
        shape = (out_channels, in_channels, *self.kernel_size)
        self.weight = Parameter(initialise(shape, init, DEFAULT_DTYPE))
        self.bias = Parameter(initialise_bias(shape, init, DEFAULT_DTYPE)) if bias else None

    def _weight_matrix(self) -> np.ndarray:
        """W (O, C, kh, kw) as (O, kh·kw·C), the column order of channels-last im2col."""
        return self.weight.data.transpose(0, 2, 3, 1).reshape(self.out_channels, -1)

    def uses_winograd(self) -> bool:
        """True when this layer runs Winograd's F(m×m, 3×3) (see ``algorithm``)."""
        # Checked here too, not only in __init__: the attribute can be set afterwards.
        algorithm = check_algorithm(self.algorithm, self.kernel_size, self.stride)
        if algorithm == "auto":
            channels = min(self.in_channels, self.out_channels)
            return winograd_applies(self.kernel_size, self.stride) and (
                channels >= WINOGRAD_MIN_CHANNELS
            )
        return algorithm.startswith("winograd")

    def winograd_block(self, size: tuple[int, int], gradients: bool | None = None) -> int:
        """m of the F(m×m, 3×3) this layer runs for outputs ``size`` (2 or 4), or 0 for
        im2col (see ``algorithm``), in a forward pass with ``gradients`` (default: unless
        inside :func:`no_grad`)."""
        if not self.uses_winograd():
            return 0
        if self.algorithm != "auto":
            return 4 if self.algorithm == "winograd4" else 2
        if gradients is None:
            gradients = is_grad_enabled()
        limit = WINOGRAD4_MAX_PRODUCTS if gradients else WINOGRAD4_MAX_PRODUCTS_NO_GRAD
        fewer = winograd.products(size, 4) <= limit * winograd.products(size, 2)
        return 4 if fewer else 2

    def forward(self, x: np.ndarray) -> np.ndarray:
        expected = f"(N, {self.in_channels}, H, W)"
        check_input(self, x, expected, (4,))
        check_channels(self, x, expected, self.in_channels)
        x = float_input(x)
        size = self._output_size(x.shape[2:])
        block = self.winograd_block(size)
        if block:
            y, saved = self._forward_winograd(x, size, block)
            # Only where backward will run (inference keeps nothing): on other blocks than
            # the forward's, it makes V in its own, from x.
            backward_block = self.winograd_backward_block(size) if is_grad_enabled() else block
            if backward_block != block:
                block, saved = backward_block, channels_last(x)
        else:
            y, saved = self._forward_im2col(x, size)
        self._cache = keep((block, saved, x.shape, size))
        return channels_first(y)

    def winograd_backward_block(self, size: tuple[int, int]) -> int:
        """m of the F(m×m, 3×3) that backward runs after a forward pass with gradients for
        outputs ``size`` (0 for im2col): with "auto", the one a forward pass without
        gradients would pick (F(4×4) up to ``WINOGRAD4_MAX_PRODUCTS_NO_GRAD`` of F(2×2)'s
        products, 10×10 outputs included), else the forward's. Exactness keeps the forward
        on F(2×2) where a value decides (a ReLU at 0, a max among ties); a gradient decides
        nothing, so F(4×4)'s rounding is all it moves by. For the reference CNN's conv2
        (10×10, a share of 32, one thread) backward then takes 1.48 ms instead of 1.70,
        making F(4×4)'s V from the kept input included (0.14 ms)."""
        block = self.winograd_block(size, gradients=True)
        if block and self.algorithm == "auto":
            return self.winograd_block(size, gradients=False)
        return block

    def _forward_im2col(self, x: np.ndarray, size: tuple[int, int]):
        """Y = [X 1] @ [Wm b].T as channels-last (N, Ho, Wo, O), and X for backward."""
        wm = self._weight_matrix()
        # The bias is folded into the product: im2col ends each row with a 1 and the bias is
        # the weight matrix's last column, Y = [X 1] @ [Wm b].T. The bias add then costs no
        # pass over Y, and backward's db comes free as the last row of the dW product.
        folded = self.bias is not None
        window = self.kernel_size, self.stride
        options = dict(padding=self.padding, ones=folded, size=size)
        if self.in_channels == 1:  # grey images: see im2col_one_channel
            cols = im2col_one_channel(x[:, 0], *window, **options).T
        else:
            cols = im2col(channels_last(x), *window, **options)
        if folded:
            wm = np.concatenate([wm, self.bias.data[:, None]], axis=1)
        y = cols @ wm.T
        return y.reshape(len(x), *size, self.out_channels), cols

    def _forward_winograd(self, x: np.ndarray, size: tuple[int, int], m: int):
        """Y = Aᵀ [V @ U] A + b (nn/winograd.py, m×m blocks) as channels-last
        (N, Ho, Wo, O), and V for backward."""
        u = self._weight_tiles(m)
        v = winograd.input_tiles(channels_last(x), self.padding, winograd.tiles(size, m), m)
        bias = None if self.bias is None else float_input(self.bias.data)
        y = winograd.output_tiles(v @ u, bias, (len(x), *size, self.out_channels), m)
        return y, v

    def _weight_tiles(self, m: int) -> np.ndarray:
        """U = G g Gᵀ of the current weights (:func:`winograd.weight_tiles`), made again only
        when they or the block size changed: inference runs every share of every batch on the
        same weights, and a training step's backward reuses its forward's U where both run
        the same blocks (the BatchNorm CNN's conv2, not the reference CNN's, whose backward
        runs F(4×4) after an F(2×2) forward). The check, 5 µs for conv2's 64×32×3×3, costs a
        fifth of the transform (20–23 µs)."""
        w = self.weight.data
        memo = self._tiles_memo  # read once: another thread may replace it meanwhile
        if memo is not None and memo[0] is w and memo[1] == m and np.array_equal(memo[2], w):
            return memo[3]
        # The weights' values too, taken before U is made from them: an optimizer changes
        # them in place, in the same array.
        values = w.copy()
        u = winograd.weight_tiles(float_input(values), m)
        self._tiles_memo = (w, m, values, u)
        return u

    def _output_size(self, size: tuple[int, int]) -> tuple[int, int]:
        """(Ho, Wo) for an input of spatial ``size``: every window that fits, less what the
        next pool never reads."""
        out = conv_output_size(self, size, self.kernel_size, self.stride, self.padding)
        k = self.next_pool
        if k is None:
            return out
        if min(out) < k:
            raise ValueError(f"{self!r}: output {out} is smaller than the next pool's {k}×{k}")
        return out[0] - out[0] % k, out[1] - out[1] % k

    def _param_grads(self, dy: np.ndarray) -> np.ndarray:
        """Add dW and db; return dY in the form the algorithm's input gradient starts from."""
        block, saved, x_shape, size = self._saved()
        if dy.shape != (x_shape[0], self.out_channels, *size):
            raise ValueError(
                f"{self!r}: backward got grad {dy.shape}, not this layer's output shape "
                f"{(x_shape[0], self.out_channels, *size)}"
            )
        dy = channels_last(float_input(dy))
        if block:
            if saved.ndim == 4:  # the input (N, H, W, C), kept by a forward on other blocks
                saved = winograd.input_tiles(
                    saved, self.padding, winograd.tiles(size, block), block
                )
            dw, db, dy_for_input = self._grads_winograd(dy, saved, block)
        else:
            dw, db, dy_for_input = self._grads_im2col(dy, saved)
        self.weight.accumulate(dw)
        if self.bias is not None:
            self.bias.accumulate(db)
        return dy_for_input

    def _grads_im2col(self, dy: np.ndarray, cols: np.ndarray):
        """dW, db and dY as (N·Ho·Wo, O) rows, from X (im2col's rows)."""
        o, (kh, kw), c = self.out_channels, self.kernel_size, self.in_channels
        dy2 = dy.reshape(-1, o)
        # X.T @ dY rather than dY.T @ X: the same numbers, ~7% faster in OpenBLAS here.
        # np.dot, not @: NumPy's matmul lets other threads run only for outputs of 500
        # entries or more, and this one is small with a long sum (the reference CNN's first
        # layer: 10×32 from 21,632 rows a share, 0.28 ms during which DataParallel's other
        # share stood still). np.dot always releases the GIL; the numbers are the same.
        dwt = np.dot(cols.T, dy2)  # (kh·kw·C [+ 1 for the bias], O)
        k = kh * kw * c
        dw = np.ascontiguousarray(dwt[:k].reshape(kh, kw, c, o).transpose(3, 2, 0, 1))
        db = dwt[k] if self.bias is not None else None  # the column of ones: db is the last row
        return dw, db, dy2

    def _grads_winograd(self, dy: np.ndarray, v: np.ndarray, m: int):
        """dW = Gᵀ dU G with dU = Vᵀ @ dM, db = Σ dY, and dM = A dY Aᵀ (α², N·th·tw, O)."""
        dm, db = winograd.output_tiles_adjoint(dy, m)
        # dUᵀ = dMᵀ @ V, (O, C) per tile entry: OpenBLAS ran it ~10% faster than Vᵀ @ dM here.
        dw = winograd.weight_tiles_adjoint(dm.transpose(0, 2, 1) @ v, m)
        return dw, db, dm

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy_for_input = self._param_grads(dy)
        block, _, (n, c, h, w), size = self._cache  # set by forward
        if block:
            dx = self._input_grad_winograd(dy_for_input, (n, h, w, c), size, block)
        else:
            dx = self._input_grad_im2col(dy_for_input, (n, h, w, c), size)
        return channels_first(dx)

    def _input_grad_im2col(self, dy2: np.ndarray, image_shape, size) -> np.ndarray:
        """dx = col2im(dY @ Wm): each window's gradient, added back onto its pixels."""
        dcols = dy2 @ self._weight_matrix()  # (N·Ho·Wo, kh·kw·C)
        return col2im(dcols, image_shape, self.kernel_size, self.stride, self.padding, size)

    def _input_grad_winograd(self, dm: np.ndarray, image_shape, size, m: int) -> np.ndarray:
        """dx = B dV Bᵀ added onto each tile's pixels, with dV = dM @ Uᵀ."""
        # U of the current weights, as im2col's backward takes Wm: forward keeps only V.
        u = self._weight_tiles(m)
        dv = dm @ u.transpose(0, 2, 1)  # (α², N·th·tw, C)
        grid = winograd.tiles(size, m)
        return winograd.input_tiles_adjoint(dv, self.padding, grid, image_shape, m)

    def backward_params(self, dy: np.ndarray) -> None:
        self._param_grads(dy)

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_tiles_memo", None)  # made again from the weights on the next call
        return state

    def check_following(self, following: list[NyangModel], index: int) -> None:
        """With ``next_pool=k``, the next layer after any element-wise activations (which keep
        every output where it is) must be a k×k max or average pool with stride k and no
        padding: the outputs this layer skips are unread only by such a pool (a BatchNorm in
        between, say, would take them into its statistics)."""
        k = self.next_pool
        if k is None:
            return
        layer = next((m for m in following if not isinstance(m, ELEMENT_WISE)), None)
        window = (k, k), (k, k), (0, 0)
        if not (
            isinstance(layer, (MaxPool, AvgPool))
            and (layer.kernel_size, layer.stride, layer.padding) == window
        ):
            raise ValueError(
                f"layer {index} {self!r} skips the outputs a {k}×{k} pool never reads, but the "
                f"next layer (after any activations) is {layer!r}, not MaxPool({k}) or "
                f"AvgPool({k}); put the pool right after it or set its next_pool to None"
            )

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}→{self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None}"
            + (f", next_pool={self.next_pool}" if self.next_pool else "")
            + (f", algorithm={self.algorithm!r}" if self.algorithm != "auto" else "")
        )


def pool_size(value) -> int:
    """``next_pool``, checked: a pool's kernel size, an integer ≥ 1 (True is not a size)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"Conv: next_pool must be a pool's kernel size ≥ 1, got {value!r}")
    return int(value)


def winograd_applies(kernel_size: tuple[int, int], stride: tuple[int, int]) -> bool:
    """Winograd's F(m×m, 3×3) computes 3×3 kernels at stride 1."""
    return (kernel_size, stride) == ((3, 3), (1, 1))


ALGORITHMS = {"auto": None, "im2col": None, "winograd": "F(2×2, 3×3)", "winograd4": "F(4×4, 3×3)"}


def check_algorithm(algorithm, kernel_size: tuple[int, int], stride: tuple[int, int]) -> str:
    """``algorithm``, checked: "winograd" and "winograd4" need a 3×3 kernel at stride 1."""
    if algorithm not in ALGORITHMS:
        raise ValueError(
            "Conv: algorithm must be 'auto', 'im2col', 'winograd' or 'winograd4', got "
            f"{algorithm!r}"
        )
    if ALGORITHMS[algorithm] and not winograd_applies(kernel_size, stride):
        raise ValueError(
            f"Conv: algorithm={algorithm!r} is {ALGORITHMS[algorithm]}, for a 3×3 kernel at "
            f"stride 1, not kernel {kernel_size} at stride {stride}; use 'auto' or 'im2col'"
        )
    return algorithm


def same_padding(kernel_size: tuple[int, int], stride: tuple[int, int], padding: str):
    """``padding="same"``: ``k // 2`` zeros on each side keep H and W for an odd kernel at
    stride 1. PyTorch refuses it for strided convolutions too; an even kernel would need one
    more zero on one side than on the other, which this layer's symmetric padding cannot do."""
    if padding != "same":
        raise ValueError(f"Conv: padding must be an int, a pair of ints or 'same', got {padding!r}")
    if stride != (1, 1):
        raise ValueError(
            f"Conv: padding='same' is not supported for strided convolutions (stride {stride}), "
            "as in PyTorch; give the padding as a number"
        )
    if kernel_size[0] % 2 == 0 or kernel_size[1] % 2 == 0:
        raise ValueError(
            f"Conv: padding='same' needs an odd kernel size, got {kernel_size}; give the "
            "padding as a number"
        )
    return kernel_size[0] // 2, kernel_size[1] // 2
