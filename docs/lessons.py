"""The lessons: one page per layer, in the order a learner meets them.

Every lesson has the same parts, in the same order: the forward and backward formulas, a
picture to play with, the layer's real code (read from the package now), a gradient check
the reader runs, an example to edit and run, and an exercise the page checks. Each lesson is
one function below; :func:`show` puts the title before it and the way on after it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
from nyangtorch import data, nn, optim
from nyangtorch.nn import functional
from nyangtorch.nn.kernels import pool as pool_kernels
from nyangtorch.nn.kernels import windows as window_kernels
from nyangtorch.nn.kernels import winograd as winograd_kernels
from nyangtorch.random import manual_seed
from nyangtorch.testing import gradcheck, numerical_grad

import pictures
from components import (
    class_name,
    code_exercise,
    example,
    exercise,
    gradient_check,
    labels,
    next_lesson,
    picture,
    same_numbers,
    scale_input_gradient,
    show_source,
)
from i18n import labels_for, t

ORDER = [
    "linear", "activations", "softmax", "conv", "pooling", "batchnorm", "dropout",
    "optimizers", "schedulers",
]  # fmt: skip
PAGE = {name: f"views/lesson_{name}.py" for name in ORDER}


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def formulas(*rows: tuple[str, str]) -> None:
    """Formulas in plain sight, each with the sentence that says what it means."""
    st.subheader(t("lesson_formulas"))
    for latex, explanation in rows:
        st.latex(latex)
        if explanation:
            st.markdown(t(explanation))


def code_section(*sources) -> None:
    st.subheader(t("lesson_code"))
    st.caption(t("lesson_code_text"))
    for obj, names in sources:
        show_source(obj, *names)


@st.cache_resource(show_spinner=False)
def sample_images() -> tuple[np.ndarray, list[str], str]:
    """Twenty test images of Fashion-MNIST (digits if it is not installed), as floats 0–1,
    with their class names and which data set they come from."""
    try:
        dataset, source = data.FashionMNIST("test", download=False), "fashion"
    except FileNotFoundError:  # no download here: a page must not wait on the network
        dataset, source = data.Digits(), "digits"
    images = dataset.images[:20].reshape(20, *dataset.images.shape[1:3])  # one channel: (N, H, W)
    names = [dataset.classes[k] for k in dataset.targets[:20]]
    return images.astype(np.float64) / 255.0, names, source


# -- 1. Linear -------------------------------------------------------------------------------
def linear() -> None:
    formulas(
        (r"y = xW^\top + b \qquad x\in\mathbb R^{N\times D_{in}},\ W\in\mathbb R^{D_{out}\times D_{in}},\ b\in\mathbb R^{D_{out}}", "linear_forward"),
        (r"\delta = \frac{\partial L}{\partial y},\qquad \frac{\partial L}{\partial W} = \delta^\top x,\qquad \frac{\partial L}{\partial b} = \mathbf 1^\top \delta,\qquad \frac{\partial L}{\partial x} = \delta\, W", "linear_backward"),
    )  # fmt: skip
    st.subheader(t("lesson_picture"))
    a, b, c = st.columns(3)
    n = a.slider(t("linear_batch"), 1, 6, 3, key="linear_n")
    d_in = b.slider(t("linear_in"), 1, 6, 4, key="linear_in")
    d_out = c.slider(t("linear_out"), 1, 6, 2, key="linear_out")
    picture("linear_shapes", n, d_in, d_out)
    st.caption(t("linear_caption"))
    code_section((nn.Linear, ("forward", "backward", "backward_params")))
    gradient_check(
        "linear_gradcheck",
        lambda: (nn.Linear(3, 2), rng().normal(size=(4, 3))),
        broken=scale_input_gradient,
    )
    st.subheader(t("lesson_try"))
    example(
        """import numpy as np
from nyangtorch import nn

layer = nn.Linear(3, 2)
x = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)   # one sample, 3 features
y = layer(x)
dx = layer.backward(np.ones_like(y))                # δ = 1 for both outputs
print("y  =", y)
print("dW =", layer.weight.grad)                    # δᵀx: every row is x
print("db =", layer.bias.grad)                      # the sum of δ over the batch
print("dx =", dx)                                   # δW: the column sums of W""",
        key="linear_example",
    )
    exercise("linear_ex1", t("linear_ex1"), same_numbers([3, 5], 0), t("linear_ex1_hint"))


