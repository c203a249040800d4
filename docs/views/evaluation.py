import numpy as np
import streamlit as st
from components import reference, runnable
from i18n import t

from nyangtorch import metrics

FORMULAS = {
    "accuracy": r"\text{accuracy} = \frac{1}{N}\sum_n [\hat y_n = y_n]",
    "precision": r"P_c = \frac{TP_c}{TP_c + FP_c}",
    "recall": r"R_c = \frac{TP_c}{TP_c + FN_c}",
    "f1_score": r"F1_c = \frac{2\,TP_c}{2\,TP_c + FP_c + FN_c},\quad F1_{macro} = \frac1C\sum_c F1_c",
    "confusion_matrix": r"M_{ij} = \#\{n : y_n = i,\ \hat y_n = j\}",
}

st.title(t("evaluation_title"))
st.write(t("evaluation_intro"))

st.subheader(t("example"))
runnable(
    """import numpy as np
from nyangtorch import metrics
y_true = np.array([0, 1, 2, 2, 1, 0])
logits = np.array([[3, 0, 0], [0, 2, 1], [0, 1, 3], [1, 2, 0], [0, 3, 0], [2, 1, 0]])
print(metrics.accuracy(y_true, logits))            # inputs: indices, one-hot or scores
print(metrics.f1_score(y_true, logits, "macro"))
print(metrics.confusion_matrix(y_true, logits))""",
    key="eval_example",
    label=t("run_it"),
)

st.subheader(t("live_demo"))
noise = st.slider("how often the classifier guesses", 0.0, 1.0, 0.3, key="noise")
rng = np.random.default_rng(0)
y = rng.integers(0, 4, 300)
guess = np.where(rng.random(300) < noise, rng.integers(0, 4, 300), y)
cols = st.columns(4)
for col, (label, value) in zip(
    cols,
    [
        ("accuracy", metrics.accuracy(y, guess)),
        ("macro-F1", metrics.f1_score(y, guess)),
        ("precision", metrics.precision(y, guess)),
        ("recall", metrics.recall(y, guess)),
    ],
):
    col.metric(label, f"{value:.3f}")
st.dataframe(metrics.confusion_matrix(y, guess, 4))

st.subheader(t("reference"))
reference(
    ["nyangtorch.metrics", "nyangtorch.eval"], FORMULAS, skip=("as_labels", "compute_metrics")
)
