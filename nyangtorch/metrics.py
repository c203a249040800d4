"""Classification metrics. Inputs may be class indices (N,), one-hot labels or logits /
probabilities (N, C); results equal scikit-learn's on the same inputs."""

from __future__ import annotations

import numpy as np

__all__ = [
    "accuracy",
    "as_labels",
    "compute_metrics",
    "confusion_matrix",
    "confusion_pairs",
    "f1_score",
    "precision",
    "recall",
]

AVERAGES = ("macro", "micro", "weighted", "binary")


def as_labels(y) -> np.ndarray:
    """(N,) class indices from indices, one-hot, or scores (argmax of each row)."""
    y = np.asarray(y)
    if y.ndim == 2:
        return y.argmax(axis=1)
    if y.ndim != 1:
        raise ValueError(f"expected class indices (N,) or scores (N, C), got shape {y.shape}")
    if np.issubdtype(y.dtype, np.floating):
        if not np.all(y == np.round(y)):
            raise ValueError("1-D float labels must be whole numbers (class indices)")
        return y.astype(np.int64)
    return y.astype(np.int64, copy=False)


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    t, p = as_labels(y_true), as_labels(y_pred)
    if t.shape != p.shape:
        raise ValueError(f"y_true has {len(t)} samples but y_pred has {len(p)}")
    return t, p


def accuracy(y_true, y_pred) -> float:
    """Fraction of samples whose predicted class is the true class."""
    t, p = _pair(y_true, y_pred)
    return float(np.mean(t == p)) if t.size else 0.0


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """``M[i, j]`` = number of samples of true class i predicted as j (rows true, as sklearn)."""
    t, p = _pair(y_true, y_pred)
    k = (
        num_classes
        if num_classes is not None
        else int(max(t.max(initial=-1), p.max(initial=-1))) + 1
    )
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k)


def confusion_pairs(confusion: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``(y_true, y_pred)`` pairs a confusion matrix counts, ``M[i, j]`` times ``(i, j)``.

    Every metric here depends on the pairs only through these counts, so metrics of the pairs
    equal those of the labels the matrix was made from (and a sum of matrices, e.g. over the
    shards of a data set, gives the metrics of the whole)."""
    k = len(confusion)
    true, pred = np.divmod(np.arange(k * k), k)
    counts = np.ravel(confusion)
    return np.repeat(true, counts), np.repeat(pred, counts)


def _per_class(t, p, labels):
    tp = np.array([np.sum((p == c) & (t == c)) for c in labels], dtype=float)
    predicted = np.array([np.sum(p == c) for c in labels], dtype=float)
    actual = np.array([np.sum(t == c) for c in labels], dtype=float)
    return tp, predicted, actual


def _divide(a, b):
    """a / b with 0 where b == 0 (scikit-learn's zero_division=0, without the warning)."""
    return np.divide(a, b, out=np.zeros_like(a, dtype=float), where=b != 0)


def _scores(y_true, y_pred, average: str, pos_label: int, labels):
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}")
    t, p = _pair(y_true, y_pred)
    if average == "binary":
        present = np.union1d(t, p)
        if len(present) > 2:
            raise ValueError(
                f"average='binary' needs two classes, got {len(present)}; use 'macro' or 'micro'"
            )
        labels = [pos_label]
    elif labels is None:
        labels = np.union1d(t, p)
    tp, predicted, actual = _per_class(t, p, np.asarray(labels))
    if average == "micro":
        tp, predicted, actual = (
            tp.sum(keepdims=True),
            predicted.sum(keepdims=True),
            actual.sum(keepdims=True),
        )
    precision = _divide(tp, predicted)
    recall = _divide(tp, actual)
    f1 = _divide(2 * tp, predicted + actual)  # = 2PR / (P + R), and 0 when both are 0
    if average == "weighted":
        weights = _divide(actual, np.full_like(actual, actual.sum()))
        return tuple(float(np.sum(s * weights)) for s in (precision, recall, f1))
    return tuple(float(np.mean(s)) for s in (precision, recall, f1))


def precision(y_true, y_pred, average: str = "macro", pos_label: int = 1, labels=None) -> float:
    """``TP / (TP + FP)`` per class, averaged ("macro", "micro", "weighted" or "binary")."""
    return _scores(y_true, y_pred, average, pos_label, labels)[0]


def recall(y_true, y_pred, average: str = "macro", pos_label: int = 1, labels=None) -> float:
    """``TP / (TP + FN)`` per class, averaged like :func:`precision`."""
    return _scores(y_true, y_pred, average, pos_label, labels)[1]


def f1_score(y_true, y_pred, average: str = "macro", pos_label: int = 1, labels=None) -> float:
    """``2·TP / (2·TP + FP + FN)`` (the harmonic mean of precision and recall) per class,
    averaged: "macro" (plain mean over classes), "micro" (from the pooled counts), "weighted"
    (by class support) or "binary" (the ``pos_label`` class only)."""
    return _scores(y_true, y_pred, average, pos_label, labels)[2]


METRICS = {
    "accuracy": accuracy,
    "precision": precision,
    "recall": recall,
    "f1": f1_score,
    "f1_macro": f1_score,
    "f1_micro": lambda t, p: f1_score(t, p, "micro"),
    "f1_weighted": lambda t, p: f1_score(t, p, "weighted"),
}


def compute_metrics(names, y_true, y_pred) -> dict[str, float]:
    """``{name: value}`` for metric names such as "accuracy", "f1" (macro), "precision"."""
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric(s) {unknown}; choose from {sorted(METRICS)}")
    return {name: METRICS[name](y_true, y_pred) for name in names}
