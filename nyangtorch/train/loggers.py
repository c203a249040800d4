"""Experiment loggers. A logger has ``log(values, step)`` and, optionally, ``finish()``;
Weights & Biases is one (imported lazily, never required)."""

from __future__ import annotations

import os
import sys


class WandbLogger:
    """Log to Weights & Biases: config once, loss and lr per step, metrics per epoch.

    Pass an existing run, or let it start one. With no API key (``WANDB_API_KEY`` unset and no
    ``wandb login``) the run is offline — files under ``./wandb`` to ``wandb sync`` later — and
    it says so. ``WANDB_MODE=disabled`` turns it into a no-op, as wandb itself documents.
    """

    def __init__(self, run=None, project: str = "nyangtorch", config: dict | None = None) -> None:
        if run is None:
            try:
                import wandb
            except ImportError as error:
                raise ImportError(
                    "logger='wandb' needs the wandb package: pip install 'nyangtorch[logging]'"
                ) from error
            mode = os.environ.get("WANDB_MODE")
            if mode is None and not (os.environ.get("WANDB_API_KEY") or _logged_in(wandb)):
                mode = "offline"
                print(
                    "wandb: no API key found, logging offline (run `wandb sync` later to upload)",
                    file=sys.stderr,
                )
            run = wandb.init(
                project=project, config=config or {}, mode=mode, reinit="finish_previous"
            )
            self._owns_run = True
        else:
            self._owns_run = False
            if config:
                run.config.update(config, allow_val_change=True)
        self.run = run

    def log(self, values: dict, step: int) -> None:
        self.run.log(values, step=step)

    def finish(self) -> None:
        if self._owns_run:
            self.run.finish()


def _logged_in(wandb) -> bool:
    try:
        return bool(wandb.api.api_key)
    except Exception:  # any failure to read the key means: not logged in
        return False


def make_logger(logger, config: dict):
    """None, "wandb", a wandb run, or any object with ``log(values, step)``."""
    if logger is None:
        return None
    if logger == "wandb":
        return WandbLogger(config=config)
    if isinstance(logger, str):
        raise ValueError(
            f"unknown logger {logger!r}; use 'wandb', a wandb run, or an object with log()"
        )
    if type(logger).__module__.startswith("wandb"):
        return WandbLogger(run=logger, config=config)
    if not callable(getattr(logger, "log", None)):
        raise TypeError(f"logger {logger!r} has no log(values, step) method")
    return logger
