"""One seedable random generator shared by initialisers, Dropout and the data pipeline.

``manual_seed(s)`` plays the role of ``torch.manual_seed``: it makes weight initialisation
and dropout masks reproducible.
"""

from __future__ import annotations

import numpy as np

_rng = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the global generator and return it."""
    global _rng
    _rng = np.random.default_rng(seed)
    return _rng


def get_rng() -> np.random.Generator:
    """The global generator (reseeded by :func:`manual_seed`)."""
    return _rng


def get_state() -> dict:
    """The global generator's state, for checkpoints that must resume exactly."""
    return _rng.bit_generator.state


def set_state(state: dict) -> None:
    """Restore a state returned by :func:`get_state`."""
    _rng.bit_generator.state = state
