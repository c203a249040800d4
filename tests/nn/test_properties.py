"""Property tests: random shapes, strides and paddings against torch."""

import numpy as np
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch_helpers import compare_layer

from nyangtorch import nn


@st.composite
def conv_case(draw):
    k = draw(st.integers(1, 4))
    s = draw(st.integers(1, 3))
    p = draw(st.integers(0, k // 2))
    h = draw(st.integers(max(1, k - 2 * p), 10))
    w = draw(st.integers(max(1, k - 2 * p), 10))
    return dict(
        n=draw(st.integers(1, 3)),
        c=draw(st.integers(1, 3)),
        o=draw(st.integers(1, 4)),
        h=h,
        w=w,
        k=k,
        s=s,
        p=p,
        seed=draw(st.integers(0, 10**6)),
    )


@settings(max_examples=40, deadline=None)
@given(conv_case())
def test_conv_any_shape(case):
    """With the default algorithm, im2col at these channel counts (the next test runs
    Winograd on random shapes, padding 0 or 1)."""
    x = np.random.default_rng(case["seed"]).standard_normal(
        (case["n"], case["c"], case["h"], case["w"])
    )
    compare_layer(
        nn.Conv(case["c"], case["o"], case["k"], case["s"], case["p"]),
        torch.nn.Conv2d(case["c"], case["o"], case["k"], case["s"], case["p"]),
        x,
    )


@settings(max_examples=40, deadline=None)
@given(conv_case(), st.sampled_from(["winograd", "im2col"]))
def test_conv_3x3_stride_1_any_shape_either_algorithm(case, algorithm):
    p = min(case["p"], 1)
    assume(case["h"] + 2 * p >= 3 and case["w"] + 2 * p >= 3)
    x = np.random.default_rng(case["seed"]).standard_normal(
        (case["n"], case["c"], case["h"], case["w"])
    )
    compare_layer(
        nn.Conv(case["c"], case["o"], 3, padding=p, algorithm=algorithm),
        torch.nn.Conv2d(case["c"], case["o"], 3, padding=p),
        x,
    )


@settings(max_examples=40, deadline=None)
@given(conv_case(), st.booleans())
def test_pool_any_shape(case, use_max):
    x = np.random.default_rng(case["seed"]).standard_normal(
        (case["n"], case["c"], case["h"], case["w"])
    )
    ours = (nn.MaxPool if use_max else nn.AvgPool)(case["k"], case["s"], case["p"])
    theirs = (torch.nn.MaxPool2d if use_max else torch.nn.AvgPool2d)(
        case["k"], case["s"], case["p"]
    )
    compare_layer(ours, theirs, x)


@settings(max_examples=40, deadline=None)
@given(conv_case(), st.integers(1, 3), st.booleans())
def test_conv_next_pool_any_shape(case, q, use_max):
    """A Conv told its next pool, then that pool, against torch's Conv2d (every output) and
    the same pool."""
    out = [(n + 2 * case["p"] - case["k"]) // case["s"] + 1 for n in (case["h"], case["w"])]
    assume(min(out) >= q)  # the pool needs one window
    x = np.random.default_rng(case["seed"]).standard_normal(
        (case["n"], case["c"], case["h"], case["w"])
    )
    window = case["c"], case["o"], case["k"], case["s"], case["p"]
    pool, torch_pool = (
        (nn.MaxPool, torch.nn.MaxPool2d) if use_max else (nn.AvgPool, torch.nn.AvgPool2d)
    )
    compare_layer(
        nn.NyangFlow(nn.Conv(*window, next_pool=q), pool(q)),
        torch.nn.Sequential(torch.nn.Conv2d(*window), torch_pool(q)),
        x,
    )


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 8), st.integers(1, 8), st.integers(0, 10**6))
def test_linear_any_shape(n, i, o, seed):
    x = np.random.default_rng(seed).standard_normal((n, i))
    compare_layer(nn.Linear(i, o), torch.nn.Linear(i, o), x)
