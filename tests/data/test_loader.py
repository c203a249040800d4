"""NyangDataloader, transforms, the one-call pipeline and the image grid."""

import os

import numpy as np
import pytest

from nyangtorch.data import (
    ArrayDataset,
    Digits,
    NyangDataloader,
    nyang_images_grid,
    nyang_transforms,
    nyangnyang_dataset_ready,
)


def numbered(n=23, classes=3):
    """Image i is filled with the value i, so a batch tells which samples it holds."""
    images = np.repeat(np.arange(n, dtype=np.uint8), 16).reshape(n, 4, 4)
    return ArrayDataset(images, np.arange(n) % classes)


def ids(x):
    return np.rint(x[:, 0, 0, 0] * 255).astype(int).tolist()


def test_batches_shapes_and_last_partial_batch():
    loader = NyangDataloader(numbered(), batch_size=5)
    batches = list(loader)
    assert len(loader) == len(batches) == 5
    assert [len(x) for x, _ in batches] == [5, 5, 5, 5, 3]
    x, y = batches[0]
    assert (
        x.shape == (5, 1, 4, 4)
        and x.dtype == np.float32
        and y.shape == (5,)
        and y.dtype == np.int64
    )
    np.testing.assert_array_equal(y, np.arange(5) % 3)
    assert x.max() <= 1.0  # uint8 scaled to [0, 1]


def test_one_hot_labels_on_request():
    _, y = next(iter(NyangDataloader(numbered(), batch_size=5, one_hot=True)))
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, np.eye(3)[np.arange(5) % 3])


def test_state_dict_resumes_the_same_batches():
    loader = NyangDataloader(numbered(), batch_size=5, shuffle=True, seed=4)
    list(loader)
    state = loader.state_dict()
    expected = [ids(x) for x, _ in loader]
    other = NyangDataloader(numbered(), batch_size=5, shuffle=True, seed=99)
    other.load_state_dict(state)
    assert state == {"seed": 4, "epoch": 1}
    assert [ids(x) for x, _ in other] == expected


def test_drop_last():
    loader = NyangDataloader(numbered(), batch_size=5, drop_last=True)
    assert len(loader) == 4 and [len(x) for x, _ in loader] == [5] * 4


def test_every_sample_once_per_epoch_and_shuffle_per_epoch():
    loader = NyangDataloader(numbered(), batch_size=4, shuffle=True, seed=1)
    first = [i for x, _ in loader for i in ids(x)]
    second = [i for x, _ in loader for i in ids(x)]
    assert sorted(first) == sorted(second) == list(range(23))
    assert first != second  # a fresh order each epoch
    again = NyangDataloader(numbered(), batch_size=4, shuffle=True, seed=1)
    assert [i for x, _ in again for i in ids(x)] == first  # same seed, same run


def test_no_shuffle_keeps_order():
    assert [i for x, _ in NyangDataloader(numbered(), batch_size=6) for i in ids(x)] == list(
        range(23)
    )


@pytest.mark.parametrize("bad", [0, -3, 2.5])
def test_bad_batch_size(bad):
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        NyangDataloader(numbered(), batch_size=bad)


def test_workers_yield_exactly_the_same_batches_with_augmentation():
    ds = Digits().subset(np.arange(200))
    ds.transform = nyang_transforms(
        "train", mean=0.3, std=0.4, augment=True, preset="digits", seed=0
    )
    serial = list(NyangDataloader(ds, batch_size=32, shuffle=True, seed=5, num_workers=0))
    parallel = list(NyangDataloader(ds, batch_size=32, shuffle=True, seed=5, num_workers=2))
    assert len(serial) == len(parallel) == 7
    for (a, ya), (b, yb) in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(ya, yb)
    raw = np.stack([Digits().images[i] for i in np.arange(200)])
    assert not np.allclose(
        np.sort(serial[0][0].ravel()), np.sort(((raw[:32] / 255 - 0.3) / 0.4).ravel())
    )


