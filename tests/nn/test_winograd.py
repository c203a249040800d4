"""Winograd's F(2×2, 3×3) convolution (nn/winograd.py, kernels/winograd.py): each transform
against its matrix formula, each adjoint against its transform, and Conv(algorithm=...)
against torch and against im2col, its plain twin."""

import copy
import re

import numpy as np
import pytest
import torch
from oracles import WINOGRAD_AT, WINOGRAD_BT, WINOGRAD_G, winograd_tiles
from torch_helpers import compare_layer

from nyangtorch import nn
from nyangtorch.nn import winograd

DTYPES = [np.float32, np.float64]
TOL = {np.float32: 1e-5, np.float64: 1e-12}


def close(ours, expected, dtype):
    np.testing.assert_allclose(ours, expected, rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_weight_tiles_are_g_w_gt(rng, dtype):
    w = rng.standard_normal((5, 3, 3, 3)).astype(dtype)
    expected = np.einsum("au,ocuv,bv->abco", WINOGRAD_G, w, WINOGRAD_G).reshape(16, 3, 5)
    close(winograd.weight_tiles(w), expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "h,w,padding,grid",
    [
        (13, 13, (0, 0), (5, 5)),  # the reference CNN's conv2 with next_pool=2: 10×10 outputs
        (13, 13, (0, 0), (6, 6)),  # 11×11 outputs: the last tiles reach past the image
        (6, 7, (1, 1), (3, 4)),  # padded: the first tiles start outside it
        (3, 2, (2, 1), (3, 2)),  # an image smaller than a tile
    ],
)
def test_input_tiles_are_bt_d_b(rng, dtype, h, w, padding, grid):
    x = rng.standard_normal((2, h, w, 3)).astype(dtype)
    d = winograd_tiles(x, padding, grid)
    expected = np.einsum("ar,nijrsc,bs->abnijc", WINOGRAD_BT, d, WINOGRAD_BT)
    close(winograd.input_tiles(x, padding, grid), expected.reshape(16, -1, 3), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [(4, 6), (5, 3), (1, 1)])
def test_output_tiles_are_at_m_a_plus_bias(rng, dtype, size):
    grid = winograd.tiles(size)
    m = rng.standard_normal((4, 4, 2, *grid, 3)).astype(dtype)
    bias = rng.standard_normal(3).astype(dtype)
    blocks = np.einsum("ar,rsnijo,bs->nijabo", WINOGRAD_AT, m, WINOGRAD_AT)
    full = blocks.transpose(0, 1, 3, 2, 4, 5).reshape(2, 2 * grid[0], 2 * grid[1], 3)
    expected = full[:, : size[0], : size[1]] + bias
    ours = winograd.output_tiles(m.reshape(16, -1, 3), bias, (2, *size, 3))
    close(ours, expected, dtype)
    close(winograd.output_tiles(m.reshape(16, -1, 3), None, (2, *size, 3)), expected - bias, dtype)


def inner(a, b):
    return float(np.sum(a * b, dtype=np.float64))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size,padding", [((10, 10), (0, 0)), ((5, 7), (1, 2)), ((1, 2), (1, 1))])
def test_each_adjoint_is_the_transpose_of_its_transform(rng, dtype, size, padding):
    """⟨T a, b⟩ = ⟨a, T* b⟩ for every pair of random a, b: T* is T's transpose, the map
    backward needs."""
    rel = TOL[dtype]
    grid = winograd.tiles(size)
    h, w = size[0] + 2 - 2 * padding[0], size[1] + 2 - 2 * padding[1]
    x = rng.standard_normal((2, h, w, 3)).astype(dtype)
    dv = rng.standard_normal((16, 2 * grid[0] * grid[1], 3)).astype(dtype)
    v = winograd.input_tiles(x, padding, grid)
    dx = winograd.input_tiles_adjoint(dv, padding, grid, x.shape)
    assert dx.dtype == dtype
    assert inner(v, dv) == pytest.approx(inner(x, dx), rel=rel)

    m = rng.standard_normal((16, 2 * grid[0] * grid[1], 4)).astype(dtype)
    dy = rng.standard_normal((2, *size, 4)).astype(dtype)
    dm, db = winograd.output_tiles_adjoint(dy)
    y = winograd.output_tiles(m, None, dy.shape)
    assert dm.dtype == db.dtype == dtype
    assert inner(y, dy) == pytest.approx(inner(m, dm), rel=rel)
    np.testing.assert_allclose(db, dy.sum(axis=(0, 1, 2), dtype=np.float64), rtol=rel)

    g = rng.standard_normal((4, 3, 3, 3)).astype(dtype)
    du_t = rng.standard_normal((16, 4, 3)).astype(dtype)  # each entry's (O, C) gradient
    u = winograd.weight_tiles(g)
    assert inner(u.transpose(0, 2, 1), du_t) == pytest.approx(
        inner(g, winograd.weight_tiles_adjoint(du_t)), rel=rel
    )


def test_weight_tiles_take_only_3x3_filters():
    with pytest.raises(ValueError, match=re.escape("(O, C, 3, 3) weights, got (2, 2, 5, 5)")):
        winograd.weight_tiles(np.zeros((2, 2, 5, 5)))


WINOGRAD_CASES = [
    # N, C, O, H, W, padding, next_pool, bias
    (2, 3, 4, 13, 13, 0, 2, True),  # the reference CNN's conv2, cut to the 10×10 its pool reads
    (2, 3, 4, 13, 13, 0, None, True),  # 11×11: the last blocks are part-filled
    (3, 2, 5, 8, 7, 1, None, False),  # "same" padding, odd width, no bias
    (1, 4, 2, 5, 6, 2, None, True),  # more padding than the tile's overlap
    (2, 1, 3, 9, 8, 0, None, True),  # one input channel
    (2, 3, 1, 6, 5, 1, None, True),  # one output channel
    (2, 2, 3, 3, 3, 0, None, True),  # a 1×1 output: one block, three quarters outside
]


@pytest.mark.parametrize("algorithm", ["winograd", "im2col"])
@pytest.mark.parametrize("n,c,o,h,w,p,q,bias", WINOGRAD_CASES)
def test_conv_algorithms_match_torch(rng, algorithm, n, c, o, h, w, p, q, bias):
    # init="torch": a random bias (He's is zero), so the bias's own path is compared too
    ours = nn.Conv(c, o, 3, padding=p, bias=bias, next_pool=q, algorithm=algorithm, init="torch")
    assert ours.uses_winograd() == (algorithm == "winograd")
    x = rng.standard_normal((n, c, h, w))
    theirs = torch.nn.Conv2d(c, o, 3, padding=p, bias=bias)
    if q is not None:  # the pool reads the outputs both compute
        ours, theirs = (
            nn.NyangFlow(ours, nn.MaxPool(q)),
            torch.nn.Sequential(theirs, torch.nn.MaxPool2d(q)),
        )
    compare_layer(ours, theirs, x)


def test_the_default_runs_winograd_at_32_channels_and_matches_torch(rng):
    ours = nn.Conv(32, 32, 3, padding=1, init="torch")
    assert ours.algorithm == "auto" and ours.uses_winograd()
    compare_layer(ours, torch.nn.Conv2d(32, 32, 3, padding=1), rng.standard_normal((2, 32, 6, 5)))


def test_winograd_matches_im2col_in_float32(rng):
    """float32 data through both paths: the same numbers up to float32 rounding (of the
    sums, so relative to the largest value)."""
    plain = nn.Conv(8, 6, 3, padding=1, algorithm="im2col", init="torch")
    fast = copy.deepcopy(plain)
    fast.algorithm = "winograd"
    x = rng.standard_normal((4, 8, 9, 10)).astype(np.float32)
    dy = rng.standard_normal((4, 6, 9, 10)).astype(np.float32)
    outputs = [(m(x), m.backward(dy), m.weight.grad, m.bias.grad) for m in (plain, fast)]
    for expected, ours in zip(*outputs):
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-6 * np.abs(expected).max())


