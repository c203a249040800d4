import json
from pathlib import Path

import pandas as pd
import streamlit as st
from nyangtorch.compare.differences import DIFFERENCES

REPORT = Path(__file__).resolve().parents[2] / "reports" / "compare" / "results.json"

st.title("nyangtorch vs PyTorch")
st.write(
    "The same model, the same weights, the same batches and the same strategy in both frameworks "
    "(`nyangtorch compare`). Figures come from the comparison tool's JSON output."
)

if not REPORT.exists():
    st.info(f"No report yet: run `nyangtorch compare --out reports/compare` ({REPORT} is missing).")
else:
    data = json.loads(REPORT.read_text())
    for name in [k for k in data if k.startswith("float64")]:
        r = data[name]
        st.metric(
            f"{name}: largest per-step loss difference (relative), {r['config']['steps']} steps",
            f"{r['max_rel_loss_diff']:.1e}",
            help=f"largest final weight difference {r['max_weight_diff']:.1e}",
        )
    if "float32" in data:
        r = data["float32"]
        o, t = r["ours"], r["torch"]
        st.subheader(f"float32: reference CNN, {r['config']['epochs']} epochs of Fashion-MNIST")
        cols = st.columns(2)
        cols[0].metric("test accuracy, nyangtorch", f"{o['test_accuracy']:.4f}")
        cols[1].metric("test accuracy, torch", f"{t['test_accuracy']:.4f}")
        losses = pd.DataFrame({"nyangtorch": o["step_losses"], "torch": t["step_losses"]})
        st.line_chart(losses.rolling(20, min_periods=1).mean())
        st.caption("training loss per step (rolling mean of 20 steps), both sides")
    speed = data.get("speed")
    if speed:
        # Block-timed figures only: the twin runs interleave the two frameworks step by step,
        # where their thread pools fight over the cores, so their own times are not speeds.
        st.subheader(f"Speed and memory (block-timed, batch {speed['batch_size']})")
        rows = []
        for name, m in speed["models"].items():
            (so, st_), (io, it), (mo, mt) = m["step_ms"], m["inference_s"], m["memory_mb"]
            rows.append(
                {
                    "model": name,
                    "step ms, ours / torch": f"{so:.1f} / {st_:.1f}",
                    "step ratio": round(so / st_, 2),
                    "inference s, ours / torch": f"{io:.2f} / {it:.2f}",
                    "inference ratio": round(io / it, 2),
                    "peak memory ratio": round(mo / mt, 2) if mo and mt else None,
                }
            )
        st.dataframe(pd.DataFrame(rows), use_container_width=True, hide_index=True)
        st.caption("ratios are ours ÷ torch: below 1, nyangtorch is faster or smaller")
        layer_ms = speed["models"].get("cnn", {}).get("layer_ms")
        if layer_ms:
            st.subheader("Where a nyangtorch training step goes (reference CNN)")
            st.bar_chart(pd.Series(layer_ms, name="ms"), horizontal=True)
            st.caption("each layer timed inside the network, in the order it runs; medians")
    env = data.get("environment", {})
    st.caption(f"numpy {env.get('numpy')}, torch {env.get('torch')}, BLAS {env.get('blas')}")

st.subheader("Every difference, explained")
st.dataframe(pd.DataFrame(DIFFERENCES), use_container_width=True, hide_index=True)
