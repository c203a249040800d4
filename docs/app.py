"""The nyangtorch documentation site: ``streamlit run docs/app.py``."""

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT.parent)]  # docs helpers, and nyangtorch without installing it

from i18n import LANGUAGES, t  # noqa: E402
from lessons import ORDER, PAGE  # noqa: E402

st.set_page_config(page_title="nyangtorch", page_icon="🐱", layout="wide")
# Editable examples are code: a monospace font keeps their columns and indentation readable.
st.html("<style>.stTextArea textarea { font-family: 'Source Code Pro', monospace; }</style>")

# The language lives in the URL (?lang=ko), so a reload or a shared link keeps it. A new
# session starts from the URL; afterwards the radio (in session state) is the truth, and it is
# written back to the URL on every run, since switching pages starts a URL without it.
CODES = {code: name for name, code in LANGUAGES.items()}
if "lang" not in st.session_state:
    asked = st.query_params.get("lang")
    st.session_state["lang"] = asked if asked in CODES else "en"
st.sidebar.radio("Language / 언어", list(CODES), format_func=CODES.get, key="lang", horizontal=True)
st.query_params["lang"] = st.session_state["lang"]

# The page files live in views/, not pages/: Streamlit would treat a pages/ folder as an old-style
# multipage app and serve a deep link such as /model without this entrypoint (no sidebar, no
# language switch) whenever no session had run st.navigation yet.
lessons = [
    st.Page(PAGE[name], title=f"{i}. {t(f'lesson_{name}')}", url_path=f"lesson-{name}")
    for i, name in enumerate(ORDER, start=1)
]
pages = {
    "nyangtorch": [st.Page("views/home.py", title=t("nav_home"), icon="🏠", default=True)],
    t("nav_guide"): [
        st.Page("views/data.py", title=t("nav_data"), icon="🗂️", url_path="data"),
        st.Page("views/model.py", title=t("nav_model"), icon="🧱", url_path="model"),
        st.Page("views/training.py", title=t("nav_training"), icon="🏋️", url_path="training"),
        st.Page("views/utility.py", title=t("nav_utility"), icon="💾", url_path="utility"),
        st.Page("views/evaluation.py", title=t("nav_evaluation"), icon="🎯", url_path="evaluation"),
    ],
    t("nav_lessons"): lessons,
    t("nav_tools"): [
        st.Page("views/api.py", title=t("nav_api"), icon="📚", url_path="api"),
        st.Page("views/playground.py", title=t("nav_playground"), icon="🧪", url_path="playground"),
        st.Page("views/compare.py", title=t("nav_compare"), icon="⚖️", url_path="compare"),
    ],
}
st.navigation(pages, expanded=True).run()
