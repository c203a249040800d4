"""Parameter and NyangModel: the base every layer, loss-free model and container builds on.

A model is a tree of ``NyangModel`` objects. Parameters and child models are found by
looking at the attributes in the order they were assigned, so ``named_parameters()`` gives
the same names as PyTorch (``0.weight``, ``conv1.bias``, ...) and weights map one to one.
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from . import tape

DEFAULT_DTYPE = np.float32

# Whether gradients are enabled is a setting of each thread, as in PyTorch: one thread's
# no_grad (a Streamlit session's inference) must not make another thread's training forward
# keep nothing. A new thread starts with gradients enabled.
_grad_mode = threading.local()


def set_grad_enabled(mode: bool) -> contextlib.AbstractContextManager[None]:
    """Turn this thread's gradients on (layers keep what ``backward`` needs) or off (they keep
    nothing), like ``torch.set_grad_enabled``: at once when called, and for a ``with`` block,
    after which the previous setting comes back, even on an error."""
    if not isinstance(mode, (bool, np.bool_)):
        raise TypeError(f"set_grad_enabled: mode must be True or False, got {mode!r}")
    previous = is_grad_enabled()
    _grad_mode.enabled = bool(mode)
    return _restored_after(previous)


@contextlib.contextmanager
def _restored_after(previous: bool) -> Iterator[None]:
    try:
        yield
    finally:
        _grad_mode.enabled = previous


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block this thread's layers keep nothing for ``backward`` (like
    ``torch.no_grad``, also as a decorator) and models record no tape.

    Inference needs no caches, so it runs with less memory; ``backward`` then raises.
    """
    with set_grad_enabled(False):
        yield


@contextlib.contextmanager
def inference_mode(model: NyangModel) -> Iterator[NyangModel]:
    """``model`` in eval mode and under :func:`no_grad` inside the block; its previous mode
    is restored afterwards, even on an error."""
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            yield model
    finally:
        model.train(was_training)


def is_grad_enabled() -> bool:
    """False inside :func:`no_grad` (in this thread)."""
    return getattr(_grad_mode, "enabled", True)


def keep(value):
    """What a forward pass stores for backward: ``value``, or None inside :func:`no_grad`.

    Pass a function to compute the value only when it will be kept (an activation's mask is
    pure backward work that inference should not pay for).
    """
    if not is_grad_enabled():
        return None
    return value() if callable(value) else value


DEVICES = ("cpu", "cuda", "mps")  # device names PyTorch code passes to .to()


