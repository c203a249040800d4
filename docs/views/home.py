import streamlit as st

from components import example, exercise, same_numbers
from i18n import t
from lessons import ORDER, PAGE

st.title(t("home_title"))
st.write(t("home_intro"))

st.header(t("home_path"))
st.write(t("home_path_text"))
left, right = st.columns(2)
half = (len(ORDER) + 1) // 2
for column, names, first in ((left, ORDER[:half], 1), (right, ORDER[half:], half + 1)):
    for number, name in enumerate(names, start=first):
        column.page_link(
            PAGE[name], label=f"{t('lesson')} {number} · {t(f'lesson_{name}')}", icon="📘"
        )
st.page_link("views/playground.py", label=t("next_playground"), icon="🧪")

st.header(t("install"))
st.markdown(t("install_text"))
st.code(
    "bash scripts/main.sh     # set up + train and test the reference CNN on Fashion-MNIST\n"
    "bash scripts/test.sh     # set up + lint + the whole test suite",
    language="bash",
)

st.header(t("architecture"))
st.write(t("architecture_text"))
parts = [t(f"home_part_{i}") for i in range(6)]
st.graphviz_chart(f"""
digraph {{
  rankdir=LR; node [shape=box, style="rounded,filled", fillcolor="#fff3e0", fontname="sans-serif"];
  folder [label="{parts[0]}", fillcolor="#eeeeee"];
  data [label="{parts[1]}"]; nn [label="{parts[2]}"]; optim [label="{parts[3]}"];
  utils [label="{parts[4]}"]; eval [label="{parts[5]}"];
  folder -> data -> nn -> optim -> utils -> eval;
}}
""")

st.header(t("quickstart"))
example(
    """import numpy as np
import nyangtorch
from nyangtorch import nn, optim

nyangtorch.manual_seed(0)
train, valid, test, preprocessing = nyangtorch.nyangnyang_dataset_ready(
    "digits", batch_size=64, image_size=16)
model = nn.NyangFlow(
    nn.Conv(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool(2),
    nn.Flatten(), nn.Linear(16 * 8 * 8, 10),
)
print(model.summary((1, 16, 16)))
optimizer = optim.Adam(model.parameters(), lr=3e-3)
history = nyangtorch.nyang_train(model, optimizer, nn.CE(), train, valid,
                                 epochs=3, progress=False, verbose=False)
result = nyangtorch.nyang_inference(model, test, progress=False)
print("test accuracy", round(result.metrics["accuracy"], 4))
print("macro-F1", round(result.metrics["f1"], 4))""",
    key="quickstart",
)
exercise(
    "home_ex1",
    t("home_ex1"),
    same_numbers(16 * 9 + 16 + 16 * 8 * 8 * 10 + 10, 0),
    t("home_ex1_hint"),
)
