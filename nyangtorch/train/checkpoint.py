"""Checkpointer: the files a training run leaves in its output folder."""

from __future__ import annotations

from pathlib import Path

from ..nn.module import NyangModel
from ..utils.serialization import load_object, nyang_save_model, save_object
from .history import History


class Checkpointer:
    """Writes a run's files into ``out_dir``, each atomically (a crash leaves the old file or
    the new one, whole):

    - ``best.pickle``: the model of the best epoch (load it with ``nyang_load_model``);
    - ``last.pickle``: everything needed to continue after the last finished epoch (model,
      optimizer, scheduler, loader position, random state, history), for ``resume=``;
    - ``history.json`` and ``history.csv``: one row per epoch.
    """

    def __init__(self, out_dir: str | Path) -> None:
        self.out_dir = Path(out_dir)
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise NotADirectoryError(f"out_dir {self.out_dir} exists and is not a folder")

    @property
    def best_path(self) -> Path:
        return self.out_dir / "best.pickle"

    @property
    def last_path(self) -> Path:
        return self.out_dir / "last.pickle"

    def save_best(self, model: NyangModel) -> None:
        nyang_save_model(model, self.best_path)

    def save_last(self, state: dict) -> None:
        save_object(state, self.last_path, kind="checkpoint")

    def save_history(self, history: History) -> None:
        history.save(self.out_dir)

    @staticmethod
    def load_last(path: str | Path) -> dict:
        """A state written by :meth:`save_last` (checked like any model file)."""
        return load_object(path, kind="checkpoint")
