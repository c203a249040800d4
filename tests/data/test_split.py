"""nyang_split: disjoint, covering, reproducible, stratified; labels index the class order."""

import numpy as np
import pytest
from image_helpers import make_folder

from nyangtorch.data import nyang_split


def split_all(root, **kw):
    return {m: nyang_split(root, mode=m, **kw) for m in ("train", "valid", "test")}


def test_modes_are_disjoint_and_cover_every_file(folder):
    parts = split_all(folder)
    paths = [set(p for p, _ in parts[m]) for m in parts]
    assert not (paths[0] & paths[1]) and not (paths[0] & paths[2]) and not (paths[1] & paths[2])
    assert set.union(*paths) == set(folder.glob("*/*.png"))


def test_same_seed_same_split_other_seed_other_split(folder):
    a, b = nyang_split(folder, seed=3), nyang_split(folder, seed=3)
    assert [p for p, _ in a] == [p for p, _ in b]
    assert [p for p, _ in a] != [p for p, _ in nyang_split(folder, seed=4)]


def test_stratified_counts_per_class(folder):
    parts = split_all(folder, ratios=(0.6, 0.2, 0.2))
    counts = {m: np.bincount([lab for _, lab in parts[m]], minlength=3) for m in parts}
    # cat 20 -> 12/4/4, dog 10 -> 6/2/2; fox 7: cuts at round(4.2) = 4 and round(5.6) = 6 -> 4/2/1
    np.testing.assert_array_equal(counts["train"], [12, 6, 4])
    np.testing.assert_array_equal(counts["valid"], [4, 2, 2])
    np.testing.assert_array_equal(counts["test"], [4, 2, 1])


def test_unstratified_still_covers(folder):
    parts = split_all(folder, stratify=False)
    assert sum(len(v) for v in parts.values()) == 37


def test_labels_follow_the_given_class_order(folder):
    samples = nyang_split(folder, classes=["fox", "cat", "dog"], ratios=(1, 0, 0))
    for path, label in samples:
        assert isinstance(label, int) and ["fox", "cat", "dog"][label] == path.parent.name


def test_default_classes_are_sorted_folder_names(folder):
    samples = nyang_split(folder, ratios=(1, 0, 0))
    for path, label in samples:
        assert ["cat", "dog", "fox"][label] == path.parent.name


def test_zero_ratio_gives_empty_mode(folder):
    assert nyang_split(folder, mode="valid", ratios=(0.9, 0.0, 0.1)) == []
    assert len(nyang_split(folder, mode="train", ratios=(1.0, 0.0, 0.0))) == 37


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(ratios=(0.5, 0.6, -0.1)), ValueError, "non-negative numbers"),
        (dict(ratios=(0.5, 0.2, 0.2)), ValueError, "summing to 1"),
        (dict(mode="validation"), ValueError, "mode must be one of"),
        (dict(classes=["cat", "wolf"]), FileNotFoundError, "class 'wolf' has no folder"),
    ],
)
def test_bad_arguments(folder, kwargs, error, match):
    with pytest.raises(error, match=match):
        nyang_split(folder, **kwargs)


def test_missing_root(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        nyang_split(tmp_path / "nope")


def test_empty_class_folder(tmp_path):
    root = make_folder(tmp_path / "d", {"a": 3})
    (root / "b").mkdir()
    with pytest.raises(ValueError, match=r"class folder .*b has no image files"):
        nyang_split(root)
