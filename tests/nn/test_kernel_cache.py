"""The compiled kernels' disk cache: a second interpreter loads what the first compiled, and a
read-only install (no writable package folder, no writable home) still imports and runs."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nyangtorch

PACKAGE = Path(nyangtorch.__file__).parent

# A MaxPool forward and backward in a fresh interpreter; it reports where Numba caches and
# how often the kernel was loaded from the cache (hits) or compiled (misses).
PROBE = """
import json, os
import numpy as np
from nyangtorch import nn
from nyangtorch.nn.kernels import pool
layer = nn.MaxPool(2, relu=True)
layer.backward(layer(np.ones((1, 2, 4, 4), np.float32)))
stats = pool.max_pool_2x2.stats
print(json.dumps({"cache_dir": os.environ.get("NUMBA_CACHE_DIR"),
                  "hits": sum(stats.cache_hits.values()),
                  "misses": sum(stats.cache_misses.values())}))
"""


def run_probe(pythonpath: Path, **env: str) -> dict:
    """PROBE in a fresh interpreter importing nyangtorch from ``pythonpath`` (run from that
    folder: ``python -c`` puts the working folder first on the path)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "XDG_"))}
    clean.update(PYTHONPATH=str(pythonpath), **env)
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=clean, cwd=pythonpath, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.splitlines()[-1])


def test_a_second_interpreter_loads_the_kernels_from_the_cache(tmp_path):
    cache = tmp_path / "cache"
    first = run_probe(PACKAGE.parent, NUMBA_CACHE_DIR=str(cache))
    second = run_probe(PACKAGE.parent, NUMBA_CACHE_DIR=str(cache))
    assert first["misses"] == 1 and first["hits"] == 0  # compiled, and written to the cache
    assert second["misses"] == 0 and second["hits"] == 1  # loaded
    assert list(cache.rglob("pool.max_pool_2x2-*.nbi"))


def test_a_read_only_install_caches_in_the_temporary_folder(tmp_path):
    """No place Numba would pick is writable, even for root: the package's kernels folder
    has a *file* named __pycache__, and HOME lies inside a file."""
    site = tmp_path / "site"
    shutil.copytree(PACKAGE, site / "nyangtorch", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "nyangtorch" / "nn" / "kernels" / "__pycache__").write_text("not a folder")
    (tmp_path / "tmp").mkdir()
    result = run_probe(site, HOME=os.devnull + "/home", TMPDIR=str(tmp_path / "tmp"))
    assert Path(result["cache_dir"]).parent == tmp_path / "tmp"
    assert list(Path(result["cache_dir"]).rglob("pool.max_pool_2x2-*.nbi"))
