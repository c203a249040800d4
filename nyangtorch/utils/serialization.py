"""Model files: the whole model pickled (as PyTorch users expect from ``torch.save``), written
atomically and read back safely.

A file is a small pickled *envelope* ``{format, version, nyangtorch, kind, sha256, payload}``:
``kind`` says what it holds (a ``"model"``, or a training ``"checkpoint"``), ``nyangtorch``
which version wrote it, and ``payload`` is the object itself, pickled on its own by
:mod:`.pickle_safe` (arrays as plain bytes), with its SHA-256 in ``sha256``. Loading checks
the envelope and the checksum *before* rebuilding anything of the payload, so a foreign,
damaged or wrong-kind file is refused by name, and a flipped bit in the weights is reported
instead of silently loaded. The payload is then read under :mod:`.pickle_safe`'s rules: only
nyangtorch's model classes, arrays and plain containers, bounded by the file's size; a file
that names anything else (``os.system``, …) is refused before any of it runs.
``trusted=True`` lifts that check — only for files you made yourself (for example with a
model class of your own).

Format versions: 1 pickled the payload inline with NumPy's own array pickles and no
checksum; such a file loads only with ``trusted=True`` (NumPy's pickles cannot be read
safely), unless it holds no arrays. 2 is the format described here.
"""

from __future__ import annotations

import hashlib
import pickle
import reprlib
from pathlib import Path

from ..nn.module import NyangModel
from ..version import __version__
from . import pickle_safe
from .atomic import atomic_write
from .compat import missing_attributes
from .errors import ModelFileError, UnsafeModelFile

FORMAT = "nyangtorch-model"
FORMAT_VERSION = 2
PAYLOAD_TYPES = {"model": NyangModel, "checkpoint": dict}  # what each kind of file holds


def save_object(obj, path: str | Path, kind: str = "model") -> None:
    """Pickle ``obj`` atomically inside the versioned, checksummed envelope."""
    payload = pickle_safe.dumps(obj)
    envelope = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "nyangtorch": __version__,
        "kind": kind,
        "sha256": hashlib.sha256(payload).hexdigest(),
        "payload": payload,
    }
    atomic_write(path, pickle.dumps(envelope, protocol=pickle_safe.PROTOCOL))


def load_object(path: str | Path, trusted: bool = False, kind: str = "model"):
    """Read a file written by :func:`save_object`; see the module docstring for ``trusted``."""
    return _load(Path(path), trusted, kind)[0]


def _load(path: Path, trusted: bool, kind: str) -> tuple[object, str]:
    """The payload of the ``kind`` file at ``path``, and the nyangtorch version that wrote it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"model file {path} does not exist") from None
    if not data:
        raise ModelFileError(f"{path} is empty: not a nyangtorch {kind} file")
    envelope = _unpickle(
        data, path, trusted, f"is not a readable nyangtorch {kind} file (truncated or foreign)"
    )
    version, writer = _check_envelope(envelope, path, kind)
    if version == 1:
        payload = envelope["payload"]
    else:
        payload = _verified_payload(envelope, path)
        built_by = f"by nyangtorch {__version__} (the file was written by nyangtorch {writer})"
        payload = _unpickle(
            payload, path, trusted, f"holds a {kind} that cannot be rebuilt {built_by}"
        )
    expected = PAYLOAD_TYPES.get(kind, object)
    if not isinstance(payload, expected):
        raise ModelFileError(
            f"{path} is not a {kind} file: it holds a {type(payload).__name__} where a {kind} "
            f"(a {expected.__name__}) was expected"
        )
    return payload, writer


def _unpickle(data: bytes, path: Path, trusted: bool, problem: str):
    try:
        return pickle_safe.loads(data, path, trusted)
    except UnsafeModelFile:
        raise
    except Exception as error:  # damaged or foreign bytes: say which file, not pickle's internals
        raise ModelFileError(f"{path} {problem}: {error}") from None


def _check_envelope(envelope, path: Path, kind: str) -> tuple[int, str]:
    """The envelope's format version and writer, once it is known to hold a ``kind``."""
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        raise ModelFileError(f"{path} is a pickle, but not a nyangtorch {kind} file")
    version = envelope.get("version")
    if type(version) is not int or version < 1:
        raise ModelFileError(
            f"{path} has format version {reprlib.repr(version)}, not a positive integer: not "
            f"a nyangtorch {kind} file as nyangtorch writes them (damaged, or from another program)"
        )
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} has format version {version}; this nyangtorch reads up to {FORMAT_VERSION}"
        )
    if envelope.get("kind") != kind:
        raise ModelFileError(f"{path} holds a {reprlib.repr(envelope.get('kind'))}, not a {kind}")
    writer = envelope.get("nyangtorch")
    return version, writer if isinstance(writer, str) and len(writer) < 40 else "(unknown)"


def _verified_payload(envelope: dict, path: Path) -> bytes:
    payload, recorded = envelope.get("payload"), envelope.get("sha256")
    if not isinstance(payload, bytes) or not isinstance(recorded, str):
        raise ModelFileError(f"{path} is damaged: its envelope lacks the payload or checksum")
    actual = hashlib.sha256(payload).hexdigest()
    if actual != recorded:
        raise ModelFileError(
            f"{path} is damaged: its contents no longer match the SHA-256 checksum written "
            f"with them ({actual[:12]}… instead of {recorded[:12]}…); it was altered or "
            "corrupted after saving — use another copy, or save it again"
        )
    return payload


def nyang_save_model(model: NyangModel, path: str | Path) -> None:
    """Save the whole model (architecture and weights) to ``path``, atomically."""
    if not isinstance(model, NyangModel):
        raise TypeError(f"nyang_save_model: expected a NyangModel, got {type(model).__name__}")
    save_object(model, path, "model")


def nyang_load_model(path: str | Path, trusted: bool = False) -> NyangModel:
    """Load a model saved by :func:`nyang_save_model`. Safe by default: only nyangtorch's model
    classes, NumPy arrays and plain containers are admitted. ``trusted=True`` allows any class
    (e.g. your own NyangModel subclass) — and with it any code the file names: only for files
    you trust.

    A layer that lacks an attribute its class now sets up (a file from a version of
    nyangtorch before that attribute existed) is refused here, naming the version that wrote
    the file, rather than failing later in the forward pass (see :mod:`.compat`)."""
    path = Path(path)
    model, writer = _load(path, trusted, "model")
    try:
        problems = missing_attributes(model)
    except RecursionError:  # a crafted file can nest layers deeper than any walk of them goes
        raise ModelFileError(f"{path} nests its layers too deeply to be a model") from None
    if problems:
        raise ModelFileError(
            f"{path} was written by nyangtorch {writer} (this is {__version__}), and its "
            "layers lack attributes that their classes here set up:\n  "
            + "\n  ".join(problems)
            + f"\nLoad it with nyangtorch {writer}, or rebuild the model here and move the "
            "weights with save_weights / load_weights."
        )
    return model
