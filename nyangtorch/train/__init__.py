"""Training: the loop, data parallel on several cores, its checkpoints, early stopping,
history, loggers and plots."""

from .checkpoint import Checkpointer
from .early_stopping import EarlyStopping
from .history import History
from .loggers import WandbLogger
from .loop import NonFiniteLossError, nyang_train, train_one_epoch
from .parallel import DataParallel
from .plots import plot_confusion, plot_history

__all__ = [
    "Checkpointer",
    "DataParallel",
    "EarlyStopping",
    "History",
    "NonFiniteLossError",
    "WandbLogger",
    "nyang_train",
    "plot_confusion",
    "plot_history",
    "train_one_epoch",
]
