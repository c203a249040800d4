"""One call from a folder (or a built-in dataset name) to ready train / valid / test loaders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .builtin import Digits, FashionMNIST
from .dataset import ArrayDataset, NyangNyangDataset
from .loader import NyangDataloader
from .preprocessing import Preprocessing
from .split import check_ratios
from .transforms import nyang_transforms

BUILTIN = ("fashion-mnist", "digits")


def _builtin_parts(name: str, ratios, seed: int, data_root) -> list[ArrayDataset]:
    if name == "digits":
        return Digits().split(ratios, seed)
    train = FashionMNIST("train", root=data_root)
    test = FashionMNIST("test", root=data_root)
    # The official test set stays the test set; valid is split off train by its share.
    share = ratios[1] / (ratios[0] + ratios[1]) if ratios[0] + ratios[1] > 0 else 0.0
    train_part, valid_part, _ = train.split((1 - share, share, 0.0), seed)
    return [train_part, valid_part, test]


def nyangnyang_dataset_ready(
    root: str | Path,
    classes: Sequence[str] | None = None,
    batch_size: int = 32,
    ratios: Sequence[float] = (0.8, 0.1, 0.1),
    seed: int = 0,
    image_size: int | tuple[int, int] | None = None,
    augment: bool | str = False,
    num_workers: int = 0,
    channels: int | None = None,
    data_root=None,
    preprocessing: Preprocessing | None = None,
    shard: tuple[int, int] | None = None,
) -> tuple[NyangDataloader, NyangDataloader, NyangDataloader, Preprocessing]:
    """Build the three datasets with their transforms and return
    ``(train_loader, valid_loader, test_loader, preprocessing)``.

    ``root``: an image folder (``root/<class>/*``), or a built-in name: "fashion-mnist" (valid
    split off the official train set, test = official test set) or "digits". The
    :class:`Preprocessing` record holds the class names and the train part's own per-channel
    mean and std, which normalise all three parts; give it to the model
    (``model.preprocessing = preprocessing``) and it travels in the model file to
    :func:`~nyangtorch.eval.nyang_predict`. Train is shuffled; ``augment=True`` augments it
    with the preset that suits the data (or ``augment="light"``, … names one); valid and test
    are never augmented.

    ``preprocessing``: a trained model's record, to prepare data exactly as that model was
    trained (its classes in its order, size, channels, mean and std); data whose classes
    differ is refused.

    ``shard=(rank, world)`` gives train and valid to one rank of a data-parallel run
    (:class:`NyangDataloader`'s ``shard``; ``batch_size`` is then per rank): each rank trains and
    validates on its own share. Test stays whole, for one final evaluation on rank 0.
    """
    ratios = check_ratios(ratios)
    if preprocessing is not None:
        classes, channels = preprocessing.classes, preprocessing.channels
        image_size = preprocessing.image_size
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
    for mode, part, ratio in zip(("train", "valid", "test"), parts, ratios):
        if len(part) == 0:
            raise ValueError(
                f"nyangnyang_dataset_ready: the {mode} split of {root} would be empty "
                f"(ratio {ratio:g} of {sum(len(p) for p in parts)} images); "
                f"give it a larger share of ratios={ratios}"
            )
    if preprocessing is not None:
        _check_same_data(root, parts[0], preprocessing)
    else:
        preprocessing = Preprocessing.measure(parts[0].images, parts[0].classes)
    if image_size is not None:
        size = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
        preprocessing = replace(preprocessing, image_size=size)
    if isinstance(augment, str):
        preset, augment = augment, True
    loaders = []
    for mode, dataset in zip(("train", "valid", "test"), parts):
        dataset.transform = nyang_transforms(
            mode, image_size, preprocessing.mean, preprocessing.std, augment, preset, seed
        )
        loaders.append(
            NyangDataloader(
                dataset,
                batch_size,
                shuffle=mode == "train",
                seed=seed,
                num_workers=num_workers,
                shard=shard if mode != "test" else None,
            )
        )
    return (*loaders, preprocessing)


def _check_same_data(root, train_part, preprocessing: Preprocessing) -> None:
    """Refuse data that is not what the model was trained on (another class list or order,
    another channel count)."""
    if tuple(train_part.classes) != preprocessing.classes:
        raise ValueError(
            f"{root} has classes {list(train_part.classes)}, but the model was trained on "
            f"{list(preprocessing.classes)}"
        )
    channels = train_part.images.shape[-1]
    if channels != preprocessing.channels:
        raise ValueError(
            f"{root} has {channels}-channel images, but the model was trained on "
            f"{preprocessing.channels}-channel ones"
        )
