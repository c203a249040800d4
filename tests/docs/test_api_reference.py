"""The API reference is generated from docstrings: every public name has one, each object is
documented once, and reST markup becomes Markdown."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs"))

import api_reference  # noqa: E402


def test_every_public_name_has_its_own_docstring():
    assert api_reference.missing_docstrings() == []


def test_every_public_module_is_included():
    assert {"nyangtorch.models", "nyangtorch.nn.functional", "nyangtorch.testing"} <= set(
        api_reference.PUBLIC_MODULES
    )
    names = {e["name"] for e in api_reference.entries("nyangtorch.nn.functional")}
    assert {"relu", "softmax", "log_softmax", "add", "cat"} <= names
    assert {"gradcheck", "numerical_grad"} <= {
        e["name"] for e in api_reference.entries("nyangtorch.testing")
    }
    assert {"reference_cnn", "resnet", "mlp"} <= {
        e["name"] for e in api_reference.entries("nyangtorch.models")
    }


def test_each_object_is_documented_once_and_aliases_point_to_it():
    documented = {}
    for module, entries in api_reference.all_entries().items():
        for e in entries:
            if not e["alias_of"] and e["kind"] != "constant":
                key = (e["module"], e["name"])
                assert key not in documented, (key, documented.get(key), module)
                documented[key] = module
    nn = {e["name"]: e for e in api_reference.entries("nyangtorch.nn")}
    assert nn["Conv2d"]["alias_of"] == "nyangtorch.nn.Conv" and not nn["Conv2d"]["doc"]
    assert nn["Conv"]["alias_of"] is None
    top = {e["name"]: e for e in api_reference.entries("nyangtorch")}
    assert top["nyang_train"]["alias_of"] == "nyangtorch.train.nyang_train"


def test_signatures_are_short_and_methods_listed():
    conv = {e["name"]: e for e in api_reference.entries("nyangtorch.nn")}["Conv"]
    assert conv["signature"] == (
        "(in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True, init='he', "
        "next_pool=None, algorithm='auto')"
    )
    assert [m[0] for m in conv["methods"]] == ["forward", "backward"]
    assert "im2col" in conv["doc"]


def test_docstrings_become_markdown():
    doc = """First line of a paragraph
    that goes on here, with ``code`` and :func:`~nyangtorch.nn.Conv` and $HOME.

    - an item
      continued
    - another item

    Example::

        x = 1
    """
    md = api_reference.doc_markdown(doc)
    assert "First line of a paragraph that goes on here" in md  # no hard wraps
    assert "`code`" in md and "``c" not in md and ":func:" not in md and "`Conv`" in md
    assert "\\$HOME" in md  # not read as LaTeX by Streamlit
    assert "- an item continued\n- another item" in md
    assert "```python\nx = 1\n```" in md
    for entries in api_reference.all_entries().values():
        for e in entries:
            assert ":class:" not in e["doc"] and ":func:" not in e["doc"], e["name"]


def test_the_check_catches_a_missing_docstring(monkeypatch):
    import nyangtorch.nn as nn

    class Undocumented:
        pass

    monkeypatch.setattr(nn, "Undocumented", Undocumented, raising=False)
    monkeypatch.setattr(nn, "__all__", [*nn.__all__, "Undocumented"])
    api_reference._homes.cache_clear()
    try:
        assert api_reference.missing_docstrings() == ["nyangtorch.nn.Undocumented"]
    finally:
        api_reference._homes.cache_clear()
