"""The API reference is generated from docstrings: every public name must have one."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs"))

import api_reference  # noqa: E402


def test_every_public_name_has_its_own_docstring():
    assert api_reference.missing_docstrings() == []


def test_reference_lists_signatures_and_layer_methods():
    nn_entries = {e["name"]: e for e in api_reference.entries("nyangtorch.nn")}
    conv = nn_entries["Conv"]
    assert conv["signature"].startswith("(in_channels: int, out_channels: int, kernel_size")
    assert ("forward", "(self, x: numpy.ndarray) -> numpy.ndarray") in conv["methods"]
    assert "im2col" in conv["doc"]


def test_the_check_catches_a_missing_docstring(monkeypatch):
    import nyangtorch.nn as nn

    class Undocumented:
        pass

    monkeypatch.setattr(nn, "Undocumented", Undocumented, raising=False)
    monkeypatch.setattr(nn, "__all__", [*nn.__all__, "Undocumented"])
    assert api_reference.missing_docstrings() == ["nyangtorch.nn.Undocumented"]
