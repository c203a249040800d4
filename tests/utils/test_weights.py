"""Weight files (.safetensors, .npz): round trip, the standard layout, and loading that is
bounded by the model, names every problem, and is all or nothing."""

import io
import json
import zipfile

import numpy as np
import pytest
from model_file_helpers import GB, MB, allocates_at_most, trained_bn_cnn

import nyangtorch
from nyangtorch import models, nn
from nyangtorch.utils import ModelFileError, load_weights, save_weights
from nyangtorch.utils.weights import _write_safetensors


def fresh_model():
    """A model with other weights than :func:`trained_bn_cnn`'s, to load them into."""
    nyangtorch.manual_seed(99)
    return models.reference_cnn_bn(dropout=0.2)


def assert_unchanged(model, before: dict) -> None:
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def npy_header(shape: tuple[int, ...]) -> bytes:
    """The header of a float32 .npy file of ``shape``, without the data."""
    buffer = io.BytesIO()
    header = {"descr": "<f4", "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()


def write_npz(path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def safetensors(header, body: bytes = b"") -> bytes:
    blob = json.dumps(header).encode()
    return len(blob).to_bytes(8, "little") + blob + body


@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
def test_weights_round_trip(tmp_path, suffix):
    model, _ = trained_bn_cnn()
    save_weights(model, tmp_path / f"w{suffix}")
    other = load_weights(fresh_model(), tmp_path / f"w{suffix}")
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(other.state_dict()[k], v)


def test_safetensors_layout_is_the_standard_one(tmp_path):
    layer = nn.Linear(3, 2)
    save_weights(layer, tmp_path / "w.safetensors")
    data = (tmp_path / "w.safetensors").read_bytes()
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + size])
    assert header["weight"] == {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}
    np.testing.assert_array_equal(
        np.frombuffer(data[8 + size : 8 + size + 24], "<f4").reshape(2, 3), layer.weight.data
    )


def test_weights_errors(tmp_path):
    with pytest.raises(ValueError, match="use a .safetensors or .npz"):
        save_weights(nn.Linear(2, 2), tmp_path / "w.bin")
    save_weights(nn.Linear(2, 2), tmp_path / "w.npz")
    with pytest.raises(ValueError, match=r"(?s)w.npz does not fit this Linear.*shape of weight"):
        load_weights(nn.Linear(3, 2), tmp_path / "w.npz")
    save_weights(nn.Linear(2, 2, bias=False), tmp_path / "no_bias.npz")
    with pytest.raises(ValueError, match="missing in the file: bias"):
        load_weights(nn.Linear(2, 2), tmp_path / "no_bias.npz")
    with pytest.raises(ValueError, match="not in the model: bias"):
        load_weights(nn.Linear(2, 2, bias=False), tmp_path / "w.npz")
    with pytest.raises(FileNotFoundError, match="weight file .*missing.npz does not exist"):
        load_weights(nn.Linear(2, 2), tmp_path / "missing.npz")


# -- unreadable files: one error that names the file -------------------------------------------
def test_npy_bytes_named_npz_are_not_a_readable_npz_file(tmp_path):
    (tmp_path / "w.npz").write_bytes(npy(np.zeros((2, 2), np.float32)))
    with pytest.raises(ModelFileError, match="w.npz is not a readable .npz weight file"):
        load_weights(nn.Linear(2, 2), tmp_path / "w.npz")


@pytest.mark.parametrize("header", [[1, 2], "weight", 3], ids=["list", "string", "number"])
def test_a_safetensors_header_that_is_no_json_object_is_not_readable(tmp_path, header):
    (tmp_path / "w.safetensors").write_bytes(safetensors(header))
    with pytest.raises(
        ModelFileError, match="w.safetensors is not a readable safetensors weight file: its header"
    ):
        load_weights(nn.Linear(2, 2), tmp_path / "w.safetensors")


