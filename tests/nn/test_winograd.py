"""Winograd's F(2×2, 3×3) and F(4×4, 3×3) convolutions (nn/winograd.py, kernels/winograd.py,
kernels/winograd4.py, kernels/winograd_matrices.py): each transform against its matrix
formula, each adjoint against its transform, the unrolled loops against the general loops
over their matrices, and Conv(algorithm=...) against torch and against im2col, its plain
twin."""

import copy
import pickle
import re

import numpy as np
import pytest
import torch
from oracles import WINOGRAD_AT, WINOGRAD_BT, WINOGRAD_G, winograd_tiles
from torch_helpers import compare_layer

import nyangtorch
from nyangtorch import nn
from nyangtorch.nn import winograd
from nyangtorch.nn.kernels import winograd_matrices as general

DTYPES = [np.float32, np.float64]
TOL = {np.float32: 1e-5, np.float64: 1e-12}
# Bᵀ, G, Aᵀ per block size m: F(2×2)'s written out in oracles.py; F(4×4)'s the module's,
# which the Conv tests below check against torch.
MATRICES = {
    2: (WINOGRAD_BT, WINOGRAD_G, WINOGRAD_AT),
    4: (winograd.B4_T, winograd.G4, winograd.A4_T),
}
BLOCKS = pytest.mark.parametrize("m", [2, 4])


def close(ours, expected, dtype):
    np.testing.assert_allclose(ours, expected, rtol=TOL[dtype], atol=TOL[dtype])


@BLOCKS
@pytest.mark.parametrize("dtype", DTYPES)
def test_weight_tiles_are_g_w_gt(rng, dtype, m):
    g = MATRICES[m][1]
    w = rng.standard_normal((5, 3, 3, 3)).astype(dtype)
    expected = np.einsum("au,ocuv,bv->abco", g, w, g).reshape(-1, 3, 5)
    close(winograd.weight_tiles(w, m), expected, dtype)


@BLOCKS
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "h,w,padding,size",
    [
        (13, 13, (0, 0), (10, 10)),  # the reference CNN's conv2 with next_pool=2
        (13, 13, (0, 0), (11, 11)),  # the last tiles reach past the image
        (6, 7, (1, 1), (6, 7)),  # padded: the first tiles start outside it
        (3, 2, (2, 1), (5, 2)),  # an image smaller than a tile
    ],
)
def test_input_tiles_are_bt_d_b(rng, dtype, h, w, padding, size, m):
    bt, grid = MATRICES[m][0], winograd.tiles(size, m)
    x = rng.standard_normal((2, h, w, 3)).astype(dtype)
    d = winograd_tiles(x, padding, grid, m)
    expected = np.einsum("ar,nijrsc,bs->abnijc", bt, d, bt)
    close(winograd.input_tiles(x, padding, grid, m), expected.reshape((m + 2) ** 2, -1, 3), dtype)


@BLOCKS
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [(4, 6), (5, 3), (1, 1), (11, 9)])
def test_output_tiles_are_at_m_a_plus_bias(rng, dtype, size, m):
    at, alpha, grid = MATRICES[m][2], m + 2, winograd.tiles(size, m)
    mt = rng.standard_normal((alpha, alpha, 2, *grid, 3)).astype(dtype)
    bias = rng.standard_normal(3).astype(dtype)
    blocks = np.einsum("ar,rsnijo,bs->nijabo", at, mt, at)
    full = blocks.transpose(0, 1, 3, 2, 4, 5).reshape(2, m * grid[0], m * grid[1], 3)
    expected = full[:, : size[0], : size[1]] + bias
    flat = mt.reshape(alpha**2, -1, 3)
    close(winograd.output_tiles(flat, bias, (2, *size, 3), m), expected, dtype)
    close(winograd.output_tiles(flat, None, (2, *size, 3), m), expected - bias, dtype)


def inner(a, b):
    return float(np.sum(a * b, dtype=np.float64))


