"""Adam and AdamW."""

from __future__ import annotations

import math

import numpy as np

from .optimizer import Optimizer, buffer, check_betas, check_non_negative


class Adam(Optimizer):
    """PyTorch's Adam (Kingma & Ba, 2015), step t, ``g = grad + λ·θ`` (L2 in the gradient):
    ``m ← β₁m + (1 − β₁)g``, ``v ← β₂v + (1 − β₂)g²``,
    ``θ ← θ − lr/(1 − β₁ᵗ) · m / (sqrt(v)/sqrt(1 − β₂ᵗ) + ε)`` — ε is added *after* the bias
    correction of v, exactly where PyTorch adds it. ``amsgrad`` uses max(v) so far."""

    hyperparameters = ("lr", "betas", "eps", "weight_decay", "amsgrad")
    decoupled_weight_decay = False

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr)
        name = type(self).__name__
        check_betas(name, betas)
        check_non_negative(name, eps=eps, weight_decay=weight_decay)
        self.betas, self.eps = tuple(betas), eps
        self.weight_decay, self.amsgrad = weight_decay, amsgrad

    def update(self, param, grad, state) -> None:
        (beta1, beta2), t = self.betas, state["step"]
        if self.weight_decay:
            if self.decoupled_weight_decay:
                param.data *= 1 - self.lr * self.weight_decay
            else:
                grad = grad + self.weight_decay * param.data
        m = buffer(state, "exp_avg", param.data)
        v = buffer(state, "exp_avg_sq", param.data)
        m += (1 - beta1) * (grad - m)  # β₁m + (1 − β₁)g, computed as PyTorch's lerp_ does
        v *= beta2
        v += (1 - beta2) * grad * grad
        if self.amsgrad:
            v_max = buffer(state, "max_exp_avg_sq", param.data)
            v = np.maximum(v_max, v, out=v_max)
        # math.sqrt, not np.sqrt: a Python float keeps float32 weights in float32 arithmetic,
        # where NumPy's float64 scalar would make it divide every element in float64.
        denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + self.eps
        param.data -= self.lr / (1 - beta1**t) * m / denom


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as PyTorch's AdamW:
    ``θ ← θ·(1 − lr·λ)`` first, then the Adam step on the plain gradient. Default λ = 0.01."""

    decoupled_weight_decay = True

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
