import streamlit as st
from components import reference, runnable
from i18n import t

st.title(t("utility_title"))
st.write(t("utility_intro"))

st.warning(
    "nyang_load_model(path, trusted=True) turns the safety check off: a pickle can run any code. "
    "Use it only for files you made yourself (for example with your own model class). / "
    "trusted=True는 안전 검사를 끕니다. 직접 만든 파일에만 쓰세요."
)

st.subheader(t("example"))
runnable(
    """import pickle, tempfile, os
from pathlib import Path
from nyangtorch import models, nyang_save_model, nyang_load_model, save_weights, load_weights

folder = Path(tempfile.mkdtemp())
model = models.reference_cnn()
nyang_save_model(model, folder / "cnn.pickle")           # atomic: temp file + rename
print(type(nyang_load_model(folder / "cnn.pickle")).__name__)
save_weights(model, folder / "cnn.safetensors")           # just the state dict
load_weights(models.reference_cnn(), folder / "cnn.safetensors")

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
    label=t("run_it"),
)

st.subheader(t("reference"))
reference(["nyangtorch.utils"])
