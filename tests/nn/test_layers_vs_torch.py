"""Every layer against torch 2.13 in float64: forward, input grad, parameter grads."""

import re

import numpy as np
import pytest
import torch
from torch_helpers import compare_layer

from nyangtorch import nn


# Fewer samples than outputs runs forward as yᵀ = W xᵀ (see Linear.forward): both ways here.
@pytest.mark.parametrize(
    "n,i,o,bias", [(5, 7, 3, True), (1, 4, 9, False), (3, 12, 8, True), (16, 33, 10, True)]
)
def test_linear(rng, n, i, o, bias):
    compare_layer(
        nn.Linear(i, o, bias=bias), torch.nn.Linear(i, o, bias=bias), rng.standard_normal((n, i))
    )


CONV_CASES = [
    # N, C, O, H, W, kernel, stride, padding, bias
    (2, 1, 4, 8, 8, 3, 1, 0, True),
    (3, 2, 5, 7, 9, 3, 2, 1, True),
    (2, 3, 2, 11, 6, (3, 2), (2, 1), (1, 0), False),
    (1, 4, 3, 5, 5, 1, 1, 0, True),
    (2, 2, 3, 9, 9, 5, 3, 2, True),
    (4, 1, 32, 28, 28, 3, 1, 0, True),
    # one input channel (X built by columns, bias folded into the product), strided and padded
    (2, 1, 3, 9, 8, (3, 2), 2, 1, False),
    (2, 1, 3, 7, 7, 3, 2, 1, True),
    # windows that tile (stride = kernel, "patchify"): the input gradient is written, not added
    (2, 3, 4, 9, 8, 2, 2, 0, True),
]


@pytest.mark.parametrize("n,c,o,h,w,k,s,p,bias", CONV_CASES)
def test_conv(rng, n, c, o, h, w, k, s, p, bias):
    ours = nn.Conv(c, o, k, stride=s, padding=p, bias=bias)
    theirs = torch.nn.Conv2d(c, o, k, stride=s, padding=p, bias=bias)
    compare_layer(ours, theirs, rng.standard_normal((n, c, h, w)))


@pytest.mark.parametrize(
    "c,h,w,k,s,p,q,kept",
    [
        (3, 13, 13, 3, 1, 0, 2, (10, 10)),  # the reference CNN's conv2: 11×11, pool reads 10×10
        (3, 12, 11, 3, 1, 0, 2, (10, 8)),  # even height: nothing to skip; odd width: one column
        (3, 9, 8, 3, 2, 1, 3, (3, 3)),  # strided and padded, a 3×3 pool: 5×4, reads 3×3
        (3, 6, 6, 3, 1, 1, 2, (6, 6)),  # "same" output of even size: nothing skipped
        (1, 9, 10, 3, 1, 0, 2, (6, 8)),  # one channel (im2col by columns): 7×8, reads 6×8
        (1, 8, 8, 2, 2, 1, 2, (4, 4)),  # one channel, strided and padded: 5×5, reads 4×4
    ],
)
@pytest.mark.parametrize("pool", [nn.MaxPool, nn.AvgPool])
def test_conv_skips_what_the_next_pool_never_reads(rng, c, h, w, k, s, p, q, kept, pool):
    conv = nn.Conv(c, 4, k, stride=s, padding=p, next_pool=q)
    x = rng.standard_normal((2, c, h, w))
    assert conv(x).shape == (2, 4, *kept)
    torch_pool = torch.nn.MaxPool2d(q) if pool is nn.MaxPool else torch.nn.AvgPool2d(q)
    compare_layer(
        nn.NyangFlow(conv, pool(q)),
        torch.nn.Sequential(torch.nn.Conv2d(c, 4, k, stride=s, padding=p), torch_pool),
        x,
    )


@pytest.mark.parametrize("value", [0, -2, 1.5, "2", (2, 2), True])
def test_conv_next_pool_must_be_a_kernel_size(value):
    message = r"Conv: next_pool must be .*got " + re.escape(repr(value))
    with pytest.raises(ValueError, match=message):
        nn.Conv(1, 2, 3, next_pool=value)
    assert nn.Conv(1, 2, 3, next_pool=np.int64(2)).next_pool == 2


