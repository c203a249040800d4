"""Model files: pickle written atomically and read back safely, plus plain weight files.

``nyang_save_model`` pickles the whole model (as PyTorch users expect from ``torch.save``),
inside an envelope with a format version. ``nyang_load_model`` reads it with a restricted
unpickler that admits only nyangtorch's model classes, NumPy arrays and dtypes and plain
Python containers: a file that asks for anything else (``os.system``, ``subprocess.Popen``,
``builtins.eval``, …) is refused before any of it runs. ``trusted=True`` turns that check off
— use it only for files you made yourself (for example a model class of your own).

``save_weights`` / ``load_weights`` store just the state dict, as ``.safetensors`` (the
Hugging Face format, written here with no extra dependency) or ``.npz``, for interchange.
"""

from __future__ import annotations

import io
import json
import pickle
from pathlib import Path

import numpy as np

from ..data.preprocessing import Preprocessing
from ..nn.module import NyangModel, Parameter
from ..optim.optimizer import Optimizer
from ..optim.scheduler import Scheduler
from ..version import __version__
from .atomic import atomic_write

FORMAT = "nyangtorch-model"
FORMAT_VERSION = 1

SAFE_GLOBALS = {
    ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "complex"), ("builtins", "slice"),
    ("builtins", "bytearray"), ("collections", "OrderedDict"),
    ("numpy", "dtype"), ("numpy", "ndarray"),
    ("numpy._core.multiarray", "scalar"), ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.numeric", "_frombuffer"), ("numpy.core.numeric", "_frombuffer"),
}  # fmt: skip
SAFE_BASES = (NyangModel, Parameter, Optimizer, Scheduler, Preprocessing)


class UnsafeModelFile(pickle.UnpicklingError):
    """A model file asked for something outside the allow-list; nothing of it was run."""


class ModelFileError(ValueError):
    """A file that is not a readable nyangtorch model (empty, truncated, foreign)."""


class _SafeUnpickler(pickle.Unpickler):
    def __init__(self, file, path) -> None:
        super().__init__(file)
        self.path = path

    def find_class(self, module: str, name: str):
        if (module, name) in SAFE_GLOBALS or (module == "numpy.dtypes" and name.endswith("DType")):
            return super().find_class(module, name)
        if module == "nyangtorch" or module.startswith("nyangtorch."):
            obj = super().find_class(module, name)
            if isinstance(obj, type) and issubclass(obj, SAFE_BASES):
                return obj
        raise UnsafeModelFile(
            f"{self.path}: refused to load {module}.{name} — the file asks for something that is "
            "not a nyangtorch model class, a NumPy array or a plain container, and nothing of it "
            "was run. If you made this file yourself (e.g. with your own model class), load it "
            "with nyang_load_model(path, trusted=True)."
        )


def save_object(obj, path: str | Path, kind: str = "model") -> None:
    """Pickle ``obj`` atomically inside the versioned envelope (models and checkpoints)."""
    envelope = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "nyangtorch": __version__,
        "kind": kind,
        "payload": obj,
    }
    atomic_write(path, pickle.dumps(envelope, protocol=pickle.HIGHEST_PROTOCOL))


