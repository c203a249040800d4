"""Running a trained model: over a labelled loader (with metrics), or on new images."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..data.preprocessing import Preprocessing
from ..metrics import as_labels, compute_metrics, confusion_matrix
from ..nn.functional import softmax
from ..nn.loss import Loss
from ..nn.module import NyangModel, inference_mode
from ..utils.progress import progress_bar
from ..utils.serialization import nyang_load_model
from .threads import map_batches


@dataclass
class InferenceResult:
    """Everything :func:`nyang_inference` found: per-sample arrays and the summary."""

    predictions: np.ndarray  # (N,) predicted class indices
    probabilities: np.ndarray  # (N, C) softmax of the logits
    targets: np.ndarray  # (N,) true class indices
    metrics: dict[str, float] = field(default_factory=dict)
    confusion: np.ndarray | None = None  # (C, C), rows true, columns predicted
    loss: float | None = None  # mean of loss_fn over the samples, when one was given
    seconds: float = 0.0

    def __repr__(self) -> str:
        scores = ", ".join(f"{k}={v:.4f}" for k, v in self.metrics.items())
        return f"InferenceResult({len(self.predictions)} samples, {scores}, {self.seconds:.2f}s)"


def _as_model(model_or_path: NyangModel | str | Path, trusted: bool) -> NyangModel:
    if isinstance(model_or_path, NyangModel):
        return model_or_path
    return nyang_load_model(model_or_path, trusted)


def nyang_inference(
    model_or_path: NyangModel | str | Path,
    loader,
    loss_fn: Loss | None = None,
    metrics: Sequence[str] = ("accuracy", "f1"),
    progress: bool = True,
    trusted: bool = False,
    description: str = "inference",
    threads: int | None = None,
) -> InferenceResult:
    """Evaluate ``model_or_path`` (a model, or a file for :func:`nyang_load_model`) on every
    batch ``(x, y)`` of ``loader``: predictions, softmax probabilities, ``metrics`` (names as
    in :func:`nyangtorch.metrics.compute_metrics`), the confusion matrix and, with
    ``loss_fn``, the mean loss ``Σ_batches loss · B / N``. It runs in eval mode without
    keeping anything for backward; the model's mode is restored afterwards. The training loop
    validates with this same function.

    Each batch runs on ``threads`` threads at once, a share of its images each (default: as
    many as NumPy's BLAS uses; see :mod:`nyangtorch.eval.threads`), and the loss and metrics
    see whole batches, in the loader's order. A model whose eval-mode forward mixes the
    images of a batch (no nyangtorch layer does) needs ``threads=1``."""
    model = _as_model(model_or_path, trusted)
    compute_metrics(metrics, [0], [0])  # an unknown metric name fails before the loop
    probabilities, targets, total = [], [], 0.0
    start = time.perf_counter()
    labels = deque()  # each batch's y, taken when its x goes in, given back with its logits

    def images():
        for x, y in progress_bar(loader, description, progress):
            labels.append(y)
            yield x

    with inference_mode(model), closing(map_batches(model, images(), threads)) as outputs:
        for logits in outputs:
            y = labels.popleft()
            if loss_fn is not None:
                total += loss_fn(logits, y) * len(logits)
            probabilities.append(softmax(logits.astype(np.float64), axis=1))
            targets.append(as_labels(y))
    probs = np.concatenate(probabilities)
    result = InferenceResult(probs.argmax(axis=1), probs, np.concatenate(targets).astype(np.int64))
    result.metrics = compute_metrics(metrics, result.targets, result.predictions)
    result.confusion = confusion_matrix(result.targets, result.predictions, probs.shape[1])
    result.loss = total / len(probs) if loss_fn is not None else None
    result.seconds = time.perf_counter() - start
    return result


@dataclass
class Predictions:
    """What :func:`nyang_predict` found for each image: class probabilities (N, C) and the
    class names they refer to."""

    probabilities: np.ndarray
    classes: tuple[str, ...]

    @property
    def labels(self) -> list[str]:
        """The most probable class name of each image."""
        return [self.classes[i] for i in self.probabilities.argmax(axis=1)]

    def top(self, k: int = 3) -> list[list[tuple[str, float]]]:
        """Per image, the ``k`` most probable ``(class name, probability)`` pairs."""
        k = max(1, min(k, self.probabilities.shape[1]))
        best = np.argsort(-self.probabilities, axis=1, kind="stable")[:, :k]
        return [
            [(self.classes[i], float(p[i])) for i in row]
            for row, p in zip(best, self.probabilities)
        ]


def nyang_predict(
    model_or_path: NyangModel | str | Path,
    images: Sequence[str | Path] | np.ndarray,
    preprocessing: Preprocessing | None = None,
    batch_size: int = 256,
    trusted: bool = False,
    threads: int | None = None,
) -> Predictions:
    """Classify new images: image files, or uint8 arrays (N, H, W[, C]) at the model's size.

    They go through the model's :class:`~nyangtorch.data.Preprocessing` (saved in the model
    file by ``nyangtorch train``, or set as ``model.preprocessing``; pass ``preprocessing`` to
    use another): read at the trained size and channels, then ``(pixel / 255 − mean) / std``.
    Each batch runs on ``threads`` threads at once, as in :func:`nyang_inference`.
    """
    model = _as_model(model_or_path, trusted)
    preprocessing = preprocessing or getattr(model, "preprocessing", None)
    if preprocessing is None:
        source = "the model" if isinstance(model_or_path, NyangModel) else str(model_or_path)
        raise ValueError(
            f"{source} has no class names or normalisation (no preprocessing record): train "
            "it with `nyangtorch train`, set model.preprocessing to the record that "
            "nyangnyang_dataset_ready returns, or pass preprocessing="
        )
    pixels = images if isinstance(images, np.ndarray) else preprocessing.load(images)
    x = preprocessing(pixels)
    batches = (x[i : i + batch_size] for i in range(0, len(x), batch_size))
    with inference_mode(model):
        logits = list(map_batches(model, batches, threads))
    probabilities = softmax(np.concatenate(logits).astype(np.float64), axis=1)
    return Predictions(probabilities, preprocessing.classes)
