"""Run a model over a loader and collect predictions, probabilities and metrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..nn.functional import softmax
from ..nn.module import NyangModel, inference_mode
from ..utils.progress import progress_bar
from ..utils.serialization import nyang_load_model
from .metrics import as_labels, compute_metrics, confusion_matrix


@dataclass
class InferenceResult:
    """Everything :func:`nyang_inference` found: per-sample arrays and the summary."""

    predictions: np.ndarray  # (N,) predicted class indices
    probabilities: np.ndarray  # (N, C) softmax of the logits
    targets: np.ndarray  # (N,) true class indices
    metrics: dict[str, float] = field(default_factory=dict)
    confusion: np.ndarray | None = None  # (C, C), rows true, columns predicted
    seconds: float = 0.0

    def __repr__(self) -> str:
        scores = ", ".join(f"{k}={v:.4f}" for k, v in self.metrics.items())
        return f"InferenceResult({len(self.predictions)} samples, {scores}, {self.seconds:.2f}s)"


def nyang_inference(
    model_or_path: NyangModel | str | Path,
    loader,
    metrics=("accuracy", "f1"),
    progress: bool = True,
    trusted: bool = False,
) -> InferenceResult:
    """Evaluate ``model_or_path`` (a model, or a file for :func:`nyang_load_model`) on every
    batch of ``loader`` in eval mode and without keeping anything for backward. The model's
    previous mode is restored afterwards."""
    import time

    model = (
        model_or_path
        if isinstance(model_or_path, NyangModel)
        else nyang_load_model(model_or_path, trusted)
    )
    probabilities, targets = [], []
    start = time.perf_counter()
    with inference_mode(model):
        for x, y in progress_bar(loader, "inference", progress):
            probabilities.append(softmax(model(x).astype(np.float64), axis=1))
            targets.append(as_labels(y))
    probs = np.concatenate(probabilities)
    result = InferenceResult(probs.argmax(axis=1), probs, np.concatenate(targets).astype(np.int64))
    result.metrics = compute_metrics(metrics, result.targets, result.predictions)
    result.confusion = confusion_matrix(result.targets, result.predictions, probs.shape[1])
    result.seconds = time.perf_counter() - start
    return result
