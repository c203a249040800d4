"""Learning-rate schedulers. Each ``step()`` moves the schedule one epoch (or batch) on and
writes the new rate to ``optimizer.lr``; ``ReduceOnPlateau.step(metric)`` also takes the
monitored metric (its ``needs_metric`` is True)."""

from __future__ import annotations

import math
from bisect import bisect_left
from numbers import Integral

from .optimizer import Optimizer, check_non_negative


class Scheduler:
    """Base: ``lr_t = f(t)`` from the optimizer's initial lr (kept as ``optimizer.initial_lr``,
    set by the first scheduler made for it, so chained schedulers share one base)."""

    # True for a scheduler whose step takes the monitored metric (ReduceOnPlateau): a training
    # loop calls step(metric) on those and step() on the others.
    needs_metric: bool = False

    def __init__(self, optimizer: Optimizer) -> None:
        check_optimizer(type(self).__name__, optimizer)
        self.optimizer = optimizer
        if not hasattr(optimizer, "initial_lr"):
            optimizer.initial_lr = optimizer.lr
        self.base_lr = optimizer.initial_lr
        self.last_epoch = 0
        self.update_optimizer(0)

    def lr_at(self, t: int) -> float:
        raise NotImplementedError

    def update_optimizer(self, t: int) -> None:
        """Write the schedule's values at step ``t`` into the optimizer: the rate (OneCycle
        also the momentum)."""
        self.optimizer.lr = self.lr_at(t)

    def step(self) -> None:
        self.last_epoch += 1
        self.update_optimizer(self.last_epoch)

    def get_lr(self) -> float:
        """The learning rate the optimizer uses now."""
        return self.optimizer.lr

    def get_last_lr(self) -> list[float]:
        """``[lr]``, as PyTorch's ``get_last_lr`` (one entry per parameter group there; a
        nyangtorch optimizer has one rate)."""
        return [self.get_lr()]

    def state_dict(self) -> dict:
        return {"type": type(self).__name__, "last_epoch": self.last_epoch, "base_lr": self.base_lr}

    def load_state_dict(self, state: dict) -> None:
        if state.get("type") != type(self).__name__:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: state is from a {state.get('type')}"
            )
        self.last_epoch, self.base_lr = state["last_epoch"], state["base_lr"]
        self.update_optimizer(self.last_epoch)


