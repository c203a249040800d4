"""DataParallel: a share of every batch per thread, each through its own replica of the model,
against the same model on one thread and against torch (float64); BatchNorm's statistics
added over the shares (nn/shares.py)."""

import pickle
import threading
import time

import numpy as np
import pytest
from torch_helpers import torch

import nyangtorch
from nyangtorch import models, nn, optim
from nyangtorch.compare import to_torch
from nyangtorch.eval import threads as eval_threads
from nyangtorch.nn.shares import ShareStopped
from nyangtorch.train import DataParallel
from nyangtorch.train.parallel import for_training


class Residual(nn.Module):
    """Forward-only, with a residual sum and one layer called twice."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.same = nn.Conv2d(4, 4, 3, padding=1)
        self.relu = nn.ReLU()
        self.head = nn.NyangFlow(nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 5))

    def forward(self, x):
        h = self.relu(self.conv(x))
        h = self.relu(nn.functional.add(h, self.same(h)))
        return self.head(self.relu(self.same(h)))


def grads(model):
    return [p.grad.copy() for p in model.parameters()]


def one_step(model, x, y, input_grad=False):
    """Logits, the input gradient (or None) and the parameter gradients of a CE step."""
    ce = nn.CE()
    for p in model.parameters():
        p.grad = None
    logits = model(x)
    ce(logits, y)
    dx = model.backward(ce.backward()) if input_grad else model.backward_params(ce.backward())
    return logits, dx, grads(model)


def buffers(model):
    return [b.copy() for _, b in model.named_buffers()]


# BatchNorm's σ² = Σx²/M − μ² cancels where |μ| ≫ σ: the shares' other order of additions
# shows there at about 1e-13 in float64 (1e-16 without BatchNorm).
@pytest.mark.parametrize(
    "make, shape, atol",
    [
        (models.reference_cnn, (64, 1, 28, 28), 1e-14),
        (Residual, (40, 1, 8, 8), 1e-14),
        (models.reference_cnn_bn, (64, 1, 28, 28), 1e-12),
        (lambda: models.resnet(8, width=4), (33, 1, 8, 8), 1e-12),  # shares of 16 and 17
    ],
    ids=["reference_cnn", "forward_only_residual_reuse", "reference_cnn_bn", "resnet8"],
)
@pytest.mark.parametrize("input_grad", [False, True])
def test_shares_give_the_one_thread_step(make, shape, atol, input_grad):
    nyangtorch.manual_seed(0)
    model = make().to(np.float64)
    rng = np.random.default_rng(0)
    x, y = rng.random(shape), rng.integers(0, 5, shape[0])
    twin = pickle.loads(pickle.dumps(model))
    logits, dx, expected = one_step(twin, x, y, input_grad)
    parallel = DataParallel(model, threads=2)
    p_logits, p_dx, got = one_step(parallel, x, y, input_grad)
    assert parallel._cache == [shape[0] // 2, shape[0] - shape[0] // 2]  # it ran two shares
    np.testing.assert_allclose(p_logits, logits, rtol=1e-13, atol=atol)
    if input_grad:
        np.testing.assert_allclose(p_dx, dx, rtol=1e-12, atol=atol / 10)
    else:
        assert p_dx is None
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-11, atol=atol)
    # BatchNorm's running statistics: the whole batch's, as on one thread
    for b, e in zip(buffers(model), buffers(twin), strict=True):
        np.testing.assert_allclose(b, e, rtol=1e-13, atol=atol)


@pytest.mark.parametrize(
    "make, atol", [(models.reference_cnn, 1e-14), (models.reference_cnn_bn, 1e-12)]
)  # BatchNorm: see the tolerances above
def test_the_gradients_are_torchs(make, atol):
    nyangtorch.manual_seed(0)
    model = make().to(np.float64)
    twin = to_torch(model)
    rng = np.random.default_rng(1)
    x, y = rng.random((48, 1, 28, 28)), rng.integers(0, 10, 48)
    logits, _, got = one_step(DataParallel(model, threads=3), x, y)  # shares of 16
    tx = torch.from_numpy(x)
    t_logits = twin(tx)  # training mode: BatchNorm on the whole batch's statistics
    torch.nn.functional.cross_entropy(t_logits, torch.from_numpy(y)).backward()
    np.testing.assert_allclose(logits, t_logits.detach().numpy(), rtol=1e-12, atol=atol)
    for g, p in zip(got, twin.parameters(), strict=True):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-10, atol=atol * 10)
    running = [t for name, t in twin.named_buffers() if "running" in name]  # not the count
    for b, t in zip(buffers(model), running, strict=True):
        np.testing.assert_allclose(b, t.numpy(), rtol=1e-12, atol=atol)


def test_each_replica_runs_forward_and_backward_on_its_own_thread():
    seen = []

    class Where(nn.NyangModel):
        def forward(self, x):
            seen.append(("forward", len(x), threading.get_ident()))
            return x

        def backward(self, dy):
            seen.append(("backward", len(dy), threading.get_ident()))
            return dy

    model = nn.NyangFlow(nn.Flatten(), nn.Linear(4, 3), Where())
    parallel = DataParallel(model, threads=2)
    x = np.random.default_rng(0).random((33, 4))  # shares of 16 and 17
    for _ in range(2):
        parallel(x)
        parallel.backward(np.ones((33, 3)))
    threads = {n: {t for _, m, t in seen if m == n} for _, n, _ in seen}  # over both steps
    assert sorted(threads) == [16, 17] and all(len(ts) == 1 for ts in threads.values())
    assert threads[16] == {threading.get_ident()} != threads[17]  # the first: the caller's
    assert [kind for kind, _, _ in seen] == ["forward"] * 2 + ["backward"] * 2 + ["forward"] * 2 + [
        "backward"
    ] * 2


def test_small_batches_eval_mode_and_no_grad_run_the_model_itself():
    model = nn.NyangFlow(nn.Linear(4, 3))
    parallel = DataParallel(model, threads=2)
    rng = np.random.default_rng(0)
    parallel(rng.random((31, 4)))  # 31 // 16 = 1 share
    assert parallel._cache is None and not parallel._workers  # no thread started
    parallel.backward_params(np.ones((31, 3)))  # the model's own backward
    assert model[0].weight.grad is not None
    with nyangtorch.no_grad():
        parallel(rng.random((64, 4)))
    parallel.eval()
    assert not model.training
    parallel(rng.random((64, 4)))
    assert parallel._cache is None and not parallel._workers


def test_replicas_follow_new_weight_arrays():
    nyangtorch.manual_seed(0)
    model = nn.NyangFlow(nn.Flatten(), nn.Linear(16, 3))
    parallel = DataParallel(model, threads=2)
    x, y = np.random.default_rng(0).random((32, 1, 4, 4)), np.arange(32) % 3
    one_step(parallel, x, y)
    model.to(np.float64)  # new arrays: replicas made again from them
    logits, _, got = one_step(parallel, x, y)
    assert logits.dtype == np.float64
    _, _, expected = one_step(model, x, y)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12)
    model.load_state_dict({k: v * 2 for k, v in model.state_dict().items()})
    np.testing.assert_allclose(one_step(parallel, x, y)[0], one_step(model, x, y)[0], rtol=1e-12)
    model[1].weight = nn.Parameter(model[1].weight.data)  # a new Parameter, the same array
    _, _, got = one_step(parallel, x, y)
    np.testing.assert_allclose(model[1].weight.grad, one_step(model, x, y)[2][0], rtol=1e-12)


def test_an_optimizer_step_reaches_the_replicas():
    nyangtorch.manual_seed(0)
    model = models.reference_cnn().to(np.float64)  # float64: Adam magnifies float32 rounding
    twin = pickle.loads(pickle.dumps(model))
    parallel = DataParallel(model, threads=2)
    opts = [optim.Adam(m.parameters(), lr=1e-2) for m in (model, twin)]
    rng = np.random.default_rng(0)
    for _ in range(3):
        x, y = rng.random((32, 1, 28, 28)), rng.integers(0, 10, 32)
        for m, opt in zip((parallel, twin), opts):
            opt.zero_grad()
            one_step(m, x, y)
            opt.step()
    for p, q in zip(model.parameters(), twin.parameters()):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-10, atol=1e-12)


def test_while_another_threaded_map_runs_the_shares_still_run_side_by_side():
    """They may wait for each other (BatchNorm), so they cannot run one after another."""
    model = nn.NyangFlow(nn.Linear(4, 3), nn.BatchNorm(3)).to(np.float64)
    twin = pickle.loads(pickle.dumps(model))
    parallel = DataParallel(model, threads=2)
    x = np.random.default_rng(0).random((32, 4))
    with eval_threads._limiting:  # as if a nyang_inference were running in another thread
        out = parallel(x)
        parallel.backward_params(np.ones((32, 3)))
    assert parallel._cache == [16, 16] and len(parallel._workers) == 1
    np.testing.assert_allclose(out, twin(x), rtol=1e-12, atol=1e-14)
    twin.backward_params(np.ones((32, 3)))
    for p, q in zip(model.parameters(), twin.parameters()):
        np.testing.assert_allclose(p.grad, q.grad, rtol=1e-12, atol=1e-13)


class WithDropout(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.NyangFlow(nn.Dropout(0.5), nn.Linear(4, 2))

    def forward(self, x):
        return self.head(x)


class Shuffle(nn.NyangModel):
    """A custom layer that mixes the samples: it says so."""

    splittable = False

    def forward(self, x):
        return x[::-1]

    def backward(self, dy):
        return dy[::-1]


def test_a_layer_that_still_says_per_sample_false_is_not_split():
    class Mixes(nn.NyangModel):  # written when the flag was called per_sample
        per_sample = False

        def forward(self, x):
            return x[::-1]

    assert not Mixes.splittable
    assert for_training(nn.NyangFlow(nn.Linear(4, 3), Mixes()), 2).__class__ is nn.NyangFlow


def test_a_batchnorm_synchronised_over_mpi_ranks_is_refused(monkeypatch):
    from nyangtorch.train import parallel

    monkeypatch.setattr(parallel, "world_size", lambda: 2)  # as under mpirun -n 2
    model = nn.NyangFlow(nn.Linear(4, 3), nn.BatchNorm(3, sync=True))
    with pytest.raises(ValueError, match=r"layer 1 BatchNorm.*synchronises over the MPI ranks"):
        DataParallel(model, threads=2)
    assert for_training(model, 2) is model
    DataParallel(nn.NyangFlow(nn.Linear(4, 3), nn.BatchNorm(3)), threads=2)  # plain: each rank's


def test_copies_follow_the_layers_modes():
    """A model wrapped in eval mode and then trained, and a BatchNorm kept in eval mode (its
    running statistics) inside a training model: the copies run as the model does."""
    nyangtorch.manual_seed(0)
    model = nn.NyangFlow(nn.Linear(4, 3), nn.BatchNorm(3), nn.Linear(3, 2)).to(np.float64)
    model.eval()
    parallel = DataParallel(model, threads=2)
    x = np.random.default_rng(0).random((32, 4))
    parallel.train()
    np.testing.assert_allclose(parallel(x), pickle.loads(pickle.dumps(model))(x), rtol=1e-12)
    model[1].eval()  # frozen BatchNorm: no sums over the shares, each uses the running ones
    twin = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(parallel(x), twin(x), rtol=1e-12)


def test_layers_that_are_not_splittable_are_refused_with_the_layer_named():
    refused = r"cannot run on shares.*splittable is False.*; train the model itself"
    with pytest.raises(ValueError, match=r"layer head\.0 Dropout\(.*" + refused):
        DataParallel(WithDropout())
    with pytest.raises(ValueError, match=r"layer 1 Shuffle\(\).*" + refused):
        DataParallel(nn.NyangFlow(nn.Linear(4, 3), Shuffle()))
    with pytest.raises(ValueError, match="threads must be an integer >= 1"):
        DataParallel(nn.NyangFlow(nn.Linear(4, 3)), threads=0)
    # a layer added later is checked at the next forward
    model = nn.NyangFlow(nn.Linear(4, 3))
    parallel = DataParallel(model, threads=2)
    model.layers.append(nn.Dropout(0.5))
    with pytest.raises(ValueError, match=r"layer 1 Dropout\(.*" + refused):
        parallel(np.ones((32, 4)))


def test_for_training_picks_data_parallel_where_it_can():
    plain = nn.NyangFlow(nn.Linear(4, 3))
    assert for_training(plain, 1) is plain
    wrapped = for_training(plain, 2)
    assert isinstance(wrapped, DataParallel) and wrapped.module is plain
    assert for_training(wrapped, 2) is wrapped  # not wrapped twice
    with_bn = nn.NyangFlow(nn.Linear(4, 3), nn.BatchNorm(3))
    assert for_training(with_bn, 2).module is with_bn  # its statistics added over the shares
    with_dropout = WithDropout()
    assert for_training(with_dropout, 2) is with_dropout
    plain.lock = threading.Lock()  # cannot be copied: trained on one thread, with a warning
    with pytest.warns(UserWarning, match="DataParallel: cannot copy the model.*one thread"):
        assert for_training(plain, 2) is plain


def test_copies_follow_the_models_layers_and_thread_count():
    nyangtorch.manual_seed(0)
    model = nn.NyangFlow(nn.Linear(4, 3))
    parallel = DataParallel(model, threads=2)
    x = np.random.default_rng(0).standard_normal((48, 4))
    parallel(x)
    model.layers.append(nn.LeakyReLU(0.5))  # a new layer: copies made again
    np.testing.assert_array_equal(parallel(x), model(x))
    model[1].negative_slope = 0.1  # a setting changed in place: refresh() says so
    parallel.refresh()
    np.testing.assert_array_equal(parallel(x), model(x))
    parallel.threads = 3
    assert len(parallel(x)) == 48 and parallel._cache == [16, 16, 16]


def test_gradients_add_onto_those_already_there():
    nyangtorch.manual_seed(0)
    model = models.reference_cnn().to(np.float64)
    rng = np.random.default_rng(0)
    x, y = rng.random((32, 1, 28, 28)), rng.integers(0, 10, 32)
    _, _, once = one_step(model, x, y)
    parallel, ce = DataParallel(model, threads=2), nn.CE()
    model.zero_grad()
    for _ in range(2):  # no zero_grad in between: the two steps' gradients add up
        ce(parallel(x), y)
        parallel.backward_params(ce.backward())
    for p, g in zip(model.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-12, atol=1e-15)


class FailsOn(nn.NyangModel):
    """For the share whose first value is -1: raises in ``where`` (forward or backward); for
    the share whose first value is 2: takes 0.2 s there, then notes it finished."""

    finished: list[str] = []  # on the class: every copy notes here

    def __init__(self, where):
        super().__init__()
        self.where = where
        FailsOn.finished.clear()

    def _act(self, first, stage):
        if stage == self.where and first == -1:
            raise ValueError(f"{stage} of the marked share")
        if stage == self.where and first == 2:
            time.sleep(0.2)
            FailsOn.finished.append(stage)

    def forward(self, x):
        self._cache = x[0, 0]
        self._act(x[0, 0], "forward")
        return x

    def backward(self, dy):
        self._act(self._cache, "backward")
        return dy


@pytest.mark.parametrize("where", ["forward", "backward"])
def test_an_error_in_a_worker_comes_out_after_every_share_stopped(where):
    fails = FailsOn(where)
    model = nn.NyangFlow(nn.Linear(4, 4), fails)
    model[0].weight.data[:] = np.eye(4)  # the Linear keeps each share's first value
    model[0].bias.data[:] = 0
    parallel = DataParallel(model, threads=3)
    x = np.zeros((48, 4))
    x[16:32], x[32:48] = -1.0, 2.0  # the first worker's share fails, the second's is slow
    with pytest.raises(ValueError, match=f"{where} of the marked share"):
        parallel(x)
        parallel.backward_params(np.ones((48, 4)))
    assert FailsOn.finished == [where]  # the slow share had finished when the error came out
    # usable again, and nothing left over in the copies from the interrupted backward
    x[16:32] = 0.0
    model.zero_grad()
    parallel(x)
    parallel.backward_params(np.ones((48, 4)))
    np.testing.assert_allclose(model[0].bias.grad, np.full(4, 48.0))


class FailsForSize(nn.NyangModel):
    """Raises in ``where`` (forward or backward) for the share of ``size`` samples."""

    def __init__(self, size, where):
        super().__init__()
        self.size, self.where = size, where

    def forward(self, x):
        self._cache = len(x)
        if self.where == "forward" and len(x) == self.size:
            raise ValueError("forward of the marked share")
        return x

    def backward(self, dy):
        if self.where == "backward" and self._cache == self.size:
            raise ValueError("backward of the marked share")
        return dy


@pytest.mark.parametrize("where", ["forward", "backward"])
def test_an_error_while_other_shares_wait_in_a_batchnorm_comes_out_as_itself(where):
    """The other shares wait in the BatchNorm after (forward) or before (backward) the failing
    layer for a sum the failed share never gives: they stop, and its error comes out."""
    model = nn.NyangFlow(
        nn.Linear(4, 4), nn.BatchNorm(4), FailsForSize(17, where), nn.BatchNorm(4)
    ).to(np.float64)
    twin = pickle.loads(pickle.dumps(model))
    parallel = DataParallel(model, threads=3)
    x = np.random.default_rng(0).random((49, 4))  # shares of 16, 16 and 17: the last fails
    with pytest.raises(ValueError, match=f"{where} of the marked share"):
        parallel(x)
        parallel.backward(np.ones((49, 4)))
    # usable again, and nothing left over in the copies from the interrupted step
    model.zero_grad()
    np.testing.assert_allclose(parallel(x[:48]), twin(x[:48]), rtol=1e-12, atol=1e-14)
    dy = np.random.default_rng(1).random((48, 4))
    parallel.backward_params(dy)
    twin.backward_params(dy)
    for p, q in zip(model.parameters(), twin.parameters()):
        np.testing.assert_allclose(p.grad, q.grad, rtol=1e-11, atol=1e-13)


class BatchNormWhenPositive(nn.Module):
    """Forward-only, with a BatchNorm in a branch that depends on the data: not allowed."""

    def __init__(self):
        super().__init__()
        self.linear, self.bn = nn.Linear(2, 2), nn.BatchNorm(2)

    def forward(self, x):
        h = self.linear(x)
        return self.bn(h) if x[0, 0] > 0 else h


@pytest.mark.parametrize("first", [1.0, -1.0])  # the caller's share or the worker's waits
def test_shares_that_take_different_paths_stop_with_an_error_not_a_hang(first):
    parallel = DataParallel(BatchNormWhenPositive(), threads=2)
    x = np.ones((32, 2))
    x[0, 0], x[16, 0] = first, -first
    stopped = 1 if first > 0 else 0  # the share that skipped the BatchNorm and finished
    with pytest.raises(ShareStopped, match=rf"share {stopped} of the batch stopped before its sum"):
        parallel(x)


def test_without_threadpoolctl_several_threads_are_refused_before_training(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import threadpoolctl fails
    model = nn.NyangFlow(nn.Linear(4, 3))
    with pytest.raises(ImportError, match="DataParallel: 2 threads need threadpoolctl"):
        DataParallel(model, threads=2)
    loader = [(np.ones((32, 4), np.float32), np.zeros(32, np.int64))]
    with pytest.raises(ImportError, match="nyang_train: 2 threads need threadpoolctl"):
        nyangtorch.nyang_train(
            model, optim.SGD(model.parameters(), lr=0.1), nn.CE(), loader, epochs=1,
            progress=False, verbose=False, threads=2,
        )  # fmt: skip
    assert model[0].weight.grad is None  # refused before any step


def test_errors_name_the_layer_and_leave_it_usable():
    parallel = DataParallel(nn.NyangFlow(nn.Linear(4, 3)), threads=2)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"Linear\(4→3"):
        parallel(rng.random((32, 5)))
    parallel(rng.random((32, 4)))
    with pytest.raises(ValueError, match="grad for 31 samples, the forward had 32"):
        parallel.backward(np.ones((31, 3)))
    parallel.backward(np.ones((32, 3)))


def test_pickles_without_its_threads():
    parallel = DataParallel(nn.NyangFlow(nn.Linear(4, 3)), threads=2)
    x = np.random.default_rng(0).random((32, 4))
    parallel(x)
    back = pickle.loads(pickle.dumps(parallel))
    assert repr(back) == repr(parallel) and back.threads == 2
    assert list(back.state_dict()) == ["module.0.weight", "module.0.bias"]  # as torch names them
    np.testing.assert_array_equal(back(x), parallel(x))


@pytest.mark.parametrize("batchnorm", [False, True])
def test_nyang_train_trains_data_parallel_where_the_model_allows(monkeypatch, batchnorm):
    from nyangtorch.data import nyangnyang_dataset_ready
    from nyangtorch.train import parallel

    shared = []
    run = parallel.DataParallel._run

    def counted(self, calls):
        shared.append(len(calls))
        return run(self, calls)

    monkeypatch.setattr(parallel.DataParallel, "_run", counted)
    histories = []
    for threads in (1, 2):
        nyangtorch.manual_seed(0)
        tr, va, _, _ = nyangnyang_dataset_ready("digits", batch_size=64, seed=0)
        # BatchNorm's statistics are added over the shares. No bias before it: that bias's
        # gradient is 0 but for rounding, which Adam turns into steps of full size (and the
        # running mean, in validation, follows them).
        tail = [nn.BatchNorm(8)] if batchnorm else []
        model = nn.NyangFlow(
            nn.Conv(1, 8, 3, padding=1, bias=not batchnorm), *tail, nn.MaxPool(2, relu=True),
            nn.Flatten(), nn.Linear(128, 10),
        )  # fmt: skip
        opt = optim.Adam(model.parameters(), lr=3e-3)
        history = nyangtorch.nyang_train(
            model, opt, nn.CE(), tr, va, epochs=2, progress=False, verbose=False, threads=threads
        )
        histories.append(history)
        assert bool(shared) == (threads == 2)  # two shares per forward and backward
        assert set(shared) <= {2}
    # data parallel: the one-thread run's numbers, to float32 rounding
    for key in ("train_loss", "valid_loss", "valid_accuracy"):
        np.testing.assert_allclose(histories[1][key], histories[0][key], rtol=1e-4)
