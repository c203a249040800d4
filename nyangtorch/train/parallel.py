"""Data-parallel training on the cores of one machine: each thread runs a share of the batch
through its own replica of the model.

Why. With one Python thread, a training step's compiled kernels run on one core while the
BLAS's threads share only the matrix products. The halves of every product's output then
live in two cores' caches, and the next kernel on the caller's core reads the other half
across: measured on the project's 2-vCPU machine (reference CNN, batch 64), the first pool's
backward took 0.45–0.56 ms inside the step against 0.14 ms alone. In that machine's slow
spells, when passing data and signals between its cores gets slower (a two-thread 256×256
product took 0.27–0.32 ms instead of 0.18, one-thread products and kernels kept their
speed), the step went from 7.5–8.5 to 13–16 ms. Here each thread owns its share from the
first layer to the last, with the BLAS on its own core, as ``nyangtorch.eval.threads`` runs
inference (see the README's Speed section for what it measured).

How. Forward cuts x into shares (N_k, ...) and runs replica k on share k in thread k; the
outputs are put back together, so the loss sees the whole batch, as with one thread.
Backward cuts dy the same way and runs each replica's backward in the thread that ran its
forward; each parameter's gradient is the sum of the replicas', ``dW = Σ_k dW_k`` (dy
already holds the loss's 1/N). The caller's thread runs the first share on the model itself;
the other replicas are copies of the model's layers that share its weight arrays (the
optimizer updates them in place) and keep their own saved arrays and gradients.

This is exact for layers whose output for a sample depends on that sample alone, and for
layers that add what they need over the shares (BatchNorm: each share's Σx, Σx² and count in
forward, Σdy and Σdy·x̂ in backward, with :func:`nyangtorch.nn.shares.share_sum`, so the
statistics are the whole batch's): ``NyangModel.splittable``. Models with Dropout (random
masks, which shares would draw in another order) are refused. The sums add in another order
than one thread's: outputs and gradients agree to rounding (about 1e-7 relative in
float32), and a run on ``threads=1`` gives the one-thread numbers.
"""

from __future__ import annotations

import copy
import functools
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait

import numpy as np

from ..distributed import world_size
from ..eval.threads import (
    blas_threads_each,
    require_blas_control,
    share_count,
    shares,
    thread_count,
    with_grad_mode,
)
from ..nn.module import NyangModel, is_grad_enabled
from ..nn.norm import BatchNorm
from ..nn.shares import ShareGroup, ShareStopped


