"""Adam and AdamW."""

from __future__ import annotations

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
        # In place, through one scratch array: this runs for every weight at every step.
        # m ← m + (1 − β₁)(g − m) is β₁m + (1 − β₁)g written as PyTorch's lerp_ computes it.
        scratch = np.subtract(grad, m)
        scratch *= 1 - beta1
        m += scratch
        v *= beta2
        np.multiply(grad, 1 - beta2, out=scratch)
        scratch *= grad
        v += scratch
        if self.amsgrad:
            v_max = buffer(state, "max_exp_avg_sq", param.data)
            v = np.maximum(v_max, v, out=v_max)
        denom = np.sqrt(v)
        denom /= np.sqrt(1 - beta2**t)
        denom += self.eps
        np.multiply(m, self.lr / (1 - beta1**t), out=scratch)
        scratch /= denom
        param.data -= scratch


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
