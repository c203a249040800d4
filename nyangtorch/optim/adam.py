"""Adam and AdamW."""

from __future__ import annotations

import math

from .kernels import adam as kernels
from .optimizer import Optimizer, check_betas, check_non_negative


class Adam(Optimizer):
    """PyTorch's Adam (Kingma & Ba, 2015), step t, ``g = grad + λ·θ`` (L2 in the gradient):
    ``m ← β₁m + (1 − β₁)g``, ``v ← β₂v + (1 − β₂)g²``,
    ``θ ← θ − lr/(1 − β₁ᵗ) · m / (sqrt(v)/sqrt(1 − β₂ᵗ) + ε)`` — ε is added *after* the bias
    correction of v, exactly where PyTorch adds it. ``amsgrad`` uses max(v) so far.

    The whole step is one compiled loop over the flat buffers (``kernels/adam.py``), which
    reads and writes each weight once instead of once per NumPy operation."""

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

    def update(self, theta, grad, state, t) -> None:
        (beta1, beta2), lr, wd = self.betas, self.lr, self.weight_decay
        m, v = state("exp_avg"), state("exp_avg_sq")
        v_max = state("max_exp_avg_sq") if self.amsgrad else v
        # The scalars in the weights' dtype: a float32 model updates in float32 arithmetic,
        # exactly as the NumPy formula (and PyTorch) would.
        scalar = theta.dtype.type
        kernels.adam(
            theta, grad, m, v, v_max,
            scalar(1 - beta1), scalar(beta2), scalar(1 - beta2),
            scalar(lr / (1 - beta1**t)),  # step size: lr / (1 − β₁ᵗ)
            scalar(math.sqrt(1 - beta2**t)),
            scalar(self.eps),
            scalar(0.0 if self.decoupled_weight_decay else wd),  # L2, in the gradient
            scalar(1 - lr * wd if self.decoupled_weight_decay else 1.0),  # AdamW: θ·(1 − lr·λ)
            self.amsgrad,
        )  # fmt: skip


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
