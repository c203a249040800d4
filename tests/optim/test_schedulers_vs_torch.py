"""CosineDecay, OneCycle and ReduceOnPlateau against torch 2.13's schedulers in float64: lr and
momentum sequences, ``get_last_lr``, resuming from a state dict, errors on bad arguments."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nyangtorch import nn, optim

torch_sched = torch.optim.lr_scheduler


def momentum_of(opt) -> float:
    """The momentum OneCycle cycles: ``betas[0]`` if the optimizer has betas, else momentum."""
    return opt.betas[0] if hasattr(opt, "betas") else opt.momentum


def torch_momentum_of(opt) -> float:
    group = opt.param_groups[0]
    return group["betas"][0] if "betas" in group else group["momentum"]


def make_pair(optimizer: str = "SGD", **kwargs):
    ours = getattr(optim, optimizer)([nn.Parameter(np.ones(1))], lr=0.5, **kwargs)
    theirs = getattr(torch.optim, optimizer)([torch.ones(1, requires_grad=True)], lr=0.5, **kwargs)
    return ours, theirs


def drive(make_ours, make_theirs, steps, optimizer="SGD", metrics=None):
    """Step both schedulers ``steps`` times, each after an optimizer step (feeding them
    ``metrics[i]`` if given). Returns ours and theirs: ``(get_last_lr()[0], momentum)`` from
    the start on, one row per step."""
    ours_opt, theirs_opt = make_pair(optimizer)
    ours, theirs = make_ours(ours_opt), make_theirs(theirs_opt)
    got = [(ours.get_last_lr()[0], momentum_of(ours_opt))]
    want = [(theirs.get_last_lr()[0], torch_momentum_of(theirs_opt))]
    for i in range(steps):
        ours_opt.step()
        theirs_opt.step()
        args = () if metrics is None else (metrics[i],)
        ours.step(*args)
        theirs.step(*args)
        assert ours.get_last_lr() == [ours_opt.lr]
        got.append((ours.get_last_lr()[0], momentum_of(ours_opt)))
        want.append((theirs.get_last_lr()[0], torch_momentum_of(theirs_opt)))
    return np.array(got), np.array(want)


def warmup_then_cosine(o, warmup_steps, T_max, eta_min):
    """What CosineDecay(..., warmup_steps=W) matches: torch's LinearLR, then its cosine."""
    warm = torch_sched.LinearLR(o, start_factor=1 / (warmup_steps + 1), total_iters=warmup_steps)
    cosine = torch_sched.CosineAnnealingLR(o, T_max, eta_min)
    return torch_sched.SequentialLR(o, [warm, cosine], milestones=[warmup_steps])


# name: (ours, theirs, steps, optimizer) — the cosine runs past T_max, where it climbs again.
CLOSED_FORM = {
    "cosine": (
        lambda o: optim.CosineDecay(o, 10),
        lambda o: torch_sched.CosineAnnealingLR(o, 10),
        35,
        "SGD",
    ),
    "cosine-eta_min": (
        lambda o: optim.CosineDecay(o, 12, eta_min=0.05),
        lambda o: torch_sched.CosineAnnealingLR(o, 12, eta_min=0.05),
        35,
        "SGD",
    ),
    "cosine-warmup": (
        lambda o: optim.CosineDecay(o, 10, eta_min=0.05, warmup_steps=4),
        lambda o: warmup_then_cosine(o, 4, 10, 0.05),
        35,
        "SGD",
    ),
    "onecycle": (
        lambda o: optim.OneCycle(o, 2.0, total_steps=40),
        lambda o: torch_sched.OneCycleLR(o, 2.0, total_steps=40),
        40,
        "SGD",
    ),
    "onecycle-epochs": (
        lambda o: optim.OneCycle(
            o, 2.0, epochs=4, steps_per_epoch=9, pct_start=0.25, div_factor=10, final_div_factor=100
        ),
        lambda o: torch_sched.OneCycleLR(
            o, 2.0, epochs=4, steps_per_epoch=9, pct_start=0.25, div_factor=10, final_div_factor=100
        ),
        36,
        "SGD",
    ),
    "onecycle-three-phase": (
        lambda o: optim.OneCycle(o, 2.0, total_steps=37, three_phase=True),
        lambda o: torch_sched.OneCycleLR(o, 2.0, total_steps=37, three_phase=True),
        37,
        "SGD",
    ),
    "onecycle-adam-betas": (
        lambda o: optim.OneCycle(o, 0.1, total_steps=30, base_momentum=0.8, max_momentum=0.9),
        lambda o: torch_sched.OneCycleLR(
            o, 0.1, total_steps=30, base_momentum=0.8, max_momentum=0.9
        ),
        30,
        "Adam",
    ),
    "onecycle-no-momentum": (
        lambda o: optim.OneCycle(o, 2.0, total_steps=30, cycle_momentum=False),
        lambda o: torch_sched.OneCycleLR(o, 2.0, total_steps=30, cycle_momentum=False),
        30,
        "SGD",
    ),
}


