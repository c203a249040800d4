import time

import altair as alt
import numpy as np
import nyangtorch
import pandas as pd
import streamlit as st
from nyangtorch import models, nn, optim
from nyangtorch.data import (
    ArrayDataset,
    Digits,
    FashionMNIST,
    NyangDataloader,
    Preprocessing,
    nyang_transforms,
)

from components import cached, class_name, picture
from i18n import labels_for, lang, t
from pictures import lines

HISTORY = "pg_runs"  # every finished run's settings and curves, newest last
LAST = "pg_last"  # the last run's model and test results, for the pictures
KEPT_RUNS = 8
MODELS = ["mlp", "cnn", "cnn_bn", "custom"]
SCHEDULERS = ["none", "StepDecay", "ExpoDecay", "CosineDecay"]

st.title(t("pg_title"))
st.write(t("pg_intro"))

left, right = st.columns(2)
dataset = left.selectbox(
    t("pg_dataset"),
    ["digits", "fashion"],
    format_func=labels_for(["digits", "fashion"], "pg_data"),
    key="pg_data",
)
model_name = left.selectbox(
    t("pg_model"), MODELS, format_func=labels_for(MODELS, "pg_model"), key="pg_model"
)
epochs = left.slider(t("pg_epochs"), 1, 10, 3, key="pg_epochs")
optimizer_name = right.selectbox(
    t("pg_optimizer"), ["Adam", "AdamW", "SGD", "RMSprop"], key="pg_opt"
)
lr = right.select_slider(
    t("pg_lr"), [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1], value=3e-3, key="pg_lr"
)
scheduler_name = right.selectbox(
    t("pg_scheduler"),
    SCHEDULERS,
    format_func={s: t("pg_no_scheduler") if s == "none" else s for s in SCHEDULERS}.__getitem__,
    key="pg_sched",
)
hidden, conv_channels, activation = 64, 8, "ReLU"
if model_name == "custom":
    a, b, c = st.columns(3)
    hidden = a.slider(t("pg_hidden"), 16, 256, 64, key="pg_hidden")
    conv_channels = b.slider(t("pg_channels"), 4, 32, 8, key="pg_channels")
    activation = c.selectbox(t("pg_activation"), ["ReLU", "LeakyReLU", "ELU", "Tanh"], key="pg_act")


@st.cache_data(show_spinner=False)
def load(name: str):
    """(train, valid, test) parts and the image side: digits (upscaled to 16×16) or 3,000
    Fashion-MNIST images."""
    if name == "digits":
        return Digits().split((0.7, 0.15, 0.15), seed=0), 16
    train, test = FashionMNIST("train"), FashionMNIST("test")
    parts = [
        train.subset(np.arange(2000)),
        train.subset(np.arange(2000, 2500)),
        test.subset(np.arange(500)),
    ]
    return parts, 28


parts, size = load(dataset)
stats = Preprocessing.measure(parts[0].images, parts[0].classes)
loaders = []
for mode, part in zip(("train", "valid", "test"), parts):
    transform = nyang_transforms(
        mode, image_size=size, mean=stats.mean, std=stats.std, augment=False
    )
    loaders.append(
        NyangDataloader(
            ArrayDataset(part.images, part.targets, part.classes, transform),
            64,
            shuffle=mode == "train",
            seed=0,
        )
    )


