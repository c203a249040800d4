"""Every branch of nn/windows.py against the book's plain loops (tests/nn/oracles.py), in
float32 and float64, on NCHW and channels-last memory."""

import numpy as np
import oracles
import pytest

from nyangtorch.nn.windows import (
    channels_first,
    channels_last,
    col2im,
    conv_output_size,
    im2col,
    im2col_by_columns,
    pad_hw,
    unpad_hw,
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
    "one-pixel kernel": ((2, 4, 5, 5), (1, 1), (1, 1), (0, 0)),
}
window_cases = pytest.mark.parametrize(
    "shape, kernel, stride, padding", list(WINDOW_CASES.values()), ids=list(WINDOW_CASES)
)
layouts = pytest.mark.parametrize("layout", oracles.LAYOUTS)
dtypes = pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])


def padded_view(x: np.ndarray, padding) -> np.ndarray:
    """What a layer hands the window functions: its input channels-last, padded."""
    return pad_hw(channels_last(x), padding)


@window_cases
@layouts
@dtypes
def test_im2col_equals_the_books(rng, shape, kernel, stride, padding, layout, dtype):
    x = oracles.in_layout(rng.standard_normal(shape).astype(dtype), layout)
    out = conv_output_size("test", shape[2:], kernel, stride, padding)
    assert out == oracles.output_size(shape, kernel, stride, padding)
    cols = im2col(padded_view(x, padding), kernel, stride, out)
    assert cols.dtype == dtype
    # A row of ours runs over (u, v, c), the book's over (c, u, v).
    rows = len(cols)
    cols = cols.reshape(rows, *kernel, shape[1]).transpose(0, 3, 1, 2).reshape(rows, -1)
    np.testing.assert_array_equal(cols, oracles.im2col(x, kernel, stride, padding))


@window_cases
@pytest.mark.parametrize("ones", [False, True], ids=["no bias", "bias folded"])
@layouts
@dtypes
def test_im2col_by_columns_equals_the_books(
    rng, shape, kernel, stride, padding, ones, layout, dtype
):
    shape = (shape[0], 1, *shape[2:])  # one channel
    x = oracles.in_layout(rng.standard_normal(shape).astype(dtype), layout)
    out = conv_output_size("test", shape[2:], kernel, stride, padding)
    cols_t = im2col_by_columns(padded_view(x, padding), kernel, stride, out, ones)
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
    (kh, kw), (ph, pw) = kernel, padding
    ho, wo = oracles.output_size(shape, kernel, stride, padding)
    # Small integers add exactly in any order, so ours (which adds in another order than the
    # book) must agree bit for bit.
    col = rng.integers(-8, 9, (n * ho * wo, c * kh * kw)).astype(dtype)
    # Ours takes the window gradients as one slab per kernel offset: (kh·kw, N, Ho, Wo, C).
    slabs = col.reshape(n, ho, wo, c, kh, kw).transpose(4, 5, 0, 1, 2, 3)
    slabs = slabs.reshape(kh * kw, n, ho, wo, c)
    dxp = col2im(slabs, (n, h + 2 * ph, w + 2 * pw, c), kernel, stride)
    assert dxp.dtype == dtype
    np.testing.assert_array_equal(
        channels_first(unpad_hw(dxp, padding)), oracles.col2im(col, shape, kernel, stride, padding)
    )
