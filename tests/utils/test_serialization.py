"""Model files: round trip, the hostile pickle, truncated and foreign files."""

import os
import pickle

import numpy as np
import pytest
from model_file_helpers import trained_bn_cnn

from nyangtorch import nn
from nyangtorch.utils import (
    ModelFileError,
    UnsafeModelFile,
    nyang_load_model,
    nyang_save_model,
)


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
