import streamlit as st
from components import runnable
from i18n import t

st.title(t("home_title"))
st.write(t("home_intro"))

st.header(t("install"))
st.markdown(t("install_text"))
st.code(
    "bash scripts/main.sh     # set up + train and test the reference CNN on Fashion-MNIST\n"
    "bash scripts/test.sh     # set up + lint + the whole test suite",
    language="bash",
)

st.header(t("architecture"))
st.write(t("architecture_text"))
st.graphviz_chart("""
digraph {
  rankdir=LR; node [shape=box, style="rounded,filled", fillcolor="#fff3e0", fontname="sans-serif"];
  folder [label="image folder /\\nFashion-MNIST", fillcolor="#eeeeee"];
  data [label="1. data\\nsplit · loader · augment"]; nn [label="2. nn\\nlayers · losses"];
  optim [label="3. optim · train\\nSGD/Adam · nyang_train"]; utils [label="4. utils\\nsafe model files"];
  eval [label="5. eval\\nmetrics · inference"];
  folder -> data -> nn -> optim -> utils -> eval;
}
""")

st.header(t("quickstart"))
runnable(
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
                                 epochs=3, progress=False)
result = nyangtorch.nyang_inference(model, test, progress=False)
print("test accuracy", round(result.metrics["accuracy"], 4))
print("macro-F1", round(result.metrics["f1"], 4))""",
    key="quickstart",
    label=t("run_it"),
)
