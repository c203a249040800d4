"""``nyangtorch.metrics``: the public home of the metric functions (they live in eval/)."""

from .eval.metrics import (  # noqa: F401
    accuracy,
    as_labels,
    compute_metrics,
    confusion_matrix,
    f1_score,
    precision,
    recall,
)

__all__ = [
    "accuracy",
    "as_labels",
    "compute_metrics",
    "confusion_matrix",
    "f1_score",
    "precision",
    "recall",
]
