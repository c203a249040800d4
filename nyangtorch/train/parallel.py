"""Data-parallel training on the cores of one machine: each thread runs a share of the batch
through its own replica of the model.

Why. With one Python thread, a training step's compiled kernels run on one core while the
BLAS's threads share only the matrix products. The halves of every product's output then
live in two cores' caches, and the next kernel on the caller's core reads the other half
across: measured on two cores (reference CNN, batch 64), the first pool's backward took
0.45–0.56 ms inside the step against 0.14 ms alone. On this machine's slow spells, when
passing data and signals between cores gets slower (a two-thread 256×256 product took
0.27–0.32 ms instead of 0.18, one-thread products and kernels kept their speed), the step
went from 7.5–8.5 to 13–16 ms. Here each thread owns its share from the first layer to
the last, the BLAS one core each, as ``nyangtorch.eval.threads`` runs inference: in the same
runs 7.0–9.2 ms, and 7.3–9.1 ms during the spells.

How. Forward cuts x into shares (N_k, ...) and runs replica k on share k in thread k; the
outputs are put back together, so the loss sees the whole batch, as with one thread.
Backward cuts dy the same way and runs each replica's backward in the thread that ran its
forward; each parameter's gradient is the sum of the replicas', ``dW = Σ_k dW_k`` (dy
already holds the loss's 1/N). The caller's thread runs the first share on the model itself;
the other replicas are copies of the model's layers that share its weight arrays (the
optimizer updates them in place) and keep their own saved arrays and gradients.

This is exact only for layers that treat samples independently: BatchNorm's batch
statistics and Dropout's random masks would differ with the batch cut in shares, so models
with either are refused. The sums add in another order than one thread's products: the
gradients agree to rounding (about 1e-7 relative in float32).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait

import numpy as np

from ..eval.threads import MIN_SHARE, one_blas_thread, shares, thread_count
from ..nn.dropout import Dropout
from ..nn.module import NyangModel, is_grad_enabled, set_grad_enabled
from ..nn.norm import BatchNorm

# Layers whose output for one sample depends on more than that sample's input.
BATCH_COUPLED = (BatchNorm, Dropout)


class DataParallel(NyangModel):
    """``model`` trained on ``threads`` cores (default: as many as NumPy's BLAS uses), each
    running a share of every batch, like ``torch.nn.DataParallel`` over devices.

    ``forward(x)``, x: (N, ...) -> (N, ...): x cut into at most ``threads`` shares of at least
    ``MIN_SHARE`` (16) samples, each run by its own replica in its own thread, the outputs put
    back together. ``backward(dy)`` / ``backward_params(dy)``: each share's dy through its
    replica, ``dW = Σ_k dW_k`` added into the model's gradients. In eval mode or under
    ``no_grad`` the model itself runs, on the caller's thread (for inference on every core,
    see :func:`nyangtorch.eval.nyang_inference`).

    ``module`` is the model: its parameters are this wrapper's, its state dict the wrapper's
    with ``module.`` in front, as in PyTorch. Replicas are made from it at the first training
    forward, and made again when its weight arrays are replaced (``to``, a load that makes new
    arrays); a change to its layers' settings after that needs a new DataParallel."""

    def __init__(self, module: NyangModel, threads: int | None = None) -> None:
        super().__init__()
        check_splittable(module)
        self.module = module
        self.threads = thread_count(threads)
        self._copies: list[NyangModel] = []  # replicas for the threads after the caller's
        self._workers: list[ThreadPoolExecutor] = []

    def forward(self, x: np.ndarray) -> np.ndarray:
        if not (self.training and is_grad_enabled()):
            self._cache = None
            return self.module(x)
        parts = min(self.threads, (len(x) if np.ndim(x) else 0) // MIN_SHARE)
        if parts < 2:  # a small batch: one share, the BLAS on every core
            self._cache = None
            return self.module(x)
        pieces = shares(x, parts)
        replicas = self._current_replicas()
        outputs = self._run([functools.partial(r, p) for r, p in zip(replicas, pieces)])
        self._cache = [len(p) for p in pieces]
        return outputs[0] if len(outputs) == 1 else np.concatenate(outputs)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        if self._cache is None:
            return self.module.backward(dy)
        return np.concatenate(self._backward(dy, "backward"))

    def backward_params(self, dy: np.ndarray) -> None:
        if self._cache is None:
            self.module.backward_params(dy)
        else:
            self._backward(dy, "backward_params")

    def _backward(self, dy: np.ndarray, method: str) -> list:
        """Each share's dy through its replica's ``method``; the gradients summed into the
        model's. Returns the replicas' results, in share order."""
        sizes = self._saved()
        if len(dy) != sum(sizes):
            raise ValueError(
                f"{self!r}: backward got grad for {len(dy)} samples, the forward had {sum(sizes)}"
            )
        replicas = [self.module, *self._copies[: len(sizes) - 1]]
        pieces = np.split(dy, np.cumsum(sizes)[:-1])
        calls = [functools.partial(getattr(r, method), g) for r, g in zip(replicas, pieces)]
        results = self._run(calls)
        # The model's own gradients hold the first share's (it ran that share itself).
        for param, *copies in zip(*(r.parameters() for r in replicas)):
            for c in copies:
                if c.grad is not None:
                    param.accumulate(c.grad)
                    c.grad = None
        return results

    def _current_replicas(self) -> list[NyangModel]:
        """One replica per thread: the model itself for the caller's thread, and copies of
        it that share its weight arrays, made again when the model's arrays were replaced."""
        params = self.module.parameters()
        if not self._copies or any(
            mine.data is not theirs.data
            for mine, theirs in zip(self._copies[0].parameters(), params, strict=True)
        ):
            # deepcopy copies the layers and their Parameters; the memo hands back the
            # model's own arrays for the weights, so the copies share them.
            shared = {id(p.data): p.data for p in params}
            self._copies = [
                copy.deepcopy(self.module, dict(shared)) for _ in range(self.threads - 1)
            ]
        return [self.module, *self._copies]

    def _run(self, calls: list[Callable[[], object]]) -> list:
        """Run call k on thread k (call 0 on the caller's, the others on this wrapper's
        worker threads, each always the same thread), the BLAS one core each; results in
        order. While another threaded map holds the BLAS, all run here, one after another."""
        with one_blas_thread() as threaded:
            if not threaded or len(calls) == 1:
                return [call() for call in calls]
            while len(self._workers) < len(calls) - 1:
                self._workers.append(ThreadPoolExecutor(1, thread_name_prefix="DataParallel"))
            grad = is_grad_enabled()
            futures = [w.submit(_with_grad, grad, c) for w, c in zip(self._workers, calls[1:])]
            try:
                first = calls[0]()
            except BaseException:
                wait(futures)  # no replica may still be running when the error comes out
                raise
            return [first, *(f.result() for f in futures)]

    def __getstate__(self) -> dict:
        """Pickle the model alone: replicas and threads are made again when needed."""
        state = super().__getstate__()
        state["_copies"], state["_workers"] = [], []
        return state


def for_training(model: NyangModel, threads: int) -> NyangModel:
    """What trains ``model`` on ``threads`` cores: ``DataParallel(model, threads)`` when there
    are several and the model can be split (:func:`splittable`); else the model itself, each
    step on one thread with the BLAS on every core."""
    return DataParallel(model, threads) if threads > 1 and splittable(model) else model


def _with_grad(grad: bool, call: Callable[[], object]) -> object:
    """``call()`` under the caller's grad mode (a setting of each thread)."""
    with set_grad_enabled(grad):
        return call()


def check_splittable(model: NyangModel) -> None:
    """Raise ValueError if ``model`` holds a layer whose output for a sample depends on the
    rest of the batch or on random draws (:data:`BATCH_COUPLED`): shares of the batch would
    not give the whole batch's result."""
    for name, layer in model.named_modules():
        if isinstance(layer, BATCH_COUPLED):
            why = "batch statistics" if isinstance(layer, BatchNorm) else "random masks"
            raise ValueError(
                f"DataParallel: layer {name or '(the model)'} {layer!r} uses {why}, which would "
                "differ with the batch cut into shares; train this model on one thread "
                "(threads=1)"
            )


def splittable(model: NyangModel) -> bool:
    """True if :func:`check_splittable` passes."""
    try:
        check_splittable(model)
    except ValueError:
        return False
    return True
