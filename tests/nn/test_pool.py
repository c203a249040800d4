"""MaxPool (with and without its fused ReLU) against the book's plain max pooling
(tests/nn/oracles.py), on random shapes."""

import numpy as np
import oracles
from hypothesis import given, settings
from hypothesis import strategies as st

from nyangtorch import nn


@st.composite
def pool_case(draw):
    kernel = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    h, w = (draw(st.integers(max(1, k - 2 * p), 10)) for k, p in zip(kernel, padding))
    return dict(
        shape=(draw(st.integers(1, 3)), draw(st.integers(1, 4)), h, w),
        kernel=kernel,
        stride=stride,
        padding=padding,
        layout=draw(st.sampled_from(oracles.LAYOUTS)),
        dtype=draw(st.sampled_from([np.float32, np.float64])),
        relu=draw(st.booleans()),
        seed=draw(st.integers(0, 10**6)),
    )


@settings(max_examples=80, deadline=None)
@given(pool_case())
def test_maxpool_equals_the_books_pooling(case):
    rng = np.random.default_rng(case["seed"])
    window = case["kernel"], case["stride"], case["padding"]
    # Values from {−2, …, 2}: windows full of ties, whose gradient goes to the first maximum.
    x = rng.integers(-2, 3, case["shape"]).astype(case["dtype"])
    x = oracles.in_layout(x, case["layout"])
    pool = nn.MaxPool(*window, relu=case["relu"])
    y = pool(x)
    y_book, first = oracles.max_pool(x, *window)
    # Small integers again: where windows overlap, gradients add exactly in any order.
    dy = rng.integers(-8, 9, y.shape).astype(case["dtype"])
    dy_book = dy
    if case["relu"]:  # the book's ReLU after the pool
        y_book, dy_book = np.maximum(y_book, 0), dy * (y_book > 0)
    assert y.dtype == case["dtype"]
    np.testing.assert_array_equal(y, y_book)
    np.testing.assert_array_equal(
        pool.backward(dy), oracles.max_pool_backward(dy_book, first, x.shape, *window)
    )
