"""nyangtorch vs PyTorch: model conversion, twin runs and their report (imports torch lazily)."""

from .convert import from_torch, to_torch
from .memory import peak_memory_mb
from .twin import Side, TwinResult, twin_run

__all__ = ["Side", "TwinResult", "from_torch", "peak_memory_mb", "to_torch", "twin_run"]
