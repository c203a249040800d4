"""Every compiled kernel (nyangtorch/nn/kernels), and the one-channel im2col that NumPy does
best, against the plain NumPy of tests/nn/oracles.py, in float32 and float64, on NCHW and
channels-last memory, for odd sizes, strides, padding, non-square kernels and ties."""

import numpy as np
import oracles
import pytest

from nyangtorch.nn.kernels import norm, pool, windows
from nyangtorch.nn.windows import (
    channels_first,
    channels_last,
    col2im,
    conv_output_size,
    im2col,
    im2col_one_channel,
)

WINDOW_CASES = {
    # id: (N, C, H, W), kernel, stride, padding
    "tiled": ((2, 3, 8, 6), (2, 2), (2, 2), (0, 0)),
    "tiled, floor-mode leftovers": ((2, 3, 7, 9), (2, 2), (2, 2), (0, 0)),
    "tiled, non-square, padded": ((2, 2, 9, 10), (3, 2), (3, 2), (1, 1)),
    "overlapping, stride 1": ((2, 3, 7, 8), (3, 3), (1, 1), (0, 0)),
    "overlapping, stride 2, padded": ((2, 3, 9, 8), (3, 3), (2, 2), (1, 1)),
    "overlapping, non-square": ((3, 2, 8, 9), (3, 2), (2, 1), (1, 0)),
    "gaps, stride > kernel": ((2, 2, 9, 9), (2, 2), (3, 3), (0, 0)),
    "gaps, padded": ((2, 3, 10, 7), (3, 3), (4, 3), (1, 1)),
    "one-pixel kernel": ((2, 4, 5, 5), (1, 1), (1, 1), (0, 0)),
    "one channel, padded": ((3, 1, 6, 7), (3, 3), (1, 1), (1, 1)),
    "many channels": ((2, 37, 5, 6), (2, 3), (1, 2), (1, 1)),
}
window_cases = pytest.mark.parametrize(
    "shape, kernel, stride, padding", list(WINDOW_CASES.values()), ids=list(WINDOW_CASES)
)
layouts = pytest.mark.parametrize("layout", oracles.LAYOUTS)
dtypes = pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])


def small_integers(rng, shape, dtype, high=2) -> np.ndarray:
    """Values from {−high, …, high}: windows full of ties, and sums that are exact in any
    order, so kernels that add in another order than the oracle must agree bit for bit."""
    return rng.integers(-high, high + 1, shape).astype(dtype)


@window_cases
@pytest.mark.parametrize("ones", [False, True], ids=["no bias", "bias folded"])
@dtypes
def test_im2col_equals_the_books(rng, shape, kernel, stride, padding, ones, dtype):
    x = rng.standard_normal(shape).astype(dtype)
    ho, wo = conv_output_size("test", shape[2:], kernel, stride, padding)
    assert (ho, wo) == oracles.output_size(shape, kernel, stride, padding)
    k = kernel[0] * kernel[1] * shape[1]
    cols = np.full((shape[0], ho, wo, k + ones), np.nan, dtype)  # every entry is written
    windows.im2col(np.ascontiguousarray(channels_last(x)), *kernel, *stride, *padding, cols)
    cols = cols.reshape(-1, k + ones)
    np.testing.assert_array_equal(
        cols, im2col(channels_last(x), kernel, stride, padding=padding, ones=ones)
    )  # and the helper that allocates cols
    # A row of ours runs over (u, v, c), the book's over (c, u, v).
    rows = len(cols)
    ours = cols[:, :k].reshape(rows, *kernel, shape[1]).transpose(0, 3, 1, 2).reshape(rows, -1)
    np.testing.assert_array_equal(ours, oracles.im2col(x, kernel, stride, padding))
    if ones:
        np.testing.assert_array_equal(cols[:, k], np.ones(rows, dtype))


@window_cases
@pytest.mark.parametrize("ones", [False, True], ids=["no bias", "bias folded"])
@layouts
@dtypes
def test_im2col_one_channel_equals_the_books(
    rng, shape, kernel, stride, padding, ones, layout, dtype
):
    shape = (shape[0], 1, *shape[2:])
    x = oracles.in_layout(rng.standard_normal(shape).astype(dtype), layout)
    cols_t = im2col_one_channel(x[:, 0], kernel, stride, padding=padding, ones=ones)
    book = oracles.im2col(x, kernel, stride, padding)
    k = kernel[0] * kernel[1]
    assert cols_t.shape == (k + ones, len(book)) and cols_t.dtype == dtype
    np.testing.assert_array_equal(cols_t[:k].T, book)
    if ones:
        np.testing.assert_array_equal(cols_t[k], np.ones(len(book), dtype))


