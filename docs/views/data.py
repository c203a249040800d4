import numpy as np
import streamlit as st
from components import reference, runnable
from i18n import t

from nyangtorch.data import Digits, nyang_images_grid

st.title(t("data_title"))
st.write(t("data_intro"))

st.subheader(t("example"))
runnable(
    """from nyangtorch.data import nyangnyang_dataset_ready
train, valid, test, prep = nyangnyang_dataset_ready("digits", batch_size=32,
                                                    ratios=(0.8, 0.1, 0.1), seed=0)
print(prep.classes, prep.mean, prep.std)
print(len(train.dataset), len(valid.dataset), len(test.dataset))
x, y = next(iter(train))
print(x.shape, x.dtype, y.shape, y.dtype)   # (32, 1, 8, 8) float32 (32,) int64""",
    key="data_example",
    label=t("run_it"),
)

st.subheader(t("live_demo"))
seed = st.slider("augmentation seed", 0, 20, 0, key="grid_seed")
from nyangtorch.data import nyang_transforms  # noqa: E402

digits = Digits()
transform = nyang_transforms("train", augment=True, preset="digits", seed=seed)
transform.reseed(seed)
images = np.stack([transform(digits.images[i]) for i in range(16)])
fig = nyang_images_grid(
    images.transpose(0, 3, 1, 2), digits.targets[:16], digits.classes, ncols=8, mean=0, std=1
)
st.pyplot(fig)
st.caption(
    "scikit-learn digits after the 'digits' training augmentation (no flips: a mirrored 2 is not a 2)."
)

st.subheader(t("reference"))
reference(["nyangtorch.data"])
