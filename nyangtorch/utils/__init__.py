"""Utility: saving and loading models and weights."""

from .errors import ModelFileError, UnsafeModelFile
from .serialization import nyang_load_model, nyang_save_model
from .weights import load_weights, save_weights

__all__ = [
    "ModelFileError",
    "UnsafeModelFile",
    "load_weights",
    "nyang_load_model",
    "nyang_save_model",
    "save_weights",
]
