"""Base optimizer: the parameter list, the learning rate, ``zero_grad``, state dicts, and the
flat buffers every update runs over."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Iterator
from numbers import Real

import numpy as np

from ..nn.module import Parameter

StatePiece = Callable[..., np.ndarray]  # state(key, fill=0.0): a state buffer's piece


class Optimizer:
    """Updates ``Parameter.data`` in place from ``Parameter.grad`` on each :meth:`step`.

    Subclasses list their hyperparameters in ``hyperparameters`` and implement
    ``update(theta, grad, state, t)``: one step of their formula on 1-D arrays, the values
    ``theta`` (updated in place) and gradients ``grad`` of parameters at step ``t``, with
    ``state(key, fill)`` giving the matching piece of a state buffer (a moment, a momentum).

    Flat buffers. The formula runs once over all parameters laid end to end, rather than
    once per parameter: a few long passes (or one compiled loop) instead of a few short ones
    per array. Each state is one flat array; ``state[i]`` holds its pieces for parameter i,
    reshaped like it (views: ``state_dict`` lists them per parameter, as PyTorch does). A step
    gathers the parameters' values and gradients into two flat arrays, updates them, and
    copies the new values back into each ``Parameter.data`` in place. The parameters keep
    their own arrays, so nothing depends on views a user could replace: ``p.data = ...``,
    ``model.load_state_dict`` and ``model.to(dtype)`` all stay correct, for two copies of the
    parameters per step (~0.05 ms for the reference CNN).

    Parameters without a gradient are skipped and their step counts stay, as in PyTorch; the
    formula then runs on each run of neighbours that do have one (at one step count).
    """

    hyperparameters: tuple[str, ...] = ("lr",)

    def __init__(self, params: Iterable[Parameter], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        seen: dict[int, int] = {}
        for i, p in enumerate(self.params):
            if not isinstance(p, Parameter):
                raise TypeError(
                    f"{type(self).__name__}: params[{i}] is a {type(p).__name__}, not a Parameter "
                    "(pass model.parameters())"
                )
            if id(p) in seen:  # it would be updated twice per step
                raise ValueError(
                    f"{type(self).__name__}: params[{i}] is params[{seen[id(p)]}] again; "
                    "pass each Parameter once"
                )
            seen[id(p)] = i
        self.lr = lr
        self.state: list[dict] = [{} for _ in self.params]
        self._layout: list[tuple[tuple[int, ...], np.dtype]] = []  # what the buffers fit
        self._buffers: dict[str, np.ndarray] = {}  # the flat state arrays, made on first use

    @property
    def lr(self) -> float:
        """The learning rate; whoever sets it (a scheduler, a user), it stays finite and >= 0."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        if not (isinstance(value, Real) and math.isfinite(value) and value >= 0):
            raise ValueError(
                f"{type(self).__name__}: lr must be >= 0, got {value!r} "
                "(the learning rate is a finite number >= 0)"
            )
        self._lr = float(value)

    def zero_grad(self) -> None:
        """Forget every gradient (sets ``grad`` to None, like PyTorch's default)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient."""
        self._lay_out()
        for run in list(self._runs()):
            for i in run:
                self.state[i]["step"] = self.state[i].get("step", 0) + 1
                np.copyto(self._value_views[i], self.params[i].data)
                np.copyto(self._grad_views[i], self.params[i].grad)
            piece = slice(self._starts[run[0]], self._starts[run[-1] + 1])
            state = functools.partial(self._state_piece, piece)
            self.update(self._values[piece], self._grads[piece], state, self.state[run[0]]["step"])
            for i in run:
                np.copyto(self.params[i].data, self._value_views[i])

    def update(self, theta: np.ndarray, grad: np.ndarray, state: StatePiece, t: int) -> None:
        raise NotImplementedError

    def _runs(self) -> Iterator[list[int]]:
        """Indices of neighbouring parameters that have a gradient and, after this step, the
        same step count: one run, all parameters, unless some have no gradient."""
        run: list[int] = []
        for i, p in enumerate(self.params):
            t = self.state[i].get("step", 0)
            if run and (p.grad is None or t != self.state[run[-1]].get("step", 0)):
                yield run
                run = []
            if p.grad is not None:
                run.append(i)
        if run:
            yield run

    def _lay_out(self) -> None:
        """(Re)make the flat arrays when the parameters' shapes or dtype changed (first step,
        ``model.to(np.float64)``); the state's per-parameter arrays are copied in."""
        layout = [(p.data.shape, p.data.dtype) for p in self.params]
        if layout == self._layout:
            return
        dtypes = {dtype for _, dtype in layout}
        if len(dtypes) > 1:
            raise ValueError(
                f"{type(self).__name__}: parameters of dtypes {sorted(map(str, dtypes))}; an "
                "optimizer updates them in one flat buffer of one dtype, so convert the model "
                "first (model.to(np.float32) or model.to(np.float64))"
            )
        self._layout, self._dtype = layout, dtypes.pop()
        self._starts = np.cumsum([0] + [p.data.size for p in self.params]).tolist()
        self._values = np.empty(self._starts[-1], self._dtype)
        self._grads = np.empty_like(self._values)
        self._value_views = self._pieces(self._values)
        self._grad_views = self._pieces(self._grads)
        self._buffers = {}  # remade from the per-parameter state on first use

    def _pieces(self, flat: np.ndarray) -> list[np.ndarray]:
        """Each parameter's piece of a flat array, shaped like the parameter (views)."""
        starts = self._starts
        return [flat[a:b].reshape(p.shape) for a, b, p in zip(starts, starts[1:], self.params)]

    def _state_piece(self, piece: slice, key: str, fill: float = 0.0) -> np.ndarray:
        """The piece of flat state array ``key`` that the parameters being updated own."""
        return self._buffer(key, fill)[piece]

    def _buffer(self, key: str, fill: float) -> np.ndarray:
        """The flat state array ``key``, made on first use: filled with ``fill``, then each
        parameter's array already in ``state`` (a loaded state dict's) copied into its piece,
        and ``state[i][key]`` pointed at the piece."""
        flat = self._buffers.get(key)
        if flat is None:
            flat = self._buffers[key] = np.full(self._starts[-1], fill, self._dtype)
            for s, piece in zip(self.state, self._pieces(flat)):
                if key in s:
                    piece[...] = s[key]
                s[key] = piece
        return flat

    def state_dict(self) -> dict:
        return {
            "type": type(self).__name__,
            "hyperparameters": {k: getattr(self, k) for k in self.hyperparameters},
            "state": [
                {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in s.items()}
                for s in self.state
            ],
        }

    def load_state_dict(self, state: dict) -> None:
        name = type(self).__name__
        if state.get("type") != name:
            raise ValueError(f"{name}.load_state_dict: state is from a {state.get('type')}")
        if len(state["state"]) != len(self.params):
            raise ValueError(
                f"{name}.load_state_dict: state has {len(state['state'])} parameters, "
                f"optimizer has {len(self.params)}"
            )
        for i, (p, s) in enumerate(zip(self.params, state["state"])):
            for key, value in s.items():
                if isinstance(value, np.ndarray) and value.shape != p.shape:
                    raise ValueError(
                        f"{name}.load_state_dict: state[{i}][{key!r}] has shape {value.shape}, "
                        f"parameter has {p.shape}"
                    )
        for key, value in state["hyperparameters"].items():
            setattr(self, key, value)
        self.state = [
            {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in s.items()}
            for s in state["state"]
        ]
        self._buffers = {}  # remade from the loaded arrays at the next step

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)}" for k in self.hyperparameters)
        return f"{type(self).__name__}({args})"


def check_non_negative(owner: str, **values: float) -> None:
    for key, value in values.items():
        if not value >= 0:  # written this way round so that NaN fails too
            raise ValueError(f"{owner}: {key} must be >= 0, got {value}")


def check_betas(owner: str, betas: tuple[float, float]) -> None:
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"{owner}: betas[{i}] must be in [0, 1), got {beta}")
