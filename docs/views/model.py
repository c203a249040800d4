import inspect

import numpy as np
import pandas as pd
import streamlit as st
from components import reference, runnable
from i18n import t

from nyangtorch import nn
from nyangtorch.nn import tape
from nyangtorch.nn.windows import channels_last, im2col

FORMULAS = {
    "Linear": r"y = xW^\top + b,\quad \frac{\partial L}{\partial W} = \delta^\top x,\quad "
    r"\frac{\partial L}{\partial b} = \mathbf 1^\top \delta,\quad \frac{\partial L}{\partial x} = \delta W"
    r"\qquad x\in\mathbb R^{N\times D_{in}},\ W\in\mathbb R^{D_{out}\times D_{in}}",
    "Conv": r"Y = \operatorname{im2col}(x)\,W_m^\top + b,\quad dW_m = dY^\top X,\quad "
    r"dx = \operatorname{col2im}(dY\,W_m)\qquad X \in \mathbb R^{N H_o W_o \times k_h k_w C}",
    "MaxPool": r"y_{n,c,i,j} = \max_{u,v} x_{n,c,is+u,js+v},\quad "
    r"\frac{\partial L}{\partial x} = \delta \text{ routed to the first maximum}",
    "AvgPool": r"y_{n,c,i,j} = \frac{1}{k_h k_w}\sum_{u,v} x_{n,c,is+u,js+v}",
    "ReLU": r"y = \max(x, 0),\quad \frac{\partial y}{\partial x} = [x > 0]",
    "LeakyReLU": r"y = \begin{cases}x & x>0\\ a x & x\le 0\end{cases}",
    "ELU": r"y = \begin{cases}x & x>0\\ \alpha(e^x-1) & x\le 0\end{cases}",
    "SELU": r"y = \lambda\begin{cases}x & x>0\\ \alpha(e^x-1) & x\le 0\end{cases},"
    r"\ \alpha\approx1.6733,\ \lambda\approx1.0507",
    "Tanh": r"y = \tanh x,\quad \frac{\partial y}{\partial x} = 1 - y^2",
    "Sigmoid": r"y = \frac{1}{1+e^{-x}},\quad \frac{\partial y}{\partial x} = y(1-y)",
    "Softmax": r"y_i = \frac{e^{x_i}}{\sum_j e^{x_j}},\quad dx = y\odot(\delta - \textstyle\sum_j \delta_j y_j)",
    "Dropout": r"y = \frac{m \odot x}{1-p}\ \text{(train)},\quad y = x\ \text{(eval)},\quad m\sim\text{Bernoulli}(1-p)",
    "BatchNorm": r"\hat x = \frac{x-\mu_B}{\sqrt{\sigma_B^2+\epsilon}},\ y = \gamma\hat x+\beta,\ "
    r"dx = \frac{\gamma}{\sqrt{\sigma_B^2+\epsilon}}\Big(\delta - \frac{d\beta + \hat x\, d\gamma}{M}\Big)",
    "CE": r"L = -\frac1N\sum_n\sum_c t_{nc}\log\operatorname{softmax}(z_n)_c,\quad "
    r"\frac{\partial L}{\partial z} = \frac{\operatorname{softmax}(z) - t}{N}",
    "BCE": r"L = \operatorname{mean}\big(\max(z,0) - zt + \log(1+e^{-|z|})\big),\quad "
    r"\frac{\partial L}{\partial z} = \frac{\sigma(z)-t}{\text{numel}}",
    "MSE": r"L = \operatorname{mean}\big((y-t)^2\big),\quad \frac{\partial L}{\partial y} = \frac{2(y-t)}{\text{numel}}",
    "FocalLoss": r"L = -\frac1N\sum_n\sum_c t_{nc}\,\alpha_c\,(1-p_{nc})^\gamma \log p_{nc}",
    "LogSoftmax": r"y_i = x_i - \log\textstyle\sum_j e^{x_j},\quad dx = \delta - e^{y}\textstyle\sum_j \delta_j",
    "NLL": r"L = -\frac1N\sum_n\sum_c t_{nc}\,\ell_{nc},\quad \frac{\partial L}{\partial \ell} = -\frac{t}{N}",
    "GlobalAvgPool": r"y_{n,c} = \frac{1}{HW}\sum_{i,j} x_{n,c,i,j},\quad \frac{\partial L}{\partial x_{n,c,i,j}} = \frac{\delta_{n,c}}{HW}",
    "Residual": r"y = F(x) + S(x),\quad dx = dF(\delta) + dS(\delta)\quad (S = \text{identity}: dS(\delta) = \delta)",
}

