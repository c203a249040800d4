"""Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay."""

from __future__ import annotations

from .optimizer import Optimizer, check_non_negative


class SGD(Optimizer):
    """PyTorch's SGD. With ``g = grad + λ·θ``:
    ``b ← μ·b + (1 − τ)·g`` (``b = g`` on the first step), ``g ← g + μ·b`` if Nesterov else
    ``g ← b`` (when μ > 0), then ``θ ← θ − lr·g``."""

    hyperparameters = ("lr", "momentum", "dampening", "weight_decay", "nesterov")

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        check_non_negative("SGD", momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum requires momentum > 0 and dampening = 0")
        self.momentum, self.dampening = momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov

    def update(self, theta, grad, state, t) -> None:
        if self.weight_decay:
            grad = grad + self.weight_decay * theta
        if self.momentum:
            b = state("momentum_buffer")
            if t == 1:  # a parameter's first step starts the buffer at g
                b[...] = grad
            else:
                b *= self.momentum
                b += (1 - self.dampening) * grad
            grad = grad + self.momentum * b if self.nesterov else b
        theta -= self.lr * grad
