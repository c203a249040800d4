"""The pickle inside a model file: how objects become bytes, and the rules for reading them back.

Writing (:func:`dumps`): protocol 5, except that NumPy arrays, NumPy scalars and dtypes are
stored as *persistent ids*, plain tuples such as ``("array", "<f4", (2, 3), <24 bytes>)``,
instead of NumPy's own pickles. Why: NumPy's pickles rebuild an array by calling
``numpy.dtype``, ``_frombuffer`` or ``_reconstruct`` and then let the file set the dtype's
internal state — a float dtype can be marked as holding Python objects, and NumPy then
treats the file's bytes as pointers. No allow-list can make that safe; a dtype string, a
shape and some bytes can be checked completely before an array is built.

Reading (:func:`loads`). Unless ``trusted``, these are the rules, all of them here:

1. **Bounds first.** Before anything runs, the opcodes are walked with ``pickletools``
   (which decodes and runs nothing): every length the file declares (bytes, strings,
   frames) must fit in what remains of the file, and every memo index must be below the
   file's size. CPython's unpickler allocates a declared length *before* reading it, and a
   memo as long as the largest index, so twelve bytes could otherwise ask for gigabytes.
2. **Names.** The file may name only ``complex``, ``slice``, ``OrderedDict`` and
   nyangtorch's classes derived from :data:`SAFE_BASES` (models and layers, optimizers,
   schedulers, the preprocessing record) or :class:`Parameter`. Anything else —
   ``os.system``, ``builtins.eval``, NumPy's reconstructors, ``bytearray(10**10)`` — is
   refused with :class:`UnsafeModelFile` before it runs.
3. **No constructors.** A class is handed to the unpickler as a stand-in that makes a bare
   instance (``cls.__new__(cls)``) whether the file instantiates it or calls it; the file then
   only sets its state. ``__init__`` never runs, so numbers in a file cannot make a layer
   allocate fresh weights (``Linear(10**6, 10**6)``). ``Parameter``, pickled as
   ``Parameter(data)``, is rebuilt only around an array.
4. **Arrays.** Each persistent id is checked: a dtype of a plain kind (:data:`PLAIN_KINDS`),
   a shape of non-negative integers, and ``size × itemsize`` equal to the bytes given. The
   array is a view of those bytes, which are part of the file.

Together: what a file of n bytes builds is a small multiple of n. ``trusted=True`` lifts
rules 2 and 3 (any class, built as pickled — and any code the file names).
"""

from __future__ import annotations

import io
import math
import pickle
import pickletools
import reprlib
from pathlib import Path

import numpy as np

from ..data.preprocessing import Preprocessing
from ..nn.module import NyangModel, Parameter
from ..optim.optimizer import Optimizer
from ..optim.scheduler import Scheduler
from .errors import UnsafeModelFile

PROTOCOL = 5  # the first with an opcode for bytearrays: arrays load writable, without a copy
ALLOWED_GLOBALS = {("builtins", "complex"), ("builtins", "slice"), ("collections", "OrderedDict")}
SAFE_BASES = (NyangModel, Optimizer, Scheduler, Preprocessing)
PLAIN_KINDS = "biufcUSMm"  # bool, int, uint, float, complex, str, bytes, datetime, timedelta


def plain_dtype(code: str) -> np.dtype:
    """The dtype written as ``code`` (``dtype.str``, e.g. ``"<f4"``), if of a plain kind:
    numbers, booleans, strings or dates — no objects, no fields, no zero-size items."""
    try:
        dtype = np.dtype(code)
    except TypeError:
        raise ValueError(f"{code!r} is not a NumPy dtype") from None
    if dtype.kind not in PLAIN_KINDS or dtype.itemsize == 0:
        raise ValueError(f"dtype {dtype} is not stored in model files (only {PLAIN_KINDS})")
    return dtype


# -- writing --------------------------------------------------------------------------------
class _ModelPickler(pickle.Pickler):
    """Pickles as usual, with NumPy values replaced by checkable persistent ids."""

    def __init__(self, file) -> None:
        super().__init__(file, protocol=PROTOCOL)
        # One persistent id per value (kept with the value, so its id() is not reused): the
        # pickler then memoizes the id, and an array shared by two owners is loaded shared.
        self._ids: dict[int, tuple] = {}

    def persistent_id(self, obj):
        if not isinstance(obj, np.ndarray | np.generic | np.dtype):
            return None  # pickled as usual
        if id(obj) not in self._ids:
            self._ids[id(obj)] = (obj, _describe(obj))
        return self._ids[id(obj)][1]


def _describe(value: np.ndarray | np.generic | np.dtype) -> tuple:
    if isinstance(value, np.ndarray):
        array = value if value.flags.c_contiguous else value.copy(order="C")
        # In-band PickleBuffer: written as one counted run of bytes, without a copy.
        return ("array", _storable(value.dtype), value.shape, pickle.PickleBuffer(array))
    if isinstance(value, np.generic):
        return ("scalar", _storable(value.dtype), value.tobytes())
    return ("dtype", _storable(value))


