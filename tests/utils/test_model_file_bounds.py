"""Memory bombs: a model file of a few bytes must not make the safe loader allocate gigabytes.

Each hostile file is refused with an error naming the problem, and the test measures what
loading allocated (``allocates_at_most``), so a loader that allocates first and fails after
is caught too."""

import io
import pickle
import struct

import numpy as np
import pytest
from model_file_helpers import GB, MB, Call, allocates_at_most, write_model_file

import nyangtorch
from nyangtorch import models, nn
from nyangtorch.nn.module import Parameter
from nyangtorch.utils import ModelFileError, UnsafeModelFile, nyang_load_model, nyang_save_model
from nyangtorch.utils.serialization import save_object

PROTO = b"\x80\x05"
# Opcodes that declare a length or index; CPython allocates what they declare before reading.
DECLARED = {
    "a bytearray of 1 GB": (
        PROTO + b"\x96" + struct.pack("<Q", GB) + b"abc.",
        r"expected 1073741824 bytes in a bytearray8, but only 4 remain",
    ),
    "bytes of 1 GB": (
        PROTO + b"\x8e" + struct.pack("<Q", GB) + b"abc.",
        r"expected 1073741824 bytes in a bytes8, but only 4 remain",
    ),
    "a memo index of 2**26 (a memo of 1 GB)": (
        PROTO + b"N\x94Nr" + struct.pack("<I", 1 << 26) + b".",
        r"memo index 67108864 at byte 5 exceeds the file's size",
    ),
}


@pytest.mark.parametrize("data, phrase", DECLARED.values(), ids=DECLARED)
def test_declared_sizes_beyond_the_file_are_refused_before_allocating(tmp_path, data, phrase):
    write_model_file(tmp_path / "m.pickle", data)  # past the envelope: the payload is read
    with allocates_at_most(16 * MB), pytest.raises(ModelFileError, match=phrase):
        nyang_load_model(tmp_path / "m.pickle")
    (tmp_path / "raw.pickle").write_bytes(data)  # no envelope: the file itself is read
    with allocates_at_most(16 * MB), pytest.raises(ModelFileError, match="raw.pickle is not"):
        nyang_load_model(tmp_path / "raw.pickle")


def reconstruct():
    """NumPy's array reconstructor, as its pickles name it."""
    return np.empty(0).__reduce__()[0]


CALLS = {
    "bytearray(1 GB)": (Call(bytearray, GB), UnsafeModelFile, "refused to load builtins.bytearray"),
    "NumPy's _reconstruct of 1 GB": (
        Call(reconstruct(), np.ndarray, (GB // 8,), b"f8"),
        UnsafeModelFile,
        r"refused to load numpy\..*_reconstruct .* NumPy's own array pickles",
    ),
    "numpy.dtype (whose state the file could set)": (
        Call(np.dtype, "f8", False, True),
        UnsafeModelFile,
        r"refused to load numpy.dtype",
    ),
    "Linear(4096, 4096): 64 MB of fresh weights": (
        Call(nn.Linear, 4096, 4096),
        ModelFileError,
        "the file constructs Linear with arguments",
    ),
    "Parameter([one 1 MB array] * 64): a 64 MB copy": (
        Call(Parameter, [np.zeros(MB // 4, np.float32)] * 64),
        ModelFileError,
        "a Parameter must hold an array, the file gives a list",
    ),
}


@pytest.mark.parametrize("call, error, phrase", CALLS.values(), ids=CALLS)
def test_a_file_cannot_make_the_loader_build_big_things(tmp_path, call, error, phrase):
    save_object(call, tmp_path / "m.pickle")
    with allocates_at_most(16 * MB), pytest.raises(error, match=phrase):
        nyang_load_model(tmp_path / "m.pickle")


class Forged:
    """An object the forging pickler writes as the persistent id of its choice."""

    def __init__(self, *pid) -> None:
        self.pid = pid


class ForgingPickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.pid if isinstance(obj, Forged) else None


def forged(*pid) -> bytes:
    """A payload holding one persistent id of the forger's choice."""
    buffer = io.BytesIO()
    ForgingPickler(buffer, protocol=5).dump(Forged(*pid))
    return buffer.getvalue()


FORGED = {
    "1 GB declared, 8 bytes given": (
        ("array", "<f8", (GB // 8,), bytearray(8)),
        r"array \(134217728,\) of float64 stored in 8 bytes",
    ),
    "object dtype": (("array", "|O", (1,), bytearray(8)), "dtype object is not stored"),
    "negative shape": (("array", "<f4", (-1, 2), bytearray(8)), "non-negative integers"),
    "unknown kind": (("call", "os.system", "touch PWNED"), "unknown persistent id"),
}


@pytest.mark.parametrize("pid, phrase", FORGED.values(), ids=FORGED)
def test_each_stored_array_is_checked_before_it_is_built(tmp_path, pid, phrase):
    write_model_file(tmp_path / "m.pickle", forged(*pid))
    with allocates_at_most(16 * MB), pytest.raises(ModelFileError, match=phrase):
        nyang_load_model(tmp_path / "m.pickle")


def test_loading_runs_no_constructor(tmp_path, monkeypatch):
    nyangtorch.manual_seed(0)
    model = models.reference_cnn_bn()
    nyang_save_model(model, tmp_path / "m.pickle")

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"{type(self).__name__}.__init__ ran while loading")

    for cls in (nn.NyangModel, nn.NyangFlow, nn.Conv, nn.BatchNorm, nn.Linear, nn.MaxPool):
        monkeypatch.setattr(cls, "__init__", refuse)
    loaded = nyang_load_model(tmp_path / "m.pickle")
    assert repr(loaded) == repr(model)
    for (name, p), q in zip(model.named_parameters(), loaded.parameters()):
        np.testing.assert_array_equal(q.data, p.data, err_msg=name)


def test_layers_nested_beyond_any_walk_are_refused(tmp_path):
    # NyangFlow(NyangFlow(… NyangFlow(ReLU()) …)), 5000 deep: too deep for the pickler to write,
    # but the unpickler builds it without recursion, so a crafted file can hold it.
    flow = b"cnyangtorch.nn.container\nNyangFlow\n)\x81}(X\x06\x00\x00\x00layers]"
    relu = b"cnyangtorch.nn.activation\nReLU\n)\x81}b"
    write_model_file(tmp_path / "deep.pickle", PROTO + flow * 5000 + relu + b"aub" * 5000 + b".")
    with pytest.raises(ModelFileError, match="deep.pickle nests its layers too deeply"):
        nyang_load_model(tmp_path / "deep.pickle")
