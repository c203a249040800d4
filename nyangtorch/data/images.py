"""Reading one image file into an (H, W, C) uint8 array with Pillow."""

from __future__ import annotations

from pathlib import Path

import numpy as np

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


class ImageError(ValueError):
    """An image file that cannot be read; the message names the file."""


def load_image(
    path: str | Path, channels: int | None = None, image_size: int | tuple[int, int] | None = None
) -> np.ndarray:
    """(H, W, C) uint8. ``channels``: 1 (grayscale), 3 (RGB) or None (as stored: grayscale
    stays 1 channel, anything else becomes RGB). ``image_size``: int or (H, W) to resize."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError as error:  # optional dependency, imported only here
        raise ImportError(
            "reading image files needs Pillow: pip install 'nyangtorch[images]'"
        ) from error
    try:
        with Image.open(path) as img:
            img.load()
            if channels is None:
                channels = 1 if img.mode in ("L", "1", "I", "F", "I;16") else 3
            img = img.convert("L" if channels == 1 else "RGB")
            if image_size is not None:
                h, w = (image_size, image_size) if isinstance(image_size, int) else image_size
                img = img.resize((w, h), Image.Resampling.BILINEAR)
            array = np.asarray(img, dtype=np.uint8)
    except (OSError, UnidentifiedImageError, SyntaxError) as error:
        raise ImageError(f"cannot read image {path}: {error}") from error
    return array[..., None] if array.ndim == 2 else array
