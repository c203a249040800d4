"""Losses against torch in float64: value and gradient with respect to the logits."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch_helpers import to_torch

from nyangtorch import nn


def check_loss(ours, torch_fn, z, target, torch_target=None, rtol=1e-10):
    loss = ours(z, target)
    zt = to_torch(z, grad=True)
    tt = torch.tensor(target if torch_target is None else torch_target)
    expected = torch_fn(zt, tt)
    expected.backward()
    assert loss == pytest.approx(expected.item(), rel=rtol, abs=1e-14)
    np.testing.assert_allclose(ours.backward(), zt.grad.numpy(), rtol=rtol, atol=1e-14)


def test_mse(rng):
    z, t = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
    check_loss(nn.MSE(), F.mse_loss, z, t)


@pytest.mark.parametrize("scale", [1.0, 40.0])
def test_bce_with_logits_is_stable(rng, scale):
    z = rng.standard_normal((7, 3)) * scale  # large logits: no overflow, still exact
    t = (rng.random((7, 3)) > 0.5).astype(float)
    check_loss(nn.BCE(), F.binary_cross_entropy_with_logits, z, t)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_ce_with_class_indices(rng, smoothing):
    z = rng.standard_normal((8, 5)) * 3
    t = rng.integers(0, 5, 8)
    check_loss(
        nn.CE(label_smoothing=smoothing),
        lambda a, b: F.cross_entropy(a, b, label_smoothing=smoothing),
        z,
        t,
    )


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_ce_with_one_hot_targets(rng, smoothing):
    z = rng.standard_normal((8, 5)) * 3
    t = np.eye(5)[rng.integers(0, 5, 8)]
    check_loss(
        nn.CE(label_smoothing=smoothing),
        lambda a, b: F.cross_entropy(a, b, label_smoothing=smoothing),
        z,
        t,
    )


def test_ce_huge_logits_stay_finite():
    z = np.array([[1000.0, -1000.0, 0.0]])
    loss = nn.CE()
    assert np.isfinite(loss(z, np.array([1])))
    assert np.all(np.isfinite(loss.backward()))


def torch_focal(gamma, alpha=None):
    def fn(z, t):
        logp = F.log_softmax(z, dim=1)
        p = logp.exp()
        w = t if alpha is None else t * torch.as_tensor(alpha, dtype=torch.float64)
        return -(w * (1 - p) ** gamma * logp).sum() / z.shape[0]

    return fn


@pytest.mark.parametrize(
    "gamma,alpha", [(2.0, None), (0.5, 0.25), (1.0, [0.1, 0.2, 0.3, 0.4]), (3.0, None)]
)
def test_focal_loss(rng, gamma, alpha):
    z = rng.standard_normal((9, 4)) * 2
    idx = rng.integers(0, 4, 9)
    check_loss(nn.FocalLoss(gamma, alpha), torch_focal(gamma, alpha), z, idx, np.eye(4)[idx])


def test_focal_with_gamma_zero_equals_ce(rng):
    z, t = rng.standard_normal((6, 3)), rng.integers(0, 3, 6)
    focal, ce = nn.FocalLoss(gamma=0.0), nn.CE()
    assert focal(z, t) == pytest.approx(ce(z, t), rel=1e-12)
    np.testing.assert_allclose(focal.backward(), ce.backward(), rtol=1e-12)


def test_loss_backward_scales_by_upstream_gradient(rng):
    z, t = rng.standard_normal((3, 4)), rng.integers(0, 4, 3)
    loss = nn.CE()
    loss(z, t)
    np.testing.assert_allclose(loss.backward(2.0), 2 * loss.backward())


@pytest.mark.parametrize(
    "loss,z,t,match",
    [
        (nn.CE(), np.zeros((4, 3)), np.array([0, 1, 2, 3]), "out of range"),
        (nn.CE(), np.zeros((4, 3)), np.zeros((4, 2)), "target must be class indices"),
        (nn.CE(), np.zeros((4, 3, 2)), np.zeros(4, int), "expected logits"),
        (nn.MSE(), np.zeros((4, 3)), np.zeros((3, 4)), "does not match"),
        (nn.BCE(), np.zeros((4, 1)), np.zeros(4), "does not match"),
        (nn.FocalLoss(alpha=[1, 2]), np.zeros((4, 3)), np.zeros(4, int), "alpha has 2 weights"),
    ],
)
def test_loss_errors_name_the_problem(loss, z, t, match):
    with pytest.raises(ValueError, match=match):
        loss(z, t)


def test_loss_backward_before_forward():
    with pytest.raises(RuntimeError, match="before forward"):
        nn.CE().backward()


def test_nll_on_log_probabilities(rng):
    log_p = F.log_softmax(torch.tensor(rng.standard_normal((8, 5))), dim=1).numpy()
    t = rng.integers(0, 5, 8)
    check_loss(nn.NLL(), F.nll_loss, log_p, t)
    check_loss(nn.NLL(), F.nll_loss, log_p, np.eye(5)[t], torch_target=t)  # one-hot too


def test_log_softmax_then_nll_is_ce(rng):
    z, t = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    log_softmax, nll, ce = nn.LogSoftmax(axis=1), nn.NLL(), nn.CE()
    assert nll(log_softmax(z), t) == pytest.approx(ce(z, t), rel=1e-12)
    np.testing.assert_allclose(log_softmax.backward(nll.backward()), ce.backward(), atol=1e-15)


@pytest.mark.parametrize("loss", [nn.CE(), nn.FocalLoss()], ids=repr)
def test_probabilities_instead_of_logits_warn_once_with_the_fix(rng, loss):
    model = nn.NyangFlow(nn.Linear(4, 3), nn.Softmax())  # the classic porting slip
    x, t = rng.standard_normal((5, 4)), rng.integers(0, 3, 5)
    with pytest.warns(UserWarning, match="sum to 1.*drop the Softmax.*LogSoftmax and use NLL"):
        loss(model(x), t)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss(model(x), t)  # once per loss
        nn.CE()(rng.standard_normal((5, 3)), t)  # logits: silent
