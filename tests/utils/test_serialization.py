"""Model files: round trip, the hostile pickle, truncated and foreign files, weight files."""

import os
import pickle

import numpy as np
import pytest

import nyangtorch
from nyangtorch import models, nn
from nyangtorch.utils import (
    ModelFileError,
    UnsafeModelFile,
    load_weights,
    nyang_load_model,
    nyang_save_model,
    save_weights,
)


def trained_bn_cnn():
    nyangtorch.manual_seed(0)
    model = models.reference_cnn_bn(dropout=0.2)
    x = np.random.default_rng(0).random((4, 1, 28, 28), dtype=np.float32)
    model.backward(model(x))  # fills caches and grads: neither belongs in the file
    return model, x


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


@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
def test_weights_round_trip(tmp_path, suffix):
    model, x = trained_bn_cnn()
    save_weights(model, tmp_path / f"w{suffix}")
    nyangtorch.manual_seed(99)
    other = load_weights(models.reference_cnn_bn(dropout=0.2), tmp_path / f"w{suffix}")
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(other.state_dict()[k], v)


def test_safetensors_layout_is_the_standard_one(tmp_path):
    layer = nn.Linear(3, 2)
    save_weights(layer, tmp_path / "w.safetensors")
    data = (tmp_path / "w.safetensors").read_bytes()
    size = int.from_bytes(data[:8], "little")
    import json

    header = json.loads(data[8 : 8 + size])
    assert header["weight"] == {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}
    np.testing.assert_array_equal(
        np.frombuffer(data[8 + size : 8 + size + 24], "<f4").reshape(2, 3), layer.weight.data
    )


def test_weights_errors(tmp_path):
    with pytest.raises(ValueError, match="use a .safetensors or .npz"):
        save_weights(nn.Linear(2, 2), tmp_path / "w.bin")
    save_weights(nn.Linear(2, 2), tmp_path / "w.npz")
    with pytest.raises(ValueError, match="shape of weight"):
        load_weights(nn.Linear(3, 2), tmp_path / "w.npz")
    (tmp_path / "bad.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json")
    with pytest.raises(ModelFileError, match="bad.safetensors"):
        load_weights(nn.Linear(2, 2), tmp_path / "bad.safetensors")
