"""Packaging that keeps building: an SPDX license, and deprecations in our code fail the tests."""

import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def test_license_is_an_spdx_expression():
    # A TOML table here is deprecated; setuptools stops building it after 2027-02-18.
    # (A regex, not tomllib: Python 3.10, which the project supports, has no tomllib.)
    assert re.search(r'^license = "MIT"$', (ROOT / "pyproject.toml").read_text(), re.M)


@pytest.mark.parametrize("category", [DeprecationWarning, PendingDeprecationWarning, FutureWarning])
def test_a_deprecation_raised_in_nyangtorch_code_is_an_error(category):
    with pytest.raises(category):
        warnings.warn_explicit("old API", category, "module.py", 1, module="nyangtorch.nn.module")
    with warnings.catch_warnings(record=True):  # elsewhere it stays a warning
        warnings.warn_explicit("old API", category, "x.py", 1, module="somewhere.else")
