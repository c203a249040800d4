import numpy as np
import pandas as pd
import streamlit as st
from components import reference, runnable
from i18n import t

from nyangtorch import nn, optim

OPTIM_FORMULAS = {
    "SGD": r"b \leftarrow \mu b + (1-\tau) g,\quad \theta \leftarrow \theta - \eta\, b",
    "Adam": r"m \leftarrow \beta_1 m + (1-\beta_1) g,\ v \leftarrow \beta_2 v + (1-\beta_2) g^2,\ "
    r"\theta \leftarrow \theta - \frac{\eta}{1-\beta_1^t}\,\frac{m}{\sqrt{v}/\sqrt{1-\beta_2^t}+\epsilon}",
    "AdamW": r"\theta \leftarrow \theta(1-\eta\lambda)\ \text{then the Adam step}",
    "RMSprop": r"v \leftarrow \alpha v + (1-\alpha) g^2,\quad \theta \leftarrow \theta - \eta\,\frac{g}{\sqrt v + \epsilon}",
    "StepDecay": r"\eta_t = \eta_0\,\gamma^{\lfloor t/s\rfloor}",
    "ExpoDecay": r"\eta_t = \eta_0\,\gamma^{t}",
    "WarmUp": r"\eta_t = \eta_0 \min\!\left(1, \frac{t+1}{W+1}\right)",
}

st.title(t("training_title"))
st.write(t("training_intro"))

st.subheader(t("example"))
runnable(
    """import nyangtorch
from nyangtorch import nn, optim, models
nyangtorch.manual_seed(0)
train, valid, test, preprocessing = nyangtorch.nyangnyang_dataset_ready("digits", batch_size=64)
model = models.mlp(64, hidden=(64,))
opt = optim.Adam(model.parameters(), lr=1e-2)
history = nyangtorch.nyang_train(model, opt, nn.CE(), train, valid, epochs=4, patience=2,
                                 scheduler=optim.StepDecay(opt, step_size=2, gamma=0.5),
                                 progress=False, verbose=False)
for record in history.records:
    print(record["epoch"], round(record["valid_loss"], 3), round(record["valid_accuracy"], 3), record["lr"])""",
    key="train_example",
    label=t("run_it"),
)

st.subheader(f"{t('live_demo')}: learning-rate schedules")
epochs = st.slider("epochs", 5, 40, 20, key="sched_epochs")
curves = {}
for name, make in {
    "StepDecay(step_size=5, gamma=0.5)": lambda o: optim.StepDecay(o, 5, 0.5),
    "ExpoDecay(gamma=0.9)": lambda o: optim.ExpoDecay(o, 0.9),
    "WarmUp(5, after=ExpoDecay(0.9))": lambda o: optim.WarmUp(o, 5, after=optim.ExpoDecay(o, 0.9)),
}.items():
    opt = optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1)
    sched = make(opt)
    lrs = [opt.lr]
    for _ in range(epochs):
        sched.step()
        lrs.append(opt.lr)
    curves[name] = lrs
st.line_chart(pd.DataFrame(curves))

st.subheader(t("reference"))
reference(["nyangtorch.optim", "nyangtorch.train"], OPTIM_FORMULAS)
