"""Inference on several batches at once (nyangtorch.eval.threads): same results, in order, on
really concurrent threads, with NumPy's BLAS held to one thread meanwhile and restored after."""

import importlib
import pkgutil
import sys
import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import nyangtorch
from nyangtorch import models, nn
from nyangtorch.data import NyangDataloader
from nyangtorch.eval import nyang_inference, nyang_predict
from nyangtorch.eval.threads import blas_threads, map_batches, map_in_threads, shares


def blas_counts() -> list[int]:
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


@pytest.fixture
def two_blas_threads():
    """The BLAS on two threads (CI's machines have two cores), whatever the test runner set."""
    with threadpool_limits(limits=2, user_api="blas"):
        yield


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("count", [0, 1, 5, 17])
def test_results_come_in_the_items_order(threads, count):
    assert list(map_in_threads(lambda i: i * i, range(count), threads)) == [
        i * i for i in range(count)
    ]


def test_items_run_at_the_same_time():
    # Each item waits at a barrier for another: only two really concurrent threads pass it.
    barrier = threading.Barrier(2, timeout=30)
    assert list(map_in_threads(lambda i: barrier.wait() * 0 + i, range(4), 2)) == [0, 1, 2, 3]


def test_the_blas_runs_one_thread_inside_and_its_own_count_after(two_blas_threads):
    assert blas_threads() == 2
    inside = list(map_in_threads(lambda _: blas_counts(), range(3), 2))
    assert all(counts and set(counts) == {1} for counts in inside)
    assert blas_threads() == 2
    for _ in map_in_threads(lambda i: i, range(10), 2):
        break  # the caller stops early
    assert blas_threads() == 2


def test_the_default_is_the_blas_thread_count(two_blas_threads):
    barrier = threading.Barrier(2, timeout=30)
    assert len(list(map_in_threads(lambda _: barrier.wait(), range(2)))) == 2  # two threads
    with threadpool_limits(limits=1, user_api="blas"):
        idents = set(map_in_threads(lambda _: threading.get_ident(), range(4)))
    assert idents == {threading.get_ident()}  # one: the caller's own thread, no pool


def test_an_error_comes_at_its_item_and_later_items_are_cancelled(two_blas_threads):
    started = []

    def fail_at_two(i):
        started.append(i)
        if i == 2:
            raise ValueError("item 2 is bad")
        return i

    got = []
    with pytest.raises(ValueError, match="item 2 is bad"):
        for value in map_in_threads(fail_at_two, range(1000), 2):
            got.append(value)
    assert got == [0, 1]
    assert len(started) < 1000  # no more work than the read-ahead
    assert blas_threads() == 2


@pytest.mark.parametrize("threads", [0, -1, 1.5, True, "2"])
def test_a_thread_count_that_is_not_a_positive_integer_is_refused(threads):
    with pytest.raises(ValueError, match=f"threads must be an integer >= 1.*got {threads!r}"):
        list(map_in_threads(abs, [1], threads))


@pytest.mark.parametrize("parts", [1, 2, 3, 7])
@pytest.mark.parametrize("n", [0, 1, 2, 17, 64])
def test_shares_cut_a_batch_in_order_nearly_equally(parts, n, rng):
    x = rng.random((n, 3))
    cut = shares(x, parts)
    assert len(cut) == max(1, min(parts, n))
    assert all(np.shares_memory(s, x) or s.size == 0 for s in cut)  # views, no copies
    np.testing.assert_array_equal(np.concatenate(cut), x)
    lengths = [len(s) for s in cut]
    assert n == 0 or (min(lengths) > 0 and max(lengths) - min(lengths) <= 1)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_map_batches_gives_each_batch_whole_and_in_order(threads, rng):
    batches = [rng.random((n, 4)) for n in (5, 1, 0, 8, 2)]
    seen = []

    def double(share):
        seen.append(len(share))
        return share * 2

    out = list(map_batches(double, iter(batches), threads))
    assert len(out) == len(batches)
    for got, x in zip(out, batches):
        np.testing.assert_array_equal(got, x * 2)
    assert max(seen) <= (8 + threads - 1) // threads  # every batch ran as shares


def test_the_blas_count_is_the_smallest_of_the_loaded_libraries(monkeypatch):
    import threadpoolctl

    def info():
        return [
            {"user_api": "blas", "num_threads": 2},
            {"user_api": "blas", "num_threads": 1},  # the one the user limited
            {"user_api": "openmp", "num_threads": 8},
        ]

    monkeypatch.setattr(threadpoolctl, "threadpool_info", info)
    assert blas_threads() == 1


def test_without_threadpoolctl(monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # as if not installed
    assert blas_threads() == 1
    assert list(map_in_threads(abs, [-1, -2])) == [1, 2]
    with pytest.raises(ImportError, match="2 threads need threadpoolctl.*or pass threads=1"):
        list(map_in_threads(abs, [-1], 2))


def test_every_kernel_releases_the_gil():
    """The threads run the compiled kernels side by side only if none holds the GIL."""
    kernels = []
    for package in ("nyangtorch.nn.kernels", "nyangtorch.optim.kernels"):
        path = importlib.import_module(package).__path__
        for info in pkgutil.iter_modules(path):
            module = importlib.import_module(f"{package}.{info.name}")
            kernels += [f for f in vars(module).values() if hasattr(f, "targetoptions")]
    assert len(kernels) >= 17
    assert [k.__name__ for k in kernels if not k.targetoptions.get("nogil")] == []


class TwoPaths(nn.NyangModel):
    """A forward-only model (recorded on a tape when training) that reuses a layer."""

    def __init__(self):
        super().__init__()
        self.conv, self.relu = nn.Conv(1, 4, 3, padding=1), nn.ReLU()
        self.flatten, self.head = nn.Flatten(), nn.Linear(4 * 8 * 8, 3)

    def forward(self, x):
        h = self.relu(self.conv(x))
        return self.head(self.flatten(nn.functional.add(h, self.relu(h))))


@pytest.mark.parametrize(
    "make, size",
    [
        (models.reference_cnn, 28),
        (models.reference_cnn_bn, 28),
        (lambda: models.resnet(8, width=4, num_classes=3), 8),
        (TwoPaths, 8),
    ],
)
def test_inference_on_two_threads_equals_one(make, size, two_blas_threads, rng):
    nyangtorch.manual_seed(0)
    model = make()
    x = rng.standard_normal((150, 1, size, size)).astype(np.float32)
    y = rng.integers(0, 3, 150)
    loader = NyangDataloader((x, y), batch_size=16)
    model.train()
    results = {
        t: nyang_inference(model, loader, nn.CE(), progress=False, threads=t) for t in (1, 2)
    }
    one, two = results[1], results[2]
    np.testing.assert_allclose(two.probabilities, one.probabilities, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(two.targets, one.targets)
    assert two.loss == pytest.approx(one.loss, rel=1e-6)
    assert model.training  # the mode is restored
    assert model.forward_tape is None  # nothing kept for backward


def test_predict_on_two_threads_equals_one(two_blas_threads):
    nyangtorch.manual_seed(0)
    train, _, test, record = nyangtorch.data.nyangnyang_dataset_ready("digits", batch_size=64)
    model = nn.NyangFlow(nn.Flatten(), nn.Linear(64, 10))
    model.preprocessing = record
    images = test.dataset.images
    one = nyang_predict(model, images, batch_size=32, threads=1)
    two = nyang_predict(model, images, batch_size=32, threads=2)
    np.testing.assert_allclose(two.probabilities, one.probabilities, rtol=1e-6, atol=1e-9)
    assert two.labels == one.labels
