"""The reference models: their documented shapes; pooling with its fused ReLU is the same
function as the usual Conv → ReLU → MaxPool, values and gradients alike; and the ResNet against
an independent PyTorch ResNet written the torchvision way."""

import copy
import re

import numpy as np
import pytest
import torch
from torch_helpers import to_torch

import nyangtorch
from nyangtorch import models, nn


def test_reference_models_have_the_documented_shapes():
    assert models.reference_cnn().num_parameters() == 225_034
    same = models.reference_cnn_bn(padding=1)
    assert "(None, 64, 7, 7)" in same.summary((1, 28, 28))  # 28 → 14 → 7
    assert same(np.zeros((2, 1, 28, 28), np.float32)).shape == (2, 10)


def relu_before_pool(model: nn.NyangFlow) -> nn.NyangFlow:
    """A copy of ``model`` with each MaxPool(relu=True) written the usual way, a ReLU and
    then a plain MaxPool."""
    layers = []
    for layer in copy.deepcopy(model):
        if isinstance(layer, nn.MaxPool) and layer.relu:
            layers += [nn.ReLU(), nn.MaxPool(layer.kernel_size, layer.stride, layer.padding)]
        else:
            layers.append(layer)
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
    assert names == [usual.replace("ReLU MaxPool", "MaxPool"), usual]
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


class BasicBlock(torch.nn.Module):
    """torchvision's BasicBlock (post-activation), with a 1×1 Conv + BN projection."""

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(planes)
        self.conv2 = torch.nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = torch.nn.Sequential(
                torch.nn.Conv2d(inplanes, planes, 1, stride, bias=False),
                torch.nn.BatchNorm2d(planes),
            )

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return torch.relu(out + identity)


class CifarResNet(torch.nn.Module):
    def __init__(self, depth=20, width=16, in_channels=1, num_classes=10):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = torch.nn.Conv2d(in_channels, width, 3, 1, 1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(width)
        blocks, planes = [], width
        for stage in range(3):
            for b in range(n):
                stride = 2 if stage > 0 and b == 0 else 1
                blocks.append(BasicBlock(planes, width * 2**stage, stride))
                planes = width * 2**stage
        self.layers = torch.nn.Sequential(*blocks)
        self.fc = torch.nn.Linear(planes, num_classes)

    def forward(self, x):
        out = self.layers(torch.relu(self.bn1(self.conv1(x))))
        return self.fc(out.mean(dim=(2, 3)))


def copy_in_order(ours, theirs):
    """Copy parameters, then running statistics, pairing them in definition order (the two
    models name them differently but define them in the same order)."""
    pairs = list(zip(ours.parameters(), theirs.parameters()))
    buffers = [b for n, b in theirs.named_buffers() if not n.endswith("num_batches_tracked")]
    assert len(pairs) == len(list(theirs.parameters()))
    with torch.no_grad():
        for p, q in pairs:
            assert p.shape == tuple(q.shape)
            q.copy_(torch.from_numpy(p.data))
        for (_, b), q in zip(ours.named_buffers(), buffers, strict=True):
            q.copy_(torch.from_numpy(b))


@pytest.mark.parametrize("depth,width,in_channels", [(20, 16, 1), (8, 4, 3)])
def test_resnet_has_torchs_parameter_count_and_computes_the_same(depth, width, in_channels):
    nyangtorch.manual_seed(0)
    ours = models.resnet(depth, width, in_channels).to(np.float64)
    theirs = CifarResNet(depth, width, in_channels).double()
    assert ours.num_parameters() == sum(p.numel() for p in theirs.parameters())
    copy_in_order(ours, theirs)
    x = np.random.default_rng(0).standard_normal((3, in_channels, 12, 12))
    xt = to_torch(x, grad=True)
    y, yt = ours(x), theirs(xt)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    dy = np.random.default_rng(1).standard_normal(y.shape)
    dx = ours.backward(dy)
    yt.backward(to_torch(dy))
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_resnet20_parameter_count_and_summary():
    model = models.resnet(20)
    assert model.num_parameters() == 272_186  # 1 channel in, 10 classes (torch's count above)
    text = model.summary((1, 28, 28))
    rows = [re.split(r"\s{2,}", line.strip()) for line in text.splitlines()[3:]]
    assert [r[0] for r in rows].count("(3) Residual") == 1 and len(rows) == 24
    assert rows[9] == ["(9) Residual", "(None, 32, 14, 14)", "14,528"]  # stride 2, projection
    assert rows[15][:2] == ["(15) Residual", "(None, 64, 7, 7)"]
    assert rows[-3][:2] == ["(21) GlobalAvgPool", "(None, 64)"]
    assert rows[-1] == ["total", "272,186"]


def test_resnet_depth_must_be_6n_plus_2():
    with pytest.raises(ValueError, match="6n \\+ 2"):
        models.resnet(18)
