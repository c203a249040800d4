"""RMSprop."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check_non_negative


class RMSprop(Optimizer):
    """PyTorch's RMSprop (Hinton's lecture notes). With ``g = grad + λ·θ``:
    ``v ← αv + (1 − α)g²``; centered: ``ḡ ← αḡ + (1 − α)g`` and ``d = sqrt(v − ḡ²) + ε``,
    else ``d = sqrt(v) + ε``; with momentum μ: ``b ← μb + g/d``, ``θ ← θ − lr·b``, else
    ``θ ← θ − lr·g/d``."""

    hyperparameters = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered")

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(params, lr)
        check_non_negative(
            "RMSprop", alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum
        )
        self.alpha, self.eps, self.weight_decay = alpha, eps, weight_decay
        self.momentum, self.centered = momentum, centered

    def update(self, theta, grad, state, t) -> None:
        if self.weight_decay:
            grad = grad + self.weight_decay * theta
        a = self.alpha
        v = state("square_avg")
        v *= a
        v += (1 - a) * grad * grad
        if self.centered:
            g_avg = state("grad_avg")
            g_avg *= a
            g_avg += (1 - a) * grad
            denom = np.sqrt(v - g_avg * g_avg)
        else:
            denom = np.sqrt(v)
        denom += self.eps
        if self.momentum > 0:
            b = state("momentum_buffer")
            b *= self.momentum
            b += grad / denom
            theta -= self.lr * b
        else:
            theta -= self.lr * grad / denom
