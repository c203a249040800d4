"""Preprocessing: what a trained model expects of an image, kept in one record.

The pipeline measures it on the training data, the model file carries it (``model.preprocessing``)
and :func:`nyangtorch.eval.nyang_predict` applies it, so an image met later goes through
exactly what the training images went through (minus augmentation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .images import load_image
from .loader import to_nchw


@dataclass(frozen=True)
class Preprocessing:
    """Class names (in label order), per-channel ``mean`` and ``std`` in [0, 1] units, the
    image size (H, W) and the channel count the model was trained on.

    Calling it turns images into a model's input: ``x = (pixel / 255 − mean) / std``,
    (N, H, W, C) uint8 → (N, C, H, W) float32.
    """

    classes: tuple[str, ...]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    image_size: tuple[int, int]
    channels: int

    @classmethod
    def measure(cls, images: np.ndarray, classes: Sequence[str]) -> Preprocessing:
        """The record of uint8 (N, H, W, C) training ``images``: their per-channel mean and
        std (a std of 0, a blank channel, is taken as 1e-6 so nothing divides by zero)."""
        x = images.reshape(-1, images.shape[-1]).astype(np.float64) / 255
        return cls(
            classes=tuple(classes),
            mean=tuple(float(m) for m in x.mean(axis=0)),
            std=tuple(float(s) for s in np.maximum(x.std(axis=0), 1e-6)),
            image_size=(int(images.shape[1]), int(images.shape[2])),
            channels=int(images.shape[3]),
        )

    def load(self, paths: Sequence[str | Path]) -> np.ndarray:
        """Image files read with this record's channels and size: (N, H, W, C) uint8."""
        return np.stack([load_image(p, self.channels, self.image_size) for p in paths])

    def __call__(self, images: np.ndarray) -> np.ndarray:
        images = np.asarray(images)
        if images.ndim == 3 and self.channels == 1:
            images = images[..., None]
        if images.ndim != 4 or images.shape[1:] != (*self.image_size, self.channels):
            raise ValueError(
                f"expected images (N, {self.image_size[0]}, {self.image_size[1]}, "
                f"{self.channels}) as the model was trained on, got {images.shape}"
            )
        pixels = to_nchw(images)  # float32, uint8 scaled to [0, 1]
        mean = np.asarray(self.mean, np.float32).reshape(-1, 1, 1)
        std = np.asarray(self.std, np.float32).reshape(-1, 1, 1)
        return (pixels - mean) / std
