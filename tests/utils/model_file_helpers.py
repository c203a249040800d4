"""Helpers for tests of model and weight files: a trained model, hand-made files, and a bound
on what loading allocates."""

import contextlib
import hashlib
import pickle
import tracemalloc

import numpy as np

import nyangtorch
from nyangtorch import models
from nyangtorch.utils import serialization

MB = 1 << 20
GB = 1 << 30


def write_model_file(path, payload: bytes, **changes) -> None:
    """A current-format envelope around ``payload`` with a correct checksum: the file passes
    every envelope check, so what is tested is how the payload itself is read."""
    envelope = {
        "format": serialization.FORMAT,
        "version": serialization.FORMAT_VERSION,
        "nyangtorch": "0.1.0",
        "kind": "model",
        "sha256": hashlib.sha256(payload).hexdigest(),
        "payload": payload,
    }
    path.write_bytes(pickle.dumps(envelope | changes, protocol=5))


def trained_bn_cnn():
    """A model whose forward and backward ran: caches, gradients and running statistics set."""
    nyangtorch.manual_seed(0)
    model = models.reference_cnn_bn(dropout=0.2)
    x = np.random.default_rng(0).random((4, 1, 28, 28), dtype=np.float32)
    model.backward(model(x))  # fills caches and grads: neither belongs in the file
    return model, x


@contextlib.contextmanager
def allocates_at_most(limit: int):
    """Fail if the block's peak of traced allocations (Python's and NumPy's) exceeds
    ``limit``. An allocation the OS grants lazily is counted all the same."""
    tracemalloc.start()
    try:
        yield
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= limit, f"allocated {peak / MB:.0f} MB, at most {limit / MB:.0f} MB expected"


class Call:
    """Pickles as ``func(*args)``: a file may ask the unpickler to call whatever it names."""

    def __init__(self, func, *args) -> None:
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args