# -- 2. Activations --------------------------------------------------------------------------
ACTIVATIONS = {
    "ReLU": (r"y = \max(x, 0)", r"\frac{\partial y}{\partial x} = \begin{cases}1 & x>0\\ 0 & x\le 0\end{cases}"),
    "LeakyReLU": (r"y = \begin{cases}x & x>0\\ a\,x & x\le 0\end{cases}\quad (a = 0.01)", r"\frac{\partial y}{\partial x} = \begin{cases}1 & x>0\\ a & x\le 0\end{cases}"),
    "ELU": (r"y = \begin{cases}x & x>0\\ \alpha(e^x-1) & x\le 0\end{cases}\quad (\alpha = 1)", r"\frac{\partial y}{\partial x} = \begin{cases}1 & x>0\\ \alpha e^x & x\le 0\end{cases}"),
    "SELU": (r"y = \lambda\begin{cases}x & x>0\\ \alpha(e^x-1) & x\le 0\end{cases}\quad \alpha\approx1.6733,\ \lambda\approx1.0507", r"\frac{\partial y}{\partial x} = \lambda\begin{cases}1 & x>0\\ \alpha e^x & x\le 0\end{cases}"),
    "Tanh": (r"y = \tanh x = \frac{e^x-e^{-x}}{e^x+e^{-x}}", r"\frac{\partial y}{\partial x} = 1 - y^2"),
    "Sigmoid": (r"y = \sigma(x) = \frac{1}{1+e^{-x}}", r"\frac{\partial y}{\partial x} = y\,(1-y)"),
}  # fmt: skip


def activations() -> None:
    name = st.segmented_control(
        t("act_choose"), list(ACTIVATIONS), default="ReLU", key="act_name", required=True
    )
    forward, derivative = ACTIVATIONS[name]
    formulas(
        (forward, "act_forward"),
        (
            derivative
            + r"\qquad \frac{\partial L}{\partial x} = \delta\odot\frac{\partial y}{\partial x}",
            "act_backward",
        ),
    )
    st.subheader(t("lesson_picture"))
    layer = getattr(nn, name)()
    x = np.linspace(-4, 4, 401).reshape(-1, 1)
    y = layer(x)
    slope = layer.backward(np.ones_like(x))  # δ = 1: backward returns dy/dx itself
    curves = {t("act_f"): y[:, 0], t("act_df"): slope[:, 0]}
    frame = pictures.long_form(curves, x[:, 0], "x", "y", "curve")
    chart = pictures.lines(frame, "x", "y", "curve", "x", t("act_value"), integer_x=False)
    st.altair_chart(chart, width="stretch")
    st.caption(t("act_caption"))
    sources = {
        "ELU": [(nn.ELU, ("forward", "_slope", "backward"))],
        "SELU": [(nn.SELU, ()), (nn.ELU, ("forward", "_slope", "backward"))],
    }
    code_section(*sources.get(name, [(getattr(nn, name), ("forward", "backward"))]))
    gradient_check(
        f"act_gradcheck_{name}",
        lambda: (getattr(nn, name)(), rng().normal(size=(3, 4))),
        broken=scale_input_gradient,
    )
    st.subheader(t("lesson_try"))
    example(
        """import numpy as np
from nyangtorch import nn

x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
for layer in (nn.ReLU(), nn.LeakyReLU(0.1), nn.Tanh(), nn.Sigmoid()):
    y = layer(x)
    slope = layer.backward(np.ones_like(x))      # dy/dx at each x
    print(f"{type(layer).__name__:9}", np.round(y, 3), np.round(slope, 3))""",
        key="act_example",
    )

    def softplus_is_right(namespace: dict) -> str | None:
        gradcheck(namespace["Softplus"](), rng(1).normal(size=(3, 4)))
        return None

    code_exercise(
        "act_ex1",
        t("act_ex1"),
        """import numpy as np
from nyangtorch import nn

class Softplus(nn.NyangModel):
    \"\"\"y = log(1 + eˣ): a ReLU with a rounded corner.\"\"\"

    def forward(self, x):
        self._cache = x
        return np.log1p(np.exp(x))

    def backward(self, dy):
        x = self._cache
        return dy * 0          # ← replace 0 by dy/dx""",
        softplus_is_right,
        t("act_ex1_hint"),
    )


# -- 3. Softmax and cross-entropy ------------------------------------------------------------
def softmax() -> None:
    formulas(
        (r"p_i = \operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}} = \frac{e^{z_i - m}}{\sum_j e^{z_j - m}},\quad m = \max_j z_j", "sm_forward"),
        (r"L = -\frac1N\sum_{n}\sum_{c} t_{nc}\,\log p_{nc}", "sm_loss"),
        (r"\frac{\partial L}{\partial z_{nc}} = \frac{p_{nc} - t_{nc}}{N}", "sm_backward"),
    )  # fmt: skip
    st.subheader(t("lesson_picture"))
    cols = st.columns(4)
    logits = np.array(
        [
            cols[i].slider(f"z{i}", -4.0, 4.0, v, 0.1, key=f"sm_z{i}")
            for i, v in enumerate((2.0, 1.0, 0.0))
        ]
    )
    target = cols[3].radio(t("sm_target"), [0, 1, 2], horizontal=True, key="sm_target")
    loss = nn.CE()
    value = loss(logits[None, :], np.array([target]))
    grad = loss.backward()[0]
    probs = functional.softmax(logits)
    picture("softmax_bars", logits, probs, grad, target, labels("logits", "probs", "grad", "class"))
    st.markdown(t("sm_caption", loss=f"{value:.4f}", p=f"{probs[target]:.4f}"))
    code_section((functional, ("log_softmax",)), (nn.CE, ("forward",)), (nn.Loss, ("backward",)))
    gradient_check(
        "sm_gradcheck",
        lambda: (nn.CE(), rng().normal(size=(4, 3)), np.array([0, 2, 1, 2])),
        broken=scale_input_gradient,
    )
    st.subheader(t("lesson_try"))
    example(
        """import numpy as np
from nyangtorch import nn

z = np.array([[2.0, 1.0, 0.0],
              [0.0, 0.0, 5.0]])        # logits: 2 samples, 3 classes
target = np.array([0, 1])              # class indices
loss_fn = nn.CE()
print("loss  =", loss_fn(z, target))
print("dL/dz =", loss_fn.backward())   # (softmax(z) − one_hot(t)) / N
print("huge logits are fine:", loss_fn(z * 1000, target))""",
        key="sm_example",
    )
    exercise(
        "sm_ex1",
        t("sm_ex1"),
        same_numbers(np.exp(2) / (np.exp(2) + np.exp(1) + 1) - 1, 2e-3),
        t("sm_ex1_hint"),
    )
    exercise("sm_ex2", t("sm_ex2"), same_numbers(np.log(10), 2e-3), t("sm_ex2_hint"))


# -- 4. Convolution --------------------------------------------------------------------------
# Hand-made 3×3 filters, named on the page by the texts conv_filter_0 … conv_filter_3.
EDGE_FILTERS = [
    np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], float),  # vertical edge (Sobel)
    np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], float),  # horizontal edge (Sobel)
    np.full((3, 3), 1 / 9),  # blur: the mean of the window
    np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], float),  # sharpen
]


