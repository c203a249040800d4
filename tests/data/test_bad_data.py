"""Bad data, named: each case gets an error that says which file, label, class or split is
wrong (issue #12's data lines), or is read as it should be (wide images)."""

import gzip
import os

import numpy as np
import pytest
from image_helpers import make_folder
from PIL import Image

from nyangtorch.data import (
    ArrayDataset,
    FashionMNIST,
    NyangNyangDataset,
    Preprocessing,
    builtin,
    load_image,
    nyangnyang_dataset_ready,
    read_idx,
)


def test_sixteen_bit_png_uses_its_full_range(tmp_path):
    values = np.array([[0, 257, 32896], [65535, 65535, 0]], np.uint16)  # 257 = one 8-bit step
    Image.fromarray(values).save(tmp_path / "deep.png")
    assert Image.open(tmp_path / "deep.png").mode.startswith("I")
    image = load_image(tmp_path / "deep.png")
    np.testing.assert_array_equal(image[..., 0], [[0, 1, 128], [255, 255, 0]])
    rgb = load_image(tmp_path / "deep.png", channels=3)
    assert rgb.shape == (2, 3, 3) and rgb[1, 0].tolist() == [255, 255, 255]


def test_float_tiff_is_read_as_intensities_in_unit_range(tmp_path):
    values = np.array([[0.0, 0.5], [1.0, 0.25]], np.float32)
    Image.fromarray(values, mode="F").save(tmp_path / "float.tif")
    np.testing.assert_array_equal(load_image(tmp_path / "float.tif")[..., 0], [[0, 128], [255, 64]])
    Image.fromarray(values * 300, mode="F").save(tmp_path / "hdr.tif")
    with pytest.raises(ValueError, match=r"hdr\.tif: mode F values span \[0, 300\]"):
        load_image(tmp_path / "hdr.tif")


def test_skip_bad_also_skips_an_image_pillow_refuses_as_too_large(tmp_path, monkeypatch):
    root = make_folder(tmp_path / "imgs", {"a": 3, "b": 3}, size=(6, 6))
    Image.fromarray(np.zeros((40, 40), np.uint8)).save(root / "a" / "huge.png")
    # Lower Pillow's guard so a 40×40 image counts as a decompression bomb (> 2× the limit).
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 400)
    with pytest.raises(ValueError, match=r"huge\.png: too large"):
        NyangNyangDataset(root, ratios=(1, 0, 0), image_size=6)
    with pytest.warns(UserWarning) as caught:
        ds = NyangNyangDataset(root, ratios=(1, 0, 0), image_size=6, skip_bad=True)
    messages = [str(w.message) for w in caught]
    assert any("huge.png: too large" in m for m in messages)
    assert any("skipped 1 unreadable" in m for m in messages)
    assert len(ds) == 6 and any(p.endswith("huge.png") for p in ds.skipped)


def test_labels_and_class_names_are_checked():
    images = np.zeros((3, 2, 2), np.uint8)
    with pytest.raises(ValueError, match="label -1 is negative"):
        ArrayDataset(images, np.array([0, -1, 1]))
    with pytest.raises(ValueError, match=r"class names must be distinct; repeated: \['cat'\]"):
        ArrayDataset(images, np.array([0, 1, 2]), classes=["cat", "dog", "cat"])


def test_duplicate_folder_classes_are_refused(folder):
    with pytest.raises(ValueError, match=r"repeated: \['cat'\]"):
        NyangNyangDataset(folder, classes=["cat", "cat", "dog"])


def test_an_empty_split_is_named(folder):
    with pytest.raises(ValueError, match=r"the valid split of .* would be empty \(ratio 0 of 37"):
        nyangnyang_dataset_ready(folder, ratios=(0.9, 0.0, 0.1))
    tiny = make_folder(folder.parent / "tiny", {"a": 1, "b": 1})
    with pytest.raises(ValueError, match=r"the valid split .* \(ratio 0.1 of 2 images\)"):
        nyangnyang_dataset_ready(tiny, ratios=(0.8, 0.1, 0.1))


def test_data_with_other_classes_than_the_model_is_refused(folder):
    record = Preprocessing(("cat", "dog"), (0.5,), (0.2,), (6, 5), 1)
    with pytest.raises(ValueError, match=r"has classes \['0', .*trained on \['cat', 'dog'\]"):
        nyangnyang_dataset_ready("digits", preprocessing=record)
    # A folder is read in the model's class order, at its size, with its statistics.
    record = Preprocessing(("fox", "cat", "dog"), (0.5,), (0.2,), (4, 4), 1)
    _, _, test, used = nyangnyang_dataset_ready(folder, preprocessing=record)
    assert used == record and test.dataset.classes == ["fox", "cat", "dog"]
    x, _ = next(iter(test))
    assert x.shape[2:] == (4, 4)


def write_idx_bytes(path, header_sizes, body=b""):
    data = bytes([0, 0, 8, len(header_sizes)])
    data += b"".join(int(d).to_bytes(4, "big") for d in header_sizes) + body
    path.write_bytes(gzip.compress(data))


def test_idx_sizes_that_overflow_are_refused(tmp_path):
    # 2**32-1 cubed wraps to a small number in int64 arithmetic; Python ints do not wrap.
    write_idx_bytes(tmp_path / "big.gz", [2**32 - 1] * 3, b"\x00" * 8)
    with pytest.raises(ValueError, match=r"big\.gz: header says \(4294967295, .*holds 8 bytes"):
        read_idx(tmp_path / "big.gz")
    (tmp_path / "cut.gz").write_bytes(gzip.compress(bytes([0, 0, 8, 3, 0, 0])))
    with pytest.raises(ValueError, match=r"cut\.gz: the header of 3 sizes is cut short"):
        read_idx(tmp_path / "cut.gz")


def fake_fashion(folder, images, labels):
    folder.mkdir(parents=True, exist_ok=True)
    write_idx_bytes(folder / "t10k-images-idx3-ubyte.gz", images.shape, images.tobytes())
    write_idx_bytes(folder / "t10k-labels-idx1-ubyte.gz", labels.shape, labels.tobytes())
    return folder


def test_fashion_mnist_count_and_label_errors_name_the_file(tmp_path):
    images = np.zeros((5, 28, 28), np.uint8)
    root = fake_fashion(tmp_path / "count", images, np.zeros(4, np.uint8))
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte\.gz holds images \(5, 28, 28\)"):
        FashionMNIST("test", root=root, download=False)
    root = fake_fashion(tmp_path / "label", images, np.array([0, 1, 12, 3, 4], np.uint8))
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte\.gz: label 12 is not one"):
        FashionMNIST("test", root=root, download=False)


def test_a_failed_download_leaves_no_temporary_file(tmp_path, monkeypatch):
    def broken(url, timeout):
        raise OSError("connection reset")

    monkeypatch.setattr(builtin.urllib.request, "urlopen", broken)
    with pytest.raises(FileNotFoundError, match="connection reset"):
        FashionMNIST("test", root=tmp_path / "dest", base_url="http://127.0.0.1:9/")
    assert os.listdir(tmp_path / "dest") == []
