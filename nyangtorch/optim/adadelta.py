"""Adadelta: step sizes from running averages of squared gradients and squared updates."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check_non_negative


class Adadelta(Optimizer):
    """PyTorch's Adadelta (Zeiler, 2012). With ``g = grad + λ·θ``:
    ``v ← ρv + (1 − ρ)g²``, ``Δ = sqrt(u + ε) / sqrt(v + ε) · g``, ``u ← ρu + (1 − ρ)Δ²``,
    ``θ ← θ − lr·Δ``. The ratio of the two root-mean-squares carries the units of θ, so the
    default lr is 1."""

    hyperparameters = ("lr", "rho", "eps", "weight_decay")

    def __init__(
        self,
        params,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Adadelta: rho must be in [0, 1], got {rho}")
        check_non_negative("Adadelta", eps=eps, weight_decay=weight_decay)
        self.rho, self.eps, self.weight_decay = rho, eps, weight_decay

    def update(self, theta, grad, state, t) -> None:
        if self.weight_decay:
            grad = grad + self.weight_decay * theta
        rho = self.rho
        v = state("square_avg")
        u = state("acc_delta")
        v *= rho
        v += (1 - rho) * grad * grad
        delta = np.sqrt(u + self.eps)
        delta /= np.sqrt(v + self.eps)
        delta *= grad
        u *= rho
        u += (1 - rho) * delta * delta
        theta -= self.lr * delta
