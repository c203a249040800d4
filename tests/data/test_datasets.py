"""Datasets: the abstract base, arrays, image folders, Fashion-MNIST, digits, export."""

import gzip
import hashlib
import warnings

import numpy as np
import pytest
from image_helpers import make_folder

from nyangtorch.data import (
    ArrayDataset,
    Digits,
    FashionMNIST,
    ImageError,
    NyangDataloader,
    NyangDataset,
    NyangNyangDataset,
    builtin,
    export_image_folder,
    read_idx,
)
from nyangtorch.data.export import folder_name


def test_abstract_base_cannot_be_instantiated():
    with pytest.raises(TypeError, match="abstract"):
        NyangDataset()

    class Half(NyangDataset):
        def __len__(self):
            return 0

    with pytest.raises(TypeError, match="__getitem__"):
        Half()


def test_custom_subclass_works_with_get_batch():
    class Squares(NyangDataset):
        classes = ["small", "big"]

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return np.full((2, 2, 1), i, np.uint8), int(i >= 2)

    x, y = Squares().get_batch([0, 3])
    assert x.shape == (2, 2, 2, 1) and y.tolist() == [0, 1] and y.dtype == np.int64


def test_array_dataset_labels_and_errors():
    images = np.zeros((4, 3, 3), np.uint8)
    ds = ArrayDataset(images, np.array([0, 2, 1, 2]))
    assert ds.classes == ["0", "1", "2"] and ds[1][0].shape == (3, 3, 1)
    assert ds[1][1] == 2  # the class index, as torchvision datasets give it
    same = ArrayDataset(images, np.eye(3)[[0, 2, 1, 2]])
    np.testing.assert_array_equal(same.targets, ds.targets)
    with pytest.raises(ValueError, match="4 images but 3 labels"):
        ArrayDataset(images, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="out of range"):
        ArrayDataset(images, np.array([0, 1, 2, 5]), classes=["a", "b", "c"])


def test_folder_dataset_reads_images_and_labels(folder):
    ds = NyangNyangDataset(folder, mode="train", ratios=(0.6, 0.2, 0.2))
    assert len(ds) == 22 and ds.classes == ["cat", "dog", "fox"]
    image, label = ds[0]
    assert image.shape == (6, 5, 1) and image.dtype == np.uint8
    assert ds.classes[label] == ds.samples[0][0].parent.name


def test_folder_dataset_resize_and_rgb(folder):
    ds = NyangNyangDataset(folder, image_size=(4, 8), channels=3)
    assert ds[0][0].shape == (4, 8, 3)
    lazy = NyangNyangDataset(folder, image_size=4, cache=False)
    assert lazy[0][0].shape == (4, 4, 1)
    cached = NyangNyangDataset(folder, image_size=4)
    assert lazy.images.shape == (len(lazy), 4, 4, 1) and lazy.images.dtype == np.uint8
    np.testing.assert_array_equal(lazy.images, cached.images)  # read now vs read up front


def test_corrupt_image_is_named_or_skipped(folder):
    bad = folder / "dog" / "zzz_broken.png"
    bad.write_bytes(b"\x89PNG not really")
    with pytest.raises(ImageError, match="zzz_broken.png"):
        NyangNyangDataset(folder, ratios=(1, 0, 0))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = NyangNyangDataset(folder, ratios=(1, 0, 0), skip_bad=True)
    assert len(ds) == 37 and ds.skipped == [str(bad)]
    assert any("skipped 1 unreadable" in str(w.message) for w in caught)


def test_mismatched_sizes_need_image_size(tmp_path):
    root = make_folder(tmp_path / "a", {"x": 2}, size=(4, 4))
    make_folder(root, {"y": 2}, size=(5, 5), seed=1)
    with pytest.raises(ValueError, match="images differ in size.*pass image_size"):
        NyangNyangDataset(root, ratios=(1, 0, 0))
    assert len(NyangNyangDataset(root, ratios=(1, 0, 0), image_size=4)) == 4


def test_bad_channels_argument(folder):
    with pytest.raises(ValueError, match="channels must be 1, 3 or None"):
        NyangNyangDataset(folder, channels=2)


def test_fashion_mnist_parses_the_real_files():
    train = FashionMNIST("train", root=builtin.DEBIAN_DIR, download=False)
    test = FashionMNIST("test", download=False)
    assert train.images.shape == (60000, 28, 28, 1) and train.images.dtype == np.uint8
    assert (
        len(test) == 10000
        and train.classes[0] == "T-shirt/top"
        and train.classes[9] == "Ankle boot"
    )
    assert train.targets.min() == 0 and train.targets.max() == 9
    np.testing.assert_array_equal(np.bincount(train.targets), [6000] * 10)
    assert train.targets[0] == 9  # the first training image is an ankle boot