@pytest.mark.parametrize("name", CLOSED_FORM)
def test_lr_and_momentum_sequences_match_torch(name):
    make_ours, make_theirs, steps, optimizer = CLOSED_FORM[name]
    got, want = drive(make_ours, make_theirs, steps, optimizer)
    # torch runs the cosine recursively (lr_t from lr_{t−1}), we in closed form: they part in
    # the last bits, a few 1e-15 here; OneCycle computes the same formula and agrees exactly.
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("three_phase", [False, True])
def test_onecycle_linear_matches_torch_and_stops_at_the_final_rate(three_phase):
    kwargs = dict(total_steps=30, anneal_strategy="linear", three_phase=three_phase)
    got, want = drive(
        lambda o: optim.OneCycle(o, 2.0, **kwargs),
        lambda o: torch_sched.OneCycleLR(o, 2.0, **kwargs),
        30,
    )
    np.testing.assert_allclose(got[:-1], want[:-1], rtol=1e-12, atol=1e-15)
    # The step after the last batch: torch extrapolates the line below zero, we stop at its end.
    assert want[-1, 0] < 0
    assert got[-1, 0] == pytest.approx(2.0 / 25 / 1e4, rel=1e-9)


def test_onecycle_cycles_only_betas_first_entry():
    ours, _ = make_pair("Adam", betas=(0.9, 0.97))
    sched = optim.OneCycle(ours, 0.1, total_steps=10)
    sched.step()
    assert ours.betas[1] == 0.97 and ours.betas[0] < 0.95


def test_onecycle_refuses_a_step_past_its_total():
    opt, _ = make_pair()
    sched = optim.OneCycle(opt, 1.0, total_steps=10)
    for _ in range(10):
        sched.step()
    with pytest.raises(ValueError, match="OneCycle: step 11 is past the cycle's total_steps=10"):
        sched.step()


# A validation loss with plateaus between gains: most gains far above the threshold, two within
# it (0.8 → 0.79995 and 0.5 → 0.49999, 6e-5 and 2e-5 relative), and a NaN, which is no gain.
LOSSES = np.repeat(
    [1.0, 0.8, 0.79995, 0.7, 0.6, 0.55, 0.5, 0.49999, 0.4, np.nan, 0.4, 0.3, 0.2, 0.19],
    [1, 2, 2, 1, 5, 1, 2, 2, 2, 1, 1, 6, 1, 3],
)

PLATEAU_CASES = [
    dict(patience=2),
    dict(patience=1, cooldown=2),
    dict(patience=0, factor=0.5, threshold_mode="abs", threshold=0.05),
    dict(mode="max", patience=2, threshold=0.01),
    dict(mode="max", patience=1, threshold_mode="abs", threshold=1e-5, cooldown=1),
    dict(patience=1, factor=0.3, min_lr=0.02),
    # lr 0.5 → 0.25 → 0.125 → 0.0625; the next cut, by 0.03125, is below eps and skipped.
    dict(patience=1, factor=0.5, eps=0.05),
]


