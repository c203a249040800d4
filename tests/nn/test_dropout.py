import numpy as np
import pytest

import nyangtorch
from nyangtorch import nn


def test_inverted_dropout_statistics_and_gradient():
    nyangtorch.manual_seed(0)
    layer = nn.Dropout(0.3)
    x = np.ones((200, 500))
    y = layer(x)
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.01  # Bernoulli(0.7) over 100k draws
    np.testing.assert_allclose(y[kept], 1 / 0.7)  # survivors scaled up: E[y] = x
    assert abs(y.mean() - 1.0) < 0.02
    dx = layer.backward(np.full_like(x, 2.0))
    np.testing.assert_array_equal(dx, 2.0 * y)  # same mask and scale as the forward


def test_inverted_dropout_is_identity_in_eval():
    layer = nn.Dropout(0.5).eval()
    x = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer.backward(x), x)


def test_classic_dropout_scales_in_eval_not_in_training():
    nyangtorch.manual_seed(1)
    layer = nn.Dropout(0.25, inverted=False)
    y = layer(np.ones((100, 400)))
    assert set(np.unique(y)) == {0.0, 1.0}
    layer.eval()
    np.testing.assert_allclose(layer(np.ones((2, 2))), 0.75)


def test_dropout_is_reproducible_with_manual_seed():
    x = np.ones((10, 10))
    nyangtorch.manual_seed(7)
    a = nn.Dropout()(x)
    nyangtorch.manual_seed(7)
    b = nn.Dropout()(x)
    np.testing.assert_array_equal(a, b)


def test_dropout_edge_probabilities():
    x = np.ones((4, 4))
    np.testing.assert_array_equal(nn.Dropout(0.0)(x), x)
    np.testing.assert_array_equal(nn.Dropout(1.0)(x), 0 * x)
    with pytest.raises(ValueError, match="p must be in"):
        nn.Dropout(1.5)


def test_dropout_keeps_float32():
    assert nn.Dropout()(np.ones((3, 3), np.float32)).dtype == np.float32
