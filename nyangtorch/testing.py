"""Numerical gradient checks: central differences in float64 against a layer's backward."""

from __future__ import annotations

import numpy as np

from .nn.loss import Loss
from .nn.module import NyangModel


def numerical_grad(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """``df/dx_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / 2ε`` for every element of ``x`` (in place)."""
    grad = np.zeros_like(x, dtype=np.float64)
    flat, out = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):  # one coordinate at a time: this is a test tool, not a hot path
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        out[i] = (up - down) / (2 * eps)
    return grad


def gradcheck(
    module: NyangModel,
    x: np.ndarray,
    target: np.ndarray | None = None,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    seed: int = 0,
) -> bool:
    """Compare ``module``'s backward with central differences, for the input and every parameter.

    A layer is reduced to the scalar ``Σ y·r`` with a fixed random ``r``; a loss (pass
    ``target``) is its own scalar. The module is converted to float64. Raises
    ``AssertionError`` naming the first gradient that disagrees; returns True otherwise.
    """
    module.to(np.float64)
    x = np.array(x, dtype=np.float64)
    if isinstance(module, Loss):
        if target is None:
            raise ValueError("gradcheck: a loss needs a target")

        def scalar() -> float:
            return module(x, target)

        scalar()
        analytic_x = module.backward()
    else:
        r = np.random.default_rng(seed).standard_normal(module(x).shape)

        def scalar() -> float:
            return float((module(x) * r).sum())

        module.zero_grad()
        module(x)
        analytic_x = module.backward(r)
    checks = [("input", analytic_x, x)]
    checks += [(name, p.grad, p.data) for name, p in module.named_parameters()]
    for name, analytic, wrt in checks:
        if analytic is None:
            raise AssertionError(f"gradcheck {module!r}: no gradient for {name}")
        numeric = numerical_grad(scalar, wrt, eps)
        if not np.allclose(analytic, numeric, rtol=rtol, atol=atol):
            worst = np.max(np.abs(analytic - numeric))
            raise AssertionError(
                f"gradcheck {module!r}: gradient of {name} is off by up to {worst:.3g}"
            )
    return True
