"""Seeded, stratified train / valid / test split of an image folder."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .images import IMAGE_EXTENSIONS

MODES = ("train", "valid", "test")


def check_ratios(ratios: Sequence[float]) -> tuple[float, float, float]:
    ratios = tuple(float(r) for r in ratios)
    if (
        len(ratios) != 3
        or any(r < 0 for r in ratios)
        or not math.isclose(sum(ratios), 1.0, abs_tol=1e-6)
    ):
        raise ValueError(
            "ratios must be three non-negative numbers (train, valid, test) summing to 1, "
            f"got {ratios}"
        )
    return ratios


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    return mode


def split_indices(n: int, ratios: Sequence[float], rng: np.random.Generator) -> list[np.ndarray]:
    """A seeded permutation of range(n) cut at the cumulative ratios (rounded half up), so a
    ratio of 0 gives an empty part and the three parts always cover all n."""
    order = rng.permutation(n)
    cut1 = math.floor(n * ratios[0] + 0.5)
    cut2 = max(cut1, math.floor(n * (ratios[0] + ratios[1]) + 0.5))
    return [order[:cut1], order[cut1:cut2], order[cut2:]]


def check_class_names(classes: Sequence[str], who: str) -> list[str]:
    """``classes`` as a list of names; a name given twice would make two labels one class."""
    classes = list(classes)
    repeated = sorted({c for c in classes if classes.count(c) > 1})
    if repeated:
        raise ValueError(f"{who}: class names must be distinct; repeated: {repeated}")
    return classes


def find_classes(root: str | Path, classes: Sequence[str] | None = None) -> list[str]:
    """``classes`` as a list, or the sorted sub-folder names of ``root``; checks ``root``."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"dataset root {root} does not exist or is not a folder")
    if classes is None:
        classes = sorted(
            p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
        )
        if not classes:
            raise ValueError(f"dataset root {root} has no class sub-folders")
    return check_class_names(classes, f"dataset {root}")


def list_images(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS
    )


def nyang_split(
    root: str | Path,
    classes: Sequence[str] | None = None,
    mode: str = "train",
    ratios: Sequence[float] = (0.8, 0.1, 0.1),
    seed: int = 0,
    stratify: bool = True,
) -> list[tuple[Path, int]]:
    """``(path, class_index)`` pairs of ``mode`` from ``root/<class>/<image files>``.

    Labels index ``classes`` (default: sorted sub-folder names). Files
    are sorted before a seeded shuffle, so the same seed gives the same split on any machine.
    Stratified (default): each class is split by the ratios on its own. The three modes are
    disjoint and together cover every image file.
    """
    root = Path(root)
    check_mode(mode)
    ratios = check_ratios(ratios)
    classes = find_classes(root, classes)
    files_per_class = []
    for name in classes:
        folder = root / name
        if not folder.is_dir():
            raise FileNotFoundError(f"class {name!r} has no folder {folder}")
        files = list_images(folder)
        if not files:
            raise ValueError(
                f"class folder {folder} has no image files ({', '.join(sorted(IMAGE_EXTENSIONS))})"
            )
        files_per_class.append(files)
    labelled = [[(f, c) for f in files] for c, files in enumerate(files_per_class)]
    rng = np.random.default_rng(seed)
    part = MODES.index(mode)
    groups = labelled if stratify else [[item for group in labelled for item in group]]
    chosen = []
    for group in groups:
        chosen += [group[i] for i in split_indices(len(group), ratios, rng)[part]]
    return chosen
