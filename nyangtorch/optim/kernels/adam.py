"""Adam's update as one loop over the flat buffers: each weight read and written once."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, error_model="numpy")  # divides: see nyangtorch/nn/kernels/__init__.py
def adam(
    theta: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    v_max: np.ndarray,
    one_minus_beta1,
    beta2,
    one_minus_beta2,
    step_size,
    bias_correction2_sqrt,
    eps,
    weight_decay,
    decay_factor,
    amsgrad: bool,
) -> None:
    """For every weight k, in place (see ``Adam`` for the formula and the arguments):
    ``θ ← θ·decay_factor`` (AdamW's decoupled decay; 1 for Adam), ``g = grad + λ·θ`` (Adam's
    L2; λ = 0 for AdamW), ``m ← m + (1 − β₁)(g − m)``, ``v ← β₂v + (1 − β₂)g²``,
    ``v_max ← max(v_max, v)`` with amsgrad (which then stands for v), and
    ``θ ← θ − step_size · m / (sqrt(v) / sqrt(1 − β₂ᵗ) + ε)``.

    The scalars come in the arrays' dtype and every operation is written in the order of
    NumPy's formula, so the result is the same bit for bit (float32 stays float32)."""
    for k in range(theta.size):
        theta[k] *= decay_factor
        g = grad[k] + weight_decay * theta[k]
        m[k] += one_minus_beta1 * (g - m[k])
        v[k] = v[k] * beta2 + one_minus_beta2 * g * g
        second = v[k]
        if amsgrad:
            v_max[k] = np.maximum(v_max[k], v[k])
            second = v_max[k]
        theta[k] -= step_size * m[k] / (np.sqrt(second) / bias_correction2_sqrt + eps)
