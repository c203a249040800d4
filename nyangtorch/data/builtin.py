"""Built-in datasets: Fashion-MNIST (real IDX files) and scikit-learn's 8×8 digits."""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

import numpy as np

from .dataset import ArrayDataset

FASHION_CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]  # fmt: skip
FASHION_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
FASHION_FILES = {  # file name -> md5 of the official gz files
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
APT_HINT = "sudo apt-get install -y dataset-fashion-mnist"


def read_idx(path: str | Path) -> np.ndarray:
    """Parse an IDX file (optionally gzipped): magic 0x0000 08 <ndim>, big-endian sizes, uint8."""
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as error:
        raise ValueError(f"cannot read IDX file {path}: {error}") from error
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes (bad magic number)")
    ndim, start = data[3], 4 + 4 * data[3]
    if len(data) < start:
        raise ValueError(f"{path}: the header of {ndim} sizes is cut short")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    # math.prod of Python ints cannot overflow (NumPy's int64 product could wrap around and
    # make absurd sizes look right).
    if math.prod(shape) != len(data) - start:
        raise ValueError(
            f"{path}: header says {shape} but the file holds {len(data) - start} bytes"
        )
    return np.frombuffer(data, np.uint8, offset=start).reshape(shape)


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _download(folder: Path, names: list[str], base_url: str) -> None:
    """Fetch ``names`` into ``folder``, each checked against its md5 before it is kept."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = folder / name
        if target.exists() and _md5(target) == FASHION_FILES[name]:
            continue
        with tempfile.NamedTemporaryFile(dir=folder, delete=False) as tmp:
            partial = Path(tmp.name)
            try:
                with urllib.request.urlopen(base_url + name, timeout=60) as response:
                    shutil.copyfileobj(response, tmp)
            except BaseException:  # a failed or interrupted download leaves nothing behind
                partial.unlink(missing_ok=True)
                raise
        if _md5(partial) != FASHION_FILES[name]:
            partial.unlink()
            raise ValueError(f"downloaded {base_url + name} but its checksum is wrong")
        os.replace(partial, target)  # atomic: a half-written file never takes the real name


def fashion_mnist_places() -> list[Path]:
    """Where ``FashionMNIST(root=None)`` looks, in order."""
    places = (
        [Path(os.environ["NYANGTORCH_DATA"]) / "fashion-mnist"]
        if os.environ.get("NYANGTORCH_DATA")
        else []
    )
    return places + [Path.home() / ".cache" / "nyangtorch" / "fashion-mnist", DEBIAN_DIR]


class FashionMNIST(ArrayDataset):
    """Zalando's Fashion-MNIST: 60,000 train / 10,000 test 28×28 grayscale images, 10 classes.

    ``root`` given: only that folder is searched (and downloaded into). ``root=None``: first
    ``$NYANGTORCH_DATA/fashion-mnist``, then ``~/.cache/nyangtorch/fashion-mnist``, then
    Debian's ``/usr/share/datasets/fashion-mnist`` (package ``dataset-fashion-mnist``), then the
    official files are downloaded into the cache with md5 checks (unless ``download=False``).
    If all fail, the error lists every place tried.
    """

    def __init__(
        self,
        split: str = "train",
        root: str | Path | None = None,
        transform=None,
        download: bool = True,
        base_url: str = FASHION_URL,
    ) -> None:
        if split not in ("train", "test"):
            raise ValueError(f"FashionMNIST: split must be 'train' or 'test', got {split!r}")
        prefix = "train" if split == "train" else "t10k"
        names = [f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"]
        places = [Path(root)] if root is not None else fashion_mnist_places()
        folder = next((p for p in places if all((p / n).is_file() for n in names)), None)
        tried = [f"  {p}: {'found' if folder == p else 'no ' + names[0]}" for p in places]
        if folder is None and download:
            target = places[0] if root is not None else places[-2]
            try:
                _download(target, names, base_url)
                folder = target
            except (OSError, ValueError) as error:
                tried.append(f"  download from {base_url} into {target}: {error}")
        if folder is None:
            raise FileNotFoundError(
                "Fashion-MNIST not found. Tried:\n"
                + "\n".join(tried)
                + f"\nInstall it with `{APT_HINT}`, "
                "put the four .gz files in one of those folders, or allow download=True."
            )
        self.folder = folder
        images, labels = read_idx(folder / names[0]), read_idx(folder / names[1])
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"{folder / names[0]} holds images {images.shape} and {folder / names[1]} "
                f"labels {labels.shape}: expected (N, 28, 28) images and N labels"
            )
        if labels.size and labels.max() >= len(FASHION_CLASSES):
            raise ValueError(
                f"{folder / names[1]}: label {labels.max()} is not one of the "
                f"{len(FASHION_CLASSES)} Fashion-MNIST classes (0–9)"
            )
        super().__init__(images, labels.astype(np.int64), FASHION_CLASSES, transform)


class Digits(ArrayDataset):
    """scikit-learn's bundled 8×8 digits (1,797 images, classes "0"–"9"), as uint8 0–255.
    Works offline: the data ships inside scikit-learn."""

    def __init__(self, transform=None) -> None:
        try:
            from sklearn.datasets import load_digits
        except ImportError as error:
            raise ImportError("Digits needs scikit-learn: pip install scikit-learn") from error
        digits = load_digits()
        images = np.round(digits.images * (255 / 16)).astype(np.uint8)
        super().__init__(
            images, digits.target.astype(np.int64), [str(i) for i in range(10)], transform
        )
