"""nyang_train: the training loop, with validation, checkpoints, early stopping and logging."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from .. import random as nyang_random
from ..eval.metrics import as_labels, compute_metrics
from ..nn.loss import Loss
from ..nn.module import NyangModel, inference_mode
from ..optim.clip import clip_grad_norm
from ..optim.optimizer import Optimizer
from ..utils.progress import progress_bar
from ..utils.serialization import load_object, nyang_save_model, save_object
from .history import History
from .loggers import make_logger


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite; training stopped and the best checkpoint is untouched."""


def last_state_path(save_path: Path) -> Path:
    """Where the resumable last state goes: ``best.pickle`` -> ``best.last.pickle``."""
    return save_path.with_name(f"{save_path.stem}.last{save_path.suffix}")


def evaluate(
    model: NyangModel,
    loader,
    loss_fn: Loss,
    metrics=("accuracy", "f1"),
    progress: bool = False,
    description: str = "valid",
) -> tuple[float, dict[str, float]]:
    """Mean loss (weighted by batch size) and metrics of ``model`` over ``loader``, in eval
    mode and without keeping anything for backward; the model's mode is restored."""
    total, count, predictions, targets = 0.0, 0, [], []
    with inference_mode(model):
        for x, y in progress_bar(loader, description, progress):
            logits = model(x)
            total += loss_fn(logits, y) * len(x)
            count += len(x)
            predictions.append(logits.argmax(axis=1))
            targets.append(as_labels(y))
    return total / count, compute_metrics(
        metrics, np.concatenate(targets), np.concatenate(predictions)
    )