@BLOCKS
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "size,padding", [((10, 10), (0, 0)), ((5, 7), (1, 2)), ((1, 2), (1, 1)), ((11, 6), (0, 1))]
)
def test_each_adjoint_is_the_transpose_of_its_transform(rng, dtype, size, padding, m):
    """⟨T a, b⟩ = ⟨a, T* b⟩ for every pair of random a, b: T* is T's transpose, the map
    backward needs."""
    rel, entries = TOL[dtype], (m + 2) ** 2
    grid = winograd.tiles(size, m)
    h, w = size[0] + 2 - 2 * padding[0], size[1] + 2 - 2 * padding[1]
    x = rng.standard_normal((2, h, w, 3)).astype(dtype)
    dv = rng.standard_normal((entries, 2 * grid[0] * grid[1], 3)).astype(dtype)
    v = winograd.input_tiles(x, padding, grid, m)
    dx = winograd.input_tiles_adjoint(dv, padding, grid, x.shape, m)
    assert dx.dtype == dtype
    assert inner(v, dv) == pytest.approx(inner(x, dx), rel=rel)

    mt = rng.standard_normal((entries, 2 * grid[0] * grid[1], 4)).astype(dtype)
    dy = rng.standard_normal((2, *size, 4)).astype(dtype)
    dm, db = winograd.output_tiles_adjoint(dy, m)
    y = winograd.output_tiles(mt, None, dy.shape, m)
    assert dm.dtype == db.dtype == dtype
    assert inner(y, dy) == pytest.approx(inner(mt, dm), rel=rel)
    np.testing.assert_allclose(db, dy.sum(axis=(0, 1, 2), dtype=np.float64), rtol=rel)

    g = rng.standard_normal((4, 3, 3, 3)).astype(dtype)
    du_t = rng.standard_normal((entries, 4, 3)).astype(dtype)  # each entry's (O, C) gradient
    u = winograd.weight_tiles(g, m)
    assert inner(u.transpose(0, 2, 1), du_t) == pytest.approx(
        inner(g, winograd.weight_tiles_adjoint(du_t, m)), rel=rel
    )


@BLOCKS
@pytest.mark.parametrize("dtype", DTYPES)
def test_the_unrolled_loops_are_the_general_loops_on_their_matrices(rng, dtype, m):
    """kernels/winograd.py (F(2×2)) and kernels/winograd4.py (F(4×4)) write the sums out by
    hand; the general loops over Bᵀ and Aᵀ (kernels/winograd_matrices.py) are their plain
    twin: the same numbers, for padded images and part-filled last blocks."""
    bt, g, at = (a.astype(dtype) for a in MATRICES[m])
    alpha = m + 2
    x = rng.standard_normal((2, 7, 10, 3)).astype(dtype)
    size, padding = (6, 9), (1, 1)  # widths not a multiple of m: a part-filled last block
    grid = winograd.tiles(size, m)
    v = np.empty((alpha, alpha, 2, *grid, 3), dtype)
    general.input_tiles(x, *padding, bt, v)
    close(winograd.input_tiles(x, padding, grid, m), v.reshape(alpha**2, -1, 3), dtype)
    dx = np.empty(x.shape, dtype)
    general.input_tiles_adjoint(v, *padding, bt, dx)
    ours_dx = winograd.input_tiles_adjoint(v.reshape(alpha**2, -1, 3), padding, grid, x.shape, m)
    close(ours_dx, dx, dtype)

    mt = rng.standard_normal((alpha, alpha, 2, *grid, 5)).astype(dtype)
    bias = rng.standard_normal(5).astype(dtype)
    y = np.empty((2, *size, 5), dtype)
    general.output_tiles(mt, at, bias, y)
    close(winograd.output_tiles(mt.reshape(alpha**2, -1, 5), bias, y.shape, m), y, dtype)
    dm, db = np.empty_like(mt), np.empty(5)
    general.output_tiles_adjoint(y, at, dm, db)
    ours_dm, ours_db = winograd.output_tiles_adjoint(y, m)
    close(ours_dm, dm.reshape(alpha**2, -1, 5), dtype)
    close(ours_db, db, dtype)


