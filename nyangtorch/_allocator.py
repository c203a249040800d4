"""Keep large NumPy temporaries on the heap instead of fresh ``mmap`` pages.

A training step allocates and frees the same large arrays (im2col rows, gradients) every
batch. glibc hands each array above its mmap threshold fresh pages from the kernel, and
touching them costs a page fault per 4 KiB: measured here, about a third of a reference-CNN
step. PyTorch avoids this with its caching allocator; the equivalent for NumPy is to raise
glibc's thresholds so freed blocks are reused. Linux/glibc only; set
``NYANGTORCH_NO_MALLOC_TUNING=1`` to leave the allocator alone.

It changes the whole process, so importing nyangtorch never does it: ``nyang_train`` and the
``nyangtorch`` command call :func:`tune_allocator`, and so may a script of your own.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest allowed value on 64-bit
TRIM_THRESHOLD = 256 * 1024 * 1024  # free heap kept for reuse before returning it


_tuned: bool | None = None  # None until the first call; then what glibc answered


def tune_allocator() -> bool:
    """Apply the thresholds (once per process; later calls return the first answer). True if
    glibc accepted them."""
    global _tuned
    if _tuned is None:
        _tuned = _apply_thresholds()
    return _tuned


def _apply_thresholds() -> bool:
    if not sys.platform.startswith("linux") or os.environ.get("NYANGTORCH_NO_MALLOC_TUNING"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl): nothing to tune
        return False
    return bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
