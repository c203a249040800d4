"""One call from a folder (or a built-in dataset name) to ready train / valid / test loaders."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .builtin import Digits, FashionMNIST
from .dataset import ArrayDataset, NyangNyangDataset
from .loader import NyangDataloader
from .split import check_ratios, split_indices
from .transforms import nyang_transforms

BUILTIN = ("fashion-mnist", "digits")


def channel_stats(images: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and std of uint8 (N, H, W, C) images, in [0, 1] units."""
    x = images.reshape(-1, images.shape[-1]).astype(np.float64) / 255
    return tuple(x.mean(axis=0)), tuple(np.maximum(x.std(axis=0), 1e-6))


def stratified_parts(targets: np.ndarray, ratios: Sequence[float], seed: int) -> list[np.ndarray]:
    """Index arrays of the train / valid / test parts, each class split by ``ratios``."""
    rng = np.random.default_rng(seed)
    parts = [[], [], []]
    for c in np.unique(targets):
        members = np.flatnonzero(targets == c)
        for part, chosen in zip(parts, split_indices(len(members), ratios, rng)):
            part.append(members[chosen])
    return [np.sort(np.concatenate(p)) for p in parts]


def _builtin_parts(name: str, ratios, seed: int, data_root) -> list[ArrayDataset]:
    if name == "digits":
        full = Digits()
        return [full.subset(idx) for idx in stratified_parts(full.targets, ratios, seed)]
    train = FashionMNIST("train", root=data_root)
    test = FashionMNIST("test", root=data_root)
    # The official test set stays the test set; valid is split off train by its share.
    share = ratios[1] / (ratios[0] + ratios[1]) if ratios[0] + ratios[1] > 0 else 0.0
    train_idx, valid_idx, _ = stratified_parts(train.targets, (1 - share, share, 0.0), seed)
    return [train.subset(train_idx), train.subset(valid_idx), test]


def nyangnyang_dataset_ready(
    root: str | Path,
    classes: Sequence[str] | None = None,
    batch_size: int = 32,
    ratios: Sequence[float] = (0.8, 0.1, 0.1),
    seed: int = 0,
    image_size: int | tuple[int, int] | None = None,
    augment: bool | str = True,
    num_workers: int = 0,
    channels: int | None = None,
    data_root=None,
):
    """Build the three datasets with their transforms and return
    ``(train_loader, valid_loader, test_loader, class_names)``.

    ``root``: an image folder (``root/<class>/*``), or a built-in name: "fashion-mnist" (valid
    split off the official train set, test = official test set) or "digits". Normalisation
    uses the train part's per-channel mean and std; train is shuffled and augmented (with the
    preset that suits the data, or the preset named by ``augment``), valid and test are not.
    Each loader has ``mean``/``std`` attributes for undoing the normalisation (e.g. in
    :func:`nyang_images_grid`).
    """
    ratios = check_ratios(ratios)
    name = str(root).lower()
    if name in BUILTIN:
        parts = _builtin_parts(name, ratios, seed, data_root)
        preset = name
    else:
        parts = [
            NyangNyangDataset(
                root, classes, mode, ratios, seed, image_size=image_size, channels=channels
            )
            for mode in ("train", "valid", "test")
        ]
        preset = "default"
        image_size = None  # the folder dataset already resized
    mean, std = channel_stats(parts[0].images)
    if isinstance(augment, str):
        preset, augment = augment, True
    loaders = []
    for mode, dataset in zip(("train", "valid", "test"), parts):
        dataset.transform = nyang_transforms(mode, image_size, mean, std, augment, preset, seed)
        loader = NyangDataloader(
            dataset, batch_size, shuffle=mode == "train", seed=seed, num_workers=num_workers
        )
        loader.mean, loader.std = mean, std
        loaders.append(loader)
    return (*loaders, list(parts[0].classes))
