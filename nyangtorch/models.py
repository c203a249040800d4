"""Reference models, built from the public layers only (nothing special-cased).

The convolutional blocks pool *before* the ReLU: Conv–MaxPool–ReLU computes exactly what the
usual Conv–ReLU–MaxPool does, because max and ReLU commute, ``max(relu(x)) = relu(max(x))``,
and so do their gradients (both orders send ``dy`` to the window's first maximum when it is
positive and nowhere otherwise). The ReLU then touches a quarter of the numbers (2×2 windows).
"""

from __future__ import annotations

from .nn import BatchNorm, Conv, Dropout, Flatten, Linear, MaxPool, NyangFlow, ReLU


def reference_cnn(in_channels: int = 1, num_classes: int = 10, image_size: int = 28) -> NyangFlow:
    """Conv(1,32,3)–MaxPool(2)–ReLU–Conv(32,64,3)–MaxPool(2)–ReLU–Flatten–Linear(1600,128)–
    ReLU–Linear(128,10): the reference CNN for 28×28 images (225,034 parameters)."""
    side = ((image_size - 2) // 2 - 2) // 2
    return NyangFlow(
        Conv(in_channels, 32, 3), MaxPool(2), ReLU(),
        Conv(32, 64, 3), MaxPool(2), ReLU(),
        Flatten(), Linear(64 * side * side, 128), ReLU(), Linear(128, num_classes),
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
        Conv(in_channels, 32, 3, padding=padding), BatchNorm(32), MaxPool(2), ReLU(),
        Conv(32, 64, 3, padding=padding), BatchNorm(64), MaxPool(2), ReLU(),
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