def nyang_train(
    model: NyangModel,
    optimizer: Optimizer,
    loss_fn: Loss,
    train_loader,
    valid_loader=None,
    epochs: int = 10,
    patience: int | None = None,
    scheduler=None,
    save_path: str | Path | None = "best.pickle",
    logger=None,
    metrics=("accuracy", "f1"),
    grad_clip: float | None = None,
    seed: int | None = None,
    resume: str | Path | None = None,
    scheduler_interval: str = "epoch",
    progress: bool = True,
    verbose: bool = True,
) -> History:
    """Train ``model`` for up to ``epochs`` epochs and return its :class:`History`.

    Each step: ``zero_grad`` → forward → ``loss_fn`` → backward → optional clipping of the
    global gradient norm to ``grad_clip`` → ``optimizer.step()``. After each epoch the model is
    evaluated on ``valid_loader`` (loss and ``metrics``, e.g. accuracy and macro-F1).

    - Checkpoints: whenever the monitored loss (valid loss; train loss without a valid loader)
      improves, the model is saved to ``save_path`` (the best model). After every epoch the
      whole state — model, optimizer, scheduler, epoch, random state, loader position, history
      — goes to ``<name>.last<suffix>``, so ``resume=that_path`` continues exactly where it
      stopped. ``history.json`` and ``history.csv`` are written beside them. All writes are
      atomic. ``save_path=None`` saves nothing.
    - ``patience``: stop after that many epochs without improvement (early stopping).
    - ``scheduler`` steps once per epoch; ``scheduler_interval="batch"`` steps it after every
      optimizer step instead (for ``WarmUp`` counted in batches).
    - ``logger``: ``"wandb"``, a wandb run, or any object with ``log(values, step)``.
    - A NaN or infinite loss raises :class:`NonFiniteLossError` naming the epoch and step; the
      best checkpoint is left as it was. Ctrl-C stops cleanly and returns the history so far
      (the last-state file holds the last completed epoch, so resuming repeats the interrupted one).
    - ``progress``: tqdm bars for train and valid; ``verbose``: one summary line per epoch.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"nyang_train: epochs must be an integer >= 1, got {epochs!r}")
    if patience is not None and patience < 1:
        raise ValueError(f"nyang_train: patience must be >= 1 or None, got {patience}")
    if scheduler_interval not in ("epoch", "batch"):
        raise ValueError(
            "nyang_train: scheduler_interval must be 'epoch' or 'batch', "
            f"got {scheduler_interval!r}"
        )
    compute_metrics(metrics, [0], [0])  # unknown metric names fail now, not after an epoch
    save_path = Path(save_path) if save_path is not None else None
    history = History(monitor="valid_loss" if valid_loader is not None else "train_loss")
    start_epoch, step = 0, 0
    if resume is not None:
        state = load_object(resume, kind="checkpoint")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if scheduler is not None and state["scheduler"] is not None:
            scheduler.load_state_dict(state["scheduler"])
        start_epoch, step, history = state["epoch"], state["step"], state["history"]
        history.stopped_early, history.stop_reason = False, None
        nyang_random.set_state(state["rng"])
        train_loader.seed, train_loader.epoch = state["loader"]["seed"], state["loader"]["epoch"]
    elif seed is not None:
        nyang_random.manual_seed(seed)
    config = dict(
        model=type(model).__name__,
        parameters=model.num_parameters(),
        optimizer=repr(optimizer),
        loss=repr(loss_fn),
        epochs=epochs,
        batch_size=getattr(train_loader, "batch_size", None),
        patience=patience,
        scheduler=type(scheduler).__name__ if scheduler else None,
        grad_clip=grad_clip,
    )
    log = make_logger(logger, config)
    epoch = start_epoch
    try:
        for epoch in range(start_epoch, epochs):
            started = time.perf_counter()
            lr = optimizer.lr
            model.train()
            total, count = 0.0, 0
            bar = progress_bar(train_loader, f"epoch {epoch + 1}/{epochs}", progress)
            for batch, (x, y) in enumerate(bar):
                optimizer.zero_grad()
                loss = loss_fn(model(x), y)
                if not np.isfinite(loss):
                    history.stop_reason = "non-finite loss"
                    if save_path is not None:
                        history.save(save_path.parent)
                    kept = f"; the best model in {save_path} is untouched" if save_path else ""
                    raise NonFiniteLossError(
                        f"loss became {loss} at epoch {epoch + 1}, step {batch + 1} "
                        f"(lr {optimizer.lr:g}); "
                        f"training stopped{kept}. Try a lower learning rate or grad_clip."
                    )
                model.backward_params(loss_fn.backward())
                if grad_clip is not None:
                    clip_grad_norm(model.parameters(), grad_clip)
                optimizer.step()
                if scheduler is not None and scheduler_interval == "batch":
                    scheduler.step()
                step += 1
                total += loss * len(x)
                count += len(x)
                if hasattr(bar, "set_postfix"):
                    bar.set_postfix(loss=f"{total / count:.4f}", refresh=False)
                if log is not None:
                    log.log({"train/loss": loss, "lr": optimizer.lr}, step=step)
            record = {"epoch": epoch + 1, "train_loss": total / count}
            if valid_loader is not None:
                valid_loss, scores = evaluate(model, valid_loader, loss_fn, metrics, progress)
                record["valid_loss"] = valid_loss
                record.update({f"valid_{k}": v for k, v in scores.items()})
            if scheduler is not None and scheduler_interval == "epoch":
                scheduler.step()
            record["lr"] = lr
            record["seconds"] = time.perf_counter() - started
            history.records.append(record)
            monitored = record[history.monitor]
            if history.best_value is None or monitored < history.best_value:
                history.best_epoch, history.best_value = epoch + 1, monitored
                if save_path is not None:
                    nyang_save_model(model, save_path)
            if save_path is not None:
                _save_last_state(
                    save_path, model, optimizer, scheduler, epoch + 1, step, history, train_loader
                )
                history.save(save_path.parent)
            if log is not None:
                log.log(
                    {k: v for k, v in record.items() if k != "epoch"} | {"epoch": epoch + 1},
                    step=step,
                )
            if verbose:
                print(_summary(record, history), file=sys.stderr)
            if patience is not None and epoch + 1 - history.best_epoch >= patience:
                history.stopped_early, history.stop_reason = True, "early stopping"
                break
    except KeyboardInterrupt:
        history.stop_reason = "interrupted"
        if save_path is not None:
            history.save(save_path.parent)
        print(
            f"\ninterrupted in epoch {epoch + 1}: returning the history of {len(history)} finished "
            "epoch(s); resume from "
            f"{last_state_path(save_path) if save_path else '(nothing saved)'}",
            file=sys.stderr,
        )
    finally:
        if log is not None and callable(getattr(log, "finish", None)):
            log.finish()
    return history


def _save_last_state(
    save_path, model, optimizer, scheduler, epoch, step, history, train_loader
) -> None:
    state = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "epoch": epoch,
        "step": step,
        "rng": nyang_random.get_state(),
        "loader": {
            "seed": getattr(train_loader, "seed", None),
            "epoch": getattr(train_loader, "epoch", 0),
        },
        "history": history,
    }
    save_object(state, last_state_path(save_path), kind="checkpoint")


def _summary(record: dict, history: History) -> str:
    parts = [f"epoch {record['epoch']}", f"train loss {record['train_loss']:.4f}"]
    parts += [
        f"valid {k.removeprefix('valid_')} {v:.4f}"
        for k, v in record.items()
        if k.startswith("valid_")
    ]
    parts.append(f"lr {record['lr']:.3g}")
    parts.append(f"{record['seconds']:.1f}s")
    if history.best_epoch == record["epoch"]:
        parts.append("(best)")
    return "  ".join(parts)