@window_cases
@dtypes
def test_col2im_equals_the_books(rng, shape, kernel, stride, padding, dtype):
    n, c, h, w = shape
    (kh, kw), (ho, wo) = kernel, oracles.output_size(shape, kernel, stride, padding)
    col = small_integers(rng, (n * ho * wo, c * kh * kw), dtype, high=8)
    # Ours takes each row in (u, v, c) order.
    dcols = col.reshape(-1, c, kh, kw).transpose(0, 2, 3, 1).reshape(len(col), -1)
    dx = channels_last(np.full(shape, np.nan, dtype))
    windows.col2im(dcols.reshape(n, ho, wo, -1), *kernel, *stride, *padding, dx)
    book = oracles.col2im(col, shape, kernel, stride, padding)
    np.testing.assert_array_equal(channels_first(dx), book)
    image = col2im(dcols, dx.shape, kernel, stride, padding)  # the helper that allocates dx
    np.testing.assert_array_equal(channels_first(image), book)


def run_max_pool(x, kernel, stride, padding, relu):
    """The kernel on x (N, C, H, W): y (N, C, Ho, Wo) and the offsets of the first maxima."""
    ho, wo = oracles.output_size(x.shape, kernel, stride, padding)
    y = np.full((len(x), ho, wo, x.shape[1]), np.nan, x.dtype)
    first = np.full(y.shape, 99, np.int8)
    pool.max_pool(channels_last(x), *kernel, *stride, *padding, relu, y, first)
    return channels_first(y), first


@window_cases
@pytest.mark.parametrize("relu", [False, True], ids=["max", "max+relu"])
@layouts
@dtypes
def test_max_pool_equals_the_books(rng, shape, kernel, stride, padding, relu, layout, dtype):
    if 2 * padding[0] > kernel[0] or 2 * padding[1] > kernel[1]:
        pytest.skip("max pooling takes padding up to half the kernel")
    x = oracles.in_layout(small_integers(rng, shape, dtype), layout)
    y, first = run_max_pool(x, kernel, stride, padding, relu)
    y_book, first_book = oracles.max_pool(x, kernel, stride, padding)
    dy = small_integers(rng, y.shape, dtype, high=8)
    if relu:  # the book's ReLU after the pool: y = max(y, 0), dy passes where y > 0
        y_book, dy_book = np.maximum(y_book, 0), dy * (y_book > 0)
    else:
        dy_book = dy
    np.testing.assert_array_equal(y, y_book)
    y_inference = np.full(channels_last(y).shape, np.nan, dtype)  # no offsets kept
    pool.max_pool(channels_last(x), *kernel, *stride, *padding, relu, y_inference, None)
    np.testing.assert_array_equal(channels_first(y_inference), y_book)
    dx = channels_last(np.full(x.shape, np.nan, dtype))
    pool.pool_backward(channels_last(dy), first, 1, *kernel, *stride, *padding, dx)
    np.testing.assert_array_equal(
        channels_first(dx),
        oracles.max_pool_backward(dy_book, first_book, x.shape, kernel, stride, padding),
    )


TWO_BY_TWO = pytest.mark.parametrize(
    "shape", [(2, 3, 8, 6), (2, 3, 7, 9), (3, 37, 5, 4), (1, 1, 2, 2)], ids=str
)