def conv() -> None:
    formulas(
        (r"y_{n,o,i,j} = b_o + \sum_{c,u,v} W_{o,c,u,v}\; x^{p}_{n,c,\,is+u,\,js+v},\qquad H_o = \left\lfloor\frac{H + 2p - k}{s}\right\rfloor + 1", "conv_forward"),
        (r"X = \operatorname{im2col}(x^p)\in\mathbb R^{N H_o W_o\times k_h k_w C},\qquad Y = X W_m^\top + b", "conv_im2col"),
        (r"\frac{\partial L}{\partial W_m} = \delta^\top X,\qquad \frac{\partial L}{\partial b} = \mathbf 1^\top\delta,\qquad \frac{\partial L}{\partial x} = \operatorname{col2im}(\delta\, W_m)", "conv_backward"),
        (r"Y = A^\top\big[(G\,g\,G^\top)\odot(B^\top d\,B)\big]A,\qquad d\in\mathbb R^{4\times 4},\ g\in\mathbb R^{3\times 3},\ Y\in\mathbb R^{2\times 2}", "conv_winograd"),
    )  # fmt: skip
    st.subheader(t("conv_im2col_title"))
    cols = st.columns(4)
    size = cols[0].slider(t("conv_size"), 3, 7, 5, key="conv_size")
    kernel = cols[1].slider(t("conv_kernel"), 1, 4, 3, key="conv_kernel")
    stride = cols[2].slider(t("conv_stride"), 1, 3, 1, key="conv_stride")
    padding = cols[3].slider(t("conv_padding"), 0, 2, 0, key="conv_padding")
    out = (size + 2 * padding - kernel) // stride + 1
    if out < 1:
        st.warning(t("conv_too_small"))
    else:
        row = st.slider(t("conv_row"), 0, out * out - 1, 0, key="conv_row") if out * out > 1 else 0
        picture(
            "im2col_picture",
            size,
            kernel,
            stride,
            padding,
            row,
            labels("image", "cols", "offset", "row", "out"),
        )
        st.caption(t("conv_im2col_caption", rows=out * out, cols=kernel * kernel, out=out))
    st.subheader(t("conv_real_title"))
    images, names, source = sample_images()
    index = st.slider(t("conv_image"), 0, len(images) - 1, 0, key="conv_image")
    layer = nn.Conv(1, len(EDGE_FILTERS), 3, padding=1, bias=False)
    layer.weight.data = np.stack(EDGE_FILTERS)[:, None].astype(np.float32)
    maps = layer(images[index][None, None].astype(np.float32))[0]
    filter_names = {t(f"conv_filter_{i}"): w for i, w in enumerate(EDGE_FILTERS)}
    picture(
        "feature_maps",
        images[index],
        filter_names,
        list(maps),
        labels("map", image=t("conv_image"), explain=t("conv_maps_explain")),
        width="stretch",
    )
    st.caption(t("conv_real_caption", name=class_name(names[index]), source=t(f"source_{source}")))
    code_section(
        (nn.Conv, ("forward", "_forward_im2col", "_param_grads", "_grads_im2col")),
        (nn.Conv, ("backward", "_input_grad_im2col")),
        (window_kernels, ("im2col", "col2im")),
        (nn.Conv, ("_forward_winograd", "_grads_winograd", "_input_grad_winograd")),
        (winograd_kernels, ("input_tiles", "output_tiles")),
    )
    gradient_check(
        "conv_gradcheck",
        lambda: (nn.Conv(2, 3, 3, padding=1), rng().normal(size=(2, 2, 4, 4))),
        broken=scale_input_gradient,
    )
    st.subheader(t("lesson_try"))
    example(
        """import numpy as np
from nyangtorch import nn

conv = nn.Conv(1, 1, 3, bias=False)
conv.weight.data[:] = [[[[1, 0, -1], [1, 0, -1], [1, 0, -1]]]]   # a vertical-edge filter
x = np.zeros((1, 1, 5, 5), dtype=np.float32)
x[..., :, :2] = 1                     # bright left, dark right: one vertical edge
print(conv(x)[0, 0])                  # strong response where the window straddles it""",
        key="conv_example",
    )
    exercise("conv_ex1", t("conv_ex1"), same_numbers(14, 0), t("conv_ex1_hint"))
    exercise("conv_ex2", t("conv_ex2"), same_numbers([18, 9], 0), t("conv_ex2_hint"))


# -- 5. Pooling ------------------------------------------------------------------------------
def pooling() -> None:
    formulas(
        (r"\text{MaxPool:}\quad y_{n,c,i,j} = \max_{u,v} x_{n,c,\,is+u,\,js+v},\qquad \frac{\partial L}{\partial x_{n,c,\,is+u^*,\,js+v^*}} \mathrel{+}= \delta_{n,c,i,j}", "pool_max"),
        (r"\text{AvgPool:}\quad y_{n,c,i,j} = \frac{1}{k_h k_w}\sum_{u,v} x_{n,c,\,is+u,\,js+v},\qquad \frac{\partial L}{\partial x_{n,c,\,is+u,\,js+v}} \mathrel{+}= \frac{\delta_{n,c,i,j}}{k_h k_w}", "pool_avg"),
        (r"\text{GlobalAvgPool:}\quad y_{n,c} = \frac{1}{HW}\sum_{i,j} x_{n,c,i,j},\qquad \frac{\partial L}{\partial x_{n,c,i,j}} = \frac{\delta_{n,c}}{HW}", ""),
    )  # fmt: skip
    st.subheader(t("lesson_picture"))
    a, b, c = st.columns(3)
    seed = a.slider(t("pool_seed"), 0, 20, 0, key="pool_seed")
    side = b.radio(t("pool_side"), [4, 6], horizontal=True, key="pool_side")
    relu_first = c.toggle(t("pool_relu"), True, key="pool_relu")
    x = rng(seed).normal(size=(1, 1, side, side)).round(1)
    if relu_first:
        x = np.maximum(x, 0)
    layer = nn.MaxPool(2)
    y = layer(x)
    routed = layer.backward(np.ones_like(y))
    picture("maxpool_routing", x[0, 0], y[0, 0], routed[0, 0], 2, labels("input", "output", "grad"))
    st.caption(t("pool_caption"))
    st.markdown(t("pool_in_the_model"))
    code_section(
        (nn.MaxPool, ("forward", "backward")),
        (pool_kernels, ("max_pool", "pool_backward")),
        (nn.AvgPool, ("forward", "backward")),
    )
    kind = st.radio(t("pool_check_which"), ["MaxPool", "AvgPool"], horizontal=True, key="pool_kind")
    gradient_check(
        f"pool_gradcheck_{kind}",
        lambda: (getattr(nn, kind)(2), rng().normal(size=(1, 2, 4, 4))),
        broken=scale_input_gradient,
    )
    st.subheader(t("lesson_try"))
    example(
        """import numpy as np
from nyangtorch import nn

x = np.zeros((1, 1, 2, 2))           # after a ReLU, a whole window can be 0: a 4-way tie
pool = nn.MaxPool(2)
y = pool(x)
print(pool.backward(np.ones_like(y))[0, 0])   # only the first maximum gets the gradient""",
        key="pool_example",
    )
    exercise("pool_ex1", t("pool_ex1"), same_numbers([0, 0], 0), t("pool_ex1_hint"))
    exercise("pool_ex2", t("pool_ex2"), same_numbers(0.25), t("pool_ex2_hint"))