class StepDecay(Scheduler):
    """``lr_t = lr₀ · γ^⌊t / step_size⌋`` (PyTorch's StepLR)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        check_integer("StepDecay", 1, step_size=step_size)
        check_non_negative("StepDecay", gamma=gamma)
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return self.base_lr * self.gamma ** (t // self.step_size)


class ExpoDecay(Scheduler):
    """``lr_t = lr₀ · γ^t`` (PyTorch's ExponentialLR)."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        check_non_negative("ExpoDecay", gamma=gamma)
        self.gamma = gamma
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return self.base_lr * self.gamma**t


class WarmUp(Scheduler):
    """Linear warm-up: ``lr_t = lr₀ · (t + 1) / (W + 1)`` for t ≤ W, so the rate starts at
    ``lr₀ / (W + 1)`` when the scheduler is made and is exactly lr₀ after W steps (PyTorch's
    LinearLR with ``start_factor = 1/(W + 1)``). Then it holds lr₀, or hands over to
    ``after``, whose own count starts there (like SequentialLR)."""

    def __init__(
        self, optimizer: Optimizer, warmup_steps: int, after: Scheduler | None = None
    ) -> None:
        check_integer("WarmUp", 1, warmup_steps=warmup_steps)
        if after is not None and after.optimizer is not optimizer:
            raise ValueError("WarmUp: the 'after' scheduler must drive the same optimizer")
        self.warmup_steps, self.after = warmup_steps, after
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return self.base_lr * warmup_factor(t, self.warmup_steps)

    def step(self) -> None:
        if self.last_epoch >= self.warmup_steps and self.after is not None:
            self.last_epoch += 1
            self.after.step()
        else:
            super().step()

    def state_dict(self) -> dict:
        state = super().state_dict()
        state["after"] = self.after.state_dict() if self.after is not None else None
        return state

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        if self.after is not None and state.get("after") is not None:
            self.after.load_state_dict(state["after"])
            if self.last_epoch > self.warmup_steps:
                self.optimizer.lr = self.after.get_lr()


class CosineDecay(Scheduler):
    """Cosine annealing from lr₀ to ``eta_min`` over ``T_max`` steps (PyTorch's
    CosineAnnealingLR, in its closed form; PyTorch's argument names):
    ``lr_t = η_min + (lr₀ − η_min)·(1 + cos(π·t / T_max)) / 2``.
    Past T_max the cosine goes on and the rate climbs back towards lr₀, as PyTorch's does:
    make T_max the number of steps the run takes.

    ``warmup_steps = W > 0`` puts the linear warm-up of :class:`WarmUp` first,
    ``lr_t = lr₀·(t + 1)/(W + 1)`` for t < W, and starts the cosine at t = W with its own count
    t − W — PyTorch's ``SequentialLR([LinearLR(start_factor=1/(W + 1), total_iters=W),
    CosineAnnealingLR(T_max, eta_min)], milestones=[W])``."""

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, warmup_steps: int = 0
    ) -> None:
        check_integer("CosineDecay", 1, T_max=T_max)
        check_integer("CosineDecay", 0, warmup_steps=warmup_steps)
        check_non_negative("CosineDecay", eta_min=eta_min)
        self.T_max, self.eta_min, self.warmup_steps = T_max, eta_min, warmup_steps
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        if t < self.warmup_steps:
            return self.base_lr * warmup_factor(t, self.warmup_steps)
        cosine = 1 + math.cos(math.pi * (t - self.warmup_steps) / self.T_max)
        return self.eta_min + (self.base_lr - self.eta_min) * cosine / 2


