"""Base optimizer: the parameter list, the learning rate, ``zero_grad`` and state dicts."""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Real

import numpy as np

from ..nn.module import Parameter


class Optimizer:
    """Updates ``Parameter.data`` in place from ``Parameter.grad`` on each :meth:`step`.

    Subclasses list their hyperparameters in ``hyperparameters`` and implement
    ``update(param, grad, state)``; ``state`` is a per-parameter dict of arrays
    (momentum buffers, moments) and the per-parameter ``step`` count, as in PyTorch.
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
        for p, state in zip(self.params, self.state):
            if p.grad is not None:
                state["step"] = state.get("step", 0) + 1
                self.update(p, p.grad, state)

    def update(self, param: Parameter, grad: np.ndarray, state: dict) -> None:
        raise NotImplementedError

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


def buffer(state: dict, key: str, like: np.ndarray, fill: float = 0.0) -> np.ndarray:
    """The per-parameter array ``state[key]``, created filled with ``fill`` on first use."""
    if key not in state:
        state[key] = np.full_like(like, fill)
    return state[key]