# -- 6. BatchNorm ----------------------------------------------------------------------------
def batchnorm() -> None:
    formulas(
        (r"\mu_B = \frac1M\sum_m x_m,\quad \sigma_B^2 = \frac1M\sum_m (x_m-\mu_B)^2,\quad \hat x = \frac{x-\mu_B}{\sqrt{\sigma_B^2+\epsilon}},\quad y = \gamma\,\hat x + \beta", "bn_forward"),
        (r"\frac{\partial L}{\partial \beta} = \sum_m \delta_m,\quad \frac{\partial L}{\partial \gamma} = \sum_m \delta_m \hat x_m,\quad \frac{\partial L}{\partial x} = \frac{\gamma}{\sqrt{\sigma_B^2+\epsilon}}\Big(\delta - \frac{1}{M}\Big(\frac{\partial L}{\partial \beta} + \hat x\,\frac{\partial L}{\partial \gamma}\Big)\Big)", "bn_backward"),
        (r"\text{running} \leftarrow (1-m)\,\text{running} + m\cdot\text{batch},\qquad \text{eval: } y = \gamma\,\frac{x-\mu_{run}}{\sqrt{\sigma^2_{run}+\epsilon}} + \beta", "bn_running"),
    )  # fmt: skip
    st.subheader(t("lesson_picture"))
    a, b, c = st.columns(3)
    gamma = a.slider(t("bn_gamma"), 0.1, 3.0, 1.0, 0.1, key="bn_gamma")
    beta = b.slider(t("bn_beta"), -3.0, 3.0, 0.0, 0.1, key="bn_beta")
    batch = c.select_slider(t("bn_batch"), [8, 32, 128, 512], 512, key="bn_batch")
    x = rng().normal(loc=[3.0, -2.0, 0.0], scale=[2.0, 0.5, 1.0], size=(batch, 3))
    layer = nn.BatchNorm(3)
    layer.weight.data[:], layer.bias.data[:] = gamma, beta
    y = layer(x)
    picture("batchnorm_histograms", x, y, labels("before", "after", "channel", "value", "count"))
    table = pd.DataFrame(
        {
            t("bn_mean_before"): x.mean(0),
            t("bn_std_before"): x.std(0),
            t("bn_mean_after"): y.mean(0),
            t("bn_std_after"): y.std(0),
        }
    ).round(3)
    table.index = [f"{t('pic_channel')} {i}" for i in range(3)]
    st.dataframe(table, width="stretch")
    code_section((nn.BatchNorm, ("forward", "backward")))
    gradient_check(
        "bn_gradcheck",
        lambda: (nn.BatchNorm(3), rng().normal(size=(6, 3))),
        broken=scale_input_gradient,
    )
    st.subheader(t("lesson_try"))
    example(
        """import numpy as np
from nyangtorch import nn

bn = nn.BatchNorm(2)
x = np.random.default_rng(0).normal([10.0, -5.0], [3.0, 0.1], size=(64, 2))
y = bn(x)                                   # training: the batch's own statistics
print("batch mean", y.mean(0).round(4), "std", y.std(0).round(4))
print("running mean", bn.running_mean)      # moved 10% of the way towards the batch's
bn.eval()
print("eval output", bn(x[:2]).round(3))    # eval: the running statistics instead""",
        key="bn_example",
    )
    exercise("bn_ex1", t("bn_ex1"), same_numbers(0.5, 1e-2), t("bn_ex1_hint"))