@TWO_BY_TWO
@pytest.mark.parametrize("relu", [False, True], ids=["max", "max+relu"])
@layouts
@dtypes
def test_max_pool_2x2_equals_the_general_kernel(rng, shape, relu, layout, dtype):
    """The 2×2 fast path gives max_pool's values, offsets and gradients bit for bit: on ties
    (small integers), odd sizes (floor mode), NaN, ±∞ and −0, both memory layouts."""
    x = small_integers(rng, shape, dtype).ravel()
    x[rng.choice(x.size, x.size // 4, replace=False)] = rng.choice(
        np.array([np.nan, np.inf, -np.inf, -0.0], dtype), x.size // 4
    )
    x = oracles.in_layout(x.reshape(shape), layout)
    y, first = run_max_pool(x, (2, 2), (2, 2), (0, 0), relu)
    fast_y, fast_first = np.full_like(y, np.nan), np.full_like(first, 99)
    pool.max_pool_2x2(channels_last(x), relu, channels_last(fast_y), fast_first)
    np.testing.assert_array_equal(fast_y, y)
    assert np.array_equal(np.signbit(fast_y), np.signbit(y))  # −0 is made +0 alike
    np.testing.assert_array_equal(fast_first, first)
    inference_y = np.full_like(y, np.nan)
    pool.max_pool_2x2(channels_last(x), relu, channels_last(inference_y), None)
    np.testing.assert_array_equal(inference_y, y)
    dy = channels_last(small_integers(rng, y.shape, dtype, high=8))
    dx = np.full(channels_last(x).shape, np.nan, dtype)
    pool.pool_backward(dy, first, 1, 2, 2, 2, 2, 0, 0, dx)
    fast_dx = np.full_like(dx, np.nan)
    pool.max_pool_2x2_backward(dy, first, fast_dx)
    np.testing.assert_array_equal(fast_dx, dx)


@dtypes
def test_max_pool_nan_wins_and_relu_closes_on_it(dtype):
    x = np.array([[[[1, np.nan], [3, 2]]], [[[-1, -2], [-3, -4]]]], dtype)  # (2, 1, 2, 2)
    y, first = run_max_pool(x, (2, 2), (2, 2), (0, 0), relu=True)
    assert np.isnan(y[0, 0, 0, 0]) and y[1, 0, 0, 0] == 0  # NaN propagates, as in PyTorch
    np.testing.assert_array_equal(first.ravel(), [pool.NO_GRADIENT, pool.NO_GRADIENT])
    y, first = run_max_pool(x, (2, 2), (2, 2), (0, 0), relu=False)
    np.testing.assert_array_equal(first.ravel(), [1, 0])


@window_cases
@layouts
@dtypes
def test_avg_pool_equals_the_books(rng, shape, kernel, stride, padding, layout, dtype):
    if 2 * padding[0] > kernel[0] or 2 * padding[1] > kernel[1]:
        pytest.skip("average pooling takes padding up to half the kernel")
    x = oracles.in_layout(small_integers(rng, shape, dtype, high=8), layout)
    ho, wo = oracles.output_size(shape, kernel, stride, padding)
    area = dtype(kernel[0] * kernel[1])
    y = np.full((shape[0], ho, wo, shape[1]), np.nan, dtype)
    pool.avg_pool(channels_last(x), *kernel, *stride, *padding, area, y)
    np.testing.assert_array_equal(channels_first(y), oracles.avg_pool(x, kernel, stride, padding))
    # Multiples of the area: every share dy / area is an integer, exact in any order.
    dy = small_integers(rng, channels_first(y).shape, dtype, high=8) * area
    dx = channels_last(np.full(shape, np.nan, dtype))
    pool.pool_backward(channels_last(dy), None, area, *kernel, *stride, *padding, dx)
    np.testing.assert_array_equal(
        channels_first(dx), oracles.avg_pool_backward(dy, shape, kernel, stride, padding)
    )


ROWS = pytest.mark.parametrize("rows, channels", [(7, 3), (64 * 5, 64), (1, 1)])


@ROWS
@dtypes
def test_batch_norm_sums_equal_numpys(rng, rows, channels, dtype):
    x = (rng.standard_normal((rows, channels)) * 3 + 1).astype(dtype)
    dy = rng.standard_normal((rows, channels)).astype(dtype)
    mean = rng.standard_normal(channels)
    sums, squares = norm.channel_sums(x, x, np.zeros(channels))
    assert sums.dtype == squares.dtype == np.float64  # accumulated in float64
    x64, dy64 = x.astype(np.float64), dy.astype(np.float64)
    np.testing.assert_allclose(sums, x64.sum(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(squares, (x64 * x64).sum(axis=0), rtol=1e-12)
    sum_dy, sum_dy_xc = norm.channel_sums(dy, x, mean)
    np.testing.assert_allclose(sum_dy, dy64.sum(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sum_dy_xc, (dy64 * (x64 - mean)).sum(axis=0), rtol=1e-12, atol=1e-12)


@ROWS
@dtypes
def test_batch_norm_element_passes_equal_numpys_bit_for_bit(rng, rows, channels, dtype):
    x, dy = (rng.standard_normal((rows, channels)).astype(dtype) for _ in range(2))
    mean, scale, shift, b, d = (rng.standard_normal(channels).astype(dtype) for _ in range(5))
    y, dx = np.empty_like(x), np.empty_like(x)
    norm.normalise(x, mean, scale, shift, y)
    np.testing.assert_array_equal(y, (x - mean) * scale + shift)
    assert y.dtype == dtype
    norm.input_grad(dy, x, mean, scale, b, d, dx)
    np.testing.assert_array_equal(dx, scale * dy - b * (x - mean) - d)


@pytest.mark.parametrize("dtype", [np.float16, np.uint8])
def test_other_dtypes_are_computed_in_float32(rng, dtype):
    """Numba compiles no float16 arithmetic, and integers must become floats: the layers
    hand the kernels float32, with the values of the float32 input."""
    from nyangtorch import nn

    x = rng.integers(0, 5, (2, 3, 6, 6)).astype(dtype)
    for layer in (nn.Conv(3, 4, 3, padding=1), nn.MaxPool(2, relu=True), nn.AvgPool(3, 2, 1)):
        y = layer(x)
        assert y.dtype == np.float32
        np.testing.assert_array_equal(y, layer(x.astype(np.float32)))
        assert layer.backward(np.ones(y.shape, dtype)).dtype == np.float32
    norm_layer = nn.BatchNorm(3)
    assert norm_layer(x).dtype == np.float32
    assert norm_layer.backward(np.ones(x.shape, dtype)).dtype == np.float32
