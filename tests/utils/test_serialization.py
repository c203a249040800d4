"""Model files: round trip, the hostile pickle, truncated, foreign, damaged and wrong-kind
files, and files from other versions (hostile sizes: test_model_file_bounds.py)."""

import os
import pickle

import numpy as np
import pytest
from model_file_helpers import trained_bn_cnn

import nyangtorch
from nyangtorch import models, nn
from nyangtorch.utils import (
    ModelFileError,
    UnsafeModelFile,
    nyang_load_model,
    nyang_save_model,
    serialization,
)
from nyangtorch.utils.serialization import load_object, save_object


def test_round_trip_returns_the_model_with_equal_outputs(tmp_path):
    model, x = trained_bn_cnn()
    nyang_save_model(model, tmp_path / "m.pickle")
    loaded = nyang_load_model(tmp_path / "m.pickle")
    assert isinstance(loaded, nn.NyangFlow) and repr(loaded) == repr(model)
    model.eval()
    loaded.eval()
    np.testing.assert_array_equal(loaded(x), model(x))
    assert all(p.grad is None for p in loaded.parameters())
    assert all(m._cache is None for m in nyang_load_model(tmp_path / "m.pickle").modules())


def test_file_holds_no_forward_caches(tmp_path):
    model, _ = trained_bn_cnn()
    nyang_save_model(model, tmp_path / "m.pickle")
    weights = sum(v.nbytes for v in model.state_dict().values())
    assert (tmp_path / "m.pickle").stat().st_size < weights + 20_000


class Payload:
    def __reduce__(self):
        return (os.system, ("touch PWNED",))


def test_malicious_pickle_is_refused_and_never_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    envelope = {"format": "nyangtorch-model", "version": 1, "kind": "model", "payload": Payload()}
    (tmp_path / "evil.pickle").write_bytes(pickle.dumps(envelope))
    with pytest.raises(
        UnsafeModelFile, match=r"evil.pickle: refused to load posix.system|os.system"
    ):
        nyang_load_model(tmp_path / "evil.pickle")
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    "target",
    [
        "builtins.eval",
        "subprocess.Popen",
        "nyangtorch.data.builtin._download",
        "nyangtorch.data.dataset.NyangNyangDataset",
    ],
)
def test_only_model_classes_are_admitted(tmp_path, target):
    module, name = target.rsplit(".", 1)
    data = b"\x80\x04c" + module.encode() + b"\n" + name.encode() + b"\n."
    (tmp_path / "x.pickle").write_bytes(data)
    with pytest.raises(UnsafeModelFile, match="refused to load"):
        nyang_load_model(tmp_path / "x.pickle")


def test_trusted_loads_user_classes(tmp_path):
    class_file = tmp_path / "mymodels.py"
    class_file.write_text("from nyangtorch import nn\nclass Mine(nn.Linear):\n    pass\n")
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        import mymodels

        nyang_save_model(mymodels.Mine(3, 2), tmp_path / "mine.pickle")
        with pytest.raises(UnsafeModelFile, match="trusted=True"):
            nyang_load_model(tmp_path / "mine.pickle")
        assert isinstance(nyang_load_model(tmp_path / "mine.pickle", trusted=True), mymodels.Mine)
    finally:
        sys.path.remove(str(tmp_path))


def test_truncated_empty_and_foreign_files_name_the_file(tmp_path):
    model, _ = trained_bn_cnn()
    nyang_save_model(model, tmp_path / "m.pickle")
    data = (tmp_path / "m.pickle").read_bytes()
    (tmp_path / "cut.pickle").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match=r"cut.pickle is not a readable nyangtorch model file"):
        nyang_load_model(tmp_path / "cut.pickle")
    (tmp_path / "empty.pickle").write_bytes(b"")
    with pytest.raises(ModelFileError, match="empty.pickle is empty"):
        nyang_load_model(tmp_path / "empty.pickle")
    (tmp_path / "list.pickle").write_bytes(pickle.dumps([1, 2, 3]))
    with pytest.raises(ModelFileError, match="not a nyangtorch model file"):
        nyang_load_model(tmp_path / "list.pickle")
    (tmp_path / "text.pickle").write_text("hello")
    with pytest.raises(ModelFileError, match="text.pickle"):
        nyang_load_model(tmp_path / "text.pickle")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        nyang_load_model(tmp_path / "missing.pickle")


def test_newer_format_version_is_refused(tmp_path):
    envelope = {"format": "nyangtorch-model", "version": 99, "kind": "model", "payload": None}
    (tmp_path / "new.pickle").write_bytes(pickle.dumps(envelope))
    with pytest.raises(ModelFileError, match="format version 99"):
        nyang_load_model(tmp_path / "new.pickle")


def test_numpy_values_round_trip_and_shared_arrays_stay_shared(tmp_path):
    layer = nn.Linear(3, 2)
    layer.alias = layer.weight.data  # one array with two owners
    layer.extras = {
        "scale": np.float32(0.5),
        "dtype": np.dtype("float16"),
        "names": np.array(["cat", "dog"]),
        "day": np.datetime64("2024-01-01"),
        "view": np.arange(6).reshape(2, 3).T,  # not contiguous
        "empty": np.zeros((0, 4), np.float64),
    }
    nyang_save_model(layer, tmp_path / "m.pickle")
    loaded = nyang_load_model(tmp_path / "m.pickle")
    assert loaded.alias is loaded.weight.data and loaded.weight.data.flags.writeable
    for key, value in layer.extras.items():
        got = loaded.extras[key]
        assert type(got) is type(value) and np.array_equal(got, value), key
    assert loaded.extras["dtype"] == np.float16