class OneCycle(Scheduler):
    """The 1cycle policy (Smith & Topin, 2017) as PyTorch's OneCycleLR, stepped after every
    batch. The rate rises from ``lr₀ = max_lr / div_factor`` to ``max_lr`` over the first
    ``pct_start·total_steps`` steps, then anneals to ``lr₀ / final_div_factor`` at the last
    step; ``three_phase`` first comes back down to lr₀, as steeply as it rose (the paper's
    shape), and anneals to the final rate after that. A phase from rate a to rate b, at
    fraction p of its steps: ``b + (a − b)·(1 + cos(π·p))/2`` (``anneal_strategy="cos"``)
    or ``a + (b − a)·p`` (``"linear"``). ``total_steps`` may be given as ``epochs`` ×
    ``steps_per_epoch``. The optimizer's own lr is not used.

    ``cycle_momentum`` (on by default, as in PyTorch) moves the momentum the other way, from
    ``max_momentum`` down to ``base_momentum`` at the peak rate and back up; it writes
    ``betas[0]`` of an optimizer that has betas (Adam), else ``momentum`` (SGD, RMSprop).

    PyTorch's phases end at steps pct_start·total_steps − 1 (three_phase: also
    2·pct_start·total_steps − 2) and total_steps − 1; the one ``step()`` after the last batch,
    to t = total_steps, runs past the end of the last phase. The cosine simply continues there,
    as in PyTorch; a linear anneal stops at its end value, where PyTorch's continues below the
    final rate (to a negative rate with the default factors). Every phase must have steps, so
    ``pct_start·total_steps`` must exceed 1 (PyTorch skips the warm-up below that and divides
    by zero at 1) and, with three_phase, ``2·pct_start·total_steps`` stay below
    total_steps + 1."""

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float,
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float = 0.85,
        max_momentum: float = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
    ) -> None:
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ValueError("OneCycle: give total_steps, or epochs and steps_per_epoch")
            check_integer("OneCycle", 1, epochs=epochs, steps_per_epoch=steps_per_epoch)
            total_steps = epochs * steps_per_epoch
        check_integer("OneCycle", 1, total_steps=total_steps)
        check_non_negative("OneCycle", max_lr=max_lr)
        for key, value in (("div_factor", div_factor), ("final_div_factor", final_div_factor)):
            if not value > 0:
                raise ValueError(f"OneCycle: {key} must be > 0, got {value}")
        if not 0 < pct_start < 1:
            raise ValueError(f"OneCycle: pct_start must be in (0, 1), got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"OneCycle: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}"
            )
        check_optimizer("OneCycle", optimizer)  # before its hyperparameters are read
        self.momentum_key = None
        if cycle_momentum:
            for key, value in (("base_momentum", base_momentum), ("max_momentum", max_momentum)):
                if not 0 <= value < 1:
                    raise ValueError(f"OneCycle: {key} must be in [0, 1), got {value}")
            # The same test as PyTorch's: does the optimizer have betas, else a momentum?
            names = optimizer.hyperparameters
            self.momentum_key = next((k for k in ("betas", "momentum") if k in names), None)
            if self.momentum_key is None:
                raise ValueError(
                    f"OneCycle: {type(optimizer).__name__} has no momentum or betas to cycle; "
                    "pass cycle_momentum=False"
                )
        self.total_steps, self.anneal_strategy = total_steps, anneal_strategy
        start_lr = max_lr / div_factor
        final_lr = start_lr / final_div_factor
        up, low, high = pct_start * total_steps - 1, base_momentum, max_momentum
        # (last step, lr from, lr to, momentum from, momentum to) of each phase
        if three_phase:
            self.phases = [
                (up, start_lr, max_lr, high, low),
                (2 * pct_start * total_steps - 2, max_lr, start_lr, low, high),
                (total_steps - 1, start_lr, final_lr, high, high),
            ]
        else:
            self.phases = [
                (up, start_lr, max_lr, high, low),
                (total_steps - 1, max_lr, final_lr, low, high),
            ]
        start = 0.0
        for i, (end, *_) in enumerate(self.phases):
            if not end > start:
                raise ValueError(
                    f"OneCycle: pct_start={pct_start} of total_steps={total_steps} leaves "
                    f"phase {i + 1} of {len(self.phases)} no steps (from step {start:g} to "
                    f"{end:g}); make total_steps larger or move pct_start"
                )
            start = end
        super().__init__(optimizer)

    def position(self, t: int) -> tuple[tuple, float]:
        """The phase step ``t`` falls in and the fraction of it done."""
        if t > self.total_steps:
            raise ValueError(
                f"OneCycle: step {t} is past the cycle's total_steps={self.total_steps}"
            )
        ends = [phase[0] for phase in self.phases]
        # The first phase not yet over; t = total_steps, past them all, extends the last one.
        i = min(bisect_left(ends, t), len(ends) - 1)
        start = ends[i - 1] if i > 0 else 0.0
        return self.phases[i], (t - start) / (ends[i] - start)

    def anneal(self, a: float, b: float, p: float) -> float:
        """From ``a`` at p = 0 to ``b`` at p = 1, by the chosen strategy."""
        if self.anneal_strategy == "cos":
            return b + (a - b) / 2 * (1 + math.cos(math.pi * p))
        return (b - a) * min(p, 1.0) + a

    def lr_at(self, t: int) -> float:
        (_, lr_from, lr_to, _, _), p = self.position(t)
        return self.anneal(lr_from, lr_to, p)

    def momentum_at(self, t: int) -> float:
        (*_, momentum_from, momentum_to), p = self.position(t)
        return self.anneal(momentum_from, momentum_to, p)

    def update_optimizer(self, t: int) -> None:
        super().update_optimizer(t)
        if self.momentum_key == "betas":
            self.optimizer.betas = (self.momentum_at(t), *self.optimizer.betas[1:])
        elif self.momentum_key == "momentum":
            self.optimizer.momentum = self.momentum_at(t)


