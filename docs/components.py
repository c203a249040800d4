"""Building blocks shared by the documentation pages: editable examples, exercises, the real
source of a method, a live gradient check, and the reference of a module."""

from __future__ import annotations

import contextlib
import inspect
import io
import os
import re
import textwrap
import traceback
from collections.abc import Callable
from pathlib import Path

import numpy as np
import streamlit as st
from nyangtorch.testing import gradcheck, numerical_grad

import pictures
from api_reference import entries
from i18n import TEXT, lang, t

REPO = Path(__file__).resolve().parent.parent
# A public deployment shows the examples without running what a visitor typed (README).
READONLY = os.environ.get("NYANGTORCH_DOCS_READONLY") == "1"


# -- pictures -----------------------------------------------------------------------------
def labels(*keys: str, **extra: str) -> dict:
    """The words a picture writes, in the reader's language: ``{"x": t("pic_x"), ...}``."""
    return {key: t(f"pic_{key}") for key in keys} | extra


@st.cache_data(show_spinner=False, max_entries=64)
def cached(builder: str, *args, language: str) -> bytes:
    """``pictures.<builder>(*args)`` as PNG bytes, kept per argument values and language
    (the language is part of the key because the pictures carry words)."""
    return getattr(pictures, builder)(*args)


def picture(builder: str, *args, width="stretch") -> None:
    """Draw ``pictures.<builder>(*args)`` (cached, see :func:`cached`)."""
    st.image(cached(builder, *args, language=lang()), width=width)


def class_name(name: str) -> str:
    """A Fashion-MNIST class in the reader's language (digits are digits)."""
    key = f"fashion_{name}"
    return t(key) if key in TEXT else name


# -- running code the reader wrote -------------------------------------------------------------
def execute(code: str, name: str) -> tuple[bool, str, dict]:
    """Run ``code``; return (finished without an error, what it printed, its namespace).

    The reader's code runs in this process, as in a notebook: the site is meant to be run by
    the reader on their own machine (``streamlit run docs/app.py``); a public copy sets
    ``NYANGTORCH_DOCS_READONLY=1`` (see ``READONLY``)."""
    out, namespace = io.StringIO(), {"__name__": "__example__"}
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            exec(compile(code, f"<{name}>", "exec"), namespace)
    except Exception:  # the reader's mistake is shown, never raised into the page
        lines = traceback.format_exc().splitlines()
        # Drop the frames of this function: the reader's own code starts at "<name>".
        start = next((i for i, line in enumerate(lines) if f"<{name}>" in line), 1)
        return False, out.getvalue() + "\n".join(lines[:1] + lines[start:]), namespace
    return True, out.getvalue(), namespace


def _code_height(code: str) -> int:
    return min(40 + 22 * (code.count("\n") + 1), 560)


def _reset(key: str, code: str) -> None:
    st.session_state[key] = code


def example(code: str, key: str, label: str | None = None) -> None:
    """An example the reader can change and run in place; what it printed stays on the page
    (until it is run again) whatever other widget changes."""
    code_key, out_key = f"{key}_code", f"{key}_output"
    st.session_state.setdefault(code_key, code)
    st.text_area(t("edit_code"), key=code_key, height=_code_height(code), disabled=READONLY)
    run_col, reset_col, _ = st.columns([1, 1, 4])
    if run_col.button(label or t("run_it"), key=key, type="primary"):
        with st.spinner(t("running")):
            ok, printed, _ = execute(code if READONLY else st.session_state[code_key], key)
        st.session_state[out_key] = (ok, printed)
    reset_col.button(t("reset_code"), key=f"{key}_reset", on_click=_reset, args=(code_key, code))
    if out_key in st.session_state:
        ok, printed = st.session_state[out_key]
        if not ok:
            st.error(t("example_failed"))
        st.code(printed or t("no_output"), language="text")


