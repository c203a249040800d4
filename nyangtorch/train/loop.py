"""nyang_train: the training loop. One epoch of steps, then validation, checkpoints and the
early-stopping rule, each a small piece of its own (like the Trainer of a textbook)."""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np

from .. import random as nyang_random
from .._allocator import tune_allocator
from ..distributed import (
    abort,
    allreduce_gradients,
    allreduce_sum,
    broadcast,
    broadcast_parameters,
    init,
    world_size,
)
from ..eval.inference import nyang_inference
from ..eval.threads import require_blas_control, thread_count
from ..metrics import as_labels, compute_metrics, confusion_pairs
from ..nn.loss import Loss
from ..nn.module import NyangModel
from ..optim.clip import clip_grad_norm
from ..optim.optimizer import Optimizer
from ..utils.progress import progress_bar
from .checkpoint import Checkpointer
from .early_stopping import EarlyStopping
from .history import History
from .loggers import make_logger
from .parallel import for_training


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite; training stopped and the best model file is untouched."""


def train_one_epoch(
    model: NyangModel,
    optimizer: Optimizer,
    loss_fn: Loss,
    loader,
    epoch: int = 1,
    grad_clip: float | None = None,
    batch_scheduler=None,
    logger=None,
    first_step: int = 0,
    progress: bool = False,
    distributed: bool = False,
) -> tuple[dict[str, float], int]:
    """One pass over ``loader`` (any iterable of ``(x, y)`` batches). Returns
    ``{"train_loss", "train_accuracy"}`` (means over the samples) and the number of optimizer
    steps taken so far, ``first_step`` plus this epoch's. Each step: ``zero_grad`` → forward
    → loss → backward → optional clipping of the global gradient norm to ``grad_clip`` →
    ``optimizer.step()`` → optional ``batch_scheduler.step()``. A NaN or infinite loss
    raises :class:`NonFiniteLossError` before the step that would spread it into the weights.

    ``distributed`` (data parallel over MPI, one shard of the data per rank): the step's batch
    is the global batch, every rank's piece of it. Its size, mean loss and correct count are
    sums over the ranks, so the NaN check, the log and the returned means are the same on every
    rank; after backward, :func:`~nyangtorch.distributed.allreduce_gradients` averages the
    gradients, so clipping and the step see the gradient one process would on the global batch.
    """
    model.train()
    world = world_size() if distributed else 1
    total, correct, count, step = 0.0, 0, 0, first_step
    bar = progress_bar(loader, f"epoch {epoch}", progress)
    for batch, (x, y) in enumerate(bar, start=1):
        optimizer.zero_grad()
        logits = model(x)
        loss = loss_fn(logits, y)
        samples, hits = len(x), int(np.sum(logits.argmax(axis=1) == as_labels(y)))
        share = 1.0
        if distributed:
            piece = samples
            samples, loss, hits = _global_batch(samples, loss, hits)
            # This rank's loss is the mean over its piece, the global batch's is the mean over
            # all pieces: d global / d mine = n_r / N. Times W, because the gradients are then
            # averaged over W ranks (W·n_r/N = 1 for equal pieces; SyncBatchNorm needs every
            # rank's dy in the same units, so the scale goes in before backward).
            share = world * piece / samples
        if not math.isfinite(loss):
            raise NonFiniteLossError(
                f"loss became {loss} at epoch {epoch}, step {batch} (lr {optimizer.lr:g})"
            )
        # The input is data: no gradient for it, so the first layer may skip computing it.
        model.backward_params(loss_fn.backward(share))
        if distributed:
            allreduce_gradients(model)
        if grad_clip is not None:
            clip_grad_norm(model.parameters(), grad_clip)
        optimizer.step()
        if batch_scheduler is not None:
            batch_scheduler.step()
        step += 1
        total += loss * samples
        correct += hits
        count += samples
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{total / count:.4f}", refresh=False)
        if logger is not None:
            logger.log({"train/loss": loss, "lr": optimizer.lr}, step=step)
    if count == 0:
        raise ValueError(f"train_one_epoch: the loader yielded no batches in epoch {epoch}")
    return {"train_loss": total / count, "train_accuracy": correct / count}, step


def _global_batch(samples: int, loss: float, hits: int) -> tuple[int, float, int]:
    """Size, mean loss and correct predictions of the global batch, from this rank's piece
    (one Allreduce of the three sums)."""
    total_samples, total_loss, total_hits = allreduce_sum([samples, loss * samples, hits])
    return int(total_samples), total_loss / total_samples, int(total_hits)


def nyang_train(
    model: NyangModel,
    optimizer: Optimizer,
    loss_fn: Loss,
    train_loader,
    valid_loader=None,
    epochs: int = 10,
    patience: int | None = None,
    scheduler=None,
    out_dir: str | Path | None = None,
    logger=None,
    metrics=("accuracy", "f1"),
    grad_clip: float | None = None,
    seed: int | None = None,
    resume: str | Path | None = None,
    scheduler_interval: str = "epoch",
    early_stopping: EarlyStopping | None = None,
    progress: bool = True,
    verbose: bool = True,
    threads: int | None = None,
) -> History:
    """Train ``model`` for up to ``epochs`` epochs and return its :class:`History`.

    Each epoch is :func:`train_one_epoch`, then :func:`~nyangtorch.eval.nyang_inference` on
    ``valid_loader`` (loss and ``metrics``, e.g. accuracy and macro-F1), then the scheduler.

    - ``out_dir``: a :class:`Checkpointer` writes the best model (lowest monitored loss: the
      valid loss, or the train loss without a valid loader), a resumable ``last.pickle`` and
      the history files there; ``resume=out_dir/"last.pickle"`` continues exactly where that
      run stopped. Without ``out_dir`` nothing is written.
    - ``patience``: stop after that many epochs without a lower monitored loss; for another
      rule pass ``early_stopping=EarlyStopping(patience, monitor, mode, min_delta)``.
    - ``scheduler`` steps once per epoch; ``scheduler_interval="batch"`` steps it after every
      optimizer step instead (for ``WarmUp`` counted in batches).
    - ``logger``: ``"wandb"``, a wandb run, or any object with ``log(values, step)``.
    - A NaN or infinite train or valid loss raises :class:`NonFiniteLossError` naming where;
      the best model file is left as it was. Ctrl-C stops cleanly and returns the history so
      far (``last.pickle`` holds the last finished epoch, so resuming repeats the interrupted
      one).
    - ``progress``: tqdm bars for train and valid; ``verbose``: one summary line per epoch.
    - ``threads``: the cores a training step uses (default: as many as NumPy's BLAS uses). A
      model without Dropout trains on them data parallel, each thread a share of every batch
      (of at least 16 images) through its own replica, BatchNorm's statistics those of the
      whole batch (:class:`~nyangtorch.train.parallel.DataParallel`; the gradients agree with
      one thread's to rounding, and ``threads=1`` gives the one-thread numbers); any other
      model runs each step on one thread of Python, the BLAS on every core. Validation runs on as
      many threads.
    - Under MPI (``mpirun -n W``, see :mod:`nyangtorch.distributed`) it trains data parallel,
      on loaders made with ``shard=(rank, world)``: rank 0's parameters are broadcast at the
      start, every step averages the gradients, and validation adds up the ranks' shards (the
      loss over the samples and the confusion matrix: one process's numbers on the whole set).
      Every rank keeps rank 0's epoch record, so the best epoch, early stopping and the
      scheduler decide alike. Only rank 0 writes files, logs and prints; ``resume`` needs the
      number of ranks that wrote the checkpoint. An error or Ctrl-C on any rank aborts the job.
    """
    _check_arguments(
        epochs, patience, early_stopping, scheduler, scheduler_interval, train_loader,
        valid_loader,
    )  # fmt: skip
    compute_metrics(metrics, [0], [0])  # unknown metric names fail now, not after an epoch
    threads = thread_count(threads)
    require_blas_control(threads, "nyang_train")  # now, not at the first validation
    rank, world = init()
    if world > 1:
        _check_shard(train_loader, "train_loader", rank, world)
        if valid_loader is not None:
            _check_shard(valid_loader, "valid_loader", rank, world)
        progress, verbose = progress and rank == 0, verbose and rank == 0
    history = History(monitor="valid_loss" if valid_loader is not None else "train_loss")
    if patience is not None:
        early_stopping = EarlyStopping(patience, monitor=history.monitor)
    if early_stopping is not None:
        _check_monitor(early_stopping.monitor, valid_loader, metrics)
    tune_allocator()  # reuse freed heap for the large per-step arrays (see _allocator)
    checkpointer = Checkpointer(out_dir) if out_dir is not None and rank == 0 else None
    start_epoch, step = 0, 0
    if resume is not None:
        # Rank 0 reads the file and hands it on: a cluster's machines need not share a disk.
        state = broadcast(Checkpointer.load_last(resume) if rank == 0 else None)
        if state.get("world", 1) != world:
            raise ValueError(
                f"nyang_train: {resume} was written by a run on {state.get('world', 1)} rank(s), "
                f"this one has {world}: resume on as many (the global batch depends on it)"
            )
        _restore(state, resume, model, optimizer, scheduler, train_loader)
        start_epoch, step = state["epoch"], state["step"]
        history = History.from_dict(state["history"])
        history.stopped_early, history.stop_reason = False, None
    elif seed is not None:
        nyang_random.manual_seed(seed)
    broadcast_parameters(model)  # every rank starts from rank 0's weights
    # Under MPI the ranks are the parallelism: each trains its piece as one process would.
    stepper = for_training(model, threads if world == 1 else 1)
    config = dict(
        model=type(model).__name__,
        parameters=model.num_parameters(),
        optimizer=repr(optimizer),
        loss=repr(loss_fn),
        epochs=epochs,
        batch_size=getattr(train_loader, "batch_size", None),
        scheduler=type(scheduler).__name__ if scheduler else None,
        early_stopping=repr(early_stopping) if early_stopping else None,
        grad_clip=grad_clip,
        ranks=world,
        data_parallel_threads=getattr(stepper, "threads", 1),
    )
    log = make_logger(logger, config) if rank == 0 else None
    batch_scheduler = scheduler if scheduler_interval == "batch" else None
    epoch = start_epoch + 1
    try:
        for epoch in range(start_epoch + 1, epochs + 1):
            started, lr = time.perf_counter(), optimizer.lr
            record = {"epoch": epoch}
            scores, step = train_one_epoch(
                stepper, optimizer, loss_fn, train_loader, epoch, grad_clip, batch_scheduler,
                log, step, progress, world > 1,
            )  # fmt: skip
            record |= scores
            # Plain BatchNorm's running statistics differ between ranks: all ranks evaluate
            # (and go on from) rank 0's, the model rank 0 saves.
            broadcast_parameters(model)
            if valid_loader is not None:
                record |= _validate(
                    model, valid_loader, loss_fn, metrics, progress, world > 1, threads
                )
                if not math.isfinite(record["valid_loss"]):
                    raise NonFiniteLossError(
                        f"valid loss became {record['valid_loss']} at epoch {epoch} "
                        f"(train loss {record['train_loss']:.4g}, lr {optimizer.lr:g})"
                    )
            # The ranks' sums should agree to the bit, but MPI does not promise it: rank 0's
            # record decides for all.
            record = broadcast(record)
            if scheduler is not None and scheduler_interval == "epoch":
                if scheduler.needs_metric:  # ReduceOnPlateau: driven by the monitored loss
                    scheduler.step(record[history.monitor])
                else:
                    scheduler.step()
            record["lr"] = lr
            record["seconds"] = time.perf_counter() - started
            is_best = history.append(record)
            if checkpointer is not None:
                if is_best:
                    checkpointer.save_best(model)
                checkpointer.save_last(
                    _resumable_state(
                        model, optimizer, scheduler, epoch, step, history, train_loader, world
                    )
                )
                checkpointer.save_history(history)
            if log is not None:
                log.log({k: v for k, v in record.items() if k != "epoch"} | {"epoch": epoch}, step)
            if verbose:
                print(_summary(record, history), file=sys.stderr)
            if early_stopping is not None and early_stopping.should_stop(history):
                history.stopped_early, history.stop_reason = True, "early stopping"
                break
    except NonFiniteLossError as error:
        history.stop_reason = "non-finite loss"
        if checkpointer is not None:
            checkpointer.save_history(history)
        raise NonFiniteLossError(
            f"{error}; training stopped{_kept(checkpointer)}. "
            "Try a lower learning rate or grad_clip."
        ) from None
    except KeyboardInterrupt:
        history.stop_reason = "interrupted"
        if checkpointer is not None:
            checkpointer.save_history(history)
        if world > 1:
            # Another rank may be waiting in an Allreduce this one left: end them all.
            hint = f"; {_resume_hint(checkpointer)}" if rank == 0 else ""
            abort(f"interrupted in epoch {epoch}{hint}")
        print(
            f"\ninterrupted in epoch {epoch}: returning the history of {len(history)} finished "
            f"epoch(s); {_resume_hint(checkpointer)}",
            file=sys.stderr,
        )
    finally:
        if log is not None and callable(getattr(log, "finish", None)):
            log.finish()
    return history


def _check_arguments(
    epochs, patience, early_stopping, scheduler, scheduler_interval, train_loader, valid_loader
) -> None:
    """Refuse, before anything runs, what could only fail later (an epoch count, a patience
    or a schedule that make no sense, a loader with nothing in it)."""
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"nyang_train: epochs must be an integer >= 1, got {epochs!r}")
    if patience is not None and (not isinstance(patience, int) or patience < 1):
        raise ValueError(f"nyang_train: patience must be an integer >= 1 or None, got {patience}")
    if patience is not None and early_stopping is not None:
        raise ValueError("nyang_train: give patience or early_stopping, not both")
    if scheduler_interval not in ("epoch", "batch"):
        raise ValueError(
            "nyang_train: scheduler_interval must be 'epoch' or 'batch', "
            f"got {scheduler_interval!r}"
        )
    if scheduler is not None and scheduler.needs_metric and scheduler_interval == "batch":
        raise ValueError(
            f"nyang_train: {type(scheduler).__name__} steps on an epoch's loss; "
            "use scheduler_interval='epoch'"
        )
    for name, loader in (("train", train_loader), ("valid", valid_loader)):
        if loader is not None and hasattr(loader, "__len__") and len(loader) == 0:
            raise ValueError(f"nyang_train: the {name} loader has no batches")


def _check_monitor(monitor: str, valid_loader, metrics) -> None:
    """Refuse, before any epoch runs, a monitor that no epoch record will have."""
    columns = ["train_loss", "train_accuracy"]
    if valid_loader is not None:
        columns += ["valid_loss"] + [f"valid_{m}" for m in metrics]
    if monitor not in columns:
        raise ValueError(
            f"nyang_train: early stopping monitors {monitor!r}, which no epoch records; "
            f"choose one of {columns}"
        )


def _restore(state: dict, path, model, optimizer, scheduler, train_loader) -> None:
    """Load a resumable state into the run's objects: all of it, or (on any failure, e.g. an
    optimizer of another kind) none of it — what was there is put back before the error."""
    loader_state = getattr(train_loader, "state_dict", None)
    before = (
        model.state_dict(),
        optimizer.state_dict(),
        scheduler.state_dict() if scheduler is not None else None,
        nyang_random.get_state(),
        loader_state() if loader_state is not None else None,
    )

    def load(model_s, optimizer_s, scheduler_s, rng_s, loader_s) -> None:
        model.load_state_dict(model_s)
        optimizer.load_state_dict(optimizer_s)
        if scheduler is not None and scheduler_s is not None:
            scheduler.load_state_dict(scheduler_s)
        nyang_random.set_state(rng_s)
        if loader_s is not None:
            train_loader.load_state_dict(loader_s)

    try:
        load(state["model"], state["optimizer"], state["scheduler"], state["rng"], state["loader"])
    except Exception as error:
        load(*before)
        raise ValueError(f"cannot resume from {path}: {error}; nothing was changed") from error


def _check_shard(loader, name: str, rank: int, world: int) -> None:
    """Refuse a loader that would give this rank anything but its own share."""
    shard = getattr(loader, "shard", None)
    if shard != (rank, world):
        raise ValueError(
            f"nyang_train on {world} ranks: {name} must hold rank {rank}'s share of the data, "
            f"NyangDataloader(..., shard=({rank}, {world})); it has shard={shard}"
        )


def _validate(
    model, loader, loss_fn, metrics, progress: bool, distributed: bool, threads: int | None = None
) -> dict:
    """``valid_loss`` and ``valid_<metric>`` of ``model`` on ``loader``, on ``threads`` threads.

    ``distributed``: each rank evaluated its own shard; the sums over the ranks of the loss
    (times the samples) and of the confusion matrix are those of one process evaluating the
    whole set, and the metrics (accuracy, precision, recall, F1) follow from the confusion
    matrix alone.
    """
    result = nyang_inference(
        model, loader, loss_fn, metrics, progress, description="valid", threads=threads
    )
    loss, scores = result.loss, result.metrics
    if distributed:
        sums = allreduce_sum(np.append(result.loss * len(result.targets), result.confusion))
        confusion = sums[1:].astype(np.int64).reshape(result.confusion.shape)
        loss = sums[0] / confusion.sum()
        scores = compute_metrics(metrics, *confusion_pairs(confusion))
    return {"valid_loss": loss} | {f"valid_{k}": v for k, v in scores.items()}


def _resumable_state(
    model, optimizer, scheduler, epoch, step, history, train_loader, world
) -> dict:
    """Everything ``resume=`` needs to continue after ``epoch`` as if never stopped."""
    loader_state = getattr(train_loader, "state_dict", None)
    return {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "epoch": epoch,
        "step": step,
        "rng": nyang_random.get_state(),
        "loader": loader_state() if loader_state is not None else None,
        "history": history.to_dict(),
        "world": world,
    }


def _kept(checkpointer: Checkpointer | None) -> str:
    """What a stopped run left on disk, truthfully."""
    if checkpointer is None:
        return ""
    if checkpointer.best_path.exists():
        return f"; the best model in {checkpointer.best_path} is untouched"
    return "; no epoch finished, so no model was saved"


def _resume_hint(checkpointer: Checkpointer | None) -> str:
    if checkpointer is None:
        return "nothing was saved (no out_dir)"
    if checkpointer.last_path.exists():
        return f"resume from {checkpointer.last_path}"
    return "nothing was saved yet (no epoch finished)"


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
