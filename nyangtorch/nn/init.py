"""Weight initialisers. ``fan_in`` = inputs feeding one output unit (in·kh·kw for a conv).

Linear and Conv take ``init``: "he" (the default: He-normal weights, zero biases; suits the
ReLU networks here), "xavier" (Glorot-uniform, zero biases) or "torch" (PyTorch's own
default: Kaiming-uniform with a = √5 and uniform biases, for results that start where a
PyTorch model starts).
"""

from __future__ import annotations

import numpy as np

from ..random import get_rng


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape (out, in, *kernel)."""
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def he_normal(shape: tuple[int, ...], dtype=np.float32) -> np.ndarray:
    """He (Kaiming) normal: ``W ~ N(0, 2 / fan_in)``, for ReLU networks."""
    fan_in, _ = fans(shape)
    return (get_rng().standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype)


def xavier_uniform(shape: tuple[int, ...], dtype=np.float32) -> np.ndarray:
    """Xavier (Glorot) uniform: ``W ~ U(-a, a)``, ``a = sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = fans(shape)
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return get_rng().uniform(-bound, bound, shape).astype(dtype)


def torch_default(shape: tuple[int, ...], dtype=np.float32) -> np.ndarray:
    """PyTorch's default for Linear and Conv2d: Kaiming-uniform with ``a = √5``, which comes
    to ``W ~ U(-b, b)``, ``b = gain · sqrt(3 / fan_in) = 1 / sqrt(fan_in)`` (gain
    ``sqrt(2 / (1 + a²))``). About √6 times narrower than He-normal's spread."""
    fan_in, _ = fans(shape)
    bound = 1.0 / np.sqrt(fan_in)
    return get_rng().uniform(-bound, bound, shape).astype(dtype)


INITIALISERS = {"he": he_normal, "xavier": xavier_uniform, "torch": torch_default}


def initialise(shape: tuple[int, ...], init: str, dtype=np.float32) -> np.ndarray:
    """A fresh weight of ``shape`` drawn by the initialiser named ``init``."""
    if init not in INITIALISERS:
        raise ValueError(f"unknown init {init!r}; choose one of {sorted(INITIALISERS)}")
    if min(shape) < 1:  # a layer with no inputs or no outputs (the scales would divide by 0)
        raise ValueError(f"cannot initialise a weight of shape {shape}: every size must be >= 1")
    return INITIALISERS[init](shape, dtype)


def initialise_bias(weight_shape: tuple[int, ...], init: str, dtype=np.float32) -> np.ndarray:
    """The bias (out,) of a layer whose weight has ``weight_shape``: zeros, except for
    ``init="torch"``, which draws it as PyTorch does, ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``."""
    if init != "torch":
        return np.zeros(weight_shape[0], dtype)
    bound = 1.0 / np.sqrt(fans(weight_shape)[0])
    return get_rng().uniform(-bound, bound, weight_shape[0]).astype(dtype)