def test_workers_stop_when_iteration_breaks_or_fails():
    import multiprocessing

    loader = NyangDataloader(numbered(200), batch_size=4, num_workers=2)
    for _ in loader:
        break
    import gc

    gc.collect()
    assert not multiprocessing.active_children()

    class Exploding(ArrayDataset):
        def get_batch(self, indices):
            raise RuntimeError("bad sample")

    boom = Exploding(np.zeros((8, 2, 2), np.uint8), np.zeros(8, int))
    with pytest.raises(RuntimeError, match="bad sample"):
        list(NyangDataloader(boom, batch_size=2, num_workers=2))
    assert not multiprocessing.active_children()

    class Dying(ArrayDataset):
        def get_batch(self, indices):
            os._exit(3)  # a worker killed outright (e.g. out of memory) sends nothing back

    dead = Dying(np.zeros((8, 2, 2), np.uint8), np.zeros(8, int))
    with pytest.raises(RuntimeError, match=r"worker 0 exited \(code 3\) before batch 0"):
        list(NyangDataloader(dead, batch_size=2, num_workers=2))
    assert not multiprocessing.active_children()


def test_transforms_per_mode():
    image = np.random.default_rng(0).integers(0, 256, (28, 28, 1), dtype=np.uint8)
    valid = nyang_transforms("valid", mean=0.5, std=0.25)
    np.testing.assert_allclose(valid(image), (image / 255 - 0.5) / 0.25, rtol=1e-5, atol=1e-5)
    train = nyang_transforms("train", mean=0.5, std=0.25, augment=True, preset="fashion-mnist")
    outs = [train(image) for _ in range(6)]
    assert any(not np.allclose(o, outs[0]) for o in outs)  # random augmentation
    train.reseed(3)
    a = [train(image) for _ in range(3)]
    train.reseed(3)
    b = [train(image) for _ in range(3)]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert "HorizontalFlip" not in repr(nyang_transforms("train", augment=True, preset="digits"))
    assert "Affine" not in repr(nyang_transforms("train"))  # augmentation is opt-in
    assert "Affine" not in repr(nyang_transforms("test", preset="fashion-mnist"))
    assert nyang_transforms("valid", image_size=16)(image).shape == (16, 16, 1)
    with pytest.raises(ValueError, match="mode must be one of"):
        nyang_transforms("eval")
    with pytest.raises(ValueError, match="unknown augmentation preset"):
        nyang_transforms("train", preset="cats")


def test_pipeline_on_digits():
    train, valid, test, prep = nyangnyang_dataset_ready(
        "digits", batch_size=64, ratios=(0.7, 0.15, 0.15), augment=True
    )
    assert prep.classes == tuple(str(i) for i in range(10))
    assert prep.image_size == (8, 8) and prep.channels == 1
    sizes = [len(loader.dataset) for loader in (train, valid, test)]
    assert sum(sizes) == 1797 and abs(sizes[0] / 1797 - 0.7) < 0.01
    assert train.shuffle and not valid.shuffle and not test.shuffle
    x, _ = next(iter(test))
    assert abs(float(x.mean())) < 0.3  # normalised with the train statistics
    assert "Affine" in repr(train.dataset.transform) and "Affine" not in repr(
        test.dataset.transform
    )


def test_pipeline_takes_a_named_augmentation_preset(folder):
    train, _, test, _ = nyangnyang_dataset_ready(folder, batch_size=4, augment="light")
    steps = repr(train.dataset.transform)
    assert "HorizontalFlip" in steps and "Affine" in steps
    assert "Affine" not in repr(test.dataset.transform)
    affine = train.dataset.transform.compose.transforms[-2]
    assert affine.rotate == (0.0, 0.0)  # shifts only: no rotation, no zoom
    with pytest.raises(ValueError, match="unknown augmentation preset 'cats'"):
        nyangnyang_dataset_ready(folder, batch_size=4, augment="cats")


