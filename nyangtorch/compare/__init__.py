"""nyangtorch vs PyTorch: model conversion, twin runs and their report (imports torch lazily)."""

from .convert import from_torch, to_torch
from .twin import Side, TwinResult, peak_memory_mb, twin_run

__all__ = ["Side", "TwinResult", "from_torch", "peak_memory_mb", "to_torch", "twin_run"]
