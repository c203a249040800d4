"""Plain weight files: a model's state dict as ``.safetensors`` or ``.npz``, for interchange.

``.safetensors`` is the Hugging Face layout (8-byte header size, JSON header, raw
little-endian data), written and read here with no extra dependency; ``.npz`` is NumPy's zip
of ``.npy`` files. Loading is all or nothing, and bounded by the model:

1. Each entry's name, shape and dtype are read from the file's headers alone and checked
   against the model. A mismatch lists every problem and changes nothing. A dtype that
   differs is refused, not converted: a float64 file in a float32 model is a mix-up to
   report, and ``model.to(...)`` makes the conversion explicit.
2. Only then is data read, and each entry must be exactly the size its header declares —
   which now equals the model's own — so no file, however compressed or crafted, makes the
   reader allocate more than the model's weights (a ``.npz`` member whose uncompressed size
   says otherwise is refused before it is decompressed).
3. The model's weights are assigned only once every entry has been read.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import math
import reprlib
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..nn.module import NyangModel
from .atomic import atomic_write
from .errors import ModelFileError

SAFETENSORS_DTYPES = {
    "BOOL": np.bool_,
    "U8": np.uint8,
    "I8": np.int8,
    "U16": np.uint16,
    "I16": np.int16,
    "F16": np.float16,
    "U32": np.uint32,
    "I32": np.int32,
    "F32": np.float32,
    "U64": np.uint64,
    "I64": np.int64,
    "F64": np.float64,
}
# What a damaged or foreign file makes the parsers raise: JSON (ValueError, RecursionError
# when deeply nested), zip (BadZipFile, EOFError, zlib.error; RuntimeError when encrypted,
# NotImplementedError for an unknown compression) and .npy headers (ValueError).
_UNREADABLE = (ValueError, EOFError, RuntimeError, zipfile.BadZipFile, zlib.error)


@dataclass(frozen=True)
class _Entry:
    """One array of a weight file as its header describes it; ``read()`` fetches the data."""

    dtype: np.dtype
    shape: tuple[int, ...]
    read: Callable[[], np.ndarray]


def _check_shape(shape, what: str) -> tuple[int, ...]:
    if not all(type(n) is int and n >= 0 for n in shape):
        raise ValueError(
            f"{what} has shape {reprlib.repr(shape)}, not a list of non-negative integers"
        )
    return tuple(shape)


# -- safetensors ----------------------------------------------------------------------------
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


def _safetensors_entries(data: bytes) -> dict[str, _Entry]:
    if len(data) < 8:
        raise ValueError(f"it has {len(data)} bytes, fewer than the 8 of its header's size")
    size = int.from_bytes(data[:8], "little")
    if size > len(data) - 8:
        raise ValueError(f"its header of {size} bytes runs past the end of the file")
    header = json.loads(data[8 : 8 + size])
    if not isinstance(header, dict):
        raise ValueError(f"its header is a JSON {type(header).__name__}, not an object")
    body = memoryview(data)[8 + size :]
    header.pop("__metadata__", None)
    return {name: _safetensors_entry(name, info, body) for name, info in header.items()}


def _safetensors_entry(name: str, info, body: memoryview) -> _Entry:
    match info:
        case {"dtype": str(tag), "shape": list(shape), "data_offsets": [int(start), int(end)]}:
            pass
        case _:
            raise ValueError(
                f"entry {name} is not {{dtype, shape, data_offsets}}: {reprlib.repr(info)}"
            )
    if tag not in SAFETENSORS_DTYPES:
        raise ValueError(
            f"entry {name} has dtype {tag}, not one of {', '.join(SAFETENSORS_DTYPES)}"
        )
    stored = np.dtype(SAFETENSORS_DTYPES[tag]).newbyteorder("<")
    shape = _check_shape(shape, f"entry {name}")
    if not 0 <= start <= end <= len(body):
        raise ValueError(f"entry {name} runs past the end of the file")
    if end - start != math.prod(shape) * stored.itemsize:
        raise ValueError(f"entry {name} of shape {shape} has {end - start} bytes of {tag}")
    native = stored.newbyteorder("=")
    return _Entry(
        native, shape, lambda: np.frombuffer(body[start:end], stored).reshape(shape).astype(native)
    )


# -- npz ------------------------------------------------------------------------------------
def _npz_entries(data: bytes) -> dict[str, _Entry]:
    # In memory, so nothing to close: the entries' read() keep the archive open.
    archive = zipfile.ZipFile(io.BytesIO(data))
    entries = {}
    for info in archive.infolist():
        name = info.filename.removesuffix(".npy")
        if name == info.filename or name in entries:
            raise ValueError(f"member {info.filename}: expected one NAME.npy member per weight")
        with archive.open(info) as member:  # decompresses just the header's first block
            version = np.lib.format.read_magic(member)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(member)
            elif version == (2, 0):
                shape, _, dtype = np.lib.format.read_array_header_2_0(member)
            else:
                raise ValueError(f"member {info.filename} is .npy version {version}")
            shape = _check_shape(shape, f"member {info.filename}")
            declared = member.tell() + math.prod(shape) * dtype.itemsize
        if info.file_size != declared:
            raise ValueError(
                f"member {info.filename} unpacks to {info.file_size} bytes, but its header "
                f"declares {declared} (an array {shape} of {dtype})"
            )
        entries[name] = _Entry(dtype, shape, functools.partial(_npy, archive, info))
    return entries


def _npy(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    with archive.open(info) as member:  # the zip checks the CRC on the way
        return np.lib.format.read_array(member, allow_pickle=False)


# -- saving and loading ---------------------------------------------------------------------
_FORMATS = {".safetensors": ("safetensors", _safetensors_entries), ".npz": (".npz", _npz_entries)}


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
    """Read weights written by :func:`save_weights` into ``model``: names, shapes and dtypes
    must match, and either every weight is loaded or none is (see the module docstring)."""
    path = Path(path)
    if path.suffix not in _FORMATS:
        raise ValueError(f"load_weights: use a .safetensors or .npz file, got {path.name}")
    kind, read_entries = _FORMATS[path.suffix]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"weight file {path} does not exist") from None
    with _reading(path, kind):
        entries = read_entries(data)
    _check_fit(entries, model, path)
    with _reading(path, kind):
        state = {name: entry.read() for name, entry in entries.items()}
    model.load_state_dict(state)
    return model


@contextlib.contextmanager
def _reading(path: Path, kind: str) -> Iterator[None]:
    """A parser's error on damaged or foreign bytes, as one error that names the file."""
    try:
        yield
    except _UNREADABLE as error:
        raise ModelFileError(f"{path} is not a readable {kind} weight file: {error}") from None


def _check_fit(entries: dict[str, _Entry], model: NyangModel, path: Path) -> None:
    """Every problem between the file's headers and ``model``, in one error."""
    expected = {name: (p.shape, p.dtype) for name, p in model.named_parameters()}
    expected |= {name: (np.shape(b), np.asarray(b).dtype) for name, b in model.named_buffers()}
    problems = [f"  missing in the file: {name}" for name in expected if name not in entries]
    problems += [f"  not in the model: {name}" for name in entries if name not in expected]
    for name, entry in entries.items():
        if name not in expected:
            continue
        shape, dtype = expected[name]
        if entry.shape != tuple(shape):
            problems.append(f"  shape of {name}: the file has {entry.shape}, the model {shape}")
        elif entry.dtype.newbyteorder("=") != dtype.newbyteorder("="):
            problems.append(
                f"  dtype of {name}: the file has {entry.dtype.name}, the model {dtype.name} "
                f"(convert the model first, e.g. model.to(np.{entry.dtype.name}))"
            )
    if problems:
        raise ValueError(
            f"{path} does not fit this {type(model).__name__}; nothing was loaded:\n"
            + "\n".join(problems)
        )
