"""EarlyStopping: stop a run once the monitored value has stopped improving."""

from __future__ import annotations

import math

from .history import History

MODES = ("min", "max")


class EarlyStopping:
    """Stop after ``patience`` epochs without improvement of ``monitor`` (a history column).

    An epoch improves on the best so far when its value is lower by more than ``min_delta``
    (``mode="min"``, for losses) or higher by more than ``min_delta`` (``mode="max"``, for
    accuracy or F1), as Keras' ``EarlyStopping``. The rule reads the history alone, so a
    resumed run decides exactly as an uninterrupted one.
    """

    def __init__(
        self,
        patience: int,
        monitor: str = "valid_loss",
        mode: str = "min",
        min_delta: float = 0.0,
    ) -> None:
        if not isinstance(patience, int) or patience < 1:
            raise ValueError(f"EarlyStopping: patience must be an integer >= 1, got {patience!r}")
        if mode not in MODES:
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        if not min_delta >= 0:  # also refuses NaN
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta!r}")
        self.patience, self.monitor, self.mode, self.min_delta = patience, monitor, mode, min_delta

    def best_epoch(self, history: History) -> int | None:
        """The last epoch that improved on every epoch before it (None before the first)."""
        sign = 1.0 if self.mode == "min" else -1.0
        best_epoch, best = None, math.inf
        for record in history.records:
            value = sign * record[self.monitor]
            if value < best - self.min_delta:
                best_epoch, best = record["epoch"], value
        return best_epoch

    def should_stop(self, history: History) -> bool:
        """True once ``patience`` epochs have passed since :meth:`best_epoch`."""
        best = self.best_epoch(history)
        last = history.records[-1]["epoch"] if history.records else 0
        return last - (best or 0) >= self.patience

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(patience={self.patience}, monitor={self.monitor!r}, "
            f"mode={self.mode!r}, min_delta={self.min_delta})"
        )
