"""Datasets: the abstract base, in-memory arrays, and a folder of images per class."""

from __future__ import annotations

import functools
import warnings
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .images import WIDE_MODES, ImageError, load_image
from .split import check_class_names, check_ratios, find_classes, nyang_split, split_indices


def one_hot(indices, num_classes: int) -> np.ndarray:
    """Class indices (N,) -> one-hot float32 (N, num_classes)."""
    indices = np.asarray(indices)
    out = np.zeros((indices.size, num_classes), np.float32)
    out[np.arange(indices.size), indices.reshape(-1)] = 1
    return out


class NyangDataset(ABC):
    """Base for every dataset: ``len(ds)`` samples, ``ds[i] -> (image, label)``.

    ``image`` is an (H, W, C) array (uint8 before normalisation, float32 after), ``label`` the
    index of its class in ``classes`` (as in torchvision). Subclasses implement ``__len__`` and
    ``__getitem__``; Python refuses to instantiate one that misses either.
    """

    classes: list[str] = []
    transform = None

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def __getitem__(self, index: int) -> tuple[np.ndarray, int]: ...

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def get_batch(self, indices: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Samples ``indices`` stacked: images (B, H, W, C) and int64 class indices (B,)."""
        samples = [self[int(i)] for i in indices]
        return np.stack([s[0] for s in samples]), np.array([s[1] for s in samples], np.int64)

    def _apply(self, image: np.ndarray) -> np.ndarray:
        return image if self.transform is None else self.transform(image)


LAYOUTS = ("NHWC", "NCHW")


def channels_last_images(images: np.ndarray, layout: str | None = None) -> np.ndarray:
    """(N, H, W) or (N, H, W, C) / (N, C, H, W) images as (N, H, W, C), the way datasets hold
    them. ``layout`` None: the channel axis is the one of length 1 or 3 (grey or RGB) at
    either end, when only one end has such a length; otherwise ``layout`` must say."""
    if images.ndim == 3:
        return images[..., None]
    if images.ndim != 4:
        raise ValueError(
            f"ArrayDataset: images must be (N, H, W), (N, H, W, C) or (N, C, H, W), "
            f"got {images.shape}"
        )
    if layout is None:
        first, last = images.shape[1] in (1, 3), images.shape[3] in (1, 3)
        if first == last:
            raise ValueError(
                f"ArrayDataset: cannot tell the channel axis of images {images.shape}; "
                "pass layout='NHWC' or layout='NCHW'"
            )
        layout = "NCHW" if first else "NHWC"
    if layout not in LAYOUTS:
        raise ValueError(f"ArrayDataset: layout must be 'NHWC' or 'NCHW', got {layout!r}")
    return images.transpose(0, 2, 3, 1) if layout == "NCHW" else images


class ArrayDataset(NyangDataset):
    """Images held in memory: ``images`` (N, H, W), (N, H, W, C) or (N, C, H, W) — the
    channel axis is found as :func:`channels_last_images` says, or named by ``layout`` —
    uint8 pixels (scaled to [0, 1] by the loader) or floats (used as they are); ``labels``
    class indices (N,) or one-hot (N, C); ``classes`` names (default "0", "1", ...)."""

    def __init__(
        self,
        images: np.ndarray,
        labels: np.ndarray,
        classes: Sequence[str] | None = None,
        transform=None,
        layout: str | None = None,
    ) -> None:
        images = channels_last_images(np.asarray(images), layout)
        labels = np.asarray(labels)
        if len(images) != len(labels):
            raise ValueError(f"ArrayDataset: {len(images)} images but {len(labels)} labels")
        if labels.ndim == 2:
            indices = labels.argmax(axis=1)
            n_classes = labels.shape[1]
        elif labels.ndim == 1 and np.issubdtype(labels.dtype, np.integer):
            indices = labels
            n_classes = int(labels.max()) + 1 if labels.size else 0
        else:
            raise ValueError(
                f"ArrayDataset: labels must be class indices (N,) of integers or one-hot (N, C), "
                f"got {labels.shape} of {labels.dtype}"
            )
        self.classes = (
            check_class_names(classes, "ArrayDataset")
            if classes is not None
            else [str(i) for i in range(n_classes)]
        )
        if indices.size and indices.min() < 0:
            raise ValueError(f"ArrayDataset: label {indices.min()} is negative")
        if indices.size and indices.max() >= len(self.classes):
            raise ValueError(
                f"ArrayDataset: label {indices.max()} out of range for {len(self.classes)} classes"
            )
        self.images = images
        self.targets = indices.astype(np.int64)
        self.transform = transform

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
        return self._apply(self.images[index]), int(self.targets[index])

    def get_batch(self, indices: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        if self.transform is not None:
            return super().get_batch(indices)
        indices = np.asarray(indices)  # no transform: one vectorised gather, no loop
        return self.images[indices], self.targets[indices]

    def split(self, ratios: Sequence[float] = (0.8, 0.1, 0.1), seed: int = 0) -> list[ArrayDataset]:
        """Three disjoint parts (train, valid, test) covering every sample: each class is
        shuffled with ``seed`` and cut by ``ratios``, the rule :func:`nyang_split` applies to
        an image folder. ``(0.9, 0.1, 0)`` is Keras' ``validation_split=0.1`` (empty test)."""
        ratios = check_ratios(ratios)
        rng = np.random.default_rng(seed)
        parts: list[list[np.ndarray]] = [[], [], []]
        for c in np.unique(self.targets):
            members = np.flatnonzero(self.targets == c)
            for part, chosen in zip(parts, split_indices(len(members), ratios, rng)):
                part.append(members[chosen])
        return [self.subset(np.sort(np.concatenate(p))) for p in parts]

    def subset(self, indices: Sequence[int]) -> ArrayDataset:
        """A new dataset of the samples at ``indices`` (same classes and transform)."""
        indices = np.asarray(indices)
        return ArrayDataset(
            self.images[indices], self.targets[indices], self.classes, self.transform, "NHWC"
        )


class NyangNyangDataset(NyangDataset):
    """A folder dataset: ``root/<class>/*.png|jpg|...``, split by :func:`nyang_split`.

    Images are read with Pillow as (H, W, C) uint8 — grayscale (C = 1) or RGB (C = 3) by
    ``channels``, or as stored — optionally resized to ``image_size``. With ``cache=True``
    (default) every image of the split is read once, here, so a corrupt file fails now with its
    name, and nothing is half-loaded; ``skip_bad=True`` drops unreadable files with a warning
    and counts them in ``skipped``.
    """

    def __init__(
        self,
        root: str | Path,
        classes: Sequence[str] | None = None,
        mode: str = "train",
        ratios: Sequence[float] = (0.8, 0.1, 0.1),
        seed: int = 0,
        transform=None,
        image_size: int | tuple[int, int] | None = None,
        channels: int | None = None,
        stratify: bool = True,
        cache: bool = True,
        skip_bad: bool = False,
    ) -> None:
        if channels not in (None, 1, 3):
            raise ValueError(f"NyangNyangDataset: channels must be 1, 3 or None, got {channels}")
        self.root, self.mode, self.transform = Path(root), mode, transform
        self.image_size, self.channels = image_size, channels
        self.classes = find_classes(self.root, classes)
        samples = nyang_split(root, self.classes, mode, ratios, seed, stratify)
        images, kept, self.skipped = [], [], []
        for path, label in samples:
            try:
                image = (
                    load_image(path, channels, image_size)
                    if cache
                    else _header(path, channels, image_size)
                )
            except ImageError as error:
                if not skip_bad:
                    raise
                self.skipped.append(str(path))
                warnings.warn(str(error), stacklevel=2)
                continue
            images.append(image)
            kept.append((path, label))
        if self.skipped:
            warnings.warn(
                f"NyangNyangDataset: skipped {len(self.skipped)} unreadable image(s) in {root}",
                stacklevel=2,
            )
        _check_same_size(kept, images)
        self.samples = kept
        self._images = images if cache else None

    def __len__(self) -> int:
        return len(self.samples)

    def raw_image(self, index: int) -> np.ndarray:
        """Image ``index`` as read, (H, W, C) uint8, before the transform."""
        if self._images is not None:
            return self._images[index]
        return load_image(self.samples[index][0], self.channels, self.image_size)

    @functools.cached_property
    def images(self) -> np.ndarray:
        """Every image as read, stacked once: (N, H, W, C) uint8 (like ``ArrayDataset.images``).

        Without the up-front cache this reads every file, once, on first access."""
        return np.stack([self.raw_image(i) for i in range(len(self))])

    def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
        return self._apply(self.raw_image(index)), self.samples[index][1]


def _header(path: Path, channels, image_size) -> np.ndarray:
    """Only the shape of an image (read from its header), for the uncached mode's size check."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            w, h = img.size
            c = channels or (1 if img.mode in ("L", "1", *WIDE_MODES) else 3)
    except Image.DecompressionBombError as error:
        raise ImageError(f"cannot read image {path}: too large ({error})") from error
    except (OSError, UnidentifiedImageError) as error:
        raise ImageError(f"cannot read image {path}: {error}") from error
    if image_size is not None:
        h, w = (image_size, image_size) if isinstance(image_size, int) else image_size
    return np.empty((h, w, c), np.uint8)


def _check_same_size(samples, images) -> None:
    shapes: dict[tuple, Path] = {}
    for (path, _), image in zip(samples, images):
        shapes.setdefault(image.shape, path)
        if len(shapes) > 1:
            (a, pa), (b, pb) = list(shapes.items())[:2]
            raise ValueError(
                f"images differ in size: {pa} is {a} but {pb} is {b} (H, W, C); "
                "pass image_size=... (and channels=...) to resize them all"
            )