def build() -> nn.NyangModel:
    nyangtorch.manual_seed(0)
    if model_name == "mlp":
        return models.mlp(size * size, hidden=(128,))
    if model_name == "cnn":
        return models.reference_cnn(image_size=size)
    if model_name == "cnn_bn":
        return models.reference_cnn_bn(image_size=size)
    act = getattr(nn, activation)
    return nn.NyangFlow(
        nn.Conv(1, conv_channels, 3, padding=1), act(), nn.MaxPool(2), nn.Flatten(),
        nn.Linear(conv_channels * (size // 2) ** 2, hidden), act(), nn.Linear(hidden, 10),
    )  # fmt: skip


def loss_chart(steps, losses, valid):
    """Train loss per step and valid loss at each epoch's end (one marked point per epoch),
    on one loss axis."""
    train = pd.DataFrame({"step": steps, "loss": losses, "curve": t("pg_train_loss")})
    ends = pd.DataFrame(
        {"step": [v[0] for v in valid], "loss": [v[1] for v in valid], "curve": t("pg_valid_loss")}
    )
    curves = lines(
        pd.concat([train, ends]), "step", "loss", "curve", t("pg_step"), t("pg_loss"), height=280
    )
    return curves + curves.mark_point(filled=True, size=70).transform_filter(
        alt.datum.curve == t("pg_valid_loss")
    )


def accuracy_chart(epochs_done):
    """Train and valid accuracy per epoch, on its own axis (0–1)."""
    frame = pd.DataFrame(
        [
            {"epoch": r["epoch"], "accuracy": r[k], "curve": t(f"pg_{k}")}
            for r in epochs_done
            for k in ("train_accuracy", "valid_accuracy")
        ]
    )
    return lines(
        frame,
        "epoch",
        "accuracy",
        "curve",
        t("pg_epoch"),
        t("pg_accuracy"),
        height=280,
        points=True,
    )


class StreamlitLogger:
    """Receives nyang_train's logs: each step's loss (drawn every few steps, from the first),
    and each epoch's record; draws loss and accuracy on separate axes while training runs."""

    def __init__(self, total_steps: int):
        self.total, self.every = total_steps, max(1, total_steps // 60)
        self.bar = st.progress(0.0, t("pg_training"))
        loss_box, acc_box = st.columns(2)
        self.loss_box, self.acc_box = loss_box.empty(), acc_box.empty()
        self.steps, self.losses, self.valid, self.epochs = [], [], [], []

    def log(self, values: dict, step: int) -> None:
        if "train/loss" in values:
            self.steps.append(step)
            self.losses.append(float(values["train/loss"]))
            if step == 1 or step % self.every == 0 or step == self.total:
                self.bar.progress(
                    min(step / self.total, 1.0), t("pg_progress", step=step, total=self.total)
                )
                self.loss_box.altair_chart(
                    loss_chart(self.steps, self.losses, self.valid), width="stretch"
                )
        if "valid_loss" in values:
            self.valid.append((step, float(values["valid_loss"])))
            self.epochs.append(
                {k: values[k] for k in ("epoch", "train_accuracy", "valid_accuracy")}
            )
            self.loss_box.altair_chart(
                loss_chart(self.steps, self.losses, self.valid), width="stretch"
            )
            self.acc_box.altair_chart(accuracy_chart(self.epochs), width="stretch")

    def finish(self) -> None:
        self.bar.empty()


def train() -> None:
    """One run with the chosen settings; its results go to the session, so they stay on the
    page when any widget changes afterwards."""
    model = build()
    opt = getattr(optim, optimizer_name)(model.parameters(), lr=lr)
    scheduler = {
        "none": lambda: None,
        "StepDecay": lambda: optim.StepDecay(opt, 2, 0.5),
        "ExpoDecay": lambda: optim.ExpoDecay(opt, 0.8),
        "CosineDecay": lambda: optim.CosineDecay(opt, T_max=epochs),
    }[scheduler_name]()
    live = st.empty()  # the live charts, replaced by the results once training is done
    with live.container():
        logger = StreamlitLogger(epochs * len(loaders[0]))
        started = time.perf_counter()
        nyangtorch.nyang_train(
            model,
            opt,
            nn.CE(),
            loaders[0],
            loaders[1],
            epochs=epochs,
            scheduler=scheduler,
            logger=logger,
            progress=False,
            verbose=False,
        )
    live.empty()
    result = nyangtorch.nyang_inference(model, loaders[2], progress=False)
    seconds = time.perf_counter() - started
    runs = st.session_state.setdefault(HISTORY, [])
    number = (runs[-1]["number"] + 1) if runs else 1
    runs.append(
        {
            "number": number,
            "label": f"#{number} {t(f'pg_model_{model_name}')} · {optimizer_name} {lr:g}",
            "settings": {
                t("pg_dataset"): t(f"pg_data_{dataset}"), t("pg_model"): t(f"pg_model_{model_name}"),
                t("pg_optimizer"): optimizer_name, t("pg_lr"): lr, t("pg_scheduler"): scheduler_name, t("pg_epochs"): epochs,
            },
            "steps": logger.steps, "losses": logger.losses, "valid": logger.valid, "epochs": logger.epochs,
            "accuracy": result.metrics["accuracy"], "f1": result.metrics["f1"], "seconds": seconds,
        }
    )  # fmt: skip
    del runs[:-KEPT_RUNS]
    # The test images as the model saw them (transformed), for the feature maps and mistakes.
    images = np.concatenate([x for x, _ in NyangDataloader(loaders[2].dataset, 256)])
    st.session_state[LAST] = {
        "model": model,
        "result": result,
        "images": images,
        "run": runs[-1],
        "classes": parts[2].classes,
        "side": size,
    }


if st.button(t("pg_train"), type="primary", key="pg_train"):
    train()

last = st.session_state.get(LAST)
if last is None:
    st.info(t("pg_nothing_yet"))
    st.stop()

# -- the last run ------------------------------------------------------------------------------
run, model, result = last["run"], last["model"], last["result"]
st.header(t("pg_results", label=run["label"]))
a, b, c = st.columns(3)
a.metric(t("pg_test_accuracy"), f"{run['accuracy']:.3f}")
b.metric(t("pg_test_f1"), f"{run['f1']:.3f}")
c.metric(t("pg_seconds"), f"{run['seconds']:.1f}")
st.success(t("pg_done", accuracy=f"{run['accuracy']:.3f}", f1=f"{run['f1']:.3f}"))
loss_col, acc_col = st.columns(2)
loss_col.altair_chart(loss_chart(run["steps"], run["losses"], run["valid"]), width="stretch")
acc_col.altair_chart(accuracy_chart(run["epochs"]), width="stretch")
st.caption(t("pg_curves_caption"))

st.subheader(t("pg_summary"))
images, side, classes = last["images"], last["side"], last["classes"]
st.code(model.summary((1, side, side)), language="text")

st.subheader(t("pg_learned"))
first = model.layers[0] if isinstance(model, nn.NyangFlow) else None
if isinstance(first, nn.Flatten):  # an MLP: its first Linear's rows are image-sized templates
    weights = model.layers[1].weight.data[:16].reshape(-1, side, side)
    st.image(
        cached(
            "image_grid",
            list(weights),
            [f"{t('pg_unit')} {i}" for i in range(len(weights))],
            8,
            "RdBu_r",
            True,
            language=lang(),
        ),
        width="stretch",
    )
    st.caption(t("pg_templates_caption"))
elif isinstance(first, nn.Conv):
    filters = first.weight.data[:, 0]
    st.image(
        cached(
            "image_grid",
            list(filters),
            [f"{t('pg_filter')} {i}" for i in range(len(filters))],
            16,
            "RdBu_r",
            True,
            0.8,
            language=lang(),
        ),
        width="stretch",
    )
    st.caption(t("pg_filters_caption"))
    index = st.slider(t("pg_image"), 0, min(len(images), 48) - 1, 0, key="pg_image")
    with nn.no_grad():
        maps = first(images[index : index + 1])[0]
    shown = [images[index, 0]] + list(maps)
    titles = [t("pic_input")] + [f"{t('pg_map')} {i}" for i in range(len(maps))]
    st.image(
        cached("image_grid", shown, titles, 11, "viridis", False, 0.9, language=lang()),
        width="stretch",
    )
    st.caption(t("pg_maps_caption"))

st.subheader(t("pg_mistakes"))
wrong = np.flatnonzero(result.predictions != result.targets)
confidence = result.probabilities[wrong, result.predictions[wrong]]
worst = wrong[np.argsort(-confidence)][:12]
if len(worst):
    titles = [
        f"{class_name(classes[result.targets[i]])} → {class_name(classes[result.predictions[i]])}\n{result.probabilities[i, result.predictions[i]]:.0%}"
        for i in worst
    ]
    st.image(
        cached(
            "image_grid",
            [images[i, 0] for i in worst],
            titles,
            6,
            "gray",
            False,
            1.6,
            language=lang(),
        ),
        width="stretch",
    )
    st.caption(t("pg_mistakes_caption", count=len(wrong), total=len(result.targets)))
else:
    st.write(t("pg_no_mistakes"))
words = {"title": t("pg_confusion"), "predicted": t("eval_predicted"), "true": t("eval_true")}
picture("confusion", result.confusion, [class_name(c) for c in classes], words, width="content")

# -- every run, to compare --------------------------------------------------------------------
runs = st.session_state.get(HISTORY, [])
st.header(t("pg_history"))
table = pd.DataFrame(
    [
        {
            "#": r["number"],
            **r["settings"],
            t("pg_test_accuracy"): round(r["accuracy"], 4),
            t("pg_test_f1"): round(r["f1"], 4),
            t("pg_seconds"): round(r["seconds"], 1),
        }
        for r in runs
    ]
)
st.dataframe(table, hide_index=True, width="stretch")
curves = pd.concat(
    [pd.DataFrame({"step": r["steps"], "loss": r["losses"], "run": r["label"]}) for r in runs]
)
st.altair_chart(
    lines(curves, "step", "loss", "run", t("pg_step"), t("pg_loss"), height=320), width="stretch"
)
st.caption(t("pg_history_caption", kept=KEPT_RUNS))
if st.button(t("pg_clear"), key="pg_clear"):
    st.session_state.pop(HISTORY, None)
    st.session_state.pop(LAST, None)
    st.rerun()