def test_fashion_mnist_not_found_lists_every_place(tmp_path, monkeypatch):
    monkeypatch.setenv("NYANGTORCH_DATA", str(tmp_path / "env"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(builtin, "DEBIAN_DIR", tmp_path / "debian")
    with pytest.raises(FileNotFoundError) as info:
        FashionMNIST(download=False)
    message = str(info.value)
    for place in (
        "env/fashion-mnist",
        "home/.cache/nyangtorch/fashion-mnist",
        "debian",
        "apt-get install",
    ):
        assert place in message


def write_idx(path, array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_download_is_checked_and_lands_in_root(tmp_path, monkeypatch):
    server = tmp_path / "server"
    server.mkdir()
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28))
    sums = {
        "t10k-images-idx3-ubyte.gz": write_idx(server / "t10k-images-idx3-ubyte.gz", images),
        "t10k-labels-idx1-ubyte.gz": write_idx(server / "t10k-labels-idx1-ubyte.gz", np.arange(5)),
    }
    monkeypatch.setattr(builtin, "FASHION_FILES", sums)
    ds = FashionMNIST("test", root=tmp_path / "dest", base_url=server.as_uri() + "/")
    assert len(ds) == 5 and (tmp_path / "dest" / "t10k-images-idx3-ubyte.gz").is_file()
    np.testing.assert_array_equal(ds.images[..., 0], images)
    monkeypatch.setattr(builtin, "FASHION_FILES", {k: "0" * 32 for k in sums})
    with pytest.raises(FileNotFoundError, match="checksum is wrong"):
        FashionMNIST("test", root=tmp_path / "other", base_url=server.as_uri() + "/")
    assert not list((tmp_path / "other").glob("*.gz"))  # nothing half-written kept


def test_read_idx_refuses_foreign_and_truncated_files(tmp_path):
    (tmp_path / "x.gz").write_bytes(gzip.compress(b"hello world"))
    with pytest.raises(ValueError, match="bad magic"):
        read_idx(tmp_path / "x.gz")
    write_idx(tmp_path / "t.gz", np.zeros((3, 2, 2)))
    data = gzip.decompress((tmp_path / "t.gz").read_bytes())[:-2]
    (tmp_path / "t.gz").write_bytes(gzip.compress(data))
    with pytest.raises(ValueError, match="header says"):
        read_idx(tmp_path / "t.gz")


def test_digits_offline():
    ds = Digits()
    assert len(ds) == 1797 and ds.images.shape == (1797, 8, 8, 1) and ds.images.max() == 255


def test_export_then_folder_dataset_round_trip(tmp_path):
    source = FashionMNIST("test", download=False).subset(np.arange(30))
    root = export_image_folder(source, tmp_path / "fm")
    assert (root / "T-shirt_top").is_dir()  # "/" is not allowed in a folder name
    ds = NyangNyangDataset(root, ratios=(1, 0, 0))
    assert len(ds) == 30 and ds[0][0].shape == (28, 28, 1)
    exported = {p.name: p.parent.name for p, _ in ds.samples}
    for i in range(30):
        image, label = source[i]
        assert exported[f"{i:06d}.png"] == folder_name(source.classes[label])
        back = ds[[p.name for p, _ in ds.samples].index(f"{i:06d}.png")][0]
        np.testing.assert_array_equal(back, image)  # PNG is lossless


@pytest.mark.parametrize(
    "shape,layout",
    [((6, 1, 5, 4), None), ((6, 3, 5, 4), None), ((6, 5, 4, 1), None), ((6, 5, 4, 3), None),
     ((6, 3, 4, 3), "NCHW"), ((6, 3, 4, 3), "NHWC")],
)  # fmt: skip
def test_both_layouts_are_read_as_channels_last(shape, layout):
    images = np.arange(np.prod(shape), dtype=np.uint8).reshape(shape)
    ds = ArrayDataset(images, np.arange(6) % 2, layout=layout)
    nchw = (layout or ("NCHW" if shape[1] in (1, 3) else "NHWC")) == "NCHW"
    expected = images.transpose(0, 2, 3, 1) if nchw else images
    np.testing.assert_array_equal(ds.images, expected)
    x, _ = next(iter(NyangDataloader(ds, batch_size=6)))
    np.testing.assert_array_equal(x * 255, expected.transpose(0, 3, 1, 2))  # back to NCHW


def test_an_ambiguous_layout_asks_for_layout():
    with pytest.raises(ValueError, match=r"cannot tell the channel axis of images \(2, 3, 4, 3\)"):
        ArrayDataset(np.zeros((2, 3, 4, 3), np.uint8), np.zeros(2, int))
    with pytest.raises(ValueError, match="layout must be 'NHWC' or 'NCHW', got 'CHW'"):
        ArrayDataset(np.zeros((2, 1, 4, 4), np.uint8), np.zeros(2, int), layout="CHW")


def test_loader_takes_arrays_as_keras_does():
    x = np.random.default_rng(0).integers(0, 256, (10, 1, 28, 28), dtype=np.uint8)
    y = np.arange(10) % 3
    loader = NyangDataloader((x, y), batch_size=4)
    xb, yb = next(iter(loader))
    assert xb.shape == (4, 1, 28, 28) and xb.dtype == np.float32 and yb.tolist() == [0, 1, 2, 0]
    np.testing.assert_allclose(xb, x[:4] / 255, rtol=1e-6)
    with pytest.raises(TypeError, match="expected a dataset or an \\(images, labels\\) pair"):
        NyangDataloader(x)
