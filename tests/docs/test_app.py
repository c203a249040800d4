"""Every page of the documentation site runs in both languages (Streamlit's AppTest), and its
widgets do what they say: examples run as edited, exercises are checked, gradient checks
pass (and catch a planted bug), the tape is walked, the playground trains and remembers."""

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

DOCS = Path(__file__).resolve().parents[2] / "docs"
sys.path.insert(0, str(DOCS))

from api_reference import all_entries  # noqa: E402
from i18n import TEXT  # noqa: E402

APP = str(DOCS / "app.py")
# page file -> its title in English and in Korean
PAGES = {
    "views/home.py": ("nyangtorch (냥냥 torch)", "nyangtorch (냥냥 torch)"),
    "views/data.py": ("1. Data management", "1. 데이터 관리"),
    "views/model.py": ("2. Model building", "2. 모델 구성"),
    "views/training.py": ("3. Training", "3. 학습"),
    "views/utility.py": ("4. Utility", "4. 유틸리티"),
    "views/evaluation.py": ("5. Evaluation & inference", "5. 평가와 추론"),
    "views/lesson_linear.py": ("Lesson 1 · Linear", "레슨 1 · Linear (완전 연결층)"),
    "views/lesson_activations.py": ("Lesson 2 · Activations", "레슨 2 · 활성화 함수"),
    "views/lesson_softmax.py": (
        "Lesson 3 · Softmax and cross-entropy",
        "레슨 3 · Softmax와 교차 엔트로피",
    ),
    "views/lesson_conv.py": ("Lesson 4 · Convolution", "레슨 4 · 합성곱"),
    "views/lesson_pooling.py": ("Lesson 5 · Pooling", "레슨 5 · 풀링"),
    "views/lesson_batchnorm.py": ("Lesson 6 · BatchNorm", "레슨 6 · 배치 정규화"),
    "views/lesson_dropout.py": ("Lesson 7 · Dropout", "레슨 7 · 드롭아웃"),
    "views/lesson_optimizers.py": ("Lesson 8 · Optimizers", "레슨 8 · 옵티마이저"),
    "views/lesson_schedulers.py": (
        "Lesson 9 · Learning-rate schedulers",
        "레슨 9 · 학습률 스케줄러",
    ),
    "views/api.py": ("API reference", "API 레퍼런스"),
    "views/playground.py": ("Playground", "플레이그라운드"),
    "views/compare.py": ("nyangtorch vs PyTorch", "nyangtorch와 PyTorch 비교"),
}
LESSONS = [p for p in PAGES if "lesson_" in p]
# English texts of the site that differ from their Korean twin: none may show on a Korean page.
ENGLISH = {e["en"] for e in TEXT.values() if e["en"] != e["ko"]}
# nyangtorch's docstrings, shown by the reference sections, are English in both languages.
DOCSTRINGS = {e["doc"] for entries in all_entries().values() for e in entries}
TEXT_ELEMENTS = (
    "title", "header", "subheader", "markdown", "caption", "text", "success", "info",
    "warning", "error", "metric", "button", "slider", "select_slider", "selectbox", "radio",
    "text_input", "text_area", "toggle", "multiselect", "expander", "tabs",
)  # fmt: skip


