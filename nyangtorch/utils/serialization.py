"""Model files: pickle written atomically and read back safely, plus plain weight files.

``nyang_save_model`` pickles the whole model (as PyTorch users expect from ``torch.save``),
inside an envelope with a format version. ``nyang_load_model`` reads it with a restricted
unpickler that admits only nyangtorch's model classes, NumPy arrays and dtypes and plain
Python containers: a file that asks for anything else (``os.system``, ``subprocess.Popen``,
``builtins.eval``, …) is refused before any of it runs. ``trusted=True`` turns that check off
— use it only for files you made yourself (for example a model class of your own).

Plain weight files (``save_weights`` / ``load_weights``) are in :mod:`.weights`.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

from ..data.preprocessing import Preprocessing
from ..nn.module import NyangModel, Parameter
from ..optim.optimizer import Optimizer
from ..optim.scheduler import Scheduler
from ..version import __version__
from .atomic import atomic_write
from .errors import ModelFileError, UnsafeModelFile

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
