"""Utility: saving and loading models and weights."""

from .serialization import (
    ModelFileError,
    UnsafeModelFile,
    load_weights,
    nyang_load_model,
    nyang_save_model,
    save_weights,
)

__all__ = [
    "ModelFileError",
    "UnsafeModelFile",
    "load_weights",
    "nyang_load_model",
    "nyang_save_model",
    "save_weights",
]