@BLOCKS
@pytest.mark.parametrize("dtype", DTYPES)
def test_the_unrolled_weight_transforms_are_the_general_loops(rng, dtype, m):
    """The weight transforms written out, against the general loops over G; F(4×4)'s add in
    the loops' order, so they give the same numbers bit for bit."""
    g, alpha = MATRICES[m][1].astype(dtype), m + 2
    w = rng.standard_normal((5, 3, 3, 3)).astype(dtype)
    u = np.empty((alpha, alpha, 3, 5), dtype)
    general.weight_tiles(np.ascontiguousarray(w.transpose(2, 3, 1, 0)), g, u)
    du = np.ascontiguousarray(u.transpose(0, 1, 3, 2))  # (α, α, O, C)
    dw = np.empty((5, 3, 3, 3), dtype)
    general.weight_tiles_adjoint(du, g, dw)
    ours_u = winograd.weight_tiles(w, m)
    ours_dw = winograd.weight_tiles_adjoint(du.reshape(alpha**2, 5, 3), m)
    close(ours_u, u.reshape(alpha**2, 3, 5), dtype)
    close(ours_dw, dw.transpose(0, 3, 1, 2), dtype)
    if m == 4:
        np.testing.assert_array_equal(ours_u, u.reshape(alpha**2, 3, 5))
        np.testing.assert_array_equal(ours_dw, dw.transpose(0, 3, 1, 2))


def test_the_block_size_is_2_or_4():
    with pytest.raises(ValueError, match="block size m must be 2 or 4, got 3"):
        winograd.weight_tiles(np.zeros((2, 2, 3, 3)), 3)


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


@pytest.mark.parametrize("algorithm", ["winograd", "winograd4", "im2col"])
@pytest.mark.parametrize("n,c,o,h,w,p,q,bias", WINOGRAD_CASES)
def test_conv_algorithms_match_torch(rng, algorithm, n, c, o, h, w, p, q, bias):
    # init="torch": a random bias (He's is zero), so the bias's own path is compared too
    ours = nn.Conv(c, o, 3, padding=p, bias=bias, next_pool=q, algorithm=algorithm, init="torch")
    assert ours.uses_winograd() == (algorithm != "im2col")
    x = rng.standard_normal((n, c, h, w))
    theirs = torch.nn.Conv2d(c, o, 3, padding=p, bias=bias)
    if q is not None:  # the pool reads the outputs both compute
        ours, theirs = (
            nn.NyangFlow(ours, nn.MaxPool(q)),
            torch.nn.Sequential(theirs, torch.nn.MaxPool2d(q)),
        )
    compare_layer(ours, theirs, x)


@pytest.mark.parametrize(
    "size,padding,block", [((6, 5), 1, 2), ((13, 13), 0, 4)]
)  # outputs 6×5: F(2×2, 3×3); 11×11: F(4×4, 3×3)
def test_the_default_runs_winograd_at_32_channels_and_matches_torch(rng, size, padding, block):
    ours = nn.Conv(32, 32, 3, padding=padding, init="torch")
    assert ours.algorithm == "auto" and ours.uses_winograd()
    assert ours.winograd_block((size[0] + 2 * padding - 2, size[1] + 2 * padding - 2)) == block
    x = rng.standard_normal((2, 32, *size))
    compare_layer(ours, torch.nn.Conv2d(32, 32, 3, padding=padding), x)


@pytest.mark.parametrize("algorithm,atol", [("winograd", 1e-6), ("winograd4", 1e-5)])
def test_winograd_matches_im2col_in_float32(rng, algorithm, atol):
    """float32 data through both paths: the same numbers up to float32 rounding (of the
    sums, so relative to the largest value; F(4×4)'s larger transforms round more)."""
    plain = nn.Conv(8, 6, 3, padding=1, algorithm="im2col", init="torch")
    fast = copy.deepcopy(plain)
    fast.algorithm = algorithm
    x = rng.standard_normal((4, 8, 9, 10)).astype(np.float32)
    dy = rng.standard_normal((4, 6, 9, 10)).astype(np.float32)
    outputs = [(m(x), m.backward(dy), m.weight.grad, m.bias.grad) for m in (plain, fast)]
    for expected, ours in zip(*outputs):
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours, expected, rtol=0, atol=atol * np.abs(expected).max())


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


@pytest.mark.parametrize("dtype", DTYPES)
def test_f2_gives_blank_windows_exactly_the_bias(rng, dtype):
    """Each F(2×2) output sums only its own window's pixels (the zeros of Bᵀ and Aᵀ), so a
    window of zeros gives exactly the bias, as torch's convolution does: ReLU's and
    max-pool's ties then match torch's (why "auto" keeps F(2×2) for 10×10 outputs)."""
    conv = nn.Conv(32, 8, 3, algorithm="winograd", init="torch").to(dtype)
    x = rng.standard_normal((2, 32, 12, 12)).astype(dtype)
    x[:, :, :, :7] = 0  # the outputs' columns 0–4 see only zeros
    y = conv(x)
    expected = np.broadcast_to(conv.bias.data[None, :, None, None], (2, 8, 10, 5))
    np.testing.assert_array_equal(y[..., :5], expected)
    assert (y[..., 5:] != expected[..., :1]).all()


