"""Run a nyangtorch layer and its torch twin on the same float64 input and compare.

Tests that use torch import it through this module, which runs torch on one thread: the
tests compare numbers, not speed, and a second pool of threads would only compete with
NumPy's BLAS for the cores.
"""

from __future__ import annotations

import numpy as np
import torch

torch.set_num_threads(1)


def to_torch(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


def copy_params(ours, theirs) -> None:
    """Copy our parameters and buffers into the torch module (names match one to one)."""
    state = {k: torch.tensor(v) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state, strict=False)


def compare_layer(
    ours, theirs, x: np.ndarray, rtol: float = 1e-10, atol: float = 1e-12, seed: int = 0
):
    """Forward values, input gradient and parameter gradients must agree with torch."""
    ours.to(np.float64)
    theirs.double()
    copy_params(ours, theirs)
    x = np.asarray(x, dtype=np.float64)
    xt = to_torch(x, grad=True)
    y = ours(x)
    yt = theirs(xt)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=rtol, atol=atol, err_msg="forward")
    dy = np.random.default_rng(seed).standard_normal(y.shape)
    dy_copy = dy.copy()
    ours.zero_grad()
    theirs.zero_grad()
    dx = ours.backward(dy)
    np.testing.assert_array_equal(dy, dy_copy, err_msg="backward changed the gradient handed to it")
    yt.backward(to_torch(dy))
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=rtol, atol=atol, err_msg="input grad")
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.grad,
            theirs_params[name].grad.numpy(),
            rtol=rtol,
            atol=atol,
            err_msg=f"grad of {name}",
        )
    return y, dx
