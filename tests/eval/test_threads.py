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
from nyangtorch.eval.threads import (
    MIN_SHARE,
    blas_threads,
    map_batches,
    map_in_threads,
    shares,
)
from nyangtorch.nn import tape
from nyangtorch.nn.module import is_grad_enabled


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


def test_the_threads_take_the_callers_grad_mode(two_blas_threads):
    """no_grad is a setting of each thread (nyangtorch.nn.module): the pool's threads run
    under the caller's, so inference in them keeps nothing."""
    caller = threading.get_ident()

    def mode(_):
        return threading.get_ident() != caller, is_grad_enabled()

    assert set(map_in_threads(mode, range(4), 2)) == {(True, True)}
    with nn.no_grad():
        assert set(map_in_threads(mode, range(4), 2)) == {(True, False)}
        assert not is_grad_enabled()
    assert is_grad_enabled()


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
    sizes = (40, 1, 0, 33, 16, 100)
    batches = [rng.random((n, 4)) for n in sizes]
    seen = []

    def double(share):
        seen.append(len(share))
        return share * 2

    out = list(map_batches(double, iter(batches), threads))
    assert len(out) == len(batches)
    for got, x in zip(out, batches):
        np.testing.assert_array_equal(got, x * 2)
    # Each batch ran as min(threads, N // MIN_SHARE) shares (at least one), in order.
    expected = [len(s) for n in sizes for s in shares(np.empty(n), max(1, min(threads, n // 16)))]
    assert sorted(seen) == sorted(expected) and MIN_SHARE == 16
    assert threads == 1 or max(seen) < 100  # the large batches really were cut


def test_a_batch_comes_out_before_an_error_in_the_next(two_blas_threads):
    def fail_on_the_second(share):
        if share[0] == 1:
            raise ValueError("batch 1 is bad")
        return share

    batches = [np.zeros(64), np.ones(64), np.zeros(64)]
    run = map_batches(fail_on_the_second, batches, 2)
    np.testing.assert_array_equal(next(run), np.zeros(64))  # batch 0, whole, before the error
    with pytest.raises(ValueError, match="batch 1 is bad"):
        next(run)
    assert blas_threads() == 2


def test_a_map_started_while_another_runs_stays_on_its_callers_thread(two_blas_threads):
    """threadpoolctl's limit is process-wide: two overlapping limits would restore each
    other's values out of order, so the second map runs unthreaded."""
    first = map_in_threads(lambda i: i, range(10), 2)
    assert next(first) == 0  # the first map holds the BLAS limit now
    idents = set(map_in_threads(lambda _: threading.get_ident(), range(6), 2))
    assert idents == {threading.get_ident()}
    assert list(first) == list(range(1, 10))
    assert blas_threads() == 2  # restored once, in order
    barrier = threading.Barrier(2, timeout=30)  # and the next map is threaded again
    assert len(list(map_in_threads(lambda _: barrier.wait(), range(2), 2))) == 2


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
    loader = NyangDataloader((x, y), batch_size=40)  # 40, 40, 40, 30: shares of 20 and one of 30
    model.train()
    model(x[:4])  # a training forward: the layers keep what backward needs
    results = {
        t: nyang_inference(model, loader, nn.CE(), progress=False, threads=t) for t in (1, 2)
    }
    one, two = results[1], results[2]
    np.testing.assert_allclose(two.probabilities, one.probabilities, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(two.targets, one.targets)
    assert two.loss == pytest.approx(one.loss, rel=1e-6)
    assert model.training  # the mode is restored
    assert all(m._cache is None for m in model.modules())  # inference kept nothing
    assert tape.active() is None and is_grad_enabled()


class FailingLoader:
    """Two good batches, then an error, as a loader whose file went bad would raise."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __iter__(self):
        yield self.x[:32], self.y[:32]
        yield self.x[32:], self.y[32:]
        raise OSError("image 64 is unreadable")


def test_an_error_from_the_loader_or_the_loss_leaves_nothing_changed(two_blas_threads, rng):
    model = models.reference_cnn()
    x = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, 64)
    with pytest.raises(OSError, match="image 64 is unreadable"):
        nyang_inference(model, FailingLoader(x, y), progress=False, threads=2)

    class BadLoss(nn.CE):
        def forward(self, z, t):
            raise ValueError("loss refused")

    with pytest.raises(ValueError, match="loss refused"):
        nyang_inference(model, NyangDataloader((x, y), 32), BadLoss(), progress=False, threads=2)
    assert model.training and is_grad_enabled() and blas_threads() == 2


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
