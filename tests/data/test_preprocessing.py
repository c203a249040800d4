"""The preprocessing record: measured on the train part, applied exactly as the loaders do,
carried in the model file; and ArrayDataset.split, the folder split's rule for arrays."""

import numpy as np
import pytest

from nyangtorch.data import ArrayDataset, Digits, Preprocessing, nyangnyang_dataset_ready


def test_measure_gives_per_channel_statistics_in_unit_range():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (10, 5, 4, 3), dtype=np.uint8)
    record = Preprocessing.measure(images, ["a", "b"])
    x = images.reshape(-1, 3) / 255
    np.testing.assert_allclose(record.mean, x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(record.std, x.std(axis=0), rtol=1e-12)
    assert record.image_size == (5, 4) and record.channels == 3 and record.classes == ("a", "b")
    blank = Preprocessing.measure(np.zeros((2, 3, 3, 1), np.uint8), ["a"])
    assert blank.std == (1e-6,)  # a blank channel divides by a tiny number, never by zero


def test_record_applies_what_the_loaders_apply():
    train, _, test, record = nyangnyang_dataset_ready("digits", batch_size=64)
    x, _ = next(iter(test))
    raw = test.dataset.images[:64]
    np.testing.assert_allclose(record(raw), x, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match=r"expected images \(N, 8, 8, 1\).*got \(2, 9, 9, 1\)"):
        record(np.zeros((2, 9, 9, 1), np.uint8))


def test_array_split_is_stratified_disjoint_and_covering():
    digits = Digits()
    train, valid, test = digits.split((0.7, 0.2, 0.1), seed=3)
    assert len(train) + len(valid) + len(test) == len(digits)
    for part, share in ((train, 0.7), (valid, 0.2), (test, 0.1)):
        counts = np.bincount(part.targets, minlength=10)
        np.testing.assert_allclose(counts / np.bincount(digits.targets), share, atol=0.02)
    # disjoint and covering: every image appears exactly once across the parts
    key = {img.tobytes(): 0 for img in digits.images}
    for part in (train, valid, test):
        for img in part.images:
            key[img.tobytes()] += 1
    assert set(key.values()) <= {1, 2}  # digits holds a few duplicate images
    again = digits.split((0.7, 0.2, 0.1), seed=3)[0]
    np.testing.assert_array_equal(again.images, train.images)
    keras_style = ArrayDataset(np.zeros((10, 2, 2), np.uint8), np.arange(10) % 2).split(
        (0.8, 0.2, 0)
    )
    assert [len(p) for p in keras_style] == [8, 2, 0]
    with pytest.raises(ValueError, match="ratios must be three non-negative numbers"):
        digits.split((0.5, 0.6, 0.0))