@pytest.mark.parametrize(
    "after",
    [nn.BatchNorm(2), nn.MaxPool(3, 2), nn.MaxPool(2, padding=1), nn.AvgPool(3), nn.ReLU(), None],
    ids=repr,
)
def test_next_pool_needs_that_pool_right_after(after):
    conv = nn.Conv(1, 2, 3, next_pool=2)
    with pytest.raises(ValueError, match=r"layer 0 Conv\(1→2.*next_pool=2\) skips .* 2×2 pool"):
        nn.NyangFlow(conv, *([after] if after is not None else []))
    for pool in (nn.MaxPool(2), nn.MaxPool(2, relu=True), nn.AvgPool(2)):
        nn.NyangFlow(conv, pool)  # accepted
        nn.NyangFlow(conv, nn.ReLU(), nn.Tanh(), pool)  # element-wise layers keep them unread


def test_conv_backward_names_a_gradient_of_the_wrong_shape(rng):
    conv = nn.Conv(3, 4, 3, next_pool=2)
    y = conv(rng.standard_normal((2, 3, 13, 13)))  # (2, 4, 10, 10)
    with pytest.raises(ValueError, match=r"backward got grad \(2, 4, 100, 1\).*\(2, 4, 10, 10\)"):
        conv.backward(np.ones((2, 4, 100, 1)))
    assert conv.backward(np.ones_like(y)).shape == (2, 3, 13, 13)


POOL_CASES = [
    # H, W, kernel, stride, padding
    (8, 8, 2, None, 0),
    (7, 9, 2, None, 0),
    (9, 9, 3, 2, 1),
    (6, 7, (3, 2), (1, 2), (1, 1)),
    (5, 5, 3, 1, 0),
]


@pytest.mark.parametrize("h,w,k,s,p", POOL_CASES)
def test_maxpool(rng, h, w, k, s, p):
    compare_layer(
        nn.MaxPool(k, s, p), torch.nn.MaxPool2d(k, s, p), rng.standard_normal((2, 3, h, w))
    )


@pytest.mark.parametrize("h,w,k,s,p", POOL_CASES)
def test_avgpool(rng, h, w, k, s, p):
    compare_layer(
        nn.AvgPool(k, s, p), torch.nn.AvgPool2d(k, s, p), rng.standard_normal((2, 3, h, w))
    )


def test_maxpool_ties_route_to_first_maximum_like_torch(rng):
    # After a ReLU whole windows are 0: the gradient must go to one element, not all four.
    x = np.maximum(rng.standard_normal((2, 3, 6, 6)), 0)
    x[0, 0, :2, :2] = 1.5  # a tie at a positive value too
    _, dx = compare_layer(nn.MaxPool(2), torch.nn.MaxPool2d(2), x)
    assert np.count_nonzero(dx[0, 0, :2, :2]) == 1


@pytest.mark.parametrize(
    "ours,theirs",
    [
        (nn.ReLU(), torch.nn.ReLU()),
        (nn.LeakyReLU(), torch.nn.LeakyReLU()),
        (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
        (nn.ELU(), torch.nn.ELU()),
        (nn.ELU(0.5), torch.nn.ELU(0.5)),
        (nn.SELU(), torch.nn.SELU()),
        (nn.Tanh(), torch.nn.Tanh()),
        (nn.Sigmoid(), torch.nn.Sigmoid()),
        (nn.Softmax(), torch.nn.Softmax(dim=-1)),
        (nn.Softmax(axis=1), torch.nn.Softmax(dim=1)),
        (nn.Flatten(), torch.nn.Flatten()),
    ],
    ids=lambda m: repr(m),
)
@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 5, 4)])
def test_elementwise(rng, ours, theirs, shape):
    x = rng.standard_normal(shape) * 3
    x.flat[0] = 0.0  # the kink of ReLU-like functions: derivative convention must match
    compare_layer(ours, theirs, x)


