"""Numerical-gradient checks (central differences) for every layer and loss."""

import numpy as np
import pytest

from nyangtorch import nn
from nyangtorch.testing import gradcheck

LAYERS = [
    (lambda: nn.Linear(4, 3), (5, 4)),
    (lambda: nn.Conv(2, 3, 3, stride=2, padding=1), (2, 2, 7, 6)),
    (lambda: nn.Conv(1, 2, (2, 3)), (2, 1, 5, 5)),
    (lambda: nn.Conv(2, 3, 3, padding=1, algorithm="winograd"), (2, 2, 5, 6)),
    (lambda: nn.Conv(2, 3, 3, padding=1, algorithm="im2col"), (2, 2, 5, 6)),
    (lambda: nn.NyangFlow(nn.Conv(2, 3, 3, next_pool=2), nn.MaxPool(2)), (2, 2, 7, 6)),
    (lambda: nn.MaxPool(2), (2, 2, 6, 5)),
    (lambda: nn.MaxPool(3, 2, 1), (1, 2, 7, 7)),
    (lambda: nn.AvgPool(3, 2, 1), (1, 2, 7, 7)),
    (lambda: nn.ReLU(), (4, 5)),
    (lambda: nn.LeakyReLU(0.1), (4, 5)),
    (lambda: nn.ELU(), (4, 5)),
    (lambda: nn.SELU(), (4, 5)),
    (lambda: nn.Tanh(), (4, 5)),
    (lambda: nn.Sigmoid(), (4, 5)),
    (lambda: nn.Softmax(), (4, 5)),
    (lambda: nn.BatchNorm(3), (6, 3)),
    (lambda: nn.BatchNorm(2), (3, 2, 3, 3)),
    (lambda: nn.Flatten(), (2, 3, 2, 2)),
    (lambda: nn.LogSoftmax(), (4, 5)),
    (lambda: nn.GlobalAvgPool(), (2, 3, 3, 2)),
    (
        lambda: nn.Residual(
            nn.NyangFlow(nn.Conv(2, 3, 3, stride=2, padding=1), nn.BatchNorm(3), nn.Tanh()),
            nn.Conv(2, 3, 1, stride=2),
        ),
        (2, 2, 5, 5),
    ),
    (
        lambda: nn.NyangFlow(nn.Conv(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(18, 3)),
        (2, 1, 5, 5),
    ),
]


@pytest.mark.parametrize("make,shape", LAYERS, ids=lambda v: repr(v()) if callable(v) else str(v))
def test_layer_gradcheck(make, shape):
    x = np.random.default_rng(3).standard_normal(shape)
    assert gradcheck(make(), x)


def test_batchnorm_eval_gradcheck():
    bn = nn.BatchNorm(3)
    bn(np.random.default_rng(0).standard_normal((8, 3)))
    assert gradcheck(bn.eval(), np.random.default_rng(1).standard_normal((4, 3)))


@pytest.mark.parametrize(
    "loss,target",
    [
        (nn.MSE(), np.random.default_rng(0).standard_normal((4, 3))),
        (nn.BCE(), (np.random.default_rng(0).random((4, 3)) > 0.5).astype(float)),
        (nn.CE(), np.array([0, 2, 1, 2])),
        (nn.CE(label_smoothing=0.1), np.eye(3)[[1, 1, 0, 2]]),
        (nn.FocalLoss(2.0, alpha=[0.2, 0.3, 0.5]), np.array([0, 2, 1, 2])),
        (nn.FocalLoss(0.5), np.array([0, 2, 1, 2])),
        (nn.NLL(), np.array([0, 2, 1, 2])),
    ],
)
def test_loss_gradcheck(loss, target):
    assert gradcheck(loss, np.random.default_rng(5).standard_normal((4, 3)), target)
