import streamlit as st

from components import example, exercise, reference, same_numbers
from i18n import t
from lessons import PAGE

st.title(t("training_title"))
st.write(t("training_intro"))

st.subheader(t("example"))
example(
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
)

st.subheader(t("training_step_title"))
st.markdown(t("training_step_text"))
st.code(
    """for x, y in train_loader:
    optimizer.zero_grad()
    logits = model(x)                     # forward
    loss = loss_fn(logits, y)
    model.backward(loss_fn.backward())    # backward: every Parameter gets .grad
    optimizer.step()                      # the update rule
scheduler.step()                          # once per epoch""",
    language="python",
)
left, right = st.columns(2)
left.page_link(PAGE["optimizers"], label=f"{t('lesson')} 8 · {t('lesson_optimizers')}", icon="📘")
right.page_link(PAGE["schedulers"], label=f"{t('lesson')} 9 · {t('lesson_schedulers')}", icon="📘")
exercise("train_ex1", t("train_ex1"), same_numbers(16, 0), t("train_ex1_hint"))

st.subheader(t("reference"))
reference(["nyangtorch.optim", "nyangtorch.train"])