def test_activations_at_large_inputs_do_not_overflow():
    x = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    for layer in (nn.Sigmoid(), nn.Tanh(), nn.ELU(), nn.SELU(), nn.Softmax()):
        assert np.all(np.isfinite(layer(x))), layer


def test_selu_constants_are_the_published_ones():
    assert nn.SELU.scale == pytest.approx(1.0507009873554805, abs=1e-15)
    assert nn.SELU().alpha == pytest.approx(1.6732632423543772, abs=1e-15)


@pytest.mark.parametrize("shape", [(8, 5), (4, 3, 5, 6)])
def test_batchnorm_training_steps_and_eval_match_torch(rng, shape):
    ours = nn.BatchNorm(shape[1], momentum=0.2)
    theirs = (torch.nn.BatchNorm1d if len(shape) == 2 else torch.nn.BatchNorm2d)(
        shape[1], momentum=0.2
    )
    ours.weight.data = rng.uniform(0.5, 2, shape[1])
    ours.bias.data = rng.standard_normal(shape[1])
    for step in range(3):  # running statistics accumulate like torch's (unbiased variance)
        compare_layer(ours, theirs, rng.standard_normal(shape) * 2 + 1, seed=step)
        np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)
    ours.eval()
    theirs.eval()
    compare_layer(ours, theirs, rng.standard_normal(shape))


def test_batchnorm_buffers_follow_the_data_dtype(rng):
    bn = nn.BatchNorm(3)
    assert bn.running_mean.dtype == np.float32
    bn(rng.standard_normal((4, 3)))  # float64 data
    assert bn.running_mean.dtype == np.float64 and bn.running_var.dtype == np.float64


def test_batchnorm_needs_more_than_one_value_per_channel():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm(3)(np.ones((1, 3)))


def test_reference_cnn_matches_torch_sequential(rng):
    ours = nn.NyangFlow(
        nn.Conv(1, 8, 3),
        nn.ReLU(),
        nn.MaxPool(2),
        nn.Conv(8, 16, 3, padding=1),
        nn.BatchNorm(16),
        nn.ReLU(),
        nn.AvgPool(2),
        nn.Flatten(),
        nn.Linear(144, 32),
        nn.Tanh(),
        nn.Linear(32, 10),
    )
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1),
        torch.nn.BatchNorm2d(16),
        torch.nn.ReLU(),
        torch.nn.AvgPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(144, 32),
        torch.nn.Tanh(),
        torch.nn.Linear(32, 10),
    )
    compare_layer(ours, theirs, rng.standard_normal((6, 1, 14, 14)))


@pytest.mark.parametrize("pool", [(2,), (3, 2, 1), ((2, 3),)], ids=str)
def test_maxpool_then_relu_equals_relu_then_maxpool_exactly(rng, pool):
    # Max and ReLU commute, values and gradients, which lets the reference models pool first:
    # checked bit for bit, including windows that are all negative, zero ties after the ReLU
    # and a padded pool, and against torch in the usual order.
    x = rng.standard_normal((3, 4, 9, 8))
    x[0, 0] = -np.abs(x[0, 0])  # a whole channel of negative windows
    x[1, 1, :4, :4] = 0.0  # ties at zero
    relu_first = nn.NyangFlow(nn.Conv(4, 5, 1), nn.ReLU(), nn.MaxPool(*pool), nn.Conv(5, 3, 1))
    relu_first.to(np.float64)
    relu_first[0].weight.data[:] = np.eye(5, 4)[:, :, None, None]  # keeps x's zeros and signs
    pool_first = nn.NyangFlow(nn.Conv(4, 5, 1), nn.MaxPool(*pool), nn.ReLU(), nn.Conv(5, 3, 1))
    pool_first.to(np.float64).load_state_dict(relu_first.state_dict())  # same names: 0.*, 3.*
    y = relu_first(x)
    np.testing.assert_array_equal(pool_first(x), y)
    dy = rng.standard_normal(y.shape)
    np.testing.assert_array_equal(pool_first.backward(dy), relu_first.backward(dy))
    for (name, p), q in zip(pool_first.named_parameters(), relu_first.parameters()):
        np.testing.assert_array_equal(p.grad, q.grad, err_msg=name)
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(4, 5, 1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(*pool),
        torch.nn.Conv2d(5, 3, 1),
    )
    compare_layer(pool_first, theirs, x)


