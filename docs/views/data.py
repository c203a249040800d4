import streamlit as st
from nyangtorch.data import Digits, nyang_transforms

from components import example, exercise, picture, reference, same_numbers
from i18n import t

st.title(t("data_title"))
st.write(t("data_intro"))

st.subheader(t("example"))
example(
    """from nyangtorch.data import nyangnyang_dataset_ready
train, valid, test, prep = nyangnyang_dataset_ready("digits", batch_size=32,
                                                    ratios=(0.8, 0.1, 0.1), seed=0)
print(prep.classes, prep.mean, prep.std)
print(len(train.dataset), len(valid.dataset), len(test.dataset))
x, y = next(iter(train))
print(x.shape, x.dtype, y.shape, y.dtype)   # (32, 1, 8, 8) float32 (32,) int64""",
    key="data_example",
)

st.subheader(t("data_augment_title"))
seed = st.slider(t("data_seed"), 0, 20, 0, key="grid_seed")
digits = Digits()
transform = nyang_transforms("train", augment=True, preset="digits", seed=seed)
transform.reseed(seed)
images = [transform(digits.images[i])[..., 0] for i in range(16)]
titles = [f"{t('data_label')} {digits.classes[k]}" for k in digits.targets[:16]]
picture("image_grid", images, titles, 8)
st.caption(t("data_augment_caption"))

train_part = digits.split((0.8, 0.1, 0.1), seed=0)[0]
exercise("data_ex1", t("data_ex1"), same_numbers(len(train_part), 0), t("data_ex1_hint"))

st.subheader(t("reference"))
reference(["nyangtorch.data"])