class ReduceOnPlateau(Scheduler):
    """Cut the rate when a monitored metric stops improving (PyTorch's ReduceLROnPlateau).

    Call ``step(metric)`` once per epoch with the monitored value (the validation loss, say).
    It improves on the best so far if, in ``mode="min"``, ``metric < best·(1 − threshold)``
    (``threshold_mode="rel"``) or ``metric < best − threshold`` (``"abs"``); in ``"max"``,
    ``metric > best·(1 + threshold)`` or ``metric > best + threshold``. After more than
    ``patience`` epochs in a row without an improvement, ``lr ← max(lr·factor, min_lr)``
    (skipped when that would change lr by ``eps`` or less), and the next ``cooldown``
    epochs count no bad epochs.

    The rate follows the metrics, not the step count, so this is the scheduler whose ``step``
    takes an argument: ``needs_metric`` is True, and a training loop calls ``step(metric)``
    where it calls ``step()`` on the others."""

    needs_metric = True

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float = 0.0,
        eps: float = 1e-8,
    ) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceOnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"ReduceOnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}"
            )
        if not 0 <= factor < 1:
            raise ValueError(f"ReduceOnPlateau: factor must be in [0, 1), got {factor}")
        check_integer("ReduceOnPlateau", 0, patience=patience, cooldown=cooldown)
        check_non_negative("ReduceOnPlateau", threshold=threshold, min_lr=min_lr, eps=eps)
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lr, self.eps = cooldown, min_lr, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs, self.cooldown_counter = 0, 0
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        # Not a function of t: the rate is the optimizer's own, cut in place by step(metric).
        return self.optimizer.lr

    def is_better(self, metric: float) -> bool:
        """Does ``metric`` improve on the best so far by more than the threshold?"""
        gain = 1 if self.mode == "max" else -1  # the direction in which the metric improves
        if self.threshold_mode == "rel":
            bound = self.best * (1 + gain * self.threshold)
        else:
            bound = self.best + gain * self.threshold
        return metric > bound if self.mode == "max" else metric < bound

    def step(self, metric: float | None = None) -> None:
        """Count one epoch with the monitored ``metric``; cut the rate after a plateau."""
        if metric is None:
            raise TypeError(
                "ReduceOnPlateau.step needs the monitored metric, e.g. step(valid_loss): "
                "it cuts the rate when that stops improving"
            )
        metric = float(metric)
        self.last_epoch += 1
        if self.is_better(metric):
            self.best, self.num_bad_epochs = metric, 0
        else:
            self.num_bad_epochs += 1  # NaN counts as bad, as in PyTorch
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.optimizer.lr * self.factor, self.min_lr)
            if self.optimizer.lr - new_lr > self.eps:
                self.optimizer.lr = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0

    def state_dict(self) -> dict:
        state = super().state_dict()
        state.update(
            best=self.best,
            num_bad_epochs=self.num_bad_epochs,
            cooldown_counter=self.cooldown_counter,
            lr=self.optimizer.lr,
        )
        return state

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.best, self.num_bad_epochs = state["best"], state["num_bad_epochs"]
        self.cooldown_counter, self.optimizer.lr = state["cooldown_counter"], state["lr"]


def warmup_factor(t: int, warmup_steps: int) -> float:
    """``min(1, (t + 1)/(W + 1))``: the linear warm-up's share of lr₀ at step t."""
    return min(1.0, (t + 1) / (warmup_steps + 1))


def check_optimizer(owner: str, optimizer: Optimizer) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{owner}: expected an Optimizer, got {type(optimizer).__name__}")


def check_integer(owner: str, minimum: int, **values: int) -> None:
    for key, value in values.items():
        if not (isinstance(value, Integral) and value >= minimum):
            raise ValueError(f"{owner}: {key} must be an integer >= {minimum}, got {value!r}")
