"""Compiled kernels: the loops a textbook writes, compiled to machine code with Numba.

Each module here holds the kernels of the layer module of the same name one folder up
(``kernels/pool.py`` for ``pool.py``): explicit loops over samples, window positions and
channels, decorated with ``@njit(cache=True, nogil=True)``. Numba compiles a kernel on its
first call, once for each dtype (float32, float64) and memory layout it meets, and stores
the machine code on disk, so later runs load it in milliseconds. The plain NumPy
formulations stay in the tests as the oracles every kernel is checked against.

Division. A kernel that divides is compiled with ``error_model="numpy"``: a division by
zero then gives inf or NaN, as in NumPy, instead of raising ZeroDivisionError as Python
does; the check Python's rule needs before every division stops the loop from being
vectorised (measured on Adam's update: ~3× slower).

Threads. Kernels run on one core: none is compiled with ``parallel=True``, so Numba never
starts a thread pool of its own. Where a batch runs whole on one thread (a model with
BatchNorm), the matrix products keep NumPy's multi-threaded BLAS, whose threads keep
spinning for a while after each product. Measured on two cores, the reference
CNN's training step with the window kernels parallel over samples (``prange``): 3.8× slower
with Numba's OpenMP layer, 7% slower with its workqueue layer (and 3% slower again with the
BLAS held to one thread, so that nothing spins), and no faster with OpenMP threads that sleep
instead of spinning (``OMP_WAIT_POLICY=passive``). Every kernel is compiled with
``nogil=True``: it releases Python's lock while it runs, so training and inference run a
share of each batch in each of several threads at once, each with a one-thread BLAS
(``nyangtorch.train.parallel``, ``nyangtorch.eval.threads``).

Cache folder. Numba writes the cache beside the source (``kernels/__pycache__``) when that
folder is writable, else into the user's cache folder (``~/.cache/numba``). When neither is
writable (a read-only install run by a user without a writable home), ``NUMBA_CACHE_DIR``
defaults to a folder in the temporary directory, so importing nyangtorch still works; set
``NUMBA_CACHE_DIR`` yourself to put the cache anywhere else.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np


def float_input(x: np.ndarray) -> np.ndarray:
    """``x`` as the kernels take it: float32 and float64 as they are, any other dtype as
    float32. Numba compiles no float16 arithmetic, and integer images have to become floats
    for the layers' arithmetic anyway (PyTorch refuses them)."""
    return x if x.dtype in (np.float32, np.float64) else x.astype(np.float32)


def _writable(folder: Path) -> bool:
    """True if files can be created in ``folder`` (made if missing), as Numba checks it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        return False
    return True


def _choose_cache_folder() -> None:
    """Set ``NUMBA_CACHE_DIR`` when neither of Numba's own choices is writable."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return  # the user's choice
    numba_choices = (
        Path(__file__).parent / "__pycache__",
        Path(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")) / "numba",
    )
    if any(_writable(folder) for folder in numba_choices):
        return
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    os.environ["NUMBA_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / f"nyangtorch-numba-{uid}")
    from numba.core import config  # after the variable is set: Numba reads it on import

    config.reload_config()


_choose_cache_folder()