def _storable(dtype: np.dtype) -> str:
    try:
        return plain_dtype(dtype.str).str
    except ValueError as error:
        raise TypeError(f"cannot save a NumPy value in a model file: {error}") from None


def dumps(obj) -> bytes:
    """``obj`` as a model-file pickle (see the module docstring)."""
    buffer = io.BytesIO()
    _ModelPickler(buffer).dump(obj)
    return buffer.getvalue()


# -- reading --------------------------------------------------------------------------------
_MEMO_PUTS = {"PUT", "BINPUT", "LONG_BINPUT"}


def check_bounds(data: bytes) -> None:
    """Rule 1: walk the opcodes without running them; raise ValueError if a declared length
    runs past the end of ``data`` or a memo index exceeds its size."""
    for opcode, arg, position in pickletools.genops(data):  # counted reads fail when short
        if opcode.name in _MEMO_PUTS and arg >= len(data):
            raise ValueError(f"memo index {arg} at byte {position} exceeds the file's size")
        if opcode.name == "FRAME" and arg > len(data) - position:
            raise ValueError(f"frame of {arg} bytes at byte {position} runs past the end")


def _parameter(data) -> Parameter:
    """Rule 3 for Parameter: only around an array (``np.asarray`` of a list would copy)."""
    if type(data) is not np.ndarray:
        raise ValueError(f"a Parameter must hold an array, the file gives a {type(data).__name__}")
    return Parameter(data)


def _without_init(cls: type) -> type:
    """Rule 3: a stand-in for ``cls`` whose instantiation (NEWOBJ) and call (REDUCE) both
    give a bare ``cls`` instance: its ``__new__`` returns no instance of the stand-in, so
    Python runs no ``__init__`` either. The file's BUILD opcode then sets the state."""

    def new(stand_in, *args, **kwargs):
        if args or kwargs:
            raise ValueError(f"the file constructs {cls.__name__} with arguments")
        return cls.__new__(cls)

    return type(cls.__name__, (), {"__new__": new})


def _array(code: str, shape: tuple, raw: bytes | bytearray) -> np.ndarray:
    dtype = plain_dtype(code)
    if not all(type(n) is int and n >= 0 for n in shape):
        raise ValueError(f"array shape {reprlib.repr(shape)} is not of non-negative integers")
    if math.prod(shape) * dtype.itemsize != len(raw):
        raise ValueError(f"array {shape} of {dtype} stored in {len(raw)} bytes")
    array = np.frombuffer(raw, dtype).reshape(shape)
    return array if array.flags.writeable else array.copy()  # bytes are read-only


class _ModelUnpickler(pickle.Unpickler):
    """Rules 2–4 (rule 1 runs before it, in :func:`loads`)."""

    def __init__(self, data: bytes, path: Path, trusted: bool) -> None:
        super().__init__(io.BytesIO(data))
        self.path, self.trusted = path, trusted
        self._built: dict[int, tuple] = {}

    def find_class(self, module: str, name: str):
        if self.trusted or (module, name) in ALLOWED_GLOBALS:
            return super().find_class(module, name)
        if module.split(".")[0] == "nyangtorch" and "." not in name:
            cls = super().find_class(module, name)  # imports the nyangtorch module
            if cls is Parameter:
                return _parameter
            if isinstance(cls, type) and issubclass(cls, SAFE_BASES):
                return _without_init(cls)
        raise UnsafeModelFile(_refusal(self.path, module, name))

    def persistent_load(self, pid):
        # A persistent id met twice (memoized by the writer) gives the same value twice.
        if id(pid) not in self._built:
            self._built[id(pid)] = (pid, _rebuild(pid))
        return self._built[id(pid)][1]


def _refusal(path: Path, module: str, name: str) -> str:
    message = (
        f"{path}: refused to load {module}.{name} — a model file may name only nyangtorch's "
        "model classes and plain Python containers, and nothing of this file was run. "
    )
    remedy = "load it with nyang_load_model(path, trusted=True)"
    if module.split(".")[0] == "numpy":
        message += (
            "NumPy's own array pickles cannot be read safely, and nyangtorch now stores arrays "
            "as plain bytes (model-file format 2): this file comes from an older nyangtorch "
            "or another program. "
        )
        remedy += " and save it again to convert it"
    return message + f"If you made this file yourself (e.g. with your own model class), {remedy}."


def _rebuild(pid):
    """Rule 4: the NumPy value a persistent id describes, after checking it."""
    match pid:
        case ("array", str(code), tuple(shape), bytes() | bytearray() as raw):
            return _array(code, shape, raw)
        case ("scalar", str(code), bytes() as raw):
            return _array(code, (), raw)[()]
        case ("dtype", str(code)):
            return plain_dtype(code)
    raise ValueError(f"unknown persistent id {reprlib.repr(pid)}")


def loads(data: bytes, path: Path, trusted: bool = False):
    """Read a pickle written by :func:`dumps` under the module's rules. Raises
    :class:`UnsafeModelFile` for a refused name, and other exceptions (ValueError,
    UnpicklingError, …) for damaged or foreign bytes — the caller names the file."""
    check_bounds(data)
    return _ModelUnpickler(data, path, trusted).load()
