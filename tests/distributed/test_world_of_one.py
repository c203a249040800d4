"""nyangtorch.distributed in a plain process (a world of one, no MPI), SyncBatchNorm's
arithmetic with simulated ranks, and what nyang_train refuses before it would hang."""

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import nyangtorch
from nyangtorch import distributed, models, nn, optim
from nyangtorch.data import ArrayDataset, NyangDataloader
from nyangtorch.nn import norm
from nyangtorch.train import loop


def test_a_plain_process_is_a_world_of_one_and_never_imports_mpi():
    env = {k: v for k, v in os.environ.items() if k not in distributed.LAUNCHER_VARIABLES}
    code = (
        "import sys; from nyangtorch import distributed as d; "
        "print(d.init(), d.rank(), d.world_size(), d.is_main(), 'mpi4py' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["(0,", "1)", "0", "1", "True", "False"]


def test_a_launched_process_without_mpi4py_says_what_to_install(monkeypatch):
    monkeypatch.setattr(distributed, "_initialised", False)
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "2")
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # import mpi4py now fails
    with pytest.raises(ImportError, match=r"nyangtorch\[distributed\]"):
        distributed.init()


def test_collectives_of_a_world_of_one_change_nothing():
    nyangtorch.manual_seed(0)
    model = models.reference_cnn_bn(image_size=12)
    model(np.ones((4, 1, 12, 12), np.float32))
    model.backward_params(np.ones((4, 10), np.float32))
    state = model.state_dict()
    grads = [p.grad.copy() for p in model.parameters()]
    distributed.broadcast_parameters(model)
    distributed.allreduce_gradients(model)
    distributed.barrier()
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, state[name])
    for p, g in zip(model.parameters(), grads):
        np.testing.assert_array_equal(p.grad, g)
    values = np.arange(3.0)
    total = distributed.allreduce_sum(values)
    np.testing.assert_array_equal(total, values)
    assert total is not values
    assert distributed.allgather(values).shape == (1, 3)
    assert distributed.broadcast({"a": 1}) == {"a": 1}


def test_packing_keeps_float32_and_float64_exactly():
    arrays = [np.float32([[1 / 3, 2.5]]), np.array([np.pi, 1e-300]), np.float32([7.0])]
    flat = distributed._pack(arrays)
    assert flat.dtype == np.float64 and flat.flags.c_contiguous
    for back, original in zip(distributed._unpack(flat, arrays), arrays):
        assert back.shape == original.shape
        np.testing.assert_array_equal(back.astype(original.dtype), original)


def test_global_statistics_combine_the_ranks_as_one_batch(monkeypatch, rng):
    """Chan et al.'s formula on three simulated ranks of unequal size, far from zero mean
    (where Σx² − Mμ² would cancel), equals the mean and variance of all values at once."""
    pieces = [1e4 + rng.normal(size=(m, 5)) * rng.uniform(0.1, 3, 5) for m in (7, 12, 3)]
    gathered = np.stack([np.concatenate([[len(p)], p.mean(axis=0), p.var(axis=0)]) for p in pieces])
    monkeypatch.setattr(norm, "allgather", lambda values: gathered)
    count, mean, var = norm.global_statistics(len(pieces[0]), pieces[0].mean(0), pieces[0].var(0))
    every = np.concatenate(pieces)
    assert count == len(every)
    np.testing.assert_allclose(mean, every.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(var, every.var(axis=0), rtol=1e-9)


def test_sync_batchnorm_in_a_world_of_one_is_plain_batchnorm(rng):
    x = rng.normal(size=(6, 3, 4, 4))
    dy = rng.normal(size=x.shape)
    plain, synced = nn.BatchNorm(3).to(np.float64), nn.BatchNorm(3, sync=True).to(np.float64)
    np.testing.assert_array_equal(synced(x), plain(x))
    np.testing.assert_array_equal(synced.backward(dy), plain.backward(dy))
    np.testing.assert_array_equal(synced.weight.grad, plain.weight.grad)
    np.testing.assert_array_equal(synced.running_var, plain.running_var)
    assert "sync=True" in repr(synced) and "sync" not in repr(plain)


def test_convert_sync_batchnorm_and_old_model_files():
    model = nn.convert_sync_batchnorm(models.reference_cnn_bn())
    layers = [m for m in model.modules() if isinstance(m, nn.BatchNorm)]
    assert len(layers) == 3 and all(m.sync for m in layers)
    old = nn.BatchNorm(4)
    del old.__dict__["sync"]  # as written before BatchNorm had the option
    assert pickle.loads(pickle.dumps(old)).sync is False


def small_run(shard, resume=None):
    data = ArrayDataset(np.zeros((8, 12, 12), np.uint8), np.arange(8) % 2)
    loader = NyangDataloader(data, 4, shuffle=True, seed=0, shard=shard)
    model = models.reference_cnn(image_size=12)
    return nyangtorch.nyang_train(
        model, optim.SGD(model.parameters()), nn.CE(), loader, epochs=1, resume=resume,
        progress=False, verbose=False,
    )  # fmt: skip


def test_nyang_train_on_many_ranks_refuses_a_loader_without_this_ranks_share(monkeypatch):
    monkeypatch.setattr(loop, "init", lambda: (1, 2))
    with pytest.raises(ValueError, match=r"shard=\(1, 2\).*it has shard=\(0, 1\)"):
        small_run(shard=None)


def test_resume_refuses_another_number_of_ranks(monkeypatch, tmp_path):
    data = ArrayDataset(np.zeros((8, 12, 12), np.uint8), np.arange(8) % 2)
    model = models.reference_cnn(image_size=12)
    nyangtorch.nyang_train(
        model, optim.SGD(model.parameters()), nn.CE(), NyangDataloader(data, 4), epochs=1,
        out_dir=tmp_path, progress=False, verbose=False,
    )  # fmt: skip
    monkeypatch.setattr(loop, "init", lambda: (0, 2))
    with pytest.raises(ValueError, match="written by a run on 1 rank"):
        small_run(shard=(0, 2), resume=tmp_path / "last.pickle")
