"""The nyangtorch documentation site: ``streamlit run docs/app.py``."""

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT.parent)]  # docs helpers, and nyangtorch without installing it

from i18n import LANGUAGES, t  # noqa: E402

st.set_page_config(page_title="nyangtorch", page_icon="🐱", layout="wide")

choice = st.sidebar.radio(
    "Language / 언어", list(LANGUAGES), key="language_choice", horizontal=True
)
st.session_state["lang"] = LANGUAGES[choice]

# The page files live in views/, not pages/: Streamlit would treat a pages/ folder as an old-style
# multipage app and serve a deep link such as /model without this entrypoint (no sidebar, no
# language switch) whenever no session had run st.navigation yet.
pages = {
    "nyangtorch": [st.Page("views/home.py", title=t("nav_home"), icon="🏠", default=True)],
    t("nav_guide"): [
        st.Page("views/data.py", title=t("nav_data"), icon="🗂️", url_path="data"),
        st.Page("views/model.py", title=t("nav_model"), icon="🧱", url_path="model"),
        st.Page("views/training.py", title=t("nav_training"), icon="🏋️", url_path="training"),
        st.Page("views/utility.py", title=t("nav_utility"), icon="💾", url_path="utility"),
        st.Page("views/evaluation.py", title=t("nav_evaluation"), icon="🎯", url_path="evaluation"),
    ],
    t("nav_tools"): [
        st.Page("views/api.py", title="API reference", icon="📚", url_path="api"),
        st.Page("views/playground.py", title="Playground", icon="🧪", url_path="playground"),
        st.Page("views/compare.py", title="nyangtorch vs PyTorch", icon="⚖️", url_path="compare"),
    ],
}
st.navigation(pages).run()
