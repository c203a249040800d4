"""Every page of the documentation site runs (streamlit's AppTest); the playground trains."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "docs" / "app.py")
PAGES = {
    "views/home.py": "nyangtorch (냥냥 torch)",
    "views/data.py": "1. Data management",
    "views/model.py": "2. Model building",
    "views/training.py": "3. Training",
    "views/utility.py": "4. Utility",
    "views/evaluation.py": "5. Evaluation & inference",
    "views/api.py": "API reference",
    "views/playground.py": "Playground",
    "views/compare.py": "nyangtorch vs PyTorch",
}
KOREAN = {
    "views/data.py": "1. 데이터 관리",
    "views/model.py": "2. 모델 구성",
    "views/training.py": "3. 학습",
    "views/utility.py": "4. 유틸리티",
    "views/evaluation.py": "5. 평가와 추론",
}


def open_page(page: str, language: str = "English") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(page).run()
    if language != "English":
        at.sidebar.radio(key="language_choice").set_value(language).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(page):
    at = open_page(page)
    assert at.title[0].value == PAGES[page]


@pytest.mark.parametrize("page", KOREAN)
def test_korean_pages(page):
    assert open_page(page, "한국어").title[0].value == KOREAN[page]


def test_sidebar_language_switch_turns_home_korean():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert at.sidebar.radio(key="language_choice").options == ["English", "한국어"]
    assert "from scratch" in at.markdown[0].value
    at.sidebar.radio(key="language_choice").set_value("한국어").run()
    assert not at.exception
    assert at.session_state["lang"] == "ko" and "NumPy만으로" in at.markdown[0].value


def test_runnable_examples_run():
    at = open_page("views/home.py")
    at.button(key="quickstart").click().run()
    assert not at.exception
    output = at.code[-1].value
    assert "test accuracy" in output and "macro-F1" in output


def test_playground_trains_one_short_epoch_and_shows_a_chart():
    at = open_page("views/playground.py")
    at.slider(key="pg_epochs").set_value(1)
    at.selectbox(key="pg_model").set_value("reference CNN")
    at.button(key="pg_train").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("test accuracy")
    charts = [e for e in at.main if "chart" in getattr(e, "type", "")]
    assert charts, [getattr(e, "type", None) for e in at.main]


def test_writing_your_own_model_runs_its_example_and_shows_the_tape():
    at = open_page("views/model.py")
    assert "Writing your own model" in [s.value for s in at.subheader]
    at.button(key="custom_example").click().run()
    assert not at.exception, at.exception
    output = next(c.value for c in at.code if c.value.startswith("layer"))  # what it printed
    assert "Add" in output and "(2, 4, 8, 8) (4, 4, 3, 3)" in output
    assert any("def backward" in c.value for c in at.code)  # the tape's source, on one page
