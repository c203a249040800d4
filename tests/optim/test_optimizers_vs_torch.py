"""Optimizer trajectories and scheduler lr sequences against torch 2.13 in float64."""

import numpy as np
import pytest
import torch
from torch_helpers import to_torch

from nyangtorch import nn, optim


def grad_of(p: np.ndarray) -> np.ndarray:
    """A deterministic, non-trivial gradient field (of Σ sin(p)·p + p²/2), the same for both."""
    return np.sin(p) + p * np.cos(p) + p


def run_both(make_ours, make_theirs, steps=12, seed=0):
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    ours_params = [nn.Parameter(a.copy()) for a in start]
    theirs_params = [to_torch(a, grad=True) for a in start]
    ours, theirs = make_ours(ours_params), make_theirs(theirs_params)
    for _ in range(steps):
        ours.zero_grad()
        theirs.zero_grad()
        for p, t in zip(ours_params, theirs_params):
            p.grad = grad_of(p.data)
            t.grad = to_torch(grad_of(t.detach().numpy()))
        ours.step()
        theirs.step()
        for p, t in zip(ours_params, theirs_params):
            np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-11, atol=1e-13)
    return ours, ours_params


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=1e-3)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.3, amsgrad=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.05)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.02, initial_accumulator_value=0.3)),
    ("Adagrad", dict(lr=0.05, eps=1e-3, initial_accumulator_value=1.5)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.05)),
]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_trajectory_matches_torch(name, kwargs, seed):
    run_both(
        lambda ps: getattr(optim, name)(ps, **kwargs),
        lambda ps: getattr(torch.optim, name)(ps, **kwargs),
        steps=20,
        seed=seed,
    )


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"])
def test_defaults_equal_torch(name):
    import inspect

    ours = inspect.signature(getattr(optim, name)).parameters
    theirs = inspect.signature(getattr(torch.optim, name)).parameters
    for key, param in ours.items():
        if key != "params":
            assert key in theirs, f"{name} has argument {key} that torch lacks"
            assert param.default == theirs[key].default, f"{name}.{key} default differs"


RESUMED = [
    ("Adam", dict(lr=0.05, amsgrad=True)),
    # lr_decay makes the step count matter, the accumulator's start value the loaded sum.
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.3)),
    ("Adadelta", dict(weight_decay=0.05)),
]


@pytest.mark.parametrize("name,kwargs", RESUMED, ids=[n for n, _ in RESUMED])
def test_state_dict_resumes_exactly(name, kwargs):
    make = lambda ps: getattr(optim, name)(ps, **kwargs)  # noqa: E731
    full, full_params = run_both(make, lambda ps: getattr(torch.optim, name)(ps, **kwargs), steps=8)
    # Run 4 steps, save, build a fresh optimizer, load, run 4 more: same parameters.
    rng = np.random.default_rng(0)
    params = [nn.Parameter(rng.standard_normal((3, 4))), nn.Parameter(rng.standard_normal(5))]
    first = make(params)
    for _ in range(4):
        for p in params:
            p.grad = grad_of(p.data)
        first.step()
    second = make(params)
    second.load_state_dict(first.state_dict())
    for _ in range(4):
        for p in params:
            p.grad = grad_of(p.data)
        second.step()
    for a, b in zip(params, full_params):
        np.testing.assert_array_equal(a.data, b.data)


def test_lr_is_readable_and_writable():
    p = [nn.Parameter(np.ones(2))]
    sgd = optim.SGD(p, lr=0.5)
    sgd.lr = 0.1
    p[0].grad = np.ones(2)
    sgd.step()
    np.testing.assert_allclose(p[0].data, 0.9)


