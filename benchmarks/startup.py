"""Start-up cost of the compiled kernels: importing nyangtorch, and the first training step
of the reference CNN and the BatchNorm CNN (float32 and float64), with an empty kernel cache
(every kernel compiled) and with a filled one (every kernel loaded from disk).

Each figure comes from a fresh interpreter, with ``NUMBA_CACHE_DIR`` pointing at a new
temporary folder shared by the runs, so the machine's own cache is not touched.

    python benchmarks/startup.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

# What one fresh interpreter measures: the import, then the first step of each model and
# dtype (its forward, backward and Adam step, the kernels compiled or loaded on first use).
PROBE = """
import json, time
start = time.perf_counter()
import numpy as np
import nyangtorch
from nyangtorch import models, nn, optim
imported = time.perf_counter() - start
x = np.random.default_rng(0).random((64, 1, 28, 28), dtype=np.float32)
y = np.arange(64) % 10
steps = {}
for name, make in (("cnn", models.reference_cnn), ("cnn-bn", models.reference_cnn_bn)):
    for dtype in (np.float32, np.float64):
        model, loss = make().to(dtype), nn.CE()
        opt = optim.Adam(model.parameters())
        start = time.perf_counter()
        loss(model(x.astype(dtype)), y)
        model.backward_params(loss.backward())
        opt.step()
        steps[f"{name} {np.dtype(dtype).name}"] = time.perf_counter() - start
print(json.dumps({"import": imported, **steps}))
"""


def probe(cache: str) -> dict[str, float]:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh interpreters per state")
    args = parser.parse_args()
    rows: dict[str, dict[str, list[float]]] = {"empty cache": {}, "filled cache": {}}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as cache:
            for state in rows:  # the first run fills the cache the second one reads
                for key, seconds in probe(cache).items():
                    rows[state].setdefault(key, []).append(seconds)
    keys = list(rows["empty cache"])
    print(f"{'seconds (min–max over runs)':<28}" + "".join(f"{k:>20}" for k in keys))
    for state, times in rows.items():
        cells = "".join(f"{min(times[k]):>12.2f}–{max(times[k]):<7.2f}" for k in keys)
        print(f"{state:<28}{cells}")


if __name__ == "__main__":
    main()