def test_arrays_of_python_objects_are_not_saved(tmp_path):
    layer = nn.Linear(3, 2)
    layer.labels = np.array([{"cat": 0}], dtype=object)
    with pytest.raises(TypeError, match="cannot save a NumPy value in a model file: dtype object"):
        nyang_save_model(layer, tmp_path / "m.pickle")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("payload", [{"weights": [1, 2]}, [nn.Linear(2, 2)]], ids=["dict", "list"])
def test_a_file_that_holds_no_model_is_not_a_model(tmp_path, payload):
    save_object(payload, tmp_path / "m.pickle", kind="model")
    kind = type(payload).__name__
    with pytest.raises(ModelFileError, match=f"m.pickle is not a model file: it holds a {kind}"):
        nyang_load_model(tmp_path / "m.pickle")


def test_a_checkpoint_that_holds_no_dict_is_not_a_checkpoint(tmp_path):
    save_object([1, 2], tmp_path / "last.pickle", kind="checkpoint")
    with pytest.raises(
        ModelFileError, match="last.pickle is not a checkpoint file: it holds a list"
    ):
        load_object(tmp_path / "last.pickle", kind="checkpoint")


@pytest.mark.parametrize("version", ["2", 1.5, None, 0])
def test_a_format_version_that_is_no_positive_integer_names_the_file(tmp_path, version):
    envelope = {"format": "nyangtorch-model", "version": version, "kind": "model", "payload": b""}
    (tmp_path / "odd.pickle").write_bytes(pickle.dumps(envelope))
    with pytest.raises(ModelFileError, match=r"odd.pickle has format version .*not a positive"):
        nyang_load_model(tmp_path / "odd.pickle")


def test_a_flipped_bit_in_the_weights_is_a_damaged_file(tmp_path):
    layer = nn.Linear(3, 2)
    nyang_save_model(layer, tmp_path / "m.pickle")
    data = bytearray((tmp_path / "m.pickle").read_bytes())
    data[data.find(layer.weight.data.tobytes()) + 5] ^= 0x01
    (tmp_path / "m.pickle").write_bytes(data)
    with pytest.raises(ModelFileError, match=r"m.pickle is damaged: .* SHA-256"):
        nyang_load_model(tmp_path / "m.pickle")


def test_a_layer_missing_an_attribute_names_the_version_that_wrote_it(tmp_path, monkeypatch):
    model = models.reference_cnn()
    linear = next(m for m in model.modules() if isinstance(m, nn.Linear))
    del linear.out_features  # as if pickled by a nyangtorch whose Linear did not have it yet
    monkeypatch.setattr(serialization, "__version__", "0.0.9")
    nyang_save_model(model, tmp_path / "m.pickle")
    monkeypatch.undo()
    here = nyangtorch.__version__.replace(".", r"\.")
    with pytest.raises(
        ModelFileError,
        match=rf"(?s)m.pickle was written by nyangtorch 0\.0\.9 \(this is {here}\)"
        r".*Linear \(layer \d+\): out_features",
    ):
        nyang_load_model(tmp_path / "m.pickle")


def test_an_option_added_later_takes_its_class_default_in_older_files(tmp_path):
    model = models.reference_cnn()
    x = np.random.default_rng(0).random((2, 1, 28, 28), dtype=np.float32)
    for conv in (m for m in model.modules() if isinstance(m, nn.Conv)):
        del conv.next_pool  # as if pickled before Conv had next_pool: every output computed
        del conv.algorithm  # ... and before it had algorithm: "auto"
    for pool in (m for m in model.modules() if isinstance(m, nn.MaxPool)):
        del pool.relu  # ... and before MaxPool had relu
    nyang_save_model(model, tmp_path / "m.pickle")
    loaded = nyang_load_model(tmp_path / "m.pickle")
    conv2 = loaded[2]
    assert conv2.next_pool is None and loaded[1].relu is False
    assert conv2.algorithm == "auto" and conv2.uses_winograd()
    assert conv2(np.zeros((1, 32, 13, 13), np.float32)).shape == (1, 64, 11, 11)
    assert loaded(x).shape == (2, 10)


def test_a_class_missing_here_names_the_version_that_wrote_the_file(tmp_path, monkeypatch):
    nyang_save_model(nn.NyangFlow(nn.ReLU()), tmp_path / "m.pickle")
    monkeypatch.delattr(nn.activation, "ReLU")  # as if a later nyangtorch had renamed it
    with pytest.raises(
        ModelFileError, match=r"cannot be rebuilt by nyangtorch .* written by nyangtorch 0\.1\.0"
    ):
        nyang_load_model(tmp_path / "m.pickle")


def test_files_of_format_1_load_only_when_trusted(tmp_path):
    envelope = {"format": "nyangtorch-model", "version": 1, "kind": "model"}
    envelope["payload"] = nn.Linear(3, 2)  # NumPy's own array pickles inside
    (tmp_path / "old.pickle").write_bytes(pickle.dumps(envelope, protocol=5))
    with pytest.raises(UnsafeModelFile, match=r"older nyangtorch.*trusted=True\) and save it"):
        nyang_load_model(tmp_path / "old.pickle")
    assert isinstance(nyang_load_model(tmp_path / "old.pickle", trusted=True), nn.Linear)
