"""Training: the loop, its history, loggers and plots."""

from .history import History
from .loggers import WandbLogger
from .loop import NonFiniteLossError, evaluate, nyang_train
from .plots import plot_confusion, plot_history

__all__ = [
    "History",
    "NonFiniteLossError",
    "WandbLogger",
    "evaluate",
    "nyang_train",
    "plot_confusion",
    "plot_history",
]