def test_auto_picks_winograd_for_3x3_stride_1_and_32_channels_or_more():
    assert nn.Conv(32, 64, 3).uses_winograd()
    assert nn.Conv(64, 32, 3, padding=1, next_pool=2).uses_winograd()
    assert not nn.Conv(16, 64, 3).uses_winograd()
    assert not nn.Conv(64, 16, 3).uses_winograd()
    assert not nn.Conv(1, 32, 3).uses_winograd()
    assert not nn.Conv(32, 32, 3, stride=2).uses_winograd()
    assert not nn.Conv(32, 32, 5).uses_winograd()
    assert nn.Conv(1, 32, 3, algorithm="winograd").uses_winograd()
    assert not nn.Conv(32, 64, 3, algorithm="im2col").uses_winograd()


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(algorithm="fft"), "algorithm must be 'auto', 'im2col' or 'winograd', got 'fft'"),
        (dict(algorithm="winograd", stride=2), "kernel (3, 3) at stride (2, 2)"),
        (dict(algorithm="winograd", kernel_size=5), "kernel (5, 5) at stride (1, 1)"),
    ],
)
def test_algorithm_is_checked(kwargs, message):
    kwargs = {"kernel_size": 3, **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        nn.Conv(2, 3, **kwargs)


def test_repr_names_an_algorithm_that_is_not_auto():
    assert "algorithm='im2col'" in repr(nn.Conv(2, 3, 3, algorithm="im2col"))
    assert "algorithm" not in repr(nn.Conv(2, 3, 3))


@pytest.mark.parametrize("first,then", [("winograd", "im2col"), ("im2col", "winograd")])
def test_backward_follows_the_algorithm_its_forward_ran(rng, first, then):
    """Switching the algorithm between forward and backward does not mix the two: the
    gradients are those of an unswitched twin."""
    conv = nn.Conv(2, 3, 3, algorithm=first, init="torch").to(np.float64)
    twin = copy.deepcopy(conv)
    x = rng.standard_normal((2, 2, 6, 6))
    dy = rng.standard_normal((2, 3, 4, 4))
    conv(x)
    conv.algorithm = then
    twin(x)
    np.testing.assert_array_equal(conv.backward(dy), twin.backward(dy))
    np.testing.assert_array_equal(conv.weight.grad, twin.weight.grad)
    np.testing.assert_array_equal(conv.bias.grad, twin.bias.grad)


@pytest.mark.parametrize("kernel_size,stride", [(5, 1), (3, 2)])
def test_an_algorithm_set_later_is_checked_when_used(rng, kernel_size, stride):
    conv = nn.Conv(2, 3, kernel_size, stride=stride)
    conv.algorithm = "winograd"
    with pytest.raises(ValueError, match=r"algorithm='winograd' is F\(2×2, 3×3\)"):
        conv(rng.standard_normal((1, 2, 8, 8)))


@pytest.mark.filterwarnings("ignore:.*integer pixels")  # warned once per process, elsewhere
def test_other_dtypes_run_winograd_in_float32(rng):
    """float16 parameters and integer images, as in im2col: computed in float32."""
    conv = nn.Conv(3, 4, 3, padding=1, algorithm="winograd").to(np.float16)
    x = rng.integers(0, 5, (2, 3, 6, 6)).astype(np.uint8)
    y = conv(x)
    assert y.dtype == np.float32
    assert conv.backward(np.ones(y.shape, np.float16)).dtype == np.float32
    plain = copy.deepcopy(conv)
    plain.algorithm = "im2col"
    np.testing.assert_allclose(y, plain(x), rtol=1e-5, atol=1e-3)
