"""Write a dataset out as an image folder (``dir/<class>/<index>.png``)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .dataset import NyangDataset


def folder_name(class_name: str) -> str:
    """A class name safe as a folder name ("T-shirt/top" -> "T-shirt_top")."""
    return re.sub(r"[^\w.\- ]", "_", class_name).strip() or "_"


def export_image_folder(
    dataset: NyangDataset, directory: str | Path, limit: int | None = None
) -> Path:
    """Save each (untransformed) sample as a PNG under its class folder; returns the folder.

    Images must be uint8 (H, W, 1) or (H, W, 3), as the built-in datasets hold them.
    ``limit`` keeps the first ``limit`` samples.
    """
    from PIL import Image

    directory = Path(directory)
    saved_transform, dataset.transform = dataset.transform, None  # raw pixels, not normalised ones
    try:
        names = [folder_name(c) for c in dataset.classes]
        for name in names:
            (directory / name).mkdir(parents=True, exist_ok=True)
        for i in range(len(dataset) if limit is None else min(limit, len(dataset))):
            image, label = dataset[i]
            if image.dtype != np.uint8:
                raise ValueError(
                    f"export_image_folder: sample {i} is {image.dtype}, expected uint8 pixels"
                )
            Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(
                directory / names[label] / f"{i:06d}.png"
            )
    finally:
        dataset.transform = saved_transform
    return directory
