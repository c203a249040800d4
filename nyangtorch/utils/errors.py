"""The two ways a model or weight file can fail to load, shared by every file reader here."""

from __future__ import annotations

import pickle


class UnsafeModelFile(pickle.UnpicklingError):
    """A model file asked for something outside the allow-list; nothing of it was run."""


class ModelFileError(ValueError):
    """A file that is not a readable nyangtorch model or weight file (empty, truncated,
    damaged, foreign, or from a version of nyangtorch that this one cannot read)."""
