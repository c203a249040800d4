"""Data-parallel training over MPI on this machine, and a model of the speed-up on more.

    python benchmarks/distributed.py            (starts its own mpirun jobs; about a minute)

1. A training epoch of the reference CNN (Fashion-MNIST images, batch 64 per rank, Adam) and a
   few steps of resnet20 on 1 and 2 ranks, each rank one BLAS thread: seconds and images/s.
2. The time of one Allreduce (sum, 2 ranks) against its size, 1 KB to 100 MB.
3. From these, the speed-up on p machines with batch 64 per machine (global batch 64·p):
   ``S(p) = p · t_c / (t_c + t_comm(p))``, with ``t_c`` the measured time of one step on one
   rank and ``t_comm(p)`` the step's two Allreduces, the batch's sums and the gradients:

       t_comm(p) = 2 · ⌈log₂ p⌉ · ℓ  +  2(p − 1)/p · G / B

   ℓ is one round of a small Allreduce (recursive doubling takes ⌈log₂ p⌉ rounds), and G / B
   the time to move the G bytes of gradients once (a ring Allreduce moves 2(p − 1)/p of them
   through each rank). "this machine" takes both from step 2 (ℓ = the 1 KB time, G / B = the
   time at G less ℓ): shared memory, not a network; "10 Gb/s Ethernet" assumes ℓ = 30 µs and
   B = 1.25 GB/s. SyncBatchNorm adds two small collectives per BatchNorm layer and step.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SIZES = [10**k for k in range(3, 9)]  # bytes, 1 KB to 100 MB
MACHINES = (2, 4, 8, 16)
ETHERNET_ROUND, ETHERNET_BANDWIDTH = 30e-6, 1.25e9  # 10 Gb/s, assumed
RESULT = "RESULT "


# -- inside the MPI jobs ----------------------------------------------------------------------
def train_job(model_name: str, images: int, sync_bn: bool) -> dict:
    """Time one epoch over ``images`` Fashion-MNIST images, after a short warm-up."""
    import nyangtorch
    from nyangtorch import distributed, models, nn, optim
    from nyangtorch.data import ArrayDataset, FashionMNIST, NyangDataloader
    from nyangtorch.train import train_one_epoch

    rank, world = distributed.init()
    nyangtorch.manual_seed(0)
    model = models.reference_cnn() if model_name == "cnn" else models.resnet(20)
    if sync_bn:
        nn.convert_sync_batchnorm(model)
    distributed.broadcast_parameters(model)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    data = FashionMNIST("train")
    subset = ArrayDataset(data.images[:images], data.targets[:images])
    loader = NyangDataloader(subset, 64, shuffle=True, seed=0, shard=(rank, world))
    warm_up = NyangDataloader(
        ArrayDataset(data.images[-64 * world * 3 :], data.targets[-64 * world * 3 :]),
        64, shard=(rank, world),
    )  # fmt: skip
    train_one_epoch(model, optimizer, nn.CE(), warm_up, distributed=world > 1)
    distributed.barrier()
    start = time.perf_counter()
    train_one_epoch(model, optimizer, nn.CE(), loader, distributed=world > 1)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "steps": len(loader), "images": images}


def allreduce_job() -> dict:
    """Median time of one in-place Allreduce (sum) of float32 buffers of each size."""
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    times = {}
    for size in SIZES:
        buffer = np.ones(size // 4, np.float32)
        repeats = max(5, min(200, int(2e8 // size)))
        samples = []
        for _ in range(repeats + 2):
            comm.Barrier()
            start = time.perf_counter()
            comm.Allreduce(MPI.IN_PLACE, buffer)
            samples.append(time.perf_counter() - start)
        times[size] = float(np.median(samples[2:]))
    return {"seconds": times}


# -- the driver -------------------------------------------------------------------------------
def launch(ranks: int, *job: str) -> dict:
    """Run this file's ``job`` on ``ranks`` MPI ranks of one BLAS thread; rank 0's result."""
    mpirun = shutil.which("mpirun", path=Path(sys.executable).parent) or shutil.which("mpirun")
    root = str(Path(__file__).resolve().parents[1])
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "OMPI_ALLOW_RUN_AS_ROOT": "1",  # the machines here run as root
        "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    }
    forwarded = [a for name in ("PYTHONPATH", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
                 for a in ("-x", name)]  # fmt: skip
    command = [mpirun, "-n", str(ranks), "--bind-to", "none", *forwarded, sys.executable]
    output = subprocess.run(
        [*command, __file__, "--job", *job], env=env, capture_output=True, text=True,
        check=True, stdin=subprocess.DEVNULL,
    ).stdout  # fmt: skip
    line = next(x for x in output.splitlines() if x.startswith(RESULT))
    return json.loads(line.removeprefix(RESULT))


def parameters(model_name: str) -> tuple[int, int]:
    """Parameter count and number of BatchNorm layers of a model."""
    from nyangtorch import models, nn

    model = models.reference_cnn() if model_name == "cnn" else models.resnet(20)
    batch_norms = sum(isinstance(m, nn.BatchNorm) for m in model.modules())
    return model.num_parameters(), batch_norms


def comm_seconds(p: int, round_seconds: float, move_seconds: float, collectives: int) -> float:
    """``t_comm(p)``: ``2 + collectives`` small Allreduces of ⌈log₂ p⌉ rounds each, and the
    gradients moved 2(p − 1)/p times (``move_seconds``: once)."""
    rounds = math.ceil(math.log2(p))
    return (2 + collectives) * rounds * round_seconds + 2 * (p - 1) / p * move_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=12800, help="reference CNN epoch")
    parser.add_argument("--resnet-images", type=int, default=1280, help="resnet20 epoch")
    parser.add_argument("--job", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:  # inside mpirun
        kind, *rest = args.job
        result = (
            allreduce_job()
            if kind == "allreduce"
            else train_job(rest[0], int(rest[1]), rest[2] == "sync")
        )
        from nyangtorch import distributed

        if distributed.is_main():
            print(RESULT + json.dumps(result), flush=True)
        return

    print(f"{os.cpu_count()} cores; batch 64 per rank, each rank one BLAS thread")
    print(f"\n{'model':<18}{'ranks':>6}{'steps':>7}{'seconds':>9}{'images/s':>10}{'speed-up':>10}")
    runs = {}
    for name, images in (("cnn", args.images), ("resnet20", args.resnet_images)):
        variants = [(1, "plain"), (2, "plain")] + ([(2, "sync")] if name == "resnet20" else [])
        for ranks, bn in variants:
            r = launch(ranks, "train", name, str(images), bn)
            r["rate"] = r["images"] / r["seconds"]
            runs[name, ranks, bn] = r
            label = name + (" sync-BN" if bn == "sync" else "")
            speed_up = r["rate"] / runs[name, 1, "plain"]["rate"]
            print(
                f"{label:<18}{ranks:>6}{r['steps']:>7}{r['seconds']:>9.2f}{r['rate']:>10.0f}"
                f"{speed_up:>10.2f}"
            )

    measured = launch(2, "allreduce")["seconds"]
    sizes, seconds = np.array(SIZES, float), np.array([measured[str(s)] for s in SIZES])
    print(f"\n{'Allreduce, 2 ranks':<20}{'seconds':>12}{'GB/s':>8}")
    for size, t in zip(SIZES, seconds):
        print(f"{_bytes(size):<20}{t:>12.2e}{size / t / 1e9:>8.2f}")

    print("\nspeed-up model, batch 64 per machine (the measured 2-rank speed-up is above)")
    header = "".join(f"{'p=' + str(p):>8}" for p in MACHINES)
    print(f"{'model':<18}{'link':<19}{'t_c ms':>8}{'G MB':>7}{header}")
    for name in ("cnn", "resnet20"):
        count, batch_norms = parameters(name)
        base = runs[name, 1, "plain"]
        t_c, gradient_bytes = base["seconds"] / base["steps"], 4 * count
        # The 2-rank time at G bytes, between the measured sizes (log-log).
        at_g = np.exp(np.interp(np.log(gradient_bytes), np.log(sizes), np.log(seconds)))
        links = {
            "this machine": (seconds[0], at_g - seconds[0]),
            "10 Gb/s Ethernet": (ETHERNET_ROUND, gradient_bytes / ETHERNET_BANDWIDTH),
        }
        variants = {name: 0} | ({name + " sync-BN": 2 * batch_norms} if batch_norms else {})
        for link, (round_seconds, move_seconds) in links.items():
            for label, collectives in variants.items():
                t_comm = [
                    comm_seconds(p, round_seconds, move_seconds, collectives) for p in MACHINES
                ]
                cells = "".join(f"{p * t_c / (t_c + t):>8.2f}" for p, t in zip(MACHINES, t_comm))
                print(f"{label:<18}{link:<19}{t_c * 1e3:>8.1f}{gradient_bytes / 1e6:>7.2f}{cells}")


def _bytes(size: int) -> str:
    for unit, scale in (("MB", 10**6), ("KB", 10**3)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} B"


if __name__ == "__main__":
    main()
