"""Per-mode image transforms with albumentations: augmentation for training, then normalisation."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from .split import check_mode

# Augmentations that keep each dataset's classes what they are.
PRESETS = {
    # Clothes: a mirrored shirt is still a shirt; small shifts, rotations and zooms.
    "fashion-mnist": dict(flip=True, translate=0.1, rotate=10, scale=(0.9, 1.1)),
    # Digits: no flips (a mirrored 2 is not a 2) and only a one-pixel wiggle on 8×8 images.
    "digits": dict(flip=False, translate=0.125, rotate=8, scale=(0.95, 1.05)),
    "default": dict(flip=True, translate=0.1, rotate=15, scale=(0.9, 1.1)),
    # Mirror and shift only: a milder choice for models that underfit the full preset.
    "light": dict(flip=True, translate=0.1, rotate=0, scale=(1.0, 1.0)),
}


def _albumentations():
    os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # no network check at import
    try:
        import albumentations
    except ImportError as error:  # optional dependency, imported only here
        raise ImportError(
            "augmentation needs albumentations: pip install 'nyangtorch[augment]'"
        ) from error
    return albumentations


class NyangTransform:
    """A callable ``image (H, W, C) -> image`` around an albumentations ``Compose``;
    ``reseed(seed)`` makes the random choices reproducible (the dataloader calls it)."""

    def __init__(self, compose, mode: str, seed: int = 0) -> None:
        self.compose, self.mode = compose, mode
        self.reseed(seed)

    def reseed(self, seed: int) -> None:
        self.compose.set_random_seed(seed)

    def __call__(self, image: np.ndarray) -> np.ndarray:
        out = self.compose(image=image)["image"]
        return out[..., None] if out.ndim == 2 else out  # cv2 drops a single channel axis

    def __repr__(self) -> str:
        steps = ", ".join(type(t).__name__ for t in self.compose.transforms)
        return f"NyangTransform({self.mode}: {steps})"


def nyang_transforms(
    mode: str,
    image_size: int | tuple[int, int] | None = None,
    mean: Sequence[float] | float | None = None,
    std: Sequence[float] | float | None = None,
    augment: bool = False,
    preset: str = "default",
    seed: int = 0,
) -> NyangTransform:
    """The transform for ``mode``: optional resize, then (train only, if ``augment``: off
    unless asked for, as everywhere in nyangtorch) the
    ``preset``'s flips / shifts / rotations / zooms, then ``x = (pixel / 255 − mean) / std``.

    ``mean`` and ``std`` are per channel in [0, 1] units; None means 0 and 1 (just scaling to
    [0, 1]). Pass your data's own statistics: albumentations' default ones are ImageNet RGB
    values, wrong for grayscale images. Presets: "fashion-mnist", "digits", "default", "light".
    """
    check_mode(mode)
    if preset not in PRESETS:
        raise ValueError(f"unknown augmentation preset {preset!r}; choose one of {sorted(PRESETS)}")
    A = _albumentations()
    steps = []
    if image_size is not None:
        h, w = (image_size, image_size) if isinstance(image_size, int) else image_size
        steps.append(A.Resize(h, w))
    if mode == "train" and augment:
        p = PRESETS[preset]
        if p["flip"]:
            steps.append(A.HorizontalFlip(p=0.5))
        steps.append(
            A.Affine(
                translate_percent=(-p["translate"], p["translate"]),
                rotate=(-p["rotate"], p["rotate"]),
                scale=p["scale"],
                p=0.7,
            )
        )
    mean = tuple(np.atleast_1d(0.0 if mean is None else mean).astype(float))
    std = tuple(np.atleast_1d(1.0 if std is None else std).astype(float))
    steps.append(A.Normalize(mean=mean, std=std, max_pixel_value=255.0))
    return NyangTransform(A.Compose(steps, seed=seed), mode, seed)