# -- 7. Dropout ------------------------------------------------------------------------------
class FixedMaskDropout(nn.NyangModel):
    """Dropout whose mask is drawn from the same seed on every forward pass.

    The numerical gradient runs forward many times: with a new mask each time it would
    differentiate a different function on every call. A fixed seed makes it one function."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.inner = nn.Dropout(p)

    def forward(self, x):
        manual_seed(0)
        return self.inner(x)

    def backward(self, dy):
        return self.inner.backward(dy)


def dropout() -> None:
    formulas(
        (r"m \sim \operatorname{Bernoulli}(1-p),\qquad \text{train: } y = \frac{m\odot x}{1-p},\qquad \text{eval: } y = x", "do_forward"),
        (r"\frac{\partial L}{\partial x} = \frac{m\odot\delta}{1-p}\ \ \text{(train)},\qquad \frac{\partial L}{\partial x} = \delta\ \ \text{(eval)}", "do_backward"),
    )  # fmt: skip
    st.subheader(t("lesson_picture"))
    a, b = st.columns(2)
    p = a.slider("p", 0.0, 0.9, 0.5, 0.05, key="do_p")
    seed = b.slider(t("do_seed"), 0, 20, 0, key="do_seed")
    images, _, _ = sample_images()
    kept = rng(seed).random(images[0].shape) >= p
    picture("dropout_picture", images[0], kept, p, labels("input", "mask", "train", "eval"))
    st.caption(t("do_caption", kept=f"{kept.mean():.0%}", gain=f"{1 / (1 - p):.2f}"))
    code_section((nn.Dropout, ("forward", "backward")))
    gradient_check(
        "do_gradcheck",
        lambda: (FixedMaskDropout(0.3), rng().normal(size=(3, 5))),
        broken=scale_input_gradient,
    )
    st.caption(t("do_gradcheck_note"))
    st.subheader(t("lesson_try"))
    example(
        """import numpy as np
import nyangtorch
from nyangtorch import nn

nyangtorch.manual_seed(0)
drop = nn.Dropout(0.5)
x = np.ones((2, 8))
print(drop(x))               # training: about half are 0, the rest 1 / (1 − 0.5) = 2
print(x.mean(), drop(x).mean().round(2), "— the same on average")
drop.eval()
print(drop(x))               # eval: nothing is dropped""",
        key="do_example",
    )
    exercise("do_ex1", t("do_ex1"), same_numbers(4.0), t("do_ex1_hint"))


# -- 8. Optimizers ---------------------------------------------------------------------------
SURFACES = {
    # name: (loss, gradient, start, extent)
    "ravine": (
        lambda x, y: 0.1 * x**2 + 2.0 * y**2,
        lambda x, y: np.array([0.2 * x, 4.0 * y]),
        (-4.5, 1.5),
        ((-5, 5), (-2, 2)),
    ),
    "banana": (
        lambda x, y: (1 - x) ** 2 + 5 * (y - x**2) ** 2,
        lambda x, y: np.array([-2 * (1 - x) - 20 * x * (y - x**2), 10 * (y - x**2)]),
        (-1.5, 2.2),
        ((-2, 2), (-1, 3)),
    ),
}


def optimizer_path(surface: str, make, steps: int) -> np.ndarray:
    """The points a real nyangtorch optimizer visits on a 2-D loss: θ is one Parameter of two
    numbers, its gradient the surface's; ``make(params)`` builds the optimizer."""
    _, grad, start, _ = SURFACES[surface]
    theta = nn.Parameter(np.array(start, dtype=np.float64))
    opt = make([theta])
    path = [theta.data.copy()]
    for _ in range(steps):
        theta.grad = grad(*theta.data)
        opt.step()
        if not np.all(np.isfinite(theta.data)) or np.abs(theta.data).max() > 1e3:
            break  # diverged: the picture shows it leaving
        path.append(theta.data.copy())
    return np.array(path)