@pytest.mark.parametrize("kwargs", PLATEAU_CASES, ids=[str(k) for k in PLATEAU_CASES])
def test_reduce_on_plateau_matches_torch(kwargs):
    metrics = 1 - LOSSES if kwargs.get("mode") == "max" else LOSSES  # max: an accuracy
    scheds = []

    def keep(sched):
        scheds.append(sched)
        return sched

    got, want = drive(
        lambda o: keep(optim.ReduceOnPlateau(o, **kwargs)),
        lambda o: keep(torch_sched.ReduceLROnPlateau(o, **kwargs)),
        len(metrics),
        metrics=metrics,
    )
    np.testing.assert_array_equal(got[:, 0], want[:, 0])
    assert len(set(got[:, 0])) >= 3, "the sequence should have cut the rate at least twice"
    ours, theirs = scheds
    for key in ("best", "num_bad_epochs", "cooldown_counter", "last_epoch"):
        assert getattr(ours, key) == getattr(theirs, key), key


def test_only_reduce_on_plateau_needs_a_metric():
    opt, _ = make_pair()
    others = [
        optim.StepDecay(opt, 2),
        optim.ExpoDecay(opt, 0.9),
        optim.WarmUp(opt, 3),
        optim.CosineDecay(opt, 10),
        optim.OneCycle(opt, 1.0, total_steps=10),
    ]
    assert not any(s.needs_metric for s in others)
    plateau = optim.ReduceOnPlateau(opt)
    assert plateau.needs_metric
    with pytest.raises(TypeError, match=r"ReduceOnPlateau.step needs the monitored metric"):
        plateau.step()


def plateau(o):
    return optim.ReduceOnPlateau(o, patience=1, cooldown=3)


# name: (make, steps before saving, steps after loading, metrics or None)
RESUMED = {
    "cosine-warmup": (lambda o: optim.CosineDecay(o, 10, 0.01, warmup_steps=3), 5, 12, None),
    "onecycle-momentum": (lambda o: optim.OneCycle(o, 2.0, total_steps=30), 13, 17, None),
    # Saved just after a cut (three cooldown epochs to go), and with one bad epoch counted.
    "plateau-in-cooldown": (plateau, 20, len(LOSSES) - 20, LOSSES),
    "plateau-one-bad-epoch": (plateau, 14, len(LOSSES) - 14, LOSSES),
}


@pytest.mark.parametrize("name", RESUMED)
def test_state_dict_resumes_the_same_schedule(name):
    make, before, after, metrics = RESUMED[name]
    step_args = [()] * (before + after) if metrics is None else [(m,) for m in metrics]
    first_opt, _ = make_pair()
    first = make(first_opt)
    for args in step_args[:before]:
        first.step(*args)
    # A fresh optimizer (lr 0.5, momentum 0) and scheduler, then the saved state.
    second_opt, _ = make_pair()
    second = make(second_opt)
    second.load_state_dict(first.state_dict())

    def assert_same():
        assert second.get_last_lr() == first.get_last_lr()
        assert second_opt.momentum == first_opt.momentum

    assert_same()
    for args in step_args[before:]:
        first.step(*args)
        second.step(*args)
        assert_same()


@given(
    total_steps=st.integers(2, 60),
    pct_start=st.floats(0.01, 0.99),
    anneal_strategy=st.sampled_from(["cos", "linear"]),
    three_phase=st.booleans(),
    div_factor=st.floats(0.5, 1e3),
    final_div_factor=st.floats(0.5, 1e5),
)
@settings(max_examples=60, deadline=None)
def test_onecycle_rate_stays_between_zero_and_its_largest(
    total_steps, pct_start, anneal_strategy, three_phase, div_factor, final_div_factor
):
    opt, _ = make_pair()
    try:
        sched = optim.OneCycle(
            opt,
            1.0,
            total_steps=total_steps,
            pct_start=pct_start,
            anneal_strategy=anneal_strategy,
            three_phase=three_phase,
            div_factor=div_factor,
            final_div_factor=final_div_factor,
        )
    except ValueError as error:  # a phase without steps: refused, by name
        assert "no steps" in str(error)
        return
    largest = max(1.0, 1.0 / div_factor, 1.0 / div_factor / final_div_factor)
    lrs = [opt.lr]
    for _ in range(total_steps):
        sched.step()
        lrs.append(opt.lr)
    assert all(math.isfinite(lr) and 0 <= lr <= largest * (1 + 1e-12) for lr in lrs)