@pytest.mark.parametrize(
    "size,block,block_no_grad",
    [((11, 11), 4, 4), ((7, 7), 4, 4), ((28, 28), 4, 4), ((11, 10), 2, 4)]
    + [((10, 10), 2, 4), ((14, 14), 2, 4), ((6, 6), 2, 2), ((2, 2), 2, 2), ((10, 5), 2, 2)],
)
def test_auto_picks_f4_where_it_needs_few_enough_of_f2s_products(size, block, block_no_grad):
    """At most 0.6 of F(2×2)'s products with gradients, 0.85 without and in backward.
    11×11: 9 blocks of 4×4 (324 products) against 36 of 2×2 (576), 0.56; 11×10: 324 against
    480, 0.675; 10×10: 324 against 400, 0.81; 6×6: 144 against 144; 2×2: 36 against 16;
    10×5: 216 against 240, 0.9."""
    conv = nn.Conv(32, 64, 3)
    assert conv.winograd_block(size) == conv.winograd_block(size, gradients=True) == block
    assert conv.winograd_block(size, gradients=False) == block_no_grad
    assert conv.winograd_backward_block(size) == block_no_grad
    with nyangtorch.no_grad():
        assert conv.winograd_block(size) == block_no_grad
    for gradients in (True, False):
        assert nn.Conv(32, 64, 3, algorithm="winograd").winograd_block(size, gradients) == 2
        assert nn.Conv(1, 8, 3, algorithm="winograd4").winograd_block(size, gradients) == 4
        assert nn.Conv(16, 64, 3).winograd_block(size, gradients) == 0  # im2col
    assert nn.Conv(32, 64, 3, algorithm="winograd").winograd_backward_block(size) == 2
    assert nn.Conv(16, 64, 3).winograd_backward_block(size) == 0


@pytest.mark.parametrize(
    "padding,side,next_pool,dtype",
    [(0, 12, None, np.float64), (1, 10, None, np.float64), (0, 13, 2, np.float64)]
    + [(0, 13, 2, np.float32)],
)
def test_backward_runs_f4_after_an_f2_forward_and_matches_torch(
    rng, padding, side, next_pool, dtype
):
    """The reference CNN's conv2 (10×10 outputs; with next_pool=2 from a 13×13 input, whose
    last row and column the F(4×4) tiles still read) trains forward on F(2×2), for exact
    blank windows, and backward on F(4×4), its V made from the kept input: the outputs are
    F(2×2)'s bit for bit, the gradients F(4×4)'s, and both torch's up to rounding."""
    conv = nn.Conv(32, 64, 3, padding=padding, init="torch", next_pool=next_pool).to(dtype)
    f2, f4 = copy.deepcopy(conv), copy.deepcopy(conv)
    f2.algorithm, f4.algorithm = "winograd", "winograd4"
    x = rng.standard_normal((2, 32, side, side)).astype(dtype)
    dy = rng.standard_normal((2, 64, 10, 10)).astype(dtype)
    y = conv(x)
    np.testing.assert_array_equal(y, f2(x))
    f4(x)
    dx = conv.backward(dy)
    np.testing.assert_array_equal(dx, f4.backward(dy))
    np.testing.assert_array_equal(conv.weight.grad, f4.weight.grad)
    np.testing.assert_array_equal(conv.bias.grad, f4.bias.grad)
    if next_pool is None:  # torch's Conv2d computes every output; compared in float64
        compare_layer(conv, torch.nn.Conv2d(32, 64, 3, padding=padding), x)
    else:  # without next_pool: the same gradients for the outputs the pool reads
        full = nn.Conv(32, 64, 3, algorithm="im2col").to(dtype)
        full.load_state_dict(conv.state_dict())
        full(x)
        dy_full = np.zeros((2, 64, 11, 11), dtype)
        dy_full[:, :, :10, :10] = dy
        pairs = [(dx, full.backward(dy_full)), (conv.weight.grad, full.weight.grad)]
        for ours, expected in pairs:  # F(4×4) rounds to ~2e-6 of the largest terms in float32
            scale = np.abs(expected).max()
            np.testing.assert_allclose(ours, expected, atol=TOL[dtype] * 10 * scale)


