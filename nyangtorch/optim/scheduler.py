"""Learning-rate schedulers. Each ``step()`` moves the schedule one epoch (or batch) on and
writes the new rate to ``optimizer.lr``."""

from __future__ import annotations

from .optimizer import Optimizer


class Scheduler:
    """Base: ``lr_t = f(t)`` from the optimizer's initial lr (kept as ``optimizer.initial_lr``,
    set by the first scheduler made for it, so chained schedulers share one base)."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: expected an Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        if not hasattr(optimizer, "initial_lr"):
            optimizer.initial_lr = optimizer.lr
        self.base_lr = optimizer.initial_lr
        self.last_epoch = 0
        optimizer.lr = self.lr_at(0)

    def lr_at(self, t: int) -> float:
        raise NotImplementedError

    def step(self) -> None:
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def get_lr(self) -> float:
        """The learning rate the optimizer uses now."""
        return self.optimizer.lr

    def state_dict(self) -> dict:
        return {"type": type(self).__name__, "last_epoch": self.last_epoch, "base_lr": self.base_lr}

    def load_state_dict(self, state: dict) -> None:
        if state.get("type") != type(self).__name__:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: state is from a {state.get('type')}"
            )
        self.last_epoch, self.base_lr = state["last_epoch"], state["base_lr"]
        self.optimizer.lr = self.lr_at(self.last_epoch)


class StepDecay(Scheduler):
    """``lr_t = lr₀ · γ^⌊t / step_size⌋`` (PyTorch's StepLR)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if step_size < 1:
            raise ValueError(f"StepDecay: step_size must be >= 1, got {step_size}")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return self.base_lr * self.gamma ** (t // self.step_size)


class ExpoDecay(Scheduler):
    """``lr_t = lr₀ · γ^t`` (PyTorch's ExponentialLR)."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
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
        if warmup_steps < 1:
            raise ValueError(f"WarmUp: warmup_steps must be >= 1, got {warmup_steps}")
        if after is not None and after.optimizer is not optimizer:
            raise ValueError("WarmUp: the 'after' scheduler must drive the same optimizer")
        self.warmup_steps, self.after = warmup_steps, after
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return self.base_lr * min(1.0, (t + 1) / (self.warmup_steps + 1))

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