class LoadResult(NamedTuple):
    """What :meth:`NyangModel.load_state_dict` did not load (PyTorch's ``_IncompatibleKeys``)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


_warned_integers = False


def check_array(layer, x) -> None:
    """What every layer call checks of its input: an array, with samples, and (once per
    process) a warning for integer pixels, which a model takes as they are: 0–255, unscaled."""
    global _warned_integers
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{layer!r}: expected a NumPy array, got {type(x).__name__}")
    if x.ndim == 0:
        raise ValueError(f"{layer!r}: got a single number, shape (); pass a batch (N, ...)")
    if len(x) == 0:
        raise ValueError(
            f"{layer!r}: got an empty batch of shape {x.shape}; pass at least one sample"
        )
    # dtype.kind rather than np.issubdtype(x.dtype, np.integer): 0.1 against 2.5 µs a call.
    if not _warned_integers and x.dtype.kind in "iu":
        _warned_integers = True
        warnings.warn(
            f"{layer!r} got {x.dtype} input: integer pixels are used as they are (0–255); "
            "scale images to floats first, e.g. x / 255, as the data loaders do",
            stacklevel=3,
        )


class Parameter:
    """A trainable array: ``data`` plus ``grad`` (None until a backward pass adds into it)."""

    __slots__ = ("data", "grad")

    def __init__(self, data: np.ndarray) -> None:
        self.data = np.asarray(data)
        self.grad: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def accumulate(self, grad: np.ndarray) -> None:
        """``grad += g``. The first call adopts ``g``: layers pass freshly computed arrays."""
        if self.grad is None:
            self.grad = grad if grad.dtype == self.data.dtype else grad.astype(self.data.dtype)
        else:
            self.grad += grad

    def __reduce__(self):
        return Parameter, (self.data,)  # saved without its gradient, as in PyTorch

    def __repr__(self) -> str:
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


class NyangModel:
    """Base class of every layer and model.

    Subclasses implement ``forward(x)`` and ``backward(grad)``; ``model(x)`` calls ``forward``.
    A model may implement ``forward`` alone: its layer calls are then recorded on a tape that
    gives it ``backward`` (see :mod:`nyangtorch.nn.tape`).
    Parameters and child models assigned as attributes are registered automatically;
    non-trainable arrays that belong in the state dict (BatchNorm's running statistics) are
    declared with :meth:`register_buffer`.
    """

    # True when cutting a batch into shares that threads run side by side (DataParallel)
    # changes nothing but rounding: each sample's output depends on that sample alone, or
    # the layer adds what it needs over the shares (BatchNorm's statistics, with
    # nn.shares.share_sum). Dropout says False (shares would draw its random masks in
    # another order); so should a custom layer that otherwise mixes samples or draws
    # random numbers.
    splittable = True

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        # The flag's earlier name: a layer that still says ``per_sample = False`` keeps its word.
        if "per_sample" in vars(cls) and "splittable" not in vars(cls):
            cls.splittable = bool(cls.per_sample)

    def __init__(self) -> None:
        self.training = True
        self._buffers: list[str] = []
        self._cache = None  # what forward keeps for backward; never saved to a file

    # -- the layer contract -------------------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} does not implement forward()")

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """d loss / d input, for a model that writes only ``forward``: its tape, walked from
        the last call to the first. Layers override this with their own math."""
        return self._saved().backward(grad)

    def backward_params(self, grad: np.ndarray) -> None:
        """Backward for the parameters only, when nobody needs d loss / d input (the first
        layer of a network: its input is the data). Layers whose input gradient is costly
        override this to skip it, as PyTorch skips inputs that do not require grad."""
        if self._forward_only():
            self._saved().backward(grad, input_grad=False)
        else:
            self.backward(grad)

    def check_following(self, following: list[NyangModel], index: int) -> None:
        """Raise ``ValueError`` if this layer, layer ``index`` of a NyangFlow, may not be
        followed by the layers ``following``. Most layers take any; a Conv told its next pool
        (``next_pool``) checks that the pool is there."""

    def __call__(self, *inputs: np.ndarray) -> np.ndarray:
        """``forward(*inputs)``, on a tape while a forward-only model runs (see tape.py)."""
        for x in inputs:
            check_array(self, x)
        forward_only = self._forward_only()
        if tape.active() is None and not forward_only:
            return self.forward(*inputs)  # a layer on its own or in a NyangFlow: nothing to record
        own = tape.Tape(self, inputs) if forward_only and is_grad_enabled() else None
        if forward_only:
            self._cache = own  # a forward-only model keeps its tape for backward
        return tape.run(self, inputs, own)

    @property
    def forward_tape(self) -> tape.Tape | None:
        """The tape of a forward-only model's last forward with gradients enabled (what its
        ``backward`` walks); None for other layers and models, or before the first forward."""
        return self._cache if self._forward_only() else None

    def _forward_only(self) -> bool:
        """True for a model that defines ``forward`` but not ``backward``: its tape does that."""
        return type(self).backward is NyangModel.backward

    def _saved(self):
        """What forward kept for backward, or an explanation of why there is nothing."""
        if self._cache is None:
            raise RuntimeError(
                f"{self!r}: backward() called before forward() "
                "(or the forward ran inside no_grad(), which keeps nothing for backward)"
            )
        return self._cache

    def __getstate__(self) -> dict:
        """Pickle without the forward cache (a Conv's would hold a whole im2col matrix)."""
        state = self.__dict__.copy()
        state["_cache"] = None
        return state

    # -- tree walking -------------------------------------------------------------------
    def children(self) -> Iterator[tuple[str, NyangModel]]:
        """Direct sub-models as ``(name, model)`` pairs, in assignment order."""
        for name, value in vars(self).items():
            if isinstance(value, NyangModel):
                yield name, value

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
        for name, child in self.children():
            yield from child.named_parameters(f"{prefix}{name}.")

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        for name in self._buffers:
            yield prefix + name, getattr(self, name)
        for name, child in self.children():
            yield from child.named_buffers(f"{prefix}{name}.")

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, NyangModel]]:
        """This model (named ``prefix``) and every model inside it, with dotted names."""
        yield prefix, self
        for name, child in self.children():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[NyangModel]:
        for _, module in self.named_modules():
            yield module

    def register_buffer(self, name: str, value: np.ndarray) -> None:
        setattr(self, name, value)
        if name not in self._buffers:
            self._buffers.append(name)

    # -- modes and gradients ------------------------------------------------------------
    def train(self, mode: bool = True) -> NyangModel:
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> NyangModel:
        return self.train(False)

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def to(self, dtype) -> NyangModel:
        """Convert every parameter (and its grad) and buffer to the floating ``dtype``, like
        ``.double()``. ``"cpu"`` is accepted and changes nothing: nyangtorch runs on the CPU."""
        if isinstance(dtype, str) and dtype.split(":")[0] in DEVICES:
            return self if dtype.startswith("cpu") else self.cuda()
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"{type(self).__name__}.to: {dtype!r} is not a dtype") from None
        if not np.issubdtype(dtype, np.floating):
            raise TypeError(
                f"{type(self).__name__}.to: parameters must stay floating point "
                f"(float32 or float64), got {dtype}"
            )
        for p in self.parameters():
            p.data = p.data.astype(dtype, copy=False)
            if p.grad is not None:
                p.grad = p.grad.astype(dtype, copy=False)
        for module in self.modules():
            for name in module._buffers:
                value = getattr(module, name)
                if np.issubdtype(value.dtype, np.floating):
                    setattr(module, name, value.astype(dtype, copy=False))
        return self

    def cpu(self) -> NyangModel:
        """Nothing to move: nyangtorch's arrays live in the CPU's memory (as ``.cpu()``)."""
        return self

    def cuda(self, device=None) -> NyangModel:
        raise RuntimeError(
            "nyangtorch runs on the CPU only (it is NumPy inside); there is no GPU support, "
            "so .cuda() and .to('cuda') have nowhere to go. Drop them, or use .to('cpu')."
        )

    # -- state dict ---------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer, keyed by dotted name (as in PyTorch)."""
        state = {name: p.data.copy() for name, p in self.named_parameters()}
        state.update({name: np.array(b, copy=True) for name, b in self.named_buffers()})
        return state

    def load_state_dict(self, state: dict[str, np.ndarray], strict: bool = True) -> LoadResult:
        """Copy arrays in, all of them or (on any problem) none.

        Names must match exactly unless ``strict=False``, which loads the entries the model
        has and reports the others, as PyTorch does; shapes must match either way, and every
        value must be a real number array. Returns ``(missing_keys, unexpected_keys)``."""
        params = dict(self.named_parameters())
        buffers = {name: value for name, value in self.named_buffers()}
        expected = list(params) + sorted(set(buffers) - set(params))
        missing = [k for k in expected if k not in state]
        unexpected = [k for k in state if k not in params and k not in buffers]
        problems = [f"  missing: {k}" for k in missing] + [f"  unexpected: {k}" for k in unexpected]
        problems = problems if strict else []
        values = {}  # every converted array, made before any is assigned
        for name in expected:
            if name not in state:
                continue
            current = params[name].data if name in params else buffers[name]
            value = np.asarray(state[name])
            if value.shape != current.shape:
                problems.append(
                    f"  shape of {name}: model has {current.shape}, state has {value.shape}"
                )
            elif not (
                np.issubdtype(value.dtype, np.integer) or np.issubdtype(value.dtype, np.floating)
            ):
                problems.append(f"  {name}: {value.dtype} values, not real numbers")
            else:
                values[name] = value.astype(current.dtype, copy=True)
        if problems:
            raise ValueError(
                f"load_state_dict into {type(self).__name__} failed (nothing was changed):\n"
                + "\n".join(problems)
            )
        for name, value in values.items():
            if name in params:
                params[name].data = value
            else:
                owner, attr = self._owner(name)
                setattr(owner, attr, value)
        return LoadResult(missing, unexpected)

    def _owner(self, dotted: str) -> tuple[NyangModel, str]:
        *path, attr = dotted.split(".")
        owner: NyangModel = self
        for part in path:
            owner = dict(owner.children())[part]
        return owner, attr

    def _buffer(self, dotted: str) -> np.ndarray:
        owner, attr = self._owner(dotted)
        return getattr(owner, attr)

    # -- description --------------------------------------------------------------------
    def num_parameters(self) -> int:
        return sum(p.data.size for p in self.parameters())

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        kids = list(self.children())
        if not kids:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in kids:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        lines.append(")")
        return "\n".join(lines)

    def summary(self, input_shape: tuple[int, ...], dtype=DEFAULT_DTYPE) -> str:
        """A table of the layer calls ``forward`` makes, in run order, with each call's output
        shape and its layer's parameter count (a layer called twice is listed twice and counted
        once in the total). The rows come from one recorded forward pass on zeros, so they
        follow whatever ``forward`` does: a stack, residual blocks, branches.

        ``input_shape`` excludes the batch axis, e.g. ``(1, 28, 28)``.
        """
        x = np.zeros((1, *input_shape), dtype=dtype)
        names = {id(module): name for name, module in self.named_modules()}
        with inference_mode(self):
            # A layer with nothing inside makes no calls: it is its own single row.
            calls = tape.trace(self, x) if next(self.children(), None) else [(self, self(x))]
        rows = [("input", str((None, *input_shape)), "")]
        for layer, y in calls:
            name = names.get(id(layer))
            label = f"({name}) {type(layer).__name__}" if name else type(layer).__name__
            rows.append((label, str((None, *y.shape[1:])), f"{layer.num_parameters():,}"))
        rows.append(("total", "", f"{self.num_parameters():,}"))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        header = ("layer", "output shape", "params")
        widths = [max(w, len(h)) for w, h in zip(widths, header)]

        def line(row) -> str:
            return f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}"

        lines = [line(header), "-" * (sum(widths) + 4)] + [line(r) for r in rows]
        return "\n".join(lines)