st.title(t("model_title"))
st.write(t("model_intro"))

st.subheader(t("example"))
runnable(
    """import numpy as np
from nyangtorch import nn
model = nn.NyangFlow(nn.Conv(1, 8, 3), nn.ReLU(), nn.MaxPool(2),
                     nn.Flatten(), nn.Linear(8 * 13 * 13, 10))
x = np.random.rand(4, 1, 28, 28).astype(np.float32)
y = model(x)                          # forward
dx = model.backward(np.ones_like(y))  # backward: grads in every Parameter
print(y.shape, dx.shape, model[0].weight.grad.shape)""",
    key="model_example",
    label=t("run_it"),
)

st.subheader(f"{t('live_demo')}: activations")
name = st.selectbox(
    "activation", ["ReLU", "LeakyReLU", "ELU", "SELU", "Tanh", "Sigmoid"], key="activation"
)
layer = getattr(nn, name)()
x = np.linspace(-4, 4, 201).reshape(-1, 1)
y = layer(x)
dydx = layer.backward(np.ones_like(x))
st.latex(FORMULAS[name])
st.line_chart(pd.DataFrame({"f(x)": y[:, 0], "f'(x) from backward": dydx[:, 0]}, index=x[:, 0]))

st.subheader(f"{t('live_demo')}: im2col")
st.write(
    "Each 2×2 window of this 1×4×4 image becomes one row; a convolution is then one matrix product."
)
image = np.arange(16, dtype=float).reshape(1, 1, 4, 4)
cols = im2col(channels_last(image), (2, 2), (1, 1))
left, right = st.columns(2)
left.dataframe(pd.DataFrame(image[0, 0]), use_container_width=True)
right.dataframe(
    pd.DataFrame(cols, columns=["(0,0)", "(0,1)", "(1,0)", "(1,1)"]), use_container_width=True
)

st.subheader(f"{t('live_demo')}: MaxPool backward")
seed = st.slider("random image", 0, 10, 0, key="pool_seed")
x = np.maximum(np.random.default_rng(seed).normal(size=(1, 1, 4, 4)).round(1), 0)
pool = nn.MaxPool(2)
out = pool(x)
routed = pool.backward(np.ones_like(out))
a, b, c = st.columns(3)
a.caption("input (after a ReLU: ties at 0)")
a.dataframe(pd.DataFrame(x[0, 0]), use_container_width=True)
b.caption("max of each 2×2 window")
b.dataframe(pd.DataFrame(out[0, 0]), use_container_width=True)
c.caption("where backward sends the gradient (first maximum)")
c.dataframe(pd.DataFrame(routed[0, 0]), use_container_width=True)

st.subheader(t("custom_title"))
st.write(t("custom_intro"))
runnable(
    """import numpy as np
from nyangtorch import nn

class Block(nn.Module):                  # PyTorch's spelling of NyangModel
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(4, 4, 3, padding="same")
        self.conv2 = nn.Conv2d(4, 4, 3, padding="same")
        self.relu = nn.ReLU()               # one ReLU, called twice
        self.pool = nn.GlobalAvgPool()
        self.fc = nn.Linear(4, 10)

    def forward(self, x):                   # no backward: the tape records these calls
        h = self.conv2(self.relu(self.conv1(x)))
        h = self.relu(nn.functional.add(h, x))   # residual: F(x) + x
        return self.fc(self.pool(h))

model = Block()
x = np.random.rand(2, 4, 8, 8).astype(np.float32)
y = model(x)
dx = model.backward(np.ones_like(y))      # the tape, walked in reverse
print(model.summary((4, 8, 8)))
print(dx.shape, model.conv1.weight.grad.shape)""",
    key="custom_example",
    label=t("run_it"),
)
st.markdown(t("custom_tape"))
st.write(t("custom_rules"))
with st.expander(t("custom_source")):
    st.code(inspect.getsource(tape), language="python")

st.subheader(t("reference"))
reference(["nyangtorch.nn"], FORMULAS)