class DataParallel(NyangModel):
    """``module`` trained on ``threads`` cores (default: as many as NumPy's BLAS uses), each
    thread running a share of every batch, like ``torch.nn.DataParallel`` over devices.

    ``forward(x)``, x: (N, ...) -> (N, ...): x cut into at most ``threads`` shares of at least
    ``MIN_SHARE`` (16) samples, each run by its own replica in its own thread, the outputs put
    back together. ``backward(dy)`` / ``backward_params(dy)``: each share's dy through its
    replica, ``dW = Σ_k dW_k`` added into the model's gradients. A batch too small for two
    shares, eval mode and ``no_grad`` run the model itself on the caller's thread (inference
    on every core: :func:`nyangtorch.eval.nyang_inference`).

    ``module``'s parameters are this wrapper's, its state dict the wrapper's with ``module.``
    in front, as in PyTorch. The copies for the other threads are made here and again when
    the model's layers, their modes or weight arrays change (a layer added, ``train``/``eval``,
    ``to``, a load that makes new arrays); after changing a layer's settings in place (a
    slope, ``Conv.algorithm``) or a buffer that training reads (the copies keep the buffers
    they were made with: BatchNorm's running statistics are read in eval only, which runs
    the model itself), call :meth:`refresh`."""

    def __init__(self, module: NyangModel, threads: int | None = None) -> None:
        super().__init__()
        self.module = module
        self.threads = thread_count(threads)
        require_blas_control(self.threads, "DataParallel")
        self._copies: list[NyangModel] = []  # the replicas for the threads after the caller's
        self._params: list[list] = []  # each replica's parameters, the model's first
        self._made_from: list[int] = []  # what the copies were made from (see _layout)
        self._workers: list[ThreadPoolExecutor] = []
        self.refresh()

    def refresh(self) -> None:
        """Make the other threads' copies of the model again, from its current layers."""
        if self.threads > 1:
            check_splittable(self.module)
        # deepcopy copies the layers and their Parameters; the memo hands back the model's
        # own weight arrays (and constant buffers), so the copies share them.
        shared = {id(a): a for a in self._arrays()}
        try:
            self._copies = [
                copy.deepcopy(self.module, dict(shared)) for _ in range(self.threads - 1)
            ]
        except (TypeError, copy.Error) as error:  # a lock, a file, a torch module, ...
            raise TypeError(
                f"DataParallel: cannot copy the model for the other threads ({error}); train "
                "it on one thread (threads=1)"
            ) from None
        self._params = [r.parameters() for r in (self.module, *self._copies)]
        self._made_from = self._layout()

    def _arrays(self) -> list[np.ndarray]:
        return [p.data for p in self.module.parameters()] + [
            b for _, b in self.module.named_buffers()
        ]

    def _layout(self) -> list[int]:
        """Identities of the model's layers, parameters and their arrays, each layer's mode
        (a BatchNorm kept in eval mode uses its running statistics) and the thread count:
        when any changed, the copies are stale. Not the buffers': BatchNorm makes new running
        statistics at every step, and training reads no copy's (eval runs the model)."""
        modules, params = list(self.module.modules()), self.module.parameters()
        return (
            [id(m) for m in modules]
            + [m.training for m in modules]
            + [id(p) for p in params]
            + [id(p.data) for p in params]
            + [self.threads]
        )

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._cache = None
        parts = share_count(x, self.threads)
        if not (self.training and is_grad_enabled()) or parts < 2:
            return self.module(x)
        if self._layout() != self._made_from:
            self.refresh()
        pieces = shares(x, parts)
        replicas = [self.module, *self._copies]
        calls = [functools.partial(r, p) for r, p in zip(replicas, pieces)]
        outputs = self._run(calls)
        self._cache = [len(p) for p in pieces]
        return np.concatenate(outputs)

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
        """Each share's dy through its replica's ``method``; the copies' gradients added into
        the model's (which already holds the first share's). The replicas' results, in order."""
        sizes = self._saved()
        if len(dy) != sum(sizes):
            raise ValueError(
                f"{self!r}: backward got grad for {len(dy)} samples, the forward had {sum(sizes)}"
            )
        copies = self._copies[: len(sizes) - 1]
        for params in self._params[1 : len(sizes)]:  # nothing left from an interrupted backward
            for p in params:
                p.grad = None
        pieces = np.split(dy, np.cumsum(sizes)[:-1])
        replicas = [self.module, *copies]
        results = self._run(
            [functools.partial(getattr(r, method), g) for r, g in zip(replicas, pieces)]
        )
        for param, *theirs in zip(*self._params[: len(sizes)]):
            for c in theirs:
                if c.grad is not None:
                    param.accumulate(c.grad)
                    c.grad = None
        return results

    def _run(self, calls: list[Callable[[], object]]) -> list:
        """Run call k on thread k as share k of one :class:`~nyangtorch.nn.shares.ShareGroup`
        (call 0 on the caller's thread, the others on this wrapper's worker threads, each
        always the same thread), the BLAS's threads shared out among them; the results in
        order. A share's error comes out once every share has stopped: the first real
        error in share order, rather than the ShareStopped of the shares left waiting."""
        group, grad = ShareGroup(len(calls)), is_grad_enabled()
        while len(self._workers) < len(calls) - 1:
            name = f"DataParallel-{len(self._workers) + 1}"
            self._workers.append(ThreadPoolExecutor(1, thread_name_prefix=name))
        # The shares run at once even while another threaded map holds the BLAS (its limit
        # of one thread then stands): they may wait for each other in share_sum.
        with blas_threads_each(max(1, self.threads // len(calls))):
            futures = [
                w.submit(with_grad_mode, grad, group.run, k, call)
                for k, (w, call) in enumerate(zip(self._workers, calls[1:]), start=1)
            ]
            stopped = None
            try:
                first = group.run(0, calls[0])
            except ShareStopped as error:  # another share stopped first: see below
                stopped = error
            finally:
                wait(futures)  # no replica may still run when this returns or raises
        errors = [e for e in [stopped, *(f.exception() for f in futures)] if e is not None]
        if errors:  # the first that is not a ShareStopped, if any
            raise min(errors, key=lambda e: isinstance(e, ShareStopped))
        return [first, *(f.result() for f in futures)]

    def __getstate__(self) -> dict:
        """Pickle the model alone: the copies and threads are made again when loaded."""
        state = super().__getstate__()
        state["_copies"], state["_made_from"], state["_workers"] = [], [], []
        state["_params"] = []
        return state


def for_training(model: NyangModel, threads: int | None = None) -> NyangModel:
    """What trains ``model`` on ``threads`` cores (default: as many as NumPy's BLAS uses):
    ``DataParallel(model, threads)`` when there are several and the model can be split
    (:func:`is_splittable`) and copied; else the model itself, each step on one thread of
    Python with the BLAS on every core."""
    threads = thread_count(threads)
    if threads == 1 or isinstance(model, DataParallel) or not is_splittable(model):
        return model
    try:
        return DataParallel(model, threads)
    except TypeError as error:
        warnings.warn(f"{error}; training on one thread", stacklevel=2)
        return model


def check_splittable(model: NyangModel) -> None:
    """Raise ValueError if a layer of ``model`` is not :attr:`~NyangModel.splittable`: shares
    of the batch would not give the whole batch's result. Also for a BatchNorm synchronised
    over MPI ranks (``sync=True`` under ``mpirun``): its threads would each call the ranks'
    collectives at once, which MPI does not allow on one communicator."""
    for name, layer in model.named_modules():
        where = f"DataParallel: layer {name or '(the model)'} {layer!r}"
        if not layer.splittable:
            raise ValueError(
                f"{where} cannot run on shares of the batch (its splittable is False: random "
                "draws, or samples mixed); train the model itself (nyang_train does so for "
                "such models)"
            )
        if isinstance(layer, BatchNorm) and layer.sync and world_size() > 1:
            raise ValueError(
                f"{where} synchronises over the MPI ranks, which one thread per rank must do; "
                "use threads=1 under MPI (nyang_train does)"
            )


def is_splittable(model: NyangModel) -> bool:
    """True if :func:`check_splittable` finds nothing against cutting ``model``'s batches."""
    try:
        check_splittable(model)
    except ValueError:
        return False
    return True
