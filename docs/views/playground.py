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
    nyang_images_grid,
    nyang_transforms,
)
from nyangtorch.train import plot_confusion

st.title("Playground")
st.write("Pick data, a model and a training strategy, then train live — here, on NumPy only.")

left, right = st.columns(2)
dataset = left.selectbox(
    "dataset", ["digits (8×8 → 16×16)", "Fashion-MNIST subset (3,000 images)"], key="pg_data"
)
model_name = left.selectbox(
    "model", ["MLP", "reference CNN", "BatchNorm CNN", "custom"], key="pg_model"
)
optimizer_name = right.selectbox("optimizer", ["Adam", "AdamW", "SGD", "RMSprop"], key="pg_opt")
lr = right.select_slider(
    "learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1], value=3e-3, key="pg_lr"
)
scheduler_name = right.selectbox("scheduler", ["none", "StepDecay", "ExpoDecay"], key="pg_sched")
epochs = left.slider("epochs", 1, 10, 3, key="pg_epochs")
hidden, conv_channels = 64, 8
if model_name == "custom":
    hidden = st.slider("hidden units", 16, 256, 64, key="pg_hidden")
    conv_channels = st.slider("conv channels", 4, 32, 8, key="pg_channels")
    activation = st.selectbox("activation", ["ReLU", "LeakyReLU", "ELU", "Tanh"], key="pg_act")


@st.cache_data(show_spinner=False)
def load(name: str):
    if name.startswith("digits"):
        return Digits().split((0.7, 0.15, 0.15), seed=0), 16
    train, test = FashionMNIST("train"), FashionMNIST("test")
    return [
        train.subset(np.arange(2000)),
        train.subset(np.arange(2000, 2500)),
        test.subset(np.arange(500)),
    ], 28


parts, size = load(dataset)
stats = Preprocessing.measure(parts[0].images, parts[0].classes)
loaders = []
for mode, part in zip(("train", "valid", "test"), parts):
    ds = ArrayDataset(
        part.images,
        part.targets,
        part.classes,
        nyang_transforms(mode, image_size=size, mean=stats.mean, std=stats.std, augment=False),
    )
    loaders.append(NyangDataloader(ds, 64, shuffle=mode == "train", seed=0))


def build():
    nyangtorch.manual_seed(0)
    if model_name == "MLP":
        return models.mlp(size * size, hidden=(128,))
    if model_name == "reference CNN":
        return models.reference_cnn(image_size=size)
    if model_name == "BatchNorm CNN":
        return models.reference_cnn_bn(image_size=size)
    act = getattr(nn, activation)
    side = size // 2
    return nn.NyangFlow(
        nn.Conv(1, conv_channels, 3, padding=1),
        act(),
        nn.MaxPool(2),
        nn.Flatten(),
        nn.Linear(conv_channels * side * side, hidden),
        act(),
        nn.Linear(hidden, 10),
    )


class StreamlitLogger:
    """Receives nyang_train's per-step and per-epoch logs and draws them."""

    def __init__(self, steps: int):
        self.bar, self.chart, self.steps, self.rows = (
            st.progress(0.0, "training…"),
            st.empty(),
            steps,
            [],
        )

    def log(self, values, step):
        self.bar.progress(min(step / self.steps, 1.0), f"step {step}/{self.steps}")
        if "valid_loss" in values:
            self.rows.append(
                {
                    "train loss": values["train_loss"],
                    "valid loss": values["valid_loss"],
                    "valid accuracy": values["valid_accuracy"],
                }
            )
            self.chart.line_chart(pd.DataFrame(self.rows, index=range(1, len(self.rows) + 1)))


if st.button("Train", type="primary", key="pg_train"):
    model = build()
    st.text(model.summary((1, size, size)))
    opt = getattr(optim, optimizer_name)(model.parameters(), lr=lr)
    scheduler = {
        "none": None,
        "StepDecay": lambda: optim.StepDecay(opt, 2, 0.5),
        "ExpoDecay": lambda: optim.ExpoDecay(opt, 0.8),
    }[scheduler_name]
    logger = StreamlitLogger(epochs * len(loaders[0]))
    history = nyangtorch.nyang_train(
        model,
        opt,
        nn.CE(),
        loaders[0],
        loaders[1],
        epochs=epochs,
        scheduler=scheduler() if scheduler else None,
        logger=logger,
        progress=False,
        verbose=False,
    )
    result = nyangtorch.nyang_inference(model, loaders[2], progress=False)
    st.success(
        f"test accuracy {result.metrics['accuracy']:.3f}, macro-F1 {result.metrics['f1']:.3f}"
    )
    x, y = next(iter(loaders[2]))
    fig = nyang_images_grid(
        x[:24],
        y[:24],
        parts[0].classes,
        ncols=8,
        predictions=result.predictions[:24],
        mean=stats.mean,
        std=stats.std,
    )
    st.pyplot(fig)
    st.pyplot(plot_confusion(result.confusion, parts[0].classes, title="test set"))
