"""NyangDataloader(..., shard=(rank, world)): the shares of a data-parallel run, without MPI."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nyangtorch.data import ArrayDataset, NyangDataloader, nyangnyang_dataset_ready
from nyangtorch.data.loader import batch_seed


def dataset(n):
    return ArrayDataset(np.zeros((n, 2, 2), np.uint8), np.arange(n) % 3)


def shards(n, batch_size, world, **kwargs):
    """Every rank's loader over the same n samples."""
    return [
        NyangDataloader(dataset(n), batch_size, shard=(rank, world), **kwargs)
        for rank in range(world)
    ]


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 90),
    batch_size=st.integers(1, 9),
    world=st.integers(1, 5),
    drop_last=st.booleans(),
    shuffle=st.booleans(),
)
def test_shards_are_disjoint_cover_the_data_and_step_together(
    n, batch_size, world, drop_last, shuffle
):
    if n < world:
        with pytest.raises(ValueError, match="cannot be shared"):
            shards(n, batch_size, world)
        return
    loaders = shards(n, batch_size, world, drop_last=drop_last, shuffle=shuffle, seed=5)
    one = NyangDataloader(dataset(n), batch_size * world, shuffle, drop_last, seed=5)
    for epoch in (0, 1):
        pieces = [loader.batches(epoch) for loader in loaders]
        # Every rank runs the same number of steps, none of them on an empty batch.
        assert all(len(p) == len(loaders[0]) for p in pieces)
        assert all(len(piece) > 0 for p in pieces for piece in p)
        taken = np.concatenate([piece for p in pieces for piece in p] or [np.array([], int)])
        assert len(np.unique(taken)) == len(taken)  # disjoint
        whole = one.batches(epoch)
        if not drop_last:
            assert sorted(taken) == list(range(n))  # covering
        for step, global_batch in enumerate(zip(*pieces)):
            sizes = [len(piece) for piece in global_batch]
            assert max(sizes) - min(sizes) <= 1
            # A step's pieces, in rank order, are one process's batch of batch_size · world
            # (the last one with the batch after it, when that had too few samples to share).
            expected = np.concatenate(whole[step:]) if step == len(pieces[0]) - 1 else whole[step]
            np.testing.assert_array_equal(np.concatenate(global_batch), expected)
            if len(expected) == batch_size * world:
                assert sizes == [batch_size] * world


def test_a_world_of_one_is_the_plain_loader():
    plain = NyangDataloader(dataset(23), 5, shuffle=True, seed=3)
    sharded = NyangDataloader(dataset(23), 5, shuffle=True, seed=3, shard=(0, 1))
    assert len(plain) == len(sharded) == 5
    for a, b in zip(plain.batches(2), sharded.batches(2)):
        np.testing.assert_array_equal(a, b)
    assert repr(plain) == repr(sharded)


def test_augmentation_seeds_differ_between_ranks_and_rank_0_keeps_the_plain_ones():
    seeds = {batch_seed(7, 1, 4, rank) for rank in range(4)}
    assert len(seeds) == 4
    assert batch_seed(7, 1, 4, 0) == batch_seed(7, 1, 4)


def test_a_resumed_shard_sees_the_batches_the_uninterrupted_one_would():
    loader = NyangDataloader(dataset(40), 4, shuffle=True, seed=1, shard=(1, 3))
    list(loader)
    expected = loader.batches(loader.epoch)
    resumed = NyangDataloader(dataset(40), 4, shuffle=True, seed=1, shard=(1, 3))
    resumed.load_state_dict(loader.state_dict())
    for a, b in zip(resumed.batches(resumed.epoch), expected):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("shard", "kwargs", "message"),
    [
        ((2, 2), {"seed": 0}, "0 <= rank < world"),
        ((0, 0), {"seed": 0}, "0 <= rank < world"),
        ((0.5, 2), {"seed": 0}, "0 <= rank < world"),
        ((0, 2), {"shuffle": True}, "needs a seed"),
    ],
)
def test_bad_shards_are_refused(shard, kwargs, message):
    with pytest.raises(ValueError, match=message):
        NyangDataloader(dataset(10), 2, shard=shard, **kwargs)


def test_the_pipeline_shards_train_and_valid_but_not_test():
    train, valid, test, _ = nyangnyang_dataset_ready("digits", batch_size=16, shard=(1, 2))
    assert train.shard == valid.shard == (1, 2) and test.shard == (0, 1)
    assert len(train) == -(-len(train.dataset) // 32)
    assert "shard=(1, 2)" in repr(train)
