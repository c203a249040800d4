"""Korean everywhere: every text has both languages, and the pages write no visible English
of their own (every label, caption and heading goes through ``t(...)``)."""

import ast
import re
import string
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
sys.path.insert(0, str(DOCS))

from i18n import DIFFERENCES_KO, TEXT  # noqa: E402

from nyangtorch.compare.differences import DIFFERENCES  # noqa: E402

SOURCES = sorted(DOCS.glob("*.py")) + sorted((DOCS / "views").glob("*.py"))
# Streamlit calls whose text arguments the reader sees.
SHOWN = {
    "title", "header", "subheader", "markdown", "write", "caption", "text", "success", "info",
    "warning", "error", "toast", "metric", "button", "slider", "select_slider", "selectbox",
    "radio", "checkbox", "toggle", "text_input", "text_area", "number_input", "multiselect",
    "segmented_control", "pills", "expander", "tabs", "page_link", "progress", "spinner",
    "download_button", "form_submit_button",
}  # fmt: skip
SHOWN_KEYWORDS = {"label", "help", "placeholder", "caption", "body"}
# The language switch names both languages in both languages: it must read in either.
ALLOWED = {"Language / 언어"}
MARKUP = re.compile(r":[a-z]*-badge\[|:[a-z]+\[")  # Streamlit's colour and badge directives


def literal_words(node: ast.AST) -> str:
    """The literal text of a string or f-string argument (not the values filled into it)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(literal_words(v) for v in node.values)
    return ""


def english_literals(path: Path) -> list[str]:
    """``st.header("Some words")``-style calls in ``path`` with English words in a literal."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in SHOWN:
            continue
        # page_link's first argument is the page file; its label is a keyword.
        first = [] if node.func.attr == "page_link" else node.args[:1]
        args = first + [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
        for arg in args:
            text = MARKUP.sub("", literal_words(arg))
            words = [w for w in text.split() if sum(c in string.ascii_letters for c in w) >= 3]
            if words and text not in ALLOWED:
                found.append(f"{path.name}:{node.lineno}: {text!r}")
    return found


def test_every_text_has_both_languages_with_the_same_fields():
    for key, entry in TEXT.items():
        assert set(entry) == {"en", "ko"}, key
        assert entry["en"].strip() and entry["ko"].strip(), key
        fields = [
            {f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f}
            for lang in ("en", "ko")
        ]
        assert fields[0] == fields[1], (key, fields)


def test_pages_write_no_english_literal_of_their_own():
    found = [hit for path in SOURCES for hit in english_literals(path)]
    assert found == [], "use t(...) for these:\n" + "\n".join(found)


def test_the_scan_catches_a_literal(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(
        "import streamlit as st\n"
        'st.subheader("Where it goes")\n'
        'col.metric(f"test accuracy {x}", 1)\n'
    )
    assert len(english_literals(page)) == 2


def test_every_key_the_pages_ask_for_exists():
    missing = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value not in TEXT
            ):
                missing.append(f"{path.name}:{node.lineno}: {node.args[0].value}")
    assert missing == []


@pytest.mark.parametrize("item", DIFFERENCES, ids=lambda d: d["topic"])
def test_every_explained_difference_has_a_korean_twin(item):
    korean = DIFFERENCES_KO.get(item["topic"])
    assert korean is not None, f"add {item['topic']!r} to DIFFERENCES_KO in docs/i18n.py"
    assert set(korean) == {"topic", "finding", "action"} and all(korean.values())


def test_no_deprecated_streamlit_arguments():
    for path in SOURCES:
        assert "use_container_width" not in path.read_text(), path
