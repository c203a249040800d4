"""Atomic writes: a crash leaves the old file whole, and a killed writer's temporary file is
removed by the next write of that file — but never a live writer's."""

import os
import re
import subprocess
import sys

import pytest

from nyangtorch import models, nn
from nyangtorch.utils import atomic, nyang_save_model


def test_a_crash_mid_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "m.pickle"
    nyang_save_model(nn.Linear(2, 2), path)
    before = path.read_bytes()

    def exploding_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "fsync", exploding_fsync)
    with pytest.raises(OSError, match="disk full"):
        nyang_save_model(models.reference_cnn(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.pickle"]  # no temporary left behind


def test_the_temporary_is_named_after_the_file_and_the_writer(tmp_path, monkeypatch):
    renamed = []

    def replace(source, target):
        renamed.append(os.path.basename(source))
        os.rename(source, target)

    monkeypatch.setattr(atomic.os, "replace", replace)
    atomic.atomic_write(tmp_path / "m.pickle", b"data")
    assert len(renamed) == 1 and re.fullmatch(
        rf"\.m\.pickle\.{os.getpid()}\.[^.]+\.tmp", renamed[0]
    )


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_the_next_write_removes_temporaries_of_killed_writers_only(tmp_path):
    dead, live = dead_pid(), os.getpid()
    stale = tmp_path / f".m.pickle.{dead}.k1ll3d_x.tmp"  # left by a writer killed mid-save
    in_progress = tmp_path / f".m.pickle.{live}.sav1ng_x.tmp"  # a writer still at work
    other_file = tmp_path / f".other.pickle.{dead}.k1ll3d_y.tmp"  # another file's business
    dotted = tmp_path / f".m.pickle.5.{dead}.k1ll3d_z.tmp"  # the temporary of "m.pickle.5"
    for path in (stale, in_progress, other_file, dotted):
        path.write_bytes(b"half a model")
    nyang_save_model(nn.Linear(2, 2), tmp_path / "m.pickle")
    assert not stale.exists()
    assert in_progress.exists() and other_file.exists() and dotted.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["m.pickle"]