def open_page(page: str, language: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = language
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def visible_texts(at: AppTest) -> list[str]:
    """Every label, option and text the page shows (not code: that is Python)."""
    texts = []
    for kind in TEXT_ELEMENTS:
        for element in getattr(at, kind):
            # A widget's value is the Python option behind it; its label and options show.
            shown = ("label",) if hasattr(element, "label") else ("value", "body")
            for attribute in shown:
                value = getattr(element, attribute, None)
                if isinstance(value, str) and value not in DOCSTRINGS:
                    texts.append(value)
            texts += [str(o) for o in getattr(element, "options", []) or []]
    return texts


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_both_languages(page, language):
    at = open_page(page, language)
    assert at.title[0].value == PAGES[page][language == "ko"]
    if language == "ko":
        shown = visible_texts(at)
        leaks = sorted(e for e in ENGLISH if any(e == s or (len(e) > 15 and e in s) for s in shown))
        assert not leaks, f"English on the Korean page {page}: {leaks}"


def test_the_language_is_kept_in_the_url():
    at = open_page("views/model.py", "ko")
    assert at.title[0].value == "2. 모델 구성"
    assert at.query_params["lang"] == "ko"
    at.sidebar.radio(key="lang").set_value("en").run()
    assert at.title[0].value == "2. Model building"
    assert at.query_params["lang"] == "en"  # written back, so a reload keeps it


def test_an_unknown_language_in_the_url_falls_back_to_english():
    at = open_page("views/home.py", "xx")
    assert "from scratch" in at.markdown[0].value


def test_an_example_runs_as_edited_and_shows_errors_in_place():
    at = open_page("views/lesson_linear.py")
    at.text_area(key="linear_example_code").set_value("print(6 * 7)").run()
    at.button(key="linear_example").click().run()
    assert not at.exception
    assert any(c.value.strip() == "42" for c in at.code)
    at.slider(key="linear_n").set_value(2).run()  # another widget: the output stays
    assert any(c.value.strip() == "42" for c in at.code)
    at.text_area(key="linear_example_code").set_value("1 / 0").run()
    at.button(key="linear_example").click().run()
    assert not at.exception and at.error
    assert any("ZeroDivisionError" in c.value for c in at.code)
    at.button(key="linear_example_reset").click().run()
    assert "nn.Linear(3, 2)" in at.text_area(key="linear_example_code").value


EXAMPLES = {
    "views/home.py": ["quickstart"],
    "views/data.py": ["data_example"],
    "views/model.py": ["model_example", "custom_example"],
    "views/training.py": ["train_example"],
    "views/utility.py": ["utility_example"],
    "views/evaluation.py": ["eval_example"],
    "views/lesson_linear.py": ["linear_example"],
    "views/lesson_activations.py": ["act_example"],
    "views/lesson_softmax.py": ["sm_example"],
    "views/lesson_conv.py": ["conv_example"],
    "views/lesson_pooling.py": ["pool_example"],
    "views/lesson_batchnorm.py": ["bn_example"],
    "views/lesson_dropout.py": ["do_example"],
    "views/lesson_optimizers.py": ["opt_example"],
    "views/lesson_schedulers.py": ["sched_example"],
}


@pytest.mark.parametrize("page", EXAMPLES)
def test_every_example_runs_as_written(page):
    at = open_page(page)
    for key in EXAMPLES[page]:
        at.button(key=key).click().run()
        assert not at.exception and not at.error, (key, [c.value for c in at.code][-1:])
    outputs = "\n".join(c.value for c in at.code if c.language == "text")
    if page == "views/home.py":
        assert "test accuracy" in outputs and "macro-F1" in outputs
    if page == "views/model.py":
        assert "Add" in outputs and "(2, 4, 8, 8) (4, 4, 3, 3)" in outputs


# page -> (exercise key, a wrong answer, the right answer)
ANSWERS = {
    "views/home.py": ("home_ex1", "1000", "10410"),
    "views/lesson_linear.py": ("linear_ex1", "(5, 3)", "(3, 5)"),
    "views/lesson_softmax.py": ("sm_ex2", "1", "2.303"),
    "views/lesson_conv.py": ("conv_ex1", "13", "14"),
    "views/lesson_pooling.py": ("pool_ex1", "1, 1", "(0, 0)"),
    "views/lesson_optimizers.py": ("opt_ex1", "0.9", "0.8"),
    "views/lesson_schedulers.py": ("sched_ex1", "0.05", "0.025"),
    "views/evaluation.py": ("eval_ex2", "0.8", "0.727"),
    "views/utility.py": ("util_ex1", "weight", "0.weight"),
    "views/model.py": ("tape_ex1", "1", "2"),
}


@pytest.mark.parametrize("page", ANSWERS)
def test_exercises_are_checked(page):
    key, wrong, right = ANSWERS[page]
    at = open_page(page)
    at.text_input(key=f"{key}_answer").set_value(wrong).run()
    at.button(key=f"{key}_check").click().run()
    assert at.error and not at.success
    at.text_input(key=f"{key}_answer").set_value(right).run()
    at.button(key=f"{key}_check").click().run()
    assert at.success and not at.error


def test_a_code_exercise_is_checked_with_gradcheck():
    at = open_page("views/lesson_activations.py")
    at.button(key="act_ex1_check").click().run()  # the starter code is wrong on purpose
    assert at.error and not at.success
    code = at.text_area(key="act_ex1_code").value
    solved = code.replace("return dy * 0", "return dy / (1 + np.exp(-x))")
    at.text_area(key="act_ex1_code").set_value(solved).run()
    at.button(key="act_ex1_check").click().run()
    assert at.success and not at.error


# lesson page -> the key of its gradient-check button
GRADCHECKS = {
    "views/lesson_linear.py": "linear_gradcheck",
    "views/lesson_activations.py": "act_gradcheck_ReLU",
    "views/lesson_softmax.py": "sm_gradcheck",
    "views/lesson_conv.py": "conv_gradcheck",
    "views/lesson_pooling.py": "pool_gradcheck_MaxPool",
    "views/lesson_batchnorm.py": "bn_gradcheck",
    "views/lesson_dropout.py": "do_gradcheck",
}


@pytest.mark.parametrize("page", GRADCHECKS)
def test_gradient_checks_pass_and_catch_a_planted_bug(page):
    key = GRADCHECKS[page]
    at = open_page(page)
    at.button(key=key).click().run()
    assert at.success and not at.error and not at.exception
    at.toggle(key=f"{key}_break").set_value(True).run()
    at.button(key=key).click().run()
    assert at.error and "input" in at.error[0].value


def test_every_lesson_shows_its_real_source_and_the_way_on():
    for page in LESSONS:
        at = open_page(page)
        assert any("def " in c.value for c in at.code), page  # inspect.getsource's output
        assert at.latex, page  # formulas in plain sight, not in an expander


def test_the_optimizer_lesson_checks_the_surface_gradient_and_redraws():
    at = open_page("views/lesson_optimizers.py")
    at.button(key="opt_gradcheck").click().run()
    assert at.success
    at.radio(key="opt_surface").set_value("banana").run()
    at.slider(key="opt_steps").set_value(40).run()
    assert not at.exception


def test_the_im2col_picture_follows_its_sliders():
    at = open_page("views/lesson_conv.py")
    for key, value in (("conv_kernel", 2), ("conv_stride", 2), ("conv_padding", 1)):
        at.slider(key=key).set_value(value).run()
    at.slider(key="conv_row").set_value(8).run()  # (5 + 2 − 2) // 2 + 1 = 3: 9 windows
    assert not at.exception
    assert any(
        "9 windows → 9 rows of 4 numbers; the output is 3 × 3" in c.value for c in at.caption
    )


def test_the_tape_is_walked_to_model_backward():
    at = open_page("views/model.py")
    assert any("def backward" in c.value for c in at.code)  # the tape's own source
    at.slider(key="tape_step").set_value(3).run()
    assert not at.exception and not at.success
    at.slider(key="tape_step").set_value(6).run()
    assert at.success and "model.backward" in at.success[0].value


def test_the_api_reference_has_every_module_once():
    at = open_page("views/api.py")
    modules = at.selectbox(key="api_module").options
    assert {"nyangtorch.models", "nyangtorch.nn.functional", "nyangtorch.testing"} <= set(modules)
    at.selectbox(key="api_module").set_value("nyangtorch.nn").run()
    headings = [h.value for h in at.subheader]
    assert headings.count("Conv") == 1 and "Conv2d" not in headings
    assert any("Conv2d" in m.value and "nyangtorch.nn.Conv" in m.value for m in at.markdown)
    at.text_input(key="api_filter").set_value("gradcheck").run()
    assert any("gradcheck" in h.value for h in at.subheader)


def test_the_playground_trains_and_keeps_its_results():
    at = open_page("views/playground.py")
    at.slider(key="pg_epochs").set_value(1)
    at.selectbox(key="pg_model").set_value("cnn")
    at.button(key="pg_train").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("test accuracy")
    assert any("total" in c.value for c in at.code)  # the model summary, monospace
    assert len(at.get("image")) >= 3  # filters, feature maps, mistakes (and the confusion)
    at.slider(key="pg_image").set_value(5).run()  # a widget change keeps the results
    at.selectbox(key="pg_model").set_value("mlp").run()
    assert at.success and not at.exception
    at.button(key="pg_train").click().run()
    assert not at.exception
    history = at.dataframe[-1].value
    assert len(history) == 2
    at.button(key="pg_clear").click().run()
    assert at.info and not at.success


def test_a_readonly_site_runs_only_the_examples_as_written(monkeypatch):
    import components

    monkeypatch.setattr(components, "READONLY", True)
    at = open_page("views/lesson_activations.py")
    assert at.text_area(key="act_example_code").disabled
    at.button(key="act_example").click().run()
    assert any(c.language == "text" and "LeakyReLU" in c.value for c in at.code)  # it ran
    assert not [b for b in at.button if b.key == "act_ex1_check"]  # nothing typed runs


def test_the_convolution_lesson_falls_back_to_digits(monkeypatch):
    import lessons

    def missing(*args, **kwargs):
        raise FileNotFoundError("no Fashion-MNIST here")

    monkeypatch.setattr(lessons.data, "FashionMNIST", missing)
    lessons.sample_images.clear()
    try:
        images, names, source = lessons.sample_images()
        assert source == "digits" and images.shape == (20, 8, 8) and names[0] == "0"
    finally:
        lessons.sample_images.clear()


# page -> a new value for each of its widgets (the sidebar's language, the exercises' answers,
# the editable code and the buttons have tests of their own above).
SETTINGS = {
    "views/home.py": {},
    "views/data.py": {"grid_seed": 7},
    "views/model.py": {"tape_step": 4},
    "views/training.py": {},
    "views/utility.py": {},
    "views/evaluation.py": {"noise": 0.9, "eval_confuse": True},
    "views/lesson_linear.py": {"linear_n": 6, "linear_in": 1, "linear_out": 6},
    "views/lesson_activations.py": {"act_name": "SELU"},
    "views/lesson_softmax.py": {"sm_z0": -4.0, "sm_z1": 4.0, "sm_z2": 0.5, "sm_target": 2},
    "views/lesson_conv.py": {
        "conv_size": 7,
        "conv_kernel": 4,
        "conv_stride": 3,
        "conv_padding": 2,
        "conv_row": 3,
        "conv_image": 19,
    },  # fmt: skip
    "views/lesson_pooling.py": {
        "pool_seed": 20,
        "pool_side": 6,
        "pool_relu": False,
        "pool_kind": "AvgPool",
    },  # fmt: skip
    "views/lesson_batchnorm.py": {"bn_gamma": 3.0, "bn_beta": -3.0, "bn_batch": 8},
    "views/lesson_dropout.py": {"do_p": 0.9, "do_seed": 20},
    "views/lesson_optimizers.py": {
        "opt_surface": "banana",
        "opt_lr": 0.3,
        "opt_mu": 0.0,
        "opt_steps": 10,
    },  # fmt: skip
    "views/lesson_schedulers.py": {
        "sched_epochs": 5,
        "sched_chosen": ["OneCycle(max_lr=0.1, total_steps=epochs)"],
    },  # fmt: skip
    "views/api.py": {"api_module": "nyangtorch.testing", "api_filter": "alias"},
    "views/compare.py": {},
    "views/playground.py": {
        "pg_data": "fashion",
        "pg_model": "custom",
        "pg_epochs": 2,
        "pg_opt": "SGD",
        "pg_lr": 0.1,
        "pg_sched": "CosineDecay",
        "pg_hidden": 32,
        "pg_channels": 4,
        "pg_act": "Tanh",
    },  # fmt: skip
}
VALUE_WIDGETS = ("slider", "select_slider", "selectbox", "radio", "toggle", "multiselect",
                 "text_input", "button_group")  # fmt: skip
TESTED_ELSEWHERE = ("_answer", "_break")


def value_widgets(at: AppTest) -> dict:
    """The page's widgets that hold a value, by key (not the sidebar's)."""
    found = {}
    for kind in VALUE_WIDGETS:
        for element in at.main.get(kind):
            if element.key and not element.key.endswith(TESTED_ELSEWHERE):
                found[element.key] = element
    return found


@pytest.mark.parametrize("page", SETTINGS)
def test_every_widget_changes_its_page_without_error(page):
    at = open_page(page)
    settings = SETTINGS[page]
    assert set(value_widgets(at)) <= set(settings), "give every widget a value in SETTINGS"
    for key, value in settings.items():  # in order: some widgets appear once another is set
        value_widgets(at)[key].set_value(value).run()
        assert not at.exception, (key, at.exception)
    assert set(value_widgets(at)) <= set(settings)
