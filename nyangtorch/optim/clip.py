"""Gradient clipping by global norm."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..nn.module import Parameter


def clip_grad_norm(params: Iterable[Parameter], max_norm: float) -> float:
    """Scale every gradient by ``min(1, max_norm / (‖g‖ + 1e-6))``, where ``‖g‖`` is the L2 norm
    of all gradients together (PyTorch's ``clip_grad_norm_``). Returns ``‖g‖``."""
    grads = [p.grad for p in params if p.grad is not None]
    total = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads)))
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for g in grads:
            g *= scale
    return total
