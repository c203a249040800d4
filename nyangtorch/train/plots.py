"""Training curves and confusion matrices as PNG files (matplotlib, imported lazily)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._plotting import pyplot
from .history import History


def plot_history(history: History, path: str | Path | None = None):
    """Loss curves (train, valid) and validation scores per epoch; saved as PNG if ``path``."""
    plt = pyplot()
    epochs = history["epoch"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    left.plot(epochs, history["train_loss"], "o-", label="train loss")
    if any(v is not None for v in history["valid_loss"]):
        left.plot(epochs, history["valid_loss"], "o-", label="valid loss")
    if history.best_epoch is not None:
        left.axvline(
            history.best_epoch,
            color="gray",
            linestyle=":",
            label=f"best (epoch {history.best_epoch})",
        )
    left.set_xlabel("epoch")
    left.set_ylabel("loss")
    left.legend()
    for key in dict.fromkeys(
        k for r in history.records for k in r if k.startswith("valid_") and k != "valid_loss"
    ):
        right.plot(epochs, history[key], "o-", label=key.removeprefix("valid_"))
    right.set_xlabel("epoch")
    right.set_ylabel("validation score")
    if right.lines:
        right.legend()
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


def plot_confusion(
    matrix: np.ndarray, class_names, path: str | Path | None = None, title: str = ""
):
    """A confusion matrix (rows true, columns predicted) with counts in each cell."""
    plt = pyplot()
    k = len(matrix)
    fig, ax = plt.subplots(figsize=(1.0 + 0.6 * k, 0.8 + 0.55 * k))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(k), class_names, rotation=45, ha="right")
    ax.set_yticks(range(k), class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    threshold = matrix.max() / 2 if matrix.size else 0
    for i in range(k):
        for j in range(k):
            ax.text(
                j,
                i,
                str(matrix[i, j]),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if matrix[i, j] > threshold else "black",
            )
    if title:
        ax.set_title(title)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig
