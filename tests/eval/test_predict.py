"""nyang_predict: new images through the preprocessing saved with the model."""

import numpy as np
import pytest
from PIL import Image

import nyangtorch
from nyangtorch import nn, optim
from nyangtorch.data import nyangnyang_dataset_ready
from nyangtorch.eval import nyang_predict


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    nyangtorch.manual_seed(0)
    train, valid, test, record = nyangnyang_dataset_ready("digits", batch_size=64)
    model = nn.NyangFlow(nn.Flatten(), nn.Linear(64, 10))
    model.preprocessing = record
    nyangtorch.nyang_train(
        model, optim.Adam(model.parameters(), 1e-2), nn.CE(), train, valid, epochs=3,
        progress=False, verbose=False,
    )  # fmt: skip
    path = tmp_path_factory.mktemp("model") / "model.pickle"
    nyangtorch.nyang_save_model(model, path)
    return model, path, test


def test_predict_equals_inference_on_the_same_images(trained):
    model, path, test = trained
    raw = test.dataset.images
    predictions = nyang_predict(path, raw)  # the file's own preprocessing, safely loaded
    result = nyangtorch.nyang_inference(model, test, progress=False)
    np.testing.assert_allclose(predictions.probabilities, result.probabilities, atol=1e-5)
    assert predictions.labels[:5] == [
        model.preprocessing.classes[i] for i in result.predictions[:5]
    ]


def test_predict_reads_files_and_ranks_top_k(trained, tmp_path):
    model, _, test = trained
    paths = []
    for i in range(3):
        Image.fromarray(test.dataset.images[i, ..., 0]).save(tmp_path / f"{i}.png")
        paths.append(tmp_path / f"{i}.png")
    from_files = nyang_predict(model, paths)
    from_arrays = nyang_predict(model, test.dataset.images[:3])
    np.testing.assert_allclose(from_files.probabilities, from_arrays.probabilities, atol=1e-6)
    top = from_files.top(2)
    assert len(top) == 3 and len(top[0]) == 2 and top[0][0][1] >= top[0][1][1]
    assert top[0][0][0] == from_files.labels[0]


def test_a_model_without_preprocessing_says_what_to_do():
    with pytest.raises(ValueError, match="has no class names or normalisation"):
        nyang_predict(nn.Linear(64, 10), np.zeros((1, 8, 8, 1), np.uint8))
