import streamlit as st

from components import example, exercise, reference
from i18n import t

st.title(t("utility_title"))
st.write(t("utility_intro"))
st.warning(t("utility_trusted"))

st.subheader(t("example"))
example(
    """import pickle, tempfile, os
from pathlib import Path
from nyangtorch import models, nyang_save_model, nyang_load_model, save_weights, load_weights

folder = Path(tempfile.mkdtemp())
model = models.reference_cnn()
nyang_save_model(model, folder / "cnn.pickle")           # atomic: temp file + rename
print(type(nyang_load_model(folder / "cnn.pickle")).__name__)
save_weights(model, folder / "cnn.safetensors")           # just the state dict
load_weights(models.reference_cnn(), folder / "cnn.safetensors")
print(list(model.state_dict())[:4])

class Evil:                                               # a hostile "model" file
    def __reduce__(self):
        return (os.system, ("echo pwned",))
(folder / "evil.pickle").write_bytes(pickle.dumps(
    {"format": "nyangtorch-model", "version": 1, "kind": "model", "payload": Evil()}))
try:
    nyang_load_model(folder / "evil.pickle")
except Exception as error:
    print(type(error).__name__, ":", str(error)[:90], "...")""",
    key="utility_example",
)
exercise(
    "util_ex1",
    t("util_ex1"),
    lambda answer: answer.strip().strip("`'\"") == "0.weight",
    t("util_ex1_hint"),
)

st.subheader(t("reference"))
reference(["nyangtorch.utils"])