# -- exercises -----------------------------------------------------------------------------
def numbers_in(text: str) -> list[float]:
    """Every number written in ``text``: "(3, 5)" -> [3.0, 5.0], "-0.33" -> [-0.33]."""
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:[eE]-?\d+)?", text)]


def same_numbers(expected, tolerance: float = 1e-3) -> Callable[[str], bool]:
    """A checker: the answer's numbers equal ``expected`` (one number or a sequence)."""
    want = np.atleast_1d(np.asarray(expected, dtype=float))

    def check(answer: str) -> bool:
        got = numbers_in(answer)
        return len(got) == len(want) and bool(np.allclose(got, want, atol=tolerance, rtol=0))

    return check


def exercise(key: str, question: str, check: Callable[[str], bool], hint: str) -> None:
    """A question whose typed answer the page checks (``check(answer) -> bool``)."""
    with st.container(border=True):
        st.markdown(f"**{t('exercise')}** · {question}")
        answer = st.text_input(t("your_answer"), key=f"{key}_answer")
        if st.button(t("check_answer"), key=f"{key}_check"):
            st.session_state[f"{key}_result"] = (answer, check(answer))
        result = st.session_state.get(f"{key}_result")
        if result is not None and result[0] == answer:
            if result[1]:
                st.success(t("correct"))
            else:
                st.error(t("not_yet"))
                st.caption(hint)


def code_exercise(
    key: str, question: str, starter: str, check: Callable[[dict], str | None], hint: str
) -> None:
    """Code the reader completes; ``check(namespace)`` returns None when it is right, or
    what is still wrong."""
    with st.container(border=True):
        st.markdown(f"**{t('exercise')}** · {question}")
        if READONLY:
            st.code(starter, language="python")
            st.caption(t("readonly_note"))
            return
        code_key = f"{key}_code"
        st.session_state.setdefault(code_key, starter)
        st.text_area(t("edit_code"), key=code_key, height=_code_height(starter))
        if st.button(t("check_answer"), key=f"{key}_check"):
            ok, printed, namespace = execute(st.session_state[code_key], key)
            problem = None
            if ok:
                try:
                    problem = check(namespace)
                except Exception as error:  # a wrong answer may fail in any way
                    problem = f"{type(error).__name__}: {error}"
            st.session_state[f"{key}_result"] = (ok and problem is None, printed, problem)
        result = st.session_state.get(f"{key}_result")
        if result is not None:
            passed, printed, problem = result
            if passed:
                st.success(t("correct"))
            else:
                st.error(t("not_yet"))
                st.caption(hint)
            if printed or problem:
                st.code("\n".join(x for x in (printed, problem) if x), language="text")


# -- the real code ---------------------------------------------------------------------------
def show_source(obj, *names: str) -> None:
    """The source of ``obj``'s methods (or of ``obj`` itself), read from the package now, so
    the page shows exactly the code that runs."""
    targets = [getattr(obj, n) for n in names] if names else [obj]
    for target in targets:
        target = getattr(target, "py_func", target)  # a compiled kernel: its Python loop
        lines, first = inspect.getsourcelines(target)
        path = Path(inspect.getsourcefile(target)).resolve()
        where = path.relative_to(REPO) if path.is_relative_to(REPO) else path.name
        st.caption(f"`{where}` · `{target.__qualname__}` · {t('line')} {first}")
        st.code(textwrap.dedent("".join(lines)), language="python")


