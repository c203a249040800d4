"""One rank of the small data-parallel runs that tests/distributed/test_mpi.py launches with
mpirun (``python ranks.py MODE OUT``), and the same runs in one process for comparison."""

import os
import sys
from pathlib import Path

import numpy as np

import nyangtorch
from nyangtorch import distributed, models, nn, optim
from nyangtorch.data import ArrayDataset, NyangDataloader

GLOBAL_BATCH = 64
# 19 full global batches and a last one of 37: 20 steps, the last split 19 + 18 on two ranks.
TRAIN_SAMPLES, VALID_SAMPLES = 19 * GLOBAL_BATCH + 37, 203


def random_images(n: int, seed: int, size: int = 28) -> ArrayDataset:
    rng = np.random.default_rng(seed)
    return ArrayDataset(rng.integers(0, 256, (n, size, size), np.uint8), rng.integers(0, 10, n))


def make_model(name: str):
    if name == "cnn":
        return models.reference_cnn()
    return nn.convert_sync_batchnorm(models.reference_cnn_bn())


def train(name: str, epochs: int, out_dir=None, resume=None, dtype=np.float64, train_data=None):
    """The reference CNN (or its BatchNorm variant with synchronised statistics) trained with
    SGD on random images: global batch 64 whatever the number of ranks."""
    rank, world = distributed.init()
    nyangtorch.manual_seed(0)
    model = make_model(name).to(dtype)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    shard = (rank, world)
    train_data = train_data if train_data is not None else random_images(TRAIN_SAMPLES, 1)
    loader = NyangDataloader(train_data, GLOBAL_BATCH // world, True, seed=2, shard=shard)
    valid = NyangDataloader(random_images(VALID_SAMPLES, 3), 50 // world, shard=shard)
    history = nyangtorch.nyang_train(
        model, optimizer, nn.CE(), loader, valid, epochs, out_dir=out_dir, resume=resume,
        progress=False,
    )  # fmt: skip
    return model, history


class FailingImages(ArrayDataset):
    """Random images whose fourth batch fails to load on rank 1."""

    loaded = 0

    def get_batch(self, indices):
        self.loaded += 1
        if distributed.rank() == 1 and self.loaded == 4:
            raise RuntimeError("disk on fire")
        return super().get_batch(indices)


def main(mode: str, out: Path) -> None:
    rank, world = distributed.init()
    (out / f"pid-{rank}").write_text(str(os.getpid()))  # for the tests that stop a rank
    if mode == "parity":  # both models for one epoch; the reference CNN's run is resumable
        for name in ("cnn", "cnn-bn"):
            model, history = train(name, 1, out_dir=out / name)
            if rank == 0:
                np.savez(out / f"{name}.npz", **model.state_dict())
    elif mode == "resume":  # the reference CNN's run goes on for a second epoch
        model, _ = train("cnn", 2, out_dir=out / "cnn", resume=out / "cnn" / "last.pickle")
        if rank == 0:
            np.savez(out / "cnn-resumed.npz", **model.state_dict())
    elif mode == "fail":
        rng = np.random.default_rng(1)
        images = FailingImages(rng.integers(0, 256, (640, 28, 28), np.uint8), np.arange(640) % 10)
        train("cnn", 1, dtype=np.float32, train_data=images)
    elif mode == "forever":  # until the test stops one rank
        train("cnn", 1000, dtype=np.float32, train_data=random_images(640, 1))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