def test_pipeline_on_a_folder(folder):
    train, valid, test, prep = nyangnyang_dataset_ready(
        folder, batch_size=4, ratios=(0.6, 0.2, 0.2)
    )
    assert prep.classes == ("cat", "dog", "fox")
    assert [len(loader.dataset) for loader in (train, valid, test)] == [22, 8, 7]
    assert "Affine" not in repr(train.dataset.transform)  # augmentation is opt-in
    x, y = next(iter(train))
    assert x.shape == (4, 1, 6, 5) and y.shape == (4,)


def test_pipeline_fashion_mnist_keeps_the_official_test_set():
    train, valid, test, prep = nyangnyang_dataset_ready("fashion-mnist", batch_size=256)
    assert len(test.dataset) == 10000 and len(train.dataset) + len(valid.dataset) == 60000
    assert abs(len(valid.dataset) - 6667) <= 10 and prep.classes[0] == "T-shirt/top"


def test_images_grid_marks_wrong_predictions(tmp_path):
    import matplotlib.colors as mcolors

    x = np.random.default_rng(0).standard_normal((5, 1, 8, 8)).astype(np.float32)
    fig = nyang_images_grid(
        x,
        np.array([0, 1, 2, 0, 1]),
        ["a", "b", "c"],
        tmp_path / "g.png",
        ncols=3,
        predictions=np.eye(3)[[0, 1, 1, 0, 2]],
        mean=(0.5,),
        std=(0.2,),
    )
    assert (tmp_path / "g.png").stat().st_size > 1000
    titles = [
        (ax.get_title(), mcolors.to_hex(ax.title.get_color())) for ax in fig.axes if ax.get_title()
    ]
    assert titles[2] == ("b (c)", "#ff0000") and titles[0] == ("a", "#008000")
    assert len(titles) == 5  # the sixth cell of the 2×3 grid is blank


class UnpicklableError(Exception):
    """An error that holds something pickle refuses (a lambda)."""

    def __init__(self, message, callback):
        super().__init__(message)
        self.callback = callback


class RaisesInWorker(ArrayDataset):
    def __init__(self, error):
        super().__init__(np.zeros((8, 2, 2), np.uint8), np.zeros(8, int))
        self.error = error

    def get_batch(self, indices):
        if 6 in indices:
            raise self.error
        return super().get_batch(indices)


@pytest.mark.parametrize(
    "error",
    [UnpicklableError("sample 6 is broken", lambda: None), KeyError("no label for sample 6")],
)
def test_worker_errors_arrive_with_their_type_message_and_traceback(error):
    with pytest.raises(type(error)) as info:
        list(NyangDataloader(RaisesInWorker(error), batch_size=2, num_workers=2))
    assert str(info.value) == str(error)
    assert "get_batch" in str(info.value.__cause__)  # the worker's own traceback, as text


WORKER_SCRIPT = """
import os, sys, time
import numpy as np
from nyangtorch.data import ArrayDataset, NyangDataloader
data = ArrayDataset(np.zeros((4000, 64, 64), np.uint8), np.zeros(4000, int))
batches = iter(NyangDataloader(data, batch_size=500, num_workers=2))
next(batches)
import multiprocessing
print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_workers_exit_when_the_training_process_is_killed(signal_name):
    import signal
    import subprocess
    import sys
    import time

    parent = subprocess.Popen(
        [sys.executable, "-c", WORKER_SCRIPT], stdout=subprocess.PIPE, text=True
    )
    pids = [int(p) for p in parent.stdout.readline().split()]
    assert len(pids) == 2
    parent.send_signal(getattr(signal, signal_name))
    parent.wait(timeout=10)
    deadline = time.monotonic() + 5
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in pids if _running(p)]
    assert not alive, f"workers {alive} outlived the killed training process"


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False
