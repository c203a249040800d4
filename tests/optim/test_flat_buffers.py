"""The optimizers' flat buffers: Adam's compiled loop against the plain NumPy formula, bit for
bit, and the parameters staying correct whatever a user does to their arrays."""

import math

import numpy as np
import pytest
import torch
from torch_helpers import to_torch

from nyangtorch import nn, optim


def adam_formula(theta, grad, m, v, v_max, t, lr, betas, eps, wd, amsgrad, decoupled):
    """Adam's step as NumPy writes it, in place: the oracle of the compiled loop."""
    beta1, beta2 = betas
    if decoupled:
        theta *= 1 - lr * wd
    elif wd:
        grad = grad + wd * theta
    m += (1 - beta1) * (grad - m)  # β₁m + (1 − β₁)g, as PyTorch's lerp_
    v *= beta2
    v += (1 - beta2) * grad * grad
    if amsgrad:
        v = np.maximum(v_max, v, out=v_max)
    denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + eps
    theta -= lr / (1 - beta1**t) * m / denom


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize(
    "kind, kwargs",
    [
        ("Adam", dict(lr=1e-3)),
        ("Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True)),
        ("AdamW", dict(lr=0.05, weight_decay=0.3)),
        ("AdamW", dict(lr=0.01, amsgrad=True)),
    ],
)
def test_adam_kernel_equals_the_formula_bit_for_bit(rng, dtype, kind, kwargs):
    shapes = [(7, 3), (5,), (2, 3, 3, 1)]
    params = [nn.Parameter(rng.standard_normal(s).astype(dtype)) for s in shapes]
    opt = getattr(optim, kind)(params, **kwargs)
    full = dict(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01 if kind == "AdamW" else 0.0)
    full.update(kwargs)
    theta = [p.data.copy() for p in params]
    moments = [[np.zeros_like(a) for a in theta] for _ in range(3)]  # m, v, v_max
    for t in range(1, 6):
        for p in params:
            p.grad = rng.standard_normal(p.shape).astype(dtype)
        for a, g, m, v, v_max in zip(theta, [p.grad for p in params], *moments):
            adam_formula(
                a, g, m, v, v_max, t, full["lr"], full["betas"], full["eps"],
                full["weight_decay"], full.get("amsgrad", False), kind == "AdamW",
            )  # fmt: skip
        opt.step()
        for p, a in zip(params, theta):
            assert p.data.dtype == dtype
            np.testing.assert_array_equal(p.data, a)
    for s, m, v in zip(opt.state, *moments[:2]):
        np.testing.assert_array_equal(s["exp_avg"], m)
        np.testing.assert_array_equal(s["exp_avg_sq"], v)


def test_the_state_is_one_flat_buffer_per_state_viewed_per_parameter():
    params = [nn.Parameter(np.ones((2, 3))), nn.Parameter(np.ones(4))]
    opt = optim.Adam(params)
    for p in params:
        p.grad = np.ones(p.shape)
    opt.step()
    m = [s["exp_avg"] for s in opt.state]
    assert m[0].shape == (2, 3) and m[1].shape == (4,)
    assert m[0].base is m[1].base and m[0].base.shape == (10,)


def test_parameters_keep_their_own_arrays():
    p = nn.Parameter(np.ones(3))
    data = p.data
    opt = optim.SGD([p], lr=0.5)
    p.grad = np.ones(3)
    opt.step()
    assert p.data is data  # updated in place, as in PyTorch
    np.testing.assert_array_equal(data, 0.5)


def torch_twin(params, make):
    tparams = [to_torch(p.data.copy(), grad=True) for p in params]
    return tparams, make(tparams)


@pytest.mark.parametrize(
    "name, kwargs", [("Adam", dict(lr=0.05, amsgrad=True)), ("SGD", dict(lr=0.1, momentum=0.9))]
)
def test_replaced_arrays_and_missing_gradients_stay_correct(rng, name, kwargs):
    """Between steps: a parameter's array replaced (``p.data = ...``, as load_state_dict
    and model.to do), and the middle parameter without a gradient for a while (its step
    count stays behind the others'): every step equals PyTorch's."""
    params = [nn.Parameter(rng.standard_normal(s)) for s in [(3, 2), (4,), (5,)]]
    ours = getattr(optim, name)(params, **kwargs)
    tparams, theirs = torch_twin(params, lambda ps: getattr(torch.optim, name)(ps, **kwargs))
    for step in range(10):
        if step == 4:
            new = rng.standard_normal((4,))
            params[1].data = new
            with torch.no_grad():
                tparams[1].copy_(to_torch(new))
        skip = 2 <= step < 6  # the middle parameter has no gradient in these steps
        ours.zero_grad()
        theirs.zero_grad()
        for i, (p, t) in enumerate(zip(params, tparams)):
            if i == 1 and skip:
                continue
            g = rng.standard_normal(p.shape)
            p.grad, t.grad = g, to_torch(g)
        ours.step()
        theirs.step()
        for p, t in zip(params, tparams):
            np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_a_model_converted_after_the_optimizer_was_made_still_trains():
    model = nn.NyangFlow(nn.Linear(3, 2))
    opt = optim.Adam(model.parameters(), lr=0.1)
    for dtype in (np.float32, np.float64):  # dW = dy.T @ x = 4 everywhere, both times
        if dtype == np.float64:
            m32 = opt.state[0]["exp_avg"].copy()
            model.to(dtype)
        opt.zero_grad()
        model(np.ones((4, 3), dtype))
        model.backward(np.ones((4, 2), dtype))
        opt.step()
    assert model[0].weight.data.dtype == np.float64
    assert opt.state[0]["exp_avg"].dtype == np.float64
    np.testing.assert_allclose(opt.state[0]["exp_avg"], 0.9 * m32 + 0.1 * 4, rtol=1e-6)


def test_parameters_of_two_dtypes_are_refused_with_the_fix():
    params = [nn.Parameter(np.ones(2, np.float32)), nn.Parameter(np.ones(2, np.float64))]
    opt = optim.Adam(params)
    for p in params:
        p.grad = np.ones(2, p.dtype)
    with pytest.raises(ValueError, match=r"one flat buffer of one dtype.*model\.to"):
        opt.step()