# -- gradient check ------------------------------------------------------------------------
def gradient_table(module, x, target=None) -> list[dict]:
    """Analytic and numerical gradients side by side, for the input and every parameter,
    computed as ``nyangtorch.testing.gradcheck`` does (float64, ``Σ y·r`` for a layer)."""
    module.to(np.float64)
    x = np.array(x, dtype=np.float64)
    if target is not None:

        def scalar():
            return module(x, target)

        scalar()
        analytic_x = module.backward()
    else:
        r = np.random.default_rng(0).standard_normal(module(x).shape)

        def scalar():
            return float((module(x) * r).sum())

        module.zero_grad()
        module(x)
        analytic_x = module.backward(r)
    rows = []
    checks = [("input", analytic_x, x)]
    checks += [(name, p.grad, p.data) for name, p in module.named_parameters()]
    for name, analytic, wrt in checks:
        numeric = numerical_grad(scalar, wrt)
        rows.append(
            {
                t("grad_of"): name,
                t("shape"): str(tuple(wrt.shape)),
                t("grad_analytic"): f"{np.ravel(analytic)[0]:+.6f}",
                t("grad_numeric"): f"{np.ravel(numeric)[0]:+.6f}",
                t("grad_worst"): f"{np.max(np.abs(analytic - numeric)):.1e}",
            }
        )
    return rows


def gradient_check(key: str, make: Callable[[], tuple], broken: Callable | None = None) -> None:
    """A button that runs ``nyangtorch.testing.gradcheck`` on a fresh module from ``make()``
    (which returns ``(module, x)`` or ``(module, x, target)``), and shows both gradients.

    ``broken(module)`` (optional) plants a bug in the module's backward, so the reader sees
    the check fail."""
    with st.container(border=True):
        st.markdown(f"**{t('gradcheck_title')}**")
        st.caption(t("gradcheck_text"))
        sabotage = broken is not None and st.toggle(t("gradcheck_break"), key=f"{key}_break")

        def fresh() -> tuple:
            """A new module and input (gradcheck converts the module to float64 in place)."""
            module, *inputs = make()
            if sabotage:
                broken(module)
            return module, *inputs

        if st.button(t("gradcheck_run"), key=key):
            rows = gradient_table(*fresh())
            try:
                verdict = (True, str(gradcheck(*fresh())))
            except AssertionError as error:
                verdict = (False, str(error))
            st.session_state[f"{key}_result"] = (rows, verdict)
        if f"{key}_result" in st.session_state:
            rows, (passed, message) = st.session_state[f"{key}_result"]
            st.dataframe(rows, hide_index=True, width="stretch")
            if passed:
                st.success(t("gradcheck_passed"))
            else:
                st.error(f"{t('gradcheck_failed')} `{message}`")


def scale_input_gradient(module, factor: float = 1.01) -> None:
    """A planted bug: the layer's input gradient comes back ``factor`` times too large."""
    original = module.backward

    def backward(*args):
        return original(*args) * factor

    module.backward = backward


# -- the reference ---------------------------------------------------------------------------
def entry_body(item: dict) -> None:
    """One reference entry: its signature, docstring (Markdown) and listed methods."""
    if item["signature"]:
        st.code(f"{item['name']}{item['signature']}", language="python", wrap_lines=True)
    st.caption(f"{t('kind_' + item['kind'])} · `{item['module']}`")
    st.markdown(item["doc"] or t("no_doc"))
    methods = [
        f"- `{m}{sig}`" + (f" — {summary}" if summary else "")
        for m, sig, summary in item["methods"]
    ]
    if methods:
        st.markdown("\n".join(methods))


def reference(module_names: list[str], skip=()) -> None:
    """Each public name of the modules on one line, its signature and first sentence; the API
    reference page has the whole docstrings."""
    for module_name in module_names:
        st.markdown(f"**`{module_name}`**")
        lines = [
            f"- `{item['name']}{item['signature']}`"
            + (f" — {item['summary']}" if item["summary"] else "")
            for item in entries(module_name)
            if item["name"] not in skip and not item["alias_of"]
        ]
        st.markdown("\n".join(lines))
    st.page_link("views/api.py", label=t("reference_more"), icon="📚")


def next_lesson(page: str | None, label: str) -> None:
    """A link to the page the reader goes to next."""
    if page:
        st.page_link(page, label=label, icon="➡️")