def optimizers() -> None:
    formulas(
        (r"\text{SGD:}\quad \theta \leftarrow \theta - \eta\, g", "opt_sgd"),
        (r"\text{Momentum:}\quad b \leftarrow \mu b + g,\quad \theta \leftarrow \theta - \eta\, b", "opt_momentum"),
        (r"\text{RMSprop:}\quad v \leftarrow \alpha v + (1-\alpha) g^2,\quad \theta \leftarrow \theta - \eta\,\frac{g}{\sqrt v + \epsilon}", "opt_rmsprop"),
        (r"\text{Adam:}\quad m \leftarrow \beta_1 m + (1-\beta_1) g,\ \ v \leftarrow \beta_2 v + (1-\beta_2) g^2,\ \ \theta \leftarrow \theta - \frac{\eta}{1-\beta_1^t}\,\frac{m}{\sqrt{v}/\sqrt{1-\beta_2^t}+\epsilon}", "opt_adam"),
    )  # fmt: skip
    st.subheader(t("lesson_picture"))
    a, b, c, d = st.columns(4)
    surface = a.radio(
        t("opt_surface"),
        list(SURFACES),
        format_func=labels_for(SURFACES, "opt_surface"),
        key="opt_surface",
    )
    lr = b.select_slider(
        t("opt_lr"), [0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3], 0.05, key="opt_lr"
    )
    momentum = c.slider(t("opt_mu"), 0.0, 0.99, 0.9, 0.01, key="opt_mu")
    steps = d.slider(t("opt_steps"), 10, 300, 100, 10, key="opt_steps")
    makers = {
        "SGD": lambda p: optim.SGD(p, lr=lr),
        t("opt_with_momentum", mu=f"{momentum:g}"): lambda p: optim.SGD(
            p, lr=lr, momentum=momentum
        ),
        "RMSprop": lambda p: optim.RMSprop(p, lr=lr),
        "Adam": lambda p: optim.Adam(p, lr=lr, betas=(momentum, 0.999)),
    }
    paths = {name: optimizer_path(surface, make, steps) for name, make in makers.items()}
    loss, _, _, ((x0, x1), (y0, y1)) = SURFACES[surface]
    gx, gy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    picture("optimizer_paths", (gx, gy, loss(gx, gy)), paths, labels("start", title=t("opt_title")))
    final = pd.DataFrame(
        {
            t("opt_name"): list(paths),
            t("opt_final_loss"): [f"{loss(*p[-1]):.2e}" for p in paths.values()],
            t("opt_steps_taken"): [len(p) - 1 for p in paths.values()],
        }
    )
    st.dataframe(final, hide_index=True, width="stretch")
    st.caption(t("opt_caption"))
    code_section(
        (optim.Optimizer, ("step",)),
        (optim.SGD, ("update",)),
        (optim.RMSprop, ("update",)),
        (optim.Adam, ("update",)),
    )
    with st.container(border=True):
        st.markdown(f"**{t('opt_gradcheck_title')}**")
        st.caption(t("opt_gradcheck_text"))
        if st.button(t("gradcheck_run"), key="opt_gradcheck"):
            point = np.array(SURFACES[surface][2], dtype=np.float64)
            numeric = numerical_grad(lambda: float(loss(*point)), point)
            analytic = SURFACES[surface][1](*point)
            st.session_state["opt_gradcheck_result"] = (analytic, numeric)
        if "opt_gradcheck_result" in st.session_state:
            analytic, numeric = st.session_state["opt_gradcheck_result"]
            st.dataframe(
                pd.DataFrame(
                    {t("grad_analytic"): analytic, t("grad_numeric"): numeric}, index=["θ₁", "θ₂"]
                ),
                width="stretch",
            )
            (st.success if np.allclose(analytic, numeric, rtol=1e-5) else st.error)(
                t("gradcheck_passed")
            )
    st.subheader(t("lesson_try"))
    example(
        """import numpy as np
from nyangtorch import nn, optim

theta = nn.Parameter(np.array([1.0]))        # minimise L = θ²; dL/dθ = 2θ
opt = optim.SGD([theta], lr=0.1)
for step in range(5):
    theta.grad = 2 * theta.data
    opt.step()
    print(step + 1, theta.data)               # ×0.8 each step""",
        key="opt_example",
    )
    exercise("opt_ex1", t("opt_ex1"), same_numbers(0.8), t("opt_ex1_hint"))
    exercise("opt_ex2", t("opt_ex2"), same_numbers(0.01, 1e-4), t("opt_ex2_hint"))


