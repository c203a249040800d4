"""Evaluation and inference (the metrics themselves live in ``nyangtorch.metrics``)."""

from .inference import InferenceResult, Predictions, nyang_inference, nyang_predict

__all__ = ["InferenceResult", "Predictions", "nyang_inference", "nyang_predict"]
