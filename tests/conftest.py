"""Fixtures shared by every test (torch is imported only by the tests that use it, through
tests/torch_helpers.py)."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