def sgd() -> optim.SGD:
    return make_pair()[0]


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: optim.StepDecay(sgd(), 2, gamma=-0.5), "StepDecay: gamma must be >= 0, got -0.5"),
        (lambda: optim.ExpoDecay(sgd(), float("nan")), "ExpoDecay: gamma must be >= 0, got nan"),
        (lambda: optim.CosineDecay(sgd(), 0), "CosineDecay: T_max must be an integer >= 1, got 0"),
        (lambda: optim.CosineDecay(sgd(), 10, eta_min=-1), "CosineDecay: eta_min must be >= 0"),
        (
            lambda: optim.CosineDecay(sgd(), 10, warmup_steps=2.5),
            "CosineDecay: warmup_steps must be an integer >= 0, got 2.5",
        ),
        (lambda: optim.OneCycle("sgd", 1.0, total_steps=10), "OneCycle: expected an Optimizer"),
        (lambda: optim.OneCycle(sgd(), 1.0), "OneCycle: give total_steps, or epochs and"),
        (
            lambda: optim.OneCycle(sgd(), 1.0, epochs=3, steps_per_epoch=0),
            "OneCycle: steps_per_epoch must be an integer >= 1, got 0",
        ),
        (lambda: optim.OneCycle(sgd(), -1.0, total_steps=10), "OneCycle: max_lr must be >= 0"),
        (
            lambda: optim.OneCycle(sgd(), 1.0, total_steps=10, pct_start=1.2),
            r"OneCycle: pct_start must be in \(0, 1\), got 1.2",
        ),
        (
            lambda: optim.OneCycle(sgd(), 1.0, total_steps=3),
            "pct_start=0.3 of total_steps=3 leaves phase 1 of 2 no steps",
        ),
        (
            lambda: optim.OneCycle(sgd(), 1.0, total_steps=10, pct_start=0.6, three_phase=True),
            "leaves phase 3 of 3 no steps",
        ),
        (
            lambda: optim.OneCycle(sgd(), 1.0, total_steps=10, anneal_strategy="cosine"),
            "OneCycle: anneal_strategy must be 'cos' or 'linear', got 'cosine'",
        ),
        (
            lambda: optim.OneCycle(sgd(), 1.0, total_steps=10, div_factor=0),
            "OneCycle: div_factor must be > 0, got 0",
        ),
        (
            lambda: optim.OneCycle(sgd(), 1.0, total_steps=10, max_momentum=1.0),
            r"OneCycle: max_momentum must be in \[0, 1\), got 1.0",
        ),
        (
            lambda: optim.OneCycle(optim.Adagrad([nn.Parameter(np.ones(1))]), 1.0, total_steps=10),
            "OneCycle: Adagrad has no momentum or betas to cycle; pass cycle_momentum=False",
        ),
        (
            lambda: optim.ReduceOnPlateau(sgd(), mode="minimum"),
            "ReduceOnPlateau: mode must be 'min' or 'max', got 'minimum'",
        ),
        (
            lambda: optim.ReduceOnPlateau(sgd(), threshold_mode="relative"),
            "ReduceOnPlateau: threshold_mode must be 'rel' or 'abs'",
        ),
        (
            lambda: optim.ReduceOnPlateau(sgd(), factor=1.0),
            r"ReduceOnPlateau: factor must be in \[0, 1\), got 1.0",
        ),
        (
            lambda: optim.ReduceOnPlateau(sgd(), patience=-1),
            "ReduceOnPlateau: patience must be an integer >= 0, got -1",
        ),
        (lambda: optim.ReduceOnPlateau(sgd(), min_lr=-0.1), "ReduceOnPlateau: min_lr must be"),
    ],
)
def test_scheduler_errors(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()
