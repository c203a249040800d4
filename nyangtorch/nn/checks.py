"""Argument and shape checks shared by the layers: errors that name the layer, what it
expected and what came, raised at the layer call rather than from deep inside NumPy."""

from __future__ import annotations

import numpy as np


def pair(value: int | tuple[int, int], what: str) -> tuple[int, int]:
    """``3 -> (3, 3)``; ``(3, 5)`` stays; anything else is refused with its name."""
    if isinstance(value, (int, np.integer)):
        value = (int(value), int(value))
    if len(value) != 2 or not all(isinstance(v, (int, np.integer)) for v in value):
        raise ValueError(f"{what} must be an int or a pair of ints, got {value!r}")
    return int(value[0]), int(value[1])


def check_input(layer, x: np.ndarray, expected: str, ndims: tuple[int, ...]) -> None:
    """Raise ``ValueError`` naming the layer, the expected layout and the shape that came,
    with a hint for the two usual slips: an image batch without its channel axis, and
    images fed to a Linear layer without a Flatten."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{layer!r}: expected a NumPy array, got {type(x).__name__}")
    if x.ndim not in ndims:
        hint = ""
        if ndims == (4,) and x.ndim == 3:
            hint = " — did you forget the channel axis?"
        elif ndims == (2,) and x.ndim > 2:
            hint = " — add a Flatten() before this layer?"
        raise ValueError(f"{layer!r}: expected input {expected}, got {x.shape}{hint}")


def check_channels(layer, x: np.ndarray, expected: str, want: int, axis: int = 1) -> None:
    """Raise ``ValueError`` unless ``x`` has ``want`` entries along ``axis`` (channels or
    features)."""
    if x.shape[axis] != want:
        raise ValueError(
            f"{layer!r}: expected input {expected} with {want} at axis {axis}, got {x.shape}"
        )
