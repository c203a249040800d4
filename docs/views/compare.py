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
        cols = st.columns(4)
        cols[0].metric("test accuracy, nyangtorch", f"{o['test_accuracy']:.4f}")
        cols[1].metric("test accuracy, torch", f"{t['test_accuracy']:.4f}")
        cols[2].metric(
            "training time ratio (ours ÷ torch)", f"{o['train_seconds'] / t['train_seconds']:.2f}"
        )
        cols[3].metric(
            "inference time ratio", f"{o['inference_seconds'] / t['inference_seconds']:.2f}"
        )
        if o.get("peak_memory_mb") and t.get("peak_memory_mb"):
            st.metric(
                "peak memory ratio (ours ÷ torch)",
                f"{o['peak_memory_mb'] / t['peak_memory_mb']:.2f}",
                help=f"{o['peak_memory_mb']:.0f} MB vs {t['peak_memory_mb']:.0f} MB",
            )
        losses = pd.DataFrame({"nyangtorch": o["step_losses"], "torch": t["step_losses"]})
        st.line_chart(losses.rolling(20, min_periods=1).mean())
        st.caption("training loss per step (rolling mean of 20 steps), both sides")
    env = data.get("environment", {})
    st.caption(f"numpy {env.get('numpy')}, torch {env.get('torch')}, BLAS {env.get('blas')}")

st.subheader("Every difference, explained")
st.dataframe(pd.DataFrame(DIFFERENCES), use_container_width=True, hide_index=True)