def load_object(path: str | Path, trusted: bool = False, kind: str = "model"):
    """Read a file written by :func:`save_object`; see the module docstring for ``trusted``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"model file {path} does not exist") from None
    if not data:
        raise ModelFileError(f"{path} is empty: not a nyangtorch {kind} file")
    try:
        envelope = pickle.loads(data) if trusted else _SafeUnpickler(io.BytesIO(data), path).load()
    except UnsafeModelFile:
        raise
    except Exception as error:  # truncated or foreign bytes: say which file, not pickle's internals
        raise ModelFileError(
            f"{path} is not a readable nyangtorch {kind} file (truncated or foreign): {error}"
        ) from None
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        raise ModelFileError(f"{path} is a pickle, but not a nyangtorch {kind} file")
    if envelope.get("version", 0) > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} has format version {envelope['version']}; "
            f"this nyangtorch reads up to {FORMAT_VERSION}"
        )
    if envelope.get("kind") != kind:
        raise ModelFileError(f"{path} holds a {envelope.get('kind')}, not a {kind}")
    return envelope["payload"]


def nyang_save_model(model: NyangModel, path: str | Path) -> None:
    """Save the whole model (architecture and weights) to ``path``, atomically."""
    if not isinstance(model, NyangModel):
        raise TypeError(f"nyang_save_model: expected a NyangModel, got {type(model).__name__}")
    save_object(model, path, "model")


def nyang_load_model(path: str | Path, trusted: bool = False) -> NyangModel:
    """Load a model saved by :func:`nyang_save_model`. Safe by default: only nyangtorch's model
    classes, NumPy arrays and plain containers are admitted. ``trusted=True`` allows any class
    (e.g. your own NyangModel subclass) — and with it any code the file names: only for files
    you trust."""
    return load_object(path, trusted, "model")


# -- plain weight files --------------------------------------------------------------------
SAFETENSORS_DTYPES = {
    "F64": np.float64,
    "F32": np.float32,
    "F16": np.float16,
    "I64": np.int64,
    "I32": np.int32,
}


def _write_safetensors(state: dict[str, np.ndarray]) -> bytes:
    """safetensors layout: 8-byte little-endian header size, JSON header, raw little-endian data."""
    names = {np.dtype(v).name: k for k, v in SAFETENSORS_DTYPES.items()}
    header, chunks, offset = {}, [], 0
    for key, value in state.items():
        array = np.ascontiguousarray(value)
        if array.dtype.name not in names:
            raise ValueError(
                f"save_weights: {key} has dtype {array.dtype}, not storable in safetensors"
            )
        raw = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        header[key] = {
            "dtype": names[array.dtype.name],
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        chunks.append(raw)
        offset += len(raw)
    blob = json.dumps(header).encode()
    blob += b" " * (-len(blob) % 8)  # the format pads the header to 8 bytes
    return len(blob).to_bytes(8, "little") + blob + b"".join(chunks)


def _read_safetensors(data: bytes, path) -> dict[str, np.ndarray]:
    try:
        size = int.from_bytes(data[:8], "little")
        header = json.loads(data[8 : 8 + size])
        body = memoryview(data)[8 + size :]
        state = {}
        for key, info in header.items():
            if key == "__metadata__":
                continue
            start, end = info["data_offsets"]
            dtype = np.dtype(SAFETENSORS_DTYPES[info["dtype"]]).newbyteorder("<")
            if end > len(body) or start > end:
                raise ValueError(f"tensor {key} runs past the end of the file")
            state[key] = (
                np.frombuffer(body[start:end], dtype=dtype)
                .reshape(info["shape"])
                .astype(dtype.newbyteorder("="))
            )
        return state
    except (ValueError, KeyError, TypeError) as error:
        raise ModelFileError(f"{path} is not a readable safetensors file: {error}") from None


def save_weights(model: NyangModel, path: str | Path) -> None:
    """Write ``model.state_dict()`` to ``.safetensors`` or ``.npz`` (by the suffix), atomically."""
    path = Path(path)
    state = model.state_dict()
    if path.suffix == ".safetensors":
        atomic_write(path, _write_safetensors(state))
    elif path.suffix == ".npz":
        buffer = io.BytesIO()
        np.savez(buffer, **state)
        atomic_write(path, buffer.getvalue())
    else:
        raise ValueError(f"save_weights: use a .safetensors or .npz file name, got {path.name}")


def load_weights(model: NyangModel, path: str | Path) -> NyangModel:
    """Read weights written by :func:`save_weights` into ``model`` (names and shapes must match)."""
    path = Path(path)
    data = path.read_bytes()
    if path.suffix == ".safetensors":
        state = _read_safetensors(data, path)
    elif path.suffix == ".npz":
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                state = {k: archive[k] for k in archive.files}
        except (ValueError, OSError) as error:
            raise ModelFileError(f"{path} is not a readable .npz weight file: {error}") from None
    else:
        raise ValueError(f"load_weights: use a .safetensors or .npz file, got {path.name}")
    model.load_state_dict(state)
    return model