SAFETENSORS_LIES = {
    "header size past the end": (
        (1 << 60).to_bytes(8, "little") + b"{}",
        r"its header of 1152921504606846976 bytes runs past the end of the file",
    ),
    "data past the end": (
        safetensors({"weight": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}),
        "entry weight runs past the end of the file",
    ),
    "shape bigger than its data": (
        safetensors(
            {"weight": {"dtype": "F32", "shape": [GB, 2], "data_offsets": [0, 16]}}, bytes(16)
        ),
        r"entry weight of shape \(1073741824, 2\) has 16 bytes of F32",
    ),
    "negative shape": (
        safetensors({"weight": {"dtype": "F32", "shape": [-2, -2], "data_offsets": [0, 16]}}),
        "not a list of non-negative integers",
    ),
}


@pytest.mark.parametrize("data, phrase", SAFETENSORS_LIES.values(), ids=SAFETENSORS_LIES)
def test_safetensors_sizes_are_checked_against_the_file(tmp_path, data, phrase):
    (tmp_path / "w.safetensors").write_bytes(data)
    with allocates_at_most(16 * MB), pytest.raises(ModelFileError, match=phrase):
        load_weights(nn.Linear(2, 2), tmp_path / "w.safetensors")


# -- sizes: a file cannot make the reader allocate more than the model's weights ---------------
def test_an_npz_header_declaring_a_huge_array_is_refused_before_allocating(tmp_path):
    layer = nn.Linear(2, 2)
    members = {"weight.npy": npy_header((GB // 4,)), "bias.npy": npy(layer.bias.data)}
    write_npz(tmp_path / "w.npz", members)  # 128 bytes that declare a 1 GB weight
    phrase = r"member weight.npy unpacks to 128 bytes, but its header declares 1073741952"
    with allocates_at_most(16 * MB), pytest.raises(ModelFileError, match=phrase):
        load_weights(layer, tmp_path / "w.npz")


def test_an_npz_member_that_unpacks_to_more_than_its_array_is_refused_unread(tmp_path):
    layer = nn.Linear(2, 2)
    with zipfile.ZipFile(tmp_path / "w.npz", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("weight.npy", "w", force_zip64=True) as member:
            member.write(npy(np.ones((2, 2), np.float32)))  # the weight, as it should be …
            for _ in range(256):
                member.write(bytes(MB))  # … then 256 MB of zeros, deflated to well under 1 MB
        zf.writestr("bias.npy", npy(layer.bias.data))
    assert (tmp_path / "w.npz").stat().st_size < MB
    before = layer.state_dict()
    phrase = r"weight.npy unpacks to 268435600 bytes, but its header declares 144"
    with allocates_at_most(16 * MB), pytest.raises(ModelFileError, match=phrase):
        load_weights(layer, tmp_path / "w.npz")
    assert_unchanged(layer, before)


# -- dtypes, and all or nothing -----------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
def test_a_dtype_other_than_the_models_is_refused_not_converted(tmp_path, suffix):
    save_weights(nn.Linear(3, 2).to(np.float64), tmp_path / f"w{suffix}")
    layer = nn.Linear(3, 2)
    before = layer.state_dict()
    phrase = r"dtype of weight: the file has float64, the model float32"
    with pytest.raises(ValueError, match=phrase):
        load_weights(layer, tmp_path / f"w{suffix}")
    assert_unchanged(layer, before)


def test_a_bad_dtype_in_the_last_entry_changes_no_weight(tmp_path):
    state = trained_bn_cnn()[0].state_dict()
    last = list(state)[-1]
    state[last] = state[last].astype(np.float64)
    (tmp_path / "w.safetensors").write_bytes(_write_safetensors(state))
    model = fresh_model()
    before = model.state_dict()
    with pytest.raises(ValueError, match=rf"dtype of {last}: the file has float64"):
        load_weights(model, tmp_path / "w.safetensors")
    assert_unchanged(model, before)


def test_an_unreadable_last_entry_changes_no_weight(tmp_path):
    trained = trained_bn_cnn()[0]
    save_weights(trained, tmp_path / "w.npz")
    data = bytearray((tmp_path / "w.npz").read_bytes())
    last = list(trained.state_dict().values())[-1]
    data[data.find(last.tobytes()) + 1] ^= 0x01  # its CRC no longer matches
    (tmp_path / "w.npz").write_bytes(data)
    model = fresh_model()
    before = model.state_dict()
    with pytest.raises(ModelFileError, match="w.npz is not a readable .npz weight file: Bad CRC"):
        load_weights(model, tmp_path / "w.npz")
    assert_unchanged(model, before)
