import inspect

import numpy as np
import pandas as pd
import streamlit as st
from nyangtorch.nn import tape
from nyangtorch.random import manual_seed

from components import example, exercise, reference, same_numbers
from i18n import t
from lessons import ORDER, PAGE

st.title(t("model_title"))
st.write(t("model_intro"))

st.subheader(t("example"))
example(
    """import numpy as np
from nyangtorch import nn
model = nn.NyangFlow(nn.Conv(1, 8, 3), nn.ReLU(), nn.MaxPool(2),
                     nn.Flatten(), nn.Linear(8 * 13 * 13, 10))
x = np.random.rand(4, 1, 28, 28).astype(np.float32)
y = model(x)                          # forward
dx = model.backward(np.ones_like(y))  # backward: grads in every Parameter
print(y.shape, dx.shape, model[0].weight.grad.shape)""",
    key="model_example",
)

st.subheader(t("model_lessons"))
st.write(t("model_lessons_text"))
columns = st.columns(3)
for i, name in enumerate(ORDER[:7]):  # the layers; optimizers and schedulers are training
    columns[i % 3].page_link(PAGE[name], label=f"{i + 1}. {t(f'lesson_{name}')}", icon="📘")

# -- the tape ----------------------------------------------------------------------------------
st.subheader(t("custom_title"))
st.write(t("custom_intro"))
example(
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
)
st.markdown(t("custom_tape"))

st.subheader(t("tape_shown"))
st.write(t("tape_shown_text"))
TAPE_MODEL = """from nyangtorch import nn

class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 3, padding="same")
        self.relu = nn.ReLU()
        self.pool = nn.GlobalAvgPool()
        self.fc = nn.Linear(2, 3)

    def forward(self, x):
        h = self.relu(self.conv(x))
        h = self.relu(nn.functional.add(h, x))    # the same ReLU again, after a residual sum
        return self.fc(self.pool(h))"""
st.code(TAPE_MODEL, language="python")


def describe(cache) -> str:
    """What one call kept for backward, in a few words: arrays by dtype and shape."""
    if cache is None:
        return "—"
    if isinstance(cache, np.ndarray):
        return f"{cache.dtype} {tuple(cache.shape)}"
    if isinstance(cache, tuple) and all(isinstance(c, int) for c in cache):
        return str(cache)  # a shape
    if isinstance(cache, tuple):
        return "(" + ", ".join(describe(c) for c in cache) + ")"
    return repr(cache) if isinstance(cache, bool | int | float) else type(cache).__name__


namespace = {}
exec(TAPE_MODEL, namespace)
manual_seed(0)
model = namespace["Small"]()
x = np.random.default_rng(0).normal(size=(1, 2, 4, 4)).astype(np.float32)
y = model(x)
recorded = model.forward_tape  # what model.backward walks
names = {id(x): "x"} | {id(e.output): f"a{i}" for i, e in enumerate(recorded.entries, start=1)}
layer_names = {id(m): n for n, m in model.named_modules() if n}
rows = [
    {
        "#": i,
        t("tape_call"): f"{layer_names.get(id(e.layer), '')} ({type(e.layer).__name__})".strip(),
        t("tape_inputs"): ", ".join(names[k] for k in e.inputs),
        t("tape_output"): f"{names[id(e.output)]} {tuple(e.output.shape)}",
        t("tape_kept"): describe(e.caches[0][1]),
    }
    for i, e in enumerate(recorded.entries, start=1)
]
st.table(pd.DataFrame(rows), hide_index=True)

model.zero_grad()
# Tape.walk is the loop of model.backward, pausing after each entry: a copy of the table each time.
states = [dict(grads) for grads in recorded.walk(np.ones_like(y))]
walked_dx, walked_dw = states[-1][id(x)], model.conv.weight.grad.copy()
step = st.slider(t("tape_step"), 0, len(recorded.entries), 0, key="tape_step")
current = len(recorded.entries) - step + 1 if step else 0  # the entry just walked (1-based)
done = {len(recorded.entries) - k for k in range(step)}
pending = states[step]
lines = [
    'digraph { rankdir=TB; nodesep=0.4; ranksep=0.25; node [fontname="sans-serif", fontsize=12];'
]
for key, name in names.items():
    color = "#e4572e" if key in pending else "#ffffff"
    lines.append(f'{name} [shape=ellipse, style=filled, fillcolor="{color}", label="{name}"];')
for i, e in enumerate(recorded.entries, start=1):
    fill = "#f3a712" if i == current else "#c7e9c0" if i in done else "#fff3e0"
    label = f"{i}. {type(e.layer).__name__}"
    lines.append(f'c{i} [shape=box, style="rounded,filled", fillcolor="{fill}", label="{label}"];')
    lines += [f"{names[k]} -> c{i};" for k in e.inputs] + [f"c{i} -> {names[id(e.output)]};"]
lines.append("}")
graph_col, state_col = st.columns([2, 3])
graph_col.graphviz_chart("\n".join(lines), width="content")
with state_col:
    st.caption(t("tape_legend"))
    st.markdown(f"**{t('tape_waiting')}**")
    waiting = [
        {
            t("tape_array"): names[k],
            t("shape"): str(tuple(g.shape)),
            t("tape_grad_sum"): f"{float(g.sum()):+.4f}",
        }
        for k, g in pending.items()
    ]
    st.table(
        pd.DataFrame(waiting, columns=[t("tape_array"), t("shape"), t("tape_grad_sum")]),
        hide_index=True,
    )
    if step == len(recorded.entries):
        model.zero_grad()
        model(x)
        dx = model.backward(np.ones_like(y))
        same = np.array_equal(dx, walked_dx) and np.array_equal(model.conv.weight.grad, walked_dw)
        (st.success if same else st.error)(t("tape_same") if same else t("tape_differs"))
    else:
        st.info(t("tape_move"))
st.write(t("custom_rules"))
with st.expander(t("custom_source")):
    st.code(inspect.getsource(tape), language="python")
exercise("tape_ex1", t("tape_ex1"), same_numbers(2, 0), t("tape_ex1_hint"))

st.subheader(t("reference"))
reference(["nyangtorch.nn", "nyangtorch.nn.functional", "nyangtorch.models"])
