"""The reference models: their documented shapes, and that pooling before the ReLU is the
same function as the usual Conv → ReLU → MaxPool, values and gradients alike."""

import copy

import numpy as np
import pytest

from nyangtorch import models, nn


def test_reference_models_have_the_documented_shapes():
    assert models.reference_cnn().num_parameters() == 225_034
    same = models.reference_cnn_bn(padding=1)
    assert "(None, 64, 7, 7)" in same.summary((1, 28, 28))  # 28 → 14 → 7
    assert same(np.zeros((2, 1, 28, 28), np.float32)).shape == (2, 10)


def relu_before_pool(model: nn.NyangFlow) -> nn.NyangFlow:
    """A copy of ``model`` with each MaxPool–ReLU pair written the usual way round."""
    layers = list(copy.deepcopy(model))
    for i in range(len(layers) - 1):
        if isinstance(layers[i], nn.MaxPool) and isinstance(layers[i + 1], nn.ReLU):
            layers[i], layers[i + 1] = layers[i + 1], layers[i]
    return nn.NyangFlow(*layers)


@pytest.mark.parametrize(
    "make, usual",
    [
        (models.reference_cnn, "Conv ReLU MaxPool Conv ReLU MaxPool Flatten Linear ReLU Linear"),
        (
            models.reference_cnn_bn,
            "Conv BatchNorm ReLU MaxPool Conv BatchNorm ReLU MaxPool "
            "Flatten Linear BatchNorm ReLU Linear",
        ),
    ],
    ids=["cnn", "cnn-bn"],
)
def test_reference_models_equal_their_usual_order_exactly(rng, make, usual):
    ours = make().to(np.float64)
    theirs = relu_before_pool(ours)
    names = [" ".join(type(layer).__name__ for layer in m) for m in (ours, theirs)]
    assert names == [usual.replace("ReLU MaxPool", "MaxPool ReLU"), usual]
    x = rng.standard_normal((4, 1, 28, 28))
    x[0, :, :10, :10] = 0.0  # conv outputs of exactly 0 (the biases start at 0): ties at zero
    y = ours(x)
    np.testing.assert_array_equal(y, theirs(x))
    dy = rng.standard_normal(y.shape)
    np.testing.assert_array_equal(ours.backward(dy), theirs.backward(dy))
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_array_equal(p.grad, q.grad, err_msg=name)
    for (name, a), (_, b) in zip(ours.named_buffers(), theirs.named_buffers()):
        np.testing.assert_array_equal(a, b, err_msg=name)  # BatchNorm's running statistics
