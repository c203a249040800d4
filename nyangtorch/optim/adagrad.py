"""Adagrad: per-weight step sizes shrinking with the sum of squared gradients."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check_non_negative


class Adagrad(Optimizer):
    """PyTorch's Adagrad (Duchi, Hazan & Singer, 2011), step t, ``g = grad + λ·θ``:
    ``s ← s + g²`` (s starts at ``initial_accumulator_value``),
    ``θ ← θ − lr/(1 + (t − 1)·lr_decay) · g / (sqrt(s) + ε)`` — ε is added after the square
    root, as PyTorch adds it."""

    hyperparameters = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        super().__init__(params, lr)
        check_non_negative(
            "Adagrad",
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        self.lr_decay, self.weight_decay = lr_decay, weight_decay
        self.initial_accumulator_value, self.eps = initial_accumulator_value, eps

    def update(self, theta, grad, state, t) -> None:
        if self.weight_decay:
            grad = grad + self.weight_decay * theta
        s = state("sum", fill=self.initial_accumulator_value)
        s += grad * grad
        std = np.sqrt(s)
        std += self.eps
        step_size = self.lr / (1 + (t - 1) * self.lr_decay)
        theta -= step_size * grad / std
