"""Building blocks shared by the documentation pages."""

from __future__ import annotations

import contextlib
import io

import streamlit as st
from api_reference import entries


def reference(module_names: list[str], formulas: dict[str, str] | None = None, skip=()) -> None:
    """Each public name of the modules: signature, docstring and (if given) its LaTeX formula."""
    formulas = formulas or {}
    for module_name in module_names:
        for item in entries(module_name):
            if item["name"] in skip or item["kind"] == "constant":
                continue
            with st.expander(f"`{item['name']}{item['signature']}`", expanded=False):
                st.caption(f"{item['kind']} in `{item['module']}`")
                if item["name"] in formulas:
                    st.latex(formulas[item["name"]])
                st.text(item["doc"])
                for meth, sig in item["methods"]:
                    st.markdown(f"- `{meth}{sig}`")


def runnable(code: str, key: str, label: str = "Run") -> None:
    """Show ``code``; a button runs it here and shows what it printed."""
    st.code(code, language="python")
    if st.button(label, key=key):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"<example {key}>", "exec"), {"__name__": "__example__"})
        st.code(out.getvalue() or "(no output)", language="text")