@pytest.mark.parametrize("axis", [1, -1])
def test_log_softmax(rng, axis):
    compare_layer(nn.LogSoftmax(axis), torch.nn.LogSoftmax(dim=axis), rng.standard_normal((5, 7)))


def test_global_avg_pool(rng):
    theirs = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
    _, dx = compare_layer(nn.GlobalAvgPool(), theirs, rng.standard_normal((3, 4, 5, 6)))
    assert dx.strides == np.empty((3, 5, 6, 4)).transpose(0, 3, 1, 2).strides  # channels-last


class TorchResidual(torch.nn.Module):
    def __init__(self, block, shortcut=None):
        super().__init__()
        self.block, self.shortcut = block, shortcut

    def forward(self, x):
        return self.block(x) + (x if self.shortcut is None else self.shortcut(x))


@pytest.mark.parametrize("stride,projection", [(1, False), (2, True)])
def test_residual(rng, stride, projection):
    out = 5 if projection else 3
    ours = nn.Residual(
        nn.NyangFlow(nn.Conv(3, out, 3, stride, 1), nn.BatchNorm(out), nn.ReLU()),
        nn.NyangFlow(nn.Conv(3, out, 1, stride), nn.BatchNorm(out)) if projection else None,
    )
    theirs = TorchResidual(
        torch.nn.Sequential(
            torch.nn.Conv2d(3, out, 3, stride, 1), torch.nn.BatchNorm2d(out), torch.nn.ReLU()
        ),
        torch.nn.Sequential(torch.nn.Conv2d(3, out, 1, stride), torch.nn.BatchNorm2d(out))
        if projection
        else None,
    )
    x = rng.standard_normal((2, 3, 7, 7))
    y, _ = compare_layer(ours, theirs, x)
    # backward_params: the same parameter gradients (from compare_layer's dy), no input gradient
    grads = [p.grad.copy() for p in ours.parameters()]
    ours.zero_grad()
    ours(x)
    ours.backward_params(np.random.default_rng(0).standard_normal(y.shape))
    for before, p in zip(grads, ours.parameters()):
        np.testing.assert_allclose(p.grad, before, rtol=1e-12)


def test_residual_with_a_shape_changing_block_and_no_shortcut_says_what_to_add():
    block = nn.Residual(nn.Conv(3, 4, 3, padding=1))
    with pytest.raises(ValueError, match=r"block gives \(2, 4, 5, 5\) but the shortcut \(2, 3"):
        block(np.zeros((2, 3, 5, 5)))


def test_conv_same_padding_keeps_the_size_as_torch(rng):
    ours = nn.Conv(2, 3, (3, 5), padding="same")
    assert ours.padding == (1, 2)
    compare_layer(
        ours, torch.nn.Conv2d(2, 3, (3, 5), padding="same"), rng.standard_normal((2, 2, 6, 7))
    )
    with pytest.raises(ValueError, match="not supported for strided convolutions"):
        nn.Conv(1, 1, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="needs an odd kernel size"):
        nn.Conv(1, 1, 2, padding="same")
    with pytest.raises(ValueError, match="int, a pair of ints or 'same'"):
        nn.Conv(1, 1, 3, padding="valid")


def test_pytorch_spellings_are_the_same_classes():
    assert nn.Conv2d is nn.Conv and nn.MaxPool2d is nn.MaxPool and nn.AvgPool2d is nn.AvgPool
    assert nn.BatchNorm1d is nn.BatchNorm2d is nn.BatchNorm and nn.Module is nn.NyangModel
    assert nn.CrossEntropyLoss is nn.CE and nn.NLLLoss is nn.NLL and nn.Sequential is nn.NyangFlow
