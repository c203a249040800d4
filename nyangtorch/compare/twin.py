"""A twin run: the same model, weights, batches and strategy in nyangtorch and in PyTorch."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np

from .. import nn, optim
from ..metrics import accuracy, as_labels, f1_score
from ..nn.module import no_grad
from .convert import _torch, to_torch, torch_target
from .memory import peak_memory_mb

TORCH_SCHEDULERS = {"StepDecay": "StepLR", "ExpoDecay": "ExponentialLR"}


@dataclass
class Side:
    """What one framework did in the twin run."""

    name: str
    step_losses: list[float] = field(default_factory=list)
    epochs: list[dict] = field(default_factory=list)
    train_seconds: float = 0.0
    test_accuracy: float | None = None
    test_f1: float | None = None
    inference_seconds: float | None = None
    peak_memory_mb: float | None = None


@dataclass
class TwinResult:
    """Both sides of a twin run, its configuration, and how far apart they ended: the largest
    per-step loss difference (absolute and relative) and the largest final weight difference."""

    ours: Side
    torch: Side
    config: dict
    max_abs_loss_diff: float = 0.0
    max_rel_loss_diff: float = 0.0
    max_weight_diff: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def _as_torch_input(torch, x: np.ndarray, dtype):
    # A contiguous NCHW tensor, torch's native layout (our loader hands out a channels-last view).
    return torch.from_numpy(np.ascontiguousarray(x, dtype=dtype))


def _evaluate_pair(ours, theirs, loader, dtype, torch):
    """(loss, accuracy, macro-F1, seconds) for each side over ``loader``."""
    results = []
    ce = nn.CE()
    for side in ("ours", "torch"):
        losses, preds, targets, count, seconds = 0.0, [], [], 0, 0.0
        model = ours if side == "ours" else theirs
        model.eval()
        for x, y in loader:
            x = x.astype(dtype, copy=False)
            start = time.perf_counter()
            if side == "ours":
                with no_grad():
                    logits = model(x)
            else:
                with torch.no_grad():
                    logits = model(_as_torch_input(torch, x, dtype)).numpy()
            seconds += time.perf_counter() - start
            losses += ce(logits.astype(np.float64), y) * len(x)
            count += len(x)
            preds.append(logits.argmax(axis=1))
            targets.append(as_labels(y))
        model.train()
        t, p = np.concatenate(targets), np.concatenate(preds)
        results.append((losses / count, accuracy(t, p), f1_score(t, p), seconds))
    return results


def twin_run(
    model: nn.NyangFlow,
    train_loader,
    valid_loader=None,
    test_loader=None,
    epochs: int = 1,
    max_steps: int | None = None,
    optimizer: str = "Adam",
    optimizer_kwargs: dict | None = None,
    scheduler: tuple[str, dict] | None = None,
    dtype=np.float32,
    measure_memory: bool = False,
    memory_steps: int = 30,
) -> TwinResult:
    """Train ``model`` and its torch twin side by side on the very same batches.

    Both start from ``model``'s weights (copied by :func:`to_torch`), use the optimizer named
    ``optimizer`` (e.g. "Adam", "SGD"; same keyword arguments on both sides), cross-entropy on
    the logits, and optionally a scheduler (``("StepDecay", {...})`` or ``("ExpoDecay", {...})``,
    stepped once per epoch). Every step's loss is recorded on both sides; after every epoch
    both are validated; at the end both are tested and timed. ``dtype=np.float64`` makes
    both sides compute in float64: the parity mode. ``measure_memory`` runs each side's
    training steps and inference in a fresh process to read its own peak memory.
    """
    torch = _torch()
    optimizer_kwargs = dict(optimizer_kwargs or {"lr": 1e-3})
    dtype = np.dtype(dtype)
    model.to(dtype)
    model.train()
    theirs = to_torch(model)
    opt_ours = getattr(optim, optimizer)(model.parameters(), **optimizer_kwargs)
    opt_theirs = getattr(torch.optim, optimizer)(theirs.parameters(), **optimizer_kwargs)
    sched_ours = sched_theirs = None
    if scheduler is not None:
        name, kwargs = scheduler
        sched_ours = getattr(optim, name)(opt_ours, **kwargs)
        sched_theirs = getattr(torch.optim.lr_scheduler, TORCH_SCHEDULERS[name])(
            opt_theirs, **kwargs
        )
    ours, twin = Side("nyangtorch"), Side(f"torch {torch.__version__}")
    ce = nn.CE()
    steps = 0
    for epoch in range(epochs):
        for x, y in train_loader:
            if max_steps is not None and steps >= max_steps:
                break
            x = x.astype(dtype, copy=False)
            xt = _as_torch_input(torch, x, dtype)
            yt = torch_target(y, dtype)
            start = time.perf_counter()
            opt_ours.zero_grad()
            loss = ce(model(x), y)
            model.backward_params(ce.backward())
            opt_ours.step()
            middle = time.perf_counter()
            opt_theirs.zero_grad()
            loss_t = torch.nn.functional.cross_entropy(theirs(xt), yt)
            loss_t.backward()
            opt_theirs.step()
            end = time.perf_counter()
            ours.train_seconds += middle - start
            twin.train_seconds += end - middle
            ours.step_losses.append(loss)
            twin.step_losses.append(loss_t.item())
            steps += 1
        for scheduler_of_side in (sched_ours, sched_theirs):
            if scheduler_of_side is not None:
                scheduler_of_side.step()
        if valid_loader is not None:
            for side, (loss_v, acc, f1, _) in zip(
                (ours, twin), _evaluate_pair(model, theirs, valid_loader, dtype, torch)
            ):
                side.epochs.append(
                    {
                        "epoch": epoch + 1,
                        "train_loss": float(np.mean(side.step_losses[-len(train_loader) :])),
                        "valid_loss": loss_v,
                        "valid_accuracy": acc,
                        "valid_f1": f1,
                        "train_seconds": side.train_seconds,
                    }
                )
        if max_steps is not None and steps >= max_steps:
            break
    if test_loader is not None:
        for side, (_, acc, f1, seconds) in zip(
            (ours, twin), _evaluate_pair(model, theirs, test_loader, dtype, torch)
        ):
            side.test_accuracy, side.test_f1, side.inference_seconds = acc, f1, seconds
    a, b = np.array(ours.step_losses), np.array(twin.step_losses)
    config = {
        "optimizer": optimizer,
        "optimizer_kwargs": optimizer_kwargs,
        "epochs": epochs,
        "steps": steps,
        "dtype": dtype.name,
        "batch_size": getattr(train_loader, "batch_size", None),
        "scheduler": None if scheduler is None else [scheduler[0], scheduler[1]],
        "model": repr(model),
    }
    result = TwinResult(ours, twin, config)
    if steps:
        result.max_abs_loss_diff = float(np.max(np.abs(a - b)))
        result.max_rel_loss_diff = float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))
    theirs_state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    result.max_weight_diff = float(
        max(np.max(np.abs(p.data - theirs_state[n])) for n, p in model.named_parameters())
    )
    if measure_memory:
        x, y = next(iter(train_loader))
        tests = [xb for xb, _ in test_loader] if test_loader is not None else []
        ours.peak_memory_mb, twin.peak_memory_mb = (
            peak_memory_mb(side, model, x, y, tests, dtype, memory_steps)
            for side in ("ours", "torch")
        )
    return result
