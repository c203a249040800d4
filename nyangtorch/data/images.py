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
            if img.mode in WIDE_MODES:
                img = Image.fromarray(_to_8_bits(img, path))
            if channels is None:
                channels = 1 if img.mode in ("L", "1") else 3
            img = img.convert("L" if channels == 1 else "RGB")
            if image_size is not None:
                h, w = (image_size, image_size) if isinstance(image_size, int) else image_size
                img = img.resize((w, h), Image.Resampling.BILINEAR)
            array = np.asarray(img, dtype=np.uint8)
    except Image.DecompressionBombError as error:  # Pillow's guard against huge images
        raise ImageError(f"cannot read image {path}: too large ({error})") from error
    except (OSError, UnidentifiedImageError, SyntaxError) as error:
        raise ImageError(f"cannot read image {path}: {error}") from error
    return array[..., None] if array.ndim == 2 else array


# Grayscale modes wider than 8 bits: 16-bit integers (PNG) and 32-bit integers or floats (TIFF).
WIDE_MODES = ("I;16", "I;16B", "I;16L", "I", "F")


def _to_8_bits(img, path) -> np.ndarray:
    """A wide grayscale image as uint8 over its full range, not clipped to 0–255 by Pillow's
    ``convert("L")``: integers are 16-bit values, ``v · 255 / 65535``; floats are
    intensities in [0, 1] (the convention of scikit-image and of ToTensor), ``v · 255``."""
    values = np.asarray(img, dtype=np.float64)
    top = 1.0 if img.mode == "F" else 65535.0
    if values.size and (values.min() < 0 or values.max() > top):
        raise ImageError(
            f"cannot read image {path}: mode {img.mode} values span "
            f"[{values.min():g}, {values.max():g}], expected [0, {top:g}]"
        )
    return np.round(values * (255 / top)).astype(np.uint8)
