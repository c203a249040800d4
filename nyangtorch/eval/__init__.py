"""Evaluation and inference."""

from .inference import InferenceResult, nyang_inference
from .metrics import accuracy, compute_metrics, confusion_matrix, f1_score, precision, recall

__all__ = [
    "InferenceResult",
    "accuracy",
    "compute_metrics",
    "confusion_matrix",
    "f1_score",
    "nyang_inference",
    "precision",
    "recall",
]