def test_a_forward_pass_without_gradients_runs_f4_at_10x10_and_matches(rng):
    """The reference CNN's conv2 (10×10 outputs): F(2×2) when training, F(4×4) under
    no_grad; both the convolution up to rounding."""
    conv = nn.Conv(32, 64, 3, init="torch").to(np.float64)
    f2, f4 = copy.deepcopy(conv), copy.deepcopy(conv)
    f2.algorithm, f4.algorithm = "winograd", "winograd4"
    x = rng.standard_normal((2, 32, 12, 12))
    with_grad = conv(x)
    np.testing.assert_array_equal(with_grad, f2(x))
    with nyangtorch.no_grad():
        without = conv(x)
    np.testing.assert_array_equal(without, f4(x))
    expected = torch.nn.functional.conv2d(
        torch.from_numpy(x), torch.from_numpy(conv.weight.data), torch.from_numpy(conv.bias.data)
    ).numpy()
    np.testing.assert_allclose(with_grad, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(without, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(algorithm="fft"), "must be 'auto', 'im2col', 'winograd' or 'winograd4', got 'fft'"),
        (dict(algorithm="winograd", stride=2), "kernel (3, 3) at stride (2, 2)"),
        (dict(algorithm="winograd", kernel_size=5), "kernel (5, 5) at stride (1, 1)"),
        (dict(algorithm="winograd4", stride=2), "='winograd4' is F(4×4, 3×3), for a 3×3 kernel"),
    ],
)
def test_algorithm_is_checked(kwargs, message):
    kwargs = {"kernel_size": 3, **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        nn.Conv(2, 3, **kwargs)


def test_repr_names_an_algorithm_that_is_not_auto():
    assert "algorithm='im2col'" in repr(nn.Conv(2, 3, 3, algorithm="im2col"))
    assert "algorithm" not in repr(nn.Conv(2, 3, 3))


@pytest.mark.parametrize(
    "first,then", [("winograd", "im2col"), ("im2col", "winograd"), ("winograd4", "winograd")]
)
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
@pytest.mark.parametrize("algorithm", ["winograd", "winograd4"])
def test_other_dtypes_run_winograd_in_float32(rng, algorithm):
    """float16 parameters and integer images, as in im2col: computed in float32."""
    conv = nn.Conv(3, 4, 3, padding=1, algorithm=algorithm).to(np.float16)
    x = rng.integers(0, 5, (2, 3, 6, 6)).astype(np.uint8)
    y = conv(x)
    assert y.dtype == np.float32
    assert conv.backward(np.ones(y.shape, np.float16)).dtype == np.float32
    plain = copy.deepcopy(conv)
    plain.algorithm = "im2col"
    np.testing.assert_allclose(y, plain(x), rtol=1e-5, atol=1e-3)


@BLOCKS
def test_the_weight_tiles_are_made_again_when_the_weights_change(rng, m):
    """Conv reuses U while its weights are unchanged; a change in place (an optimizer step),
    a new array (a load) or another block size makes it again; copies and pickles leave it."""
    conv = nn.Conv(2, 3, 3, algorithm=f"winograd{m if m == 4 else ''}").to(np.float64)
    x = rng.standard_normal((2, 2, 6, 6))

    def fresh_output():
        twin = nn.Conv(2, 3, 3, algorithm=conv.algorithm).to(np.float64)
        twin.load_state_dict(conv.state_dict())
        return twin(x)

    conv(x)
    assert conv._weight_tiles(m) is conv._weight_tiles(m)  # unchanged weights: made once
    conv.weight.data += 1  # in place, the same array
    np.testing.assert_array_equal(conv(x), fresh_output())
    conv.weight.data = rng.standard_normal(conv.weight.data.shape)
    np.testing.assert_array_equal(conv(x), fresh_output())
    conv.algorithm = "winograd4" if m == 2 else "winograd"
    np.testing.assert_array_equal(conv(x), fresh_output())
    assert "_tiles_memo" not in copy.deepcopy(conv).__dict__
    assert "_tiles_memo" not in pickle.loads(pickle.dumps(conv)).__dict__
