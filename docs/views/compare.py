import json
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
from nyangtorch.compare.differences import DIFFERENCES

from api_reference import escape_markdown
from i18n import DIFFERENCES_KO, lang, t
from pictures import lines

REPORT = Path(__file__).resolve().parents[2] / "reports" / "compare" / "results.json"
STATUS_COLOR = {"same": "green", "closed": "blue", "deliberate": "orange"}

st.title(t("cmp_title"))
st.write(t("cmp_intro"))


def machine(env: dict) -> str:
    """The environment of the run in one sentence."""
    blas = next((b for b in env.get("blas", []) if b.get("internal_api") == "openblas"), None)
    blas_text = (
        t(
            "cmp_blas",
            version=blas.get("version"),
            arch=blas.get("architecture"),
            threads=blas.get("num_threads"),
        )
        if blas
        else t("cmp_blas_unknown")
    )
    return t(
        "cmp_machine",
        machine=env.get("machine", "?"),
        cpus=env.get("cpus", "?"),
        python=env.get("python", "?"),
        numpy=env.get("numpy", "?"),
        blas=blas_text,
        torch=env.get("torch", "?"),
        torch_threads=env.get("torch_threads", "?"),
    )


def loss_difference(data: dict) -> pd.DataFrame:
    """|loss_nyangtorch − loss_torch| per step for every twin run, as long-form rows."""
    frames = []
    for name, run in data.items():
        if not isinstance(run, dict) or "ours" not in run:
            continue
        ours, theirs = np.array(run["ours"]["step_losses"]), np.array(run["torch"]["step_losses"])
        diff = np.abs(ours - theirs)
        # log scale: an exact match (0) cannot be drawn, so it shows as a gap, not as a lie.
        frames.append(
            pd.DataFrame(
                {
                    "step": np.arange(1, len(diff) + 1),
                    "diff": np.where(diff > 0, diff, np.nan),
                    "run": name,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


PHASES = {"fwd": "cmp_fwd", "bwd": "cmp_bwd"}
OTHER_PARTS = {"loss": "cmp_part_loss", "adam step": "cmp_part_adam_step"}


def phase_of(part: str) -> str:
    """ "fwd 3 Conv" -> forward, "bwd 3 Conv" -> backward, anything else -> other."""
    return t(PHASES.get(part.split()[0], "cmp_other"))


def part_label(part: str) -> str:
    """A timed part in the reader's language: "fwd 3 Conv" -> "forward 3 Conv"."""
    head, _, rest = part.partition(" ")
    if head in PHASES:
        return f"{t(PHASES[head])} {rest}"
    return t(OTHER_PARTS[part]) if part in OTHER_PARTS else part


if not REPORT.exists():
    st.info(t("cmp_missing", path=str(REPORT)))
else:
    data = json.loads(REPORT.read_text())
    st.caption(machine(data.get("environment", {})))

    st.header(t("cmp_same_math"))
    float64 = [k for k in data if k.startswith("float64")]
    for col, name in zip(st.columns(max(len(float64), 1)), float64):
        r = data[name]
        col.metric(
            t("cmp_float64_metric", name=name, steps=r["config"]["steps"]),
            f"{r['max_rel_loss_diff']:.1e}",
            help=t("cmp_weight_diff", diff=f"{r['max_weight_diff']:.1e}"),
        )
    if "float32" in data:
        r = data["float32"]
        st.subheader(t("cmp_float32", epochs=r["config"]["epochs"]))
        a, b = st.columns(2)
        a.metric(t("cmp_acc_ours"), f"{r['ours']['test_accuracy']:.4f}")
        b.metric(t("cmp_acc_torch"), f"{r['torch']['test_accuracy']:.4f}")
    # float64 runs are 100 steps, the float32 run thousands: each gets its own x axis.
    differences = loss_difference(data)
    short = differences["run"].str.startswith("float64")
    for col, part in zip(st.columns(2), (differences[short], differences[~short])):
        chart = lines(
            part, "step", "diff", "run", t("cmp_step"), t("cmp_diff"), log_y=True, height=340
        )
        col.altair_chart(chart, width="stretch")
    st.caption(t("cmp_diff_caption"))

    speed = data.get("speed")
    if speed:
        # Block-timed figures only: the twin runs interleave the two frameworks step by step,
        # where their thread pools fight over the cores, so their own times are not speeds.
        st.header(t("cmp_speed", batch=speed["batch_size"]))
        rows = []
        for name, m in speed["models"].items():
            (so, st_), (io, it), (mo, mt) = m["step_ms"], m["inference_s"], m["memory_mb"]
            rows.append(
                {
                    t("cmp_model"): name,
                    t("cmp_step_ms"): f"{so:.1f} / {st_:.1f}",
                    t("cmp_step_ratio"): round(so / st_, 2),
                    t("cmp_infer_s"): f"{io:.2f} / {it:.2f}",
                    t("cmp_infer_ratio"): round(io / it, 2),
                    t("cmp_memory_ratio"): round(mo / mt, 2) if mo and mt else None,
                }
            )
        st.dataframe(pd.DataFrame(rows), width="stretch", hide_index=True)
        st.caption(t("cmp_ratio_caption"))
        layer_ms = speed["models"].get("cnn", {}).get("layer_ms")
        if layer_ms:
            st.subheader(t("cmp_layers"))
            frame = pd.DataFrame(
                {
                    "part": [part_label(k) for k in layer_ms],
                    "ms": list(layer_ms.values()),
                    "phase": [phase_of(k) for k in layer_ms],
                }
            )
            bars = (
                alt.Chart(frame)
                .mark_bar()
                .encode(
                    y=alt.Y(
                        "part:N",
                        sort=None,
                        title=None,
                        axis=alt.Axis(labelLimit=0, labelOverlap=False),
                    ),  # run order, as listed
                    x=alt.X("ms:Q", title=t("cmp_ms")),
                    color=alt.Color("phase:N", title=None, legend=alt.Legend(orient="bottom")),
                    tooltip=["part", alt.Tooltip("ms:Q", format=".3f")],
                )
                .properties(
                    height=24 * len(frame) + 90
                )  # every bar labelled, axis and legend below
            )
            st.altair_chart(bars, width="stretch")
            st.caption(t("cmp_layers_caption"))

st.header(t("cmp_differences"))
st.write(t("cmp_differences_text"))
for item in DIFFERENCES:
    text = DIFFERENCES_KO.get(item["topic"], item) if lang() == "ko" else item
    with st.container(border=True):
        st.markdown(
            f"**{escape_markdown(text['topic'])}** :{STATUS_COLOR.get(item['status'], 'gray')}-badge[{t('cmp_status_' + item['status'])}]"
        )
        st.markdown(f"{t('cmp_finding')}: {escape_markdown(text['finding'])}")
        st.markdown(f"{t('cmp_action')}: {escape_markdown(text['action'])}")
