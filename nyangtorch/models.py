"""Reference models, built from the public layers only (nothing special-cased).

The convolutional blocks pool *before* the ReLU: Conv–MaxPool–ReLU computes exactly what the
usual Conv–ReLU–MaxPool does, because max and ReLU commute, ``max(relu(x)) = relu(max(x))``,
and so do their gradients (both orders send ``dy`` to the window's first maximum when it is
positive and nowhere otherwise). The ReLU then touches a quarter of the numbers (2×2 windows),
and it is the pool's own option, ``MaxPool(2, relu=True)``: one pass over the data for both.
"""

from __future__ import annotations

from .nn import (
    BatchNorm,
    Conv,
    Dropout,
    Flatten,
    GlobalAvgPool,
    Linear,
    MaxPool,
    NyangFlow,
    ReLU,
    Residual,
)


def reference_cnn(
    in_channels: int = 1, num_classes: int = 10, image_size: int = 28, init: str = "he"
) -> NyangFlow:
    """Conv(1,32,3)–MaxPool(2)–ReLU–Conv(32,64,3)–MaxPool(2)–ReLU–Flatten–Linear(1600,128)–
    ReLU–Linear(128,10): the reference CNN for 28×28 images (225,034 parameters). Each
    MaxPool–ReLU pair is one layer, ``MaxPool(2, relu=True)``; ``init="torch"`` starts it as
    PyTorch would (see :mod:`nyangtorch.nn.init`).

    Each convolution is told the 2×2 pool that follows it (``next_pool=2``) and skips the
    outputs that pool never reads: for 28×28 images the second convolution's 11th row and
    column, a sixth of its work. Its output is then 10×10 where PyTorch's is 11×11;
    from the pool on the numbers are the same (the weight gradient up to rounding)."""
    side = ((image_size - 2) // 2 - 2) // 2
    return NyangFlow(
        Conv(in_channels, 32, 3, init=init, next_pool=2), MaxPool(2, relu=True),
        Conv(32, 64, 3, init=init, next_pool=2), MaxPool(2, relu=True),
        Flatten(), Linear(64 * side * side, 128, init=init), ReLU(),
        Linear(128, num_classes, init=init),
    )  # fmt: skip


def reference_cnn_bn(
    in_channels: int = 1,
    num_classes: int = 10,
    image_size: int = 28,
    dropout: float = 0.0,
    padding: int = 0,
) -> NyangFlow:
    """The reference CNN with BatchNorm after each convolution and the hidden Linear layer
    (and optional Dropout before the classifier).

    ``padding=1`` makes the convolutions keep their input size ("same"): 28 → 14 → 7 instead
    of 28 → 13 → 5, so the second block and the classifier see more of the image
    (Linear(3136, 128); about 1.6× the computation)."""
    shrink = 2 - 2 * padding
    side = ((image_size - shrink) // 2 - shrink) // 2
    head = [Dropout(dropout)] if dropout else []
    return NyangFlow(
        Conv(in_channels, 32, 3, padding=padding), BatchNorm(32), MaxPool(2, relu=True),
        Conv(32, 64, 3, padding=padding), BatchNorm(64), MaxPool(2, relu=True),
        Flatten(), Linear(64 * side * side, 128), BatchNorm(128), ReLU(), *head,
        Linear(128, num_classes),
    )  # fmt: skip


def mlp(
    in_features: int = 784,
    hidden: tuple[int, ...] = (256, 128),
    num_classes: int = 10,
    dropout: float = 0.0,
) -> NyangFlow:
    """Flatten–(Linear–ReLU[–Dropout])×k–Linear."""
    layers, width = [Flatten()], in_features
    for h in hidden:
        layers += [Linear(width, h), ReLU()] + ([Dropout(dropout)] if dropout else [])
        width = h
    return NyangFlow(*layers, Linear(width, num_classes))


def basic_block(in_channels: int, out_channels: int, stride: int = 1) -> Residual:
    """ResNet's basic block, ``x + F(x)`` with F = Conv3×3–BN–ReLU–Conv3×3–BN (the ReLU after
    the sum is the next layer). When the block changes the shape (stride 2, more channels)
    the shortcut is a projection, a strided 1×1 Conv with BN ("option B" of He et al.)."""
    block = NyangFlow(
        Conv(in_channels, out_channels, 3, stride, padding=1, bias=False), BatchNorm(out_channels),
        ReLU(),
        Conv(out_channels, out_channels, 3, padding=1, bias=False), BatchNorm(out_channels),
    )  # fmt: skip
    shortcut = None
    if stride != 1 or in_channels != out_channels:
        shortcut = NyangFlow(
            Conv(in_channels, out_channels, 1, stride, bias=False), BatchNorm(out_channels)
        )
    return Residual(block, shortcut)


def resnet(
    depth: int = 20, width: int = 16, in_channels: int = 1, num_classes: int = 10
) -> NyangFlow:
    """The CIFAR ResNet of He et al. (2016): a 3×3 Conv–BN–ReLU stem, three stages of
    (depth − 2) / 6 basic blocks with w, 2w, 4w channels (each later stage starts with a
    stride-2 block), global average pooling and a Linear classifier. ``depth`` counts the
    convolutions and the Linear layer: 20, 32, 44, 56, 110, ..."""
    if depth < 8 or (depth - 2) % 6:
        raise ValueError(f"resnet: depth must be 6n + 2 (20, 32, 44, 56, 110, ...), got {depth}")
    layers = [Conv(in_channels, width, 3, padding=1, bias=False), BatchNorm(width), ReLU()]
    channels = width
    for stage in range(3):
        out_channels = width * 2**stage
        for b in range((depth - 2) // 6):
            stride = 2 if stage > 0 and b == 0 else 1
            layers += [basic_block(channels, out_channels, stride), ReLU()]
            channels = out_channels
    return NyangFlow(*layers, GlobalAvgPool(), Linear(channels, num_classes))
