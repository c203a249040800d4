import numpy as np
import streamlit as st
from nyangtorch import metrics

from components import example, exercise, labels, picture, reference, same_numbers
from i18n import t

FORMULAS = [
    (r"\text{accuracy} = \frac{1}{N}\sum_n [\hat y_n = y_n]", "eval_f_accuracy"),
    (r"P_c = \frac{TP_c}{TP_c + FP_c},\qquad R_c = \frac{TP_c}{TP_c + FN_c}", "eval_f_pr"),
    (
        r"F1_c = \frac{2\,TP_c}{2\,TP_c + FP_c + FN_c},\qquad F1_{macro} = \frac1C\sum_c F1_c",
        "eval_f_f1",
    ),
    (r"M_{ij} = \#\{n : y_n = i,\ \hat y_n = j\}", "eval_f_confusion"),
]

st.title(t("evaluation_title"))
st.write(t("evaluation_intro"))

st.subheader(t("formula"))
for latex, explanation in FORMULAS:
    st.latex(latex)
    st.markdown(t(explanation))

st.subheader(t("example"))
example(
    """import numpy as np
from nyangtorch import metrics
y_true = np.array([0, 1, 2, 2, 1, 0])
logits = np.array([[3, 0, 0], [0, 2, 1], [0, 1, 3], [1, 2, 0], [0, 3, 0], [2, 1, 0]])
print(metrics.accuracy(y_true, logits))            # inputs: indices, one-hot or scores
print(metrics.f1_score(y_true, logits, "macro"))
print(metrics.confusion_matrix(y_true, logits))""",
    key="eval_example",
)

st.subheader(t("live_demo"))
noise = st.slider(t("eval_noise"), 0.0, 1.0, 0.3, key="noise")
confuse = st.toggle(t("eval_confuse"), key="eval_confuse")
rng = np.random.default_rng(0)
y = rng.integers(0, 4, 300)
guess = np.where(rng.random(300) < noise, rng.integers(0, 4, 300), y)
if confuse:  # a classifier that takes every class 3 for a class 2
    guess = np.where(y == 3, 2, guess)
cols = st.columns(4)
for col, (key, value) in zip(
    cols,
    [
        ("eval_accuracy", metrics.accuracy(y, guess)),
        ("eval_f1", metrics.f1_score(y, guess)),
        ("eval_precision", metrics.precision(y, guess)),
        ("eval_recall", metrics.recall(y, guess)),
    ],
):
    col.metric(t(key), f"{value:.3f}")
classes = [f"{t('pic_class')} {i}" for i in range(4)]
words = labels(title=t("eval_confusion_title"), predicted=t("eval_predicted"), true=t("eval_true"))
picture("confusion", metrics.confusion_matrix(y, guess, 4), classes, words, width="content")
st.caption(t("eval_confusion_caption"))
exercise("eval_ex1", t("eval_ex1"), same_numbers(0.8), t("eval_ex1_hint"))
exercise("eval_ex2", t("eval_ex2"), same_numbers(16 / 22), t("eval_ex2_hint"))

st.subheader(t("reference"))
reference(["nyangtorch.metrics", "nyangtorch.eval"], skip=("as_labels", "compute_metrics"))
