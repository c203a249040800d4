"""The tape: the backward of a model that writes only ``forward``.

What autograd does, at the level of layers. While such a model's ``forward`` runs with
gradients enabled, each layer call appends one entry to the model's tape: the layer, which
arrays went in, the array that came out, and what *that call* kept for backward (the cache
belongs to the call, not to the layer, so one layer can be called twice). ``backward(dy)``
walks the entries from the last: each layer runs its own ``backward`` on its entry's cache,
and an array used by several calls receives the sum of their gradients.

Arrays are known by identity (``id``); the tape keeps each one alive, so no id is reused
while it lives. An array made outside the recorded calls (``x * 2``, ``x.reshape``) has no
entry to send its gradient through, so a layer refuses it. Recorded arrays are read-only
while ``forward`` runs, so changing one in place (``y += x``) fails rather than giving a
wrong gradient.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .module import NyangModel

# Each thread records on its own tape: two threads running forward-only models at once
# (two Streamlit sessions) must not record each other's calls.
_recording = threading.local()


def active() -> Tape | None:
    """The tape that this thread's layer calls are recorded on right now, or None."""
    return getattr(_recording, "tape", None)


USE_RECORDED_OPS = (
    "make it with a layer (Flatten for a reshape, GlobalAvgPool for a spatial mean) and "
    "combine arrays with nn.functional.add or nn.functional.cat"
)


@dataclass
class Entry:
    """One recorded call, ``output = layer(*inputs)``."""

    layer: NyangModel
    inputs: tuple[int, ...]  # the ids of the input arrays
    output: np.ndarray  # kept alive: its id stays unique while the tape lives
    caches: list[tuple[NyangModel, object]]  # (module, its cache) for the layer and its inside

    def restore(self) -> None:
        """Give the layer, and the layers inside it, the caches this call kept."""
        for module, cache in self.caches:
            module._cache = cache


class Tape:
    """The calls one forward pass of ``owner`` made on ``inputs``, in order."""

    def __init__(self, owner: NyangModel, inputs: tuple[np.ndarray, ...]) -> None:
        self.owner, self.inputs = owner, inputs
        self.entries: list[Entry] = []
        self.known = {id(x) for x in inputs}  # what a layer may take: inputs, recorded outputs
        self.output: np.ndarray | None = None
        self.frozen: list[np.ndarray] = []
        for x in inputs:
            self.freeze(x)

    def check(self, layer: NyangModel, inputs: tuple) -> None:
        """Refuse an input that is neither the model's input nor a recorded output."""
        for i, x in enumerate(inputs):
            if id(x) not in self.known:
                raise ValueError(
                    f"{layer!r} in {type(self.owner).__name__}.forward: input {i} was computed "
                    "outside the recorded calls (by `x * 2`, `x.reshape(...)` or another NumPy "
                    f"operation), so backward could not send its gradient back; {USE_RECORDED_OPS}"
                )

    def record(self, layer: NyangModel, inputs: tuple, output: np.ndarray) -> None:
        # A container's backward reads the caches of the layers inside it: keep them all.
        caches = [(module, module._cache) for module in layer.modules()]
        self.entries.append(Entry(layer, tuple(id(x) for x in inputs), output, caches))
        self.known.add(id(output))
        self.freeze(output)

    def freeze(self, x: np.ndarray) -> None:
        """Make ``x`` read-only until this forward ends (unless it is read-only already)."""
        if isinstance(x, np.ndarray) and x.flags.writeable:
            x.flags.writeable = False
            self.frozen.append(x)

    def thaw(self) -> None:
        """Arrays writable again, in the order they were frozen (a view after its base)."""
        for x in self.frozen:
            x.flags.writeable = True
        self.frozen = []

    def finish(self, output: np.ndarray) -> None:
        """End of forward: backward will start from ``output``, which must be recorded."""
        if id(output) not in self.known:
            name = type(self.owner).__name__
            raise ValueError(
                f"{name}.forward returned an array computed outside the recorded calls, so "
                f"backward could not start from it: {USE_RECORDED_OPS} (or write {name}.backward)"
            )
        self.output = output

    def walk(self, dy: np.ndarray, input_grad: bool = True) -> Iterator[dict[int, np.ndarray]]:
        """Walk the calls from the last, each layer's backward on that call's cache. Yields
        the gradients waiting to be passed on (array id -> d loss / d array): first ``dy``
        for the output, then the table after each entry; the last holds the inputs'. It is
        one dict, updated as the walk goes on: copy it to keep a step's state."""
        if np.shape(dy) != self.output.shape:
            raise ValueError(
                f"{type(self.owner).__name__}.backward: expected a gradient of the output's "
                f"shape {self.output.shape}, got {np.shape(dy)}"
            )
        grads = {id(self.output): dy}
        yield grads
        model_inputs = {id(x) for x in self.inputs}
        for entry in reversed(self.entries):
            dout = grads.pop(id(entry.output), None)
            if dout is not None:  # None: this call's output did not reach the model's output
                entry.restore()
                if not input_grad and model_inputs.issuperset(entry.inputs):
                    entry.layer.backward_params(dout)  # nobody needs d loss / d model input
                else:
                    dins = entry.layer.backward(dout)
                    dins = dins if isinstance(dins, tuple) else (dins,)
                    for i, din in zip(entry.inputs, dins):  # never in place: din may be dout
                        grads[i] = grads[i] + din if i in grads else din
            yield grads

    def backward(self, dy: np.ndarray, input_grad: bool = True):
        """Walk the tape (:meth:`walk`); return the gradient of each input (one array for
        one input), or nothing if not ``input_grad``."""
        *_, grads = self.walk(dy, input_grad)  # the table after the last entry
        if not input_grad:
            return None
        dxs = tuple(grads.get(id(x), np.zeros_like(x)) for x in self.inputs)
        return dxs[0] if len(dxs) == 1 else dxs


def run(layer: NyangModel, inputs: tuple, own: Tape | None) -> np.ndarray:
    """``layer.forward(*inputs)``, recorded on the active tape if there is one; ``own`` (the
    layer's tape, for a forward-only model) records the calls made inside it."""
    outer = active()
    if outer is not None:
        outer.check(layer, inputs)
    _recording.tape = own  # the calls inside a layer are its own business, not the outer tape's
    try:
        output = layer.forward(*inputs)
    except ValueError as error:
        if own is None or "read-only" not in str(error):
            raise
        raise ValueError(
            f"{type(layer).__name__}.forward changed a recorded array in place (`y += x`, "
            "`y[...] = v`), so backward would see other numbers than forward used: write a new "
            "array with a recorded op instead, e.g. `y = nn.functional.add(y, x)`"
        ) from error
    finally:
        _recording.tape = outer
        if own is not None:
            own.thaw()
    if own is not None:
        own.finish(output)
    if outer is not None:
        outer.record(layer, inputs, output)
    return output


def trace(model: NyangModel, x: np.ndarray) -> list[tuple[NyangModel, np.ndarray]]:
    """The calls ``model.forward(x)`` makes, in run order, as ``(layer, output)`` pairs."""
    recorder = Tape(model, (x,))
    run(model, (x,), recorder)
    return [(entry.layer, entry.output) for entry in recorder.entries]