# -- 9. Schedulers ---------------------------------------------------------------------------
SCHEDULES = {
    "StepDecay(step_size=5, gamma=0.5)": lambda o, n: optim.StepDecay(o, 5, 0.5),
    "ExpoDecay(gamma=0.9)": lambda o, n: optim.ExpoDecay(o, 0.9),
    "WarmUp(5, after=ExpoDecay(0.9))": lambda o, n: optim.WarmUp(o, 5, after=optim.ExpoDecay(o, 0.9)),
    "CosineDecay(T_max=epochs)": lambda o, n: optim.CosineDecay(o, T_max=n),
    "OneCycle(max_lr=0.1, total_steps=epochs)": lambda o, n: optim.OneCycle(o, max_lr=0.1, total_steps=n),
}  # fmt: skip


def schedule_curve(make, steps: int) -> list[float]:
    """The rate a real scheduler sets at steps 0, 1, …, ``steps`` (lr₀ = 0.1)."""
    opt = optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1, momentum=0.9)
    scheduler = make(opt, steps)
    rates = [scheduler.get_last_lr()[0]]
    for _ in range(steps):
        scheduler.step()
        rates.append(scheduler.get_last_lr()[0])
    return rates


def schedulers() -> None:
    formulas(
        (r"\text{StepDecay:}\ \eta_t = \eta_0\,\gamma^{\lfloor t/s\rfloor}\qquad \text{ExpoDecay:}\ \eta_t = \eta_0\,\gamma^{t}", "sched_step"),
        (r"\text{WarmUp:}\ \eta_t = \eta_0\,\frac{t+1}{W+1}\ (t\le W)\qquad \text{CosineDecay:}\ \eta_t = \eta_{min} + (\eta_0-\eta_{min})\,\frac{1+\cos(\pi t/T)}{2}", "sched_warm"),
        (r"\text{OneCycle:}\ \eta:\ \tfrac{\eta_{max}}{25} \nearrow \eta_{max} \searrow \tfrac{\eta_{max}}{25\cdot 10^4}", "sched_onecycle"),
    )  # fmt: skip
    st.subheader(t("lesson_picture"))
    a, b = st.columns([1, 3])
    steps = a.slider(t("sched_epochs"), 5, 60, 30, key="sched_epochs")
    chosen = b.multiselect(
        t("sched_choose"), list(SCHEDULES), default=list(SCHEDULES)[:4], key="sched_chosen"
    )
    if chosen:
        curves = {name: np.array(schedule_curve(SCHEDULES[name], steps)) for name in chosen}
        frame = pictures.long_form(curves, np.arange(steps + 1), "step", "lr", "schedule")
        chart = pictures.lines(
            frame,
            "step",
            "lr",
            "schedule",
            t("sched_x"),
            t("sched_y"),
            step=True,
            height=480,
            legend_columns=2,
        )
        st.altair_chart(chart, width="stretch")
        st.caption(t("sched_caption"))
    else:
        st.info(t("sched_none"))
    code_section(
        (optim.Scheduler, ("step",)),
        (optim.StepDecay, ("lr_at",)),
        (optim.ExpoDecay, ("lr_at",)),
        (optim.CosineDecay, ("lr_at",)),
    )
    st.subheader(t("lesson_try"))
    example(
        """import numpy as np
from nyangtorch import nn, optim

opt = optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1)
scheduler = optim.StepDecay(opt, step_size=3, gamma=0.5)
for epoch in range(8):
    print(epoch, scheduler.get_last_lr())    # the rate this epoch trains with
    scheduler.step()                          # once per epoch, after training it""",
        key="sched_example",
    )
    exercise("sched_ex1", t("sched_ex1"), same_numbers(0.025, 1e-5), t("sched_ex1_hint"))


LESSONS = {
    "linear": linear, "activations": activations, "softmax": softmax, "conv": conv,
    "pooling": pooling, "batchnorm": batchnorm, "dropout": dropout, "optimizers": optimizers,
    "schedulers": schedulers,
}  # fmt: skip


def show(name: str) -> None:
    """A lesson page: its number and title, the lesson, and the way to the next one."""
    number = ORDER.index(name) + 1
    st.title(f"{t('lesson')} {number} · {t(f'lesson_{name}')}")
    st.write(t(f"{name}_intro"))
    LESSONS[name]()
    st.divider()
    if number < len(ORDER):
        following = ORDER[number]
        next_lesson(
            PAGE[following], f"{t('next_lesson')}: {number + 1} · {t(f'lesson_{following}')}"
        )
    else:
        next_lesson("views/playground.py", t("next_playground"))
