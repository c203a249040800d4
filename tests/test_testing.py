"""nyangtorch.testing: the numerical gradient and the check built on it catch what they should."""

import numpy as np
import pytest

from nyangtorch import nn
from nyangtorch.testing import gradcheck, numerical_grad


def test_gradcheck_catches_a_wrong_backward():
    class Broken(nn.Tanh):
        def backward(self, dy):
            return super().backward(dy) * 1.01

    with pytest.raises(AssertionError, match="gradient of input"):
        gradcheck(Broken(), np.random.default_rng(0).standard_normal((3, 3)))


def test_numerical_grad_of_a_known_function():
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(numerical_grad(lambda: float((x**3).sum()), x), 3 * x**2, rtol=1e-8)