def test_zero_grad_and_skipping_params_without_grad():
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = np.ones(2)
    opt.step()
    np.testing.assert_array_equal(b.data, 1.0)
    opt.zero_grad()
    assert a.grad is None


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: optim.SGD([], lr=0.1), "empty parameter list"),
        (lambda: optim.SGD([np.ones(2)], lr=0.1), "not a Parameter"),
        (lambda: optim.SGD([nn.Parameter(np.ones(2))], lr=-1), "lr must be >= 0"),
        (lambda: optim.Adam([nn.Parameter(np.ones(2))], betas=(1.0, 0.9)), r"betas\[0\]"),
        (lambda: optim.SGD([nn.Parameter(np.ones(2))], lr=0.1, nesterov=True), "Nesterov"),
        (
            lambda: optim.SGD([nn.Parameter(np.ones(2))], lr=float("nan")),
            "lr must be >= 0, got nan",
        ),
        (lambda: optim.Adagrad([nn.Parameter(np.ones(2))], lr_decay=-0.1), "Adagrad: lr_decay"),
        (
            lambda: optim.Adagrad([nn.Parameter(np.ones(2))], initial_accumulator_value=-1),
            "Adagrad: initial_accumulator_value must be >= 0, got -1",
        ),
        (lambda: optim.Adadelta([nn.Parameter(np.ones(2))], rho=1.5), r"Adadelta: rho .* got 1.5"),
    ],
)
def test_optimizer_errors(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def lr_sequences(make_ours, make_theirs, steps=25):
    ours_opt = optim.SGD([nn.Parameter(np.ones(1))], lr=0.5)
    theirs_opt = torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=0.5)
    ours, theirs = make_ours(ours_opt), make_theirs(theirs_opt)
    got, want = [ours.get_last_lr()[0]], [theirs.get_last_lr()[0]]
    for _ in range(steps):
        ours_opt.step()
        theirs_opt.step()
        ours.step()
        theirs.step()
        got.append(ours.get_last_lr()[0])
        want.append(theirs.get_last_lr()[0])
    return np.array(got), np.array(want)


SCHEDULES = {
    "step": (
        lambda o: optim.StepDecay(o, 4, 0.5),
        lambda o: torch.optim.lr_scheduler.StepLR(o, 4, 0.5),
    ),
    "expo": (
        lambda o: optim.ExpoDecay(o, 0.9),
        lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9),
    ),
    "warmup": (
        lambda o: optim.WarmUp(o, 5),
        lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=1 / 6, total_iters=5),
    ),
    "warmup-then-step": (
        lambda o: optim.WarmUp(o, 5, after=optim.StepDecay(o, 3, 0.1)),
        lambda o: torch.optim.lr_scheduler.SequentialLR(
            o,
            [
                torch.optim.lr_scheduler.LinearLR(o, start_factor=1 / 6, total_iters=5),
                torch.optim.lr_scheduler.StepLR(o, 3, 0.1),
            ],
            milestones=[5],
        ),
    ),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_scheduler_sequence_matches_torch(name):
    got, want = lr_sequences(*SCHEDULES[name])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_warmup_reaches_exactly_the_base_lr_then_holds():
    opt = optim.SGD([nn.Parameter(np.ones(1))], lr=0.3)
    warm = optim.WarmUp(opt, 4)
    assert opt.lr == pytest.approx(0.3 / 5)
    lrs = []
    for _ in range(8):
        warm.step()
        lrs.append(opt.lr)
    assert lrs[3] == 0.3 and lrs[-1] == 0.3
    assert all(a < b for a, b in zip(lrs[:3], lrs[1:4]))


def test_scheduler_state_dict_round_trip():
    opt = optim.SGD([nn.Parameter(np.ones(1))], lr=1.0)
    sched = optim.WarmUp(opt, 2, after=optim.ExpoDecay(opt, 0.5))
    for _ in range(5):
        sched.step()
    state, lr = sched.state_dict(), opt.lr
    opt2 = optim.SGD([nn.Parameter(np.ones(1))], lr=1.0)
    sched2 = optim.WarmUp(opt2, 2, after=optim.ExpoDecay(opt2, 0.5))
    sched2.load_state_dict(state)
    assert opt2.lr == lr
    sched.step()
    sched2.step()
    assert opt2.lr == opt.lr


def test_a_parameter_given_twice_is_refused():
    p, q = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(3))
    with pytest.raises(ValueError, match=r"params\[2\] is params\[0\] again"):
        optim.SGD([p, q, p], lr=0.1)


class Diverging(optim.StepDecay):
    """A schedule that would go below zero after two steps."""

    def lr_at(self, t):
        return self.base_lr * (1 - t)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -0.1])
def test_no_one_sets_a_nan_infinite_or_negative_learning_rate(value):
    opt = optim.Adam([nn.Parameter(np.ones(2))], lr=0.1)
    with pytest.raises(ValueError, match="lr must be >= 0"):
        opt.lr = value
    assert opt.lr == 0.1  # unchanged
    schedule = Diverging(opt, step_size=1)
    schedule.step()
    with pytest.raises(ValueError, match=r"Adam: lr must be >= 0, got -0.1"):
        schedule.step()
