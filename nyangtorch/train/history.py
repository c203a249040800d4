"""History: what happened in each epoch of a training run."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..utils.serialization import atomic_write


@dataclass
class History:
    """Per-epoch records (``epoch``, ``train_loss``, ``train_accuracy``, ``valid_loss``,
    ``valid_accuracy``, ``valid_f1``, ``lr``, ``seconds``), the best epoch by the monitored
    loss (the lowest), and why the run stopped (``None`` if it ran every epoch; else "early
    stopping", "interrupted" or "non-finite loss")."""

    records: list[dict] = field(default_factory=list)
    monitor: str = "valid_loss"
    best_epoch: int | None = None
    best_value: float | None = None
    stopped_early: bool = False
    stop_reason: str | None = None

    def __getitem__(self, key: str) -> list:
        """One column, e.g. ``history["valid_loss"]``."""
        return [r.get(key) for r in self.records]

    def __len__(self) -> int:
        return len(self.records)

    def append(self, record: dict) -> bool:
        """Add one epoch's record; True when its monitored loss is the lowest so far."""
        self.records.append(record)
        value = record[self.monitor]
        if self.best_value is None or value < self.best_value:
            self.best_epoch, self.best_value = record["epoch"], value
            return True
        return False

    def to_dict(self) -> dict:
        """Plain lists and numbers (what ``history.json`` and checkpoints hold)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> History:
        """The inverse of :meth:`to_dict`: a checkpoint's history, ready to grow again."""
        return cls(**values)

    def save(self, folder: str | Path) -> None:
        """Write ``history.json`` and ``history.csv`` into ``folder`` (atomically)."""
        folder = Path(folder)
        atomic_write(folder / "history.json", json.dumps(self.to_dict(), indent=2).encode())
        columns = list(dict.fromkeys(k for r in self.records for k in r))
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=columns)
        writer.writeheader()
        writer.writerows(self.records)
        atomic_write(folder / "history.csv", text.getvalue().encode())
