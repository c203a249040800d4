"""The comparison report's initialisation section: three starts of the reference CNN."""

import numpy as np

from nyangtorch.compare.init_runs import init_runs
from nyangtorch.compare.report import init_lines
from nyangtorch.data import NyangDataloader


def test_three_starts_and_their_section():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (96, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, 96)
    train = NyangDataloader((images, labels), 32, shuffle=True, seed=0)
    valid = NyangDataloader((images[:32], labels[:32]), 32)
    runs = init_runs(train, valid, epochs=1)
    # PyTorch's start and init="torch" begin near a uniform guess, ln 10; He-normal above it.
    assert abs(runs["pytorch"]["first_loss"] - np.log(10)) < 0.15
    assert abs(runs["torch"]["first_loss"] - np.log(10)) < 0.15
    assert runs["he"]["first_loss"] > runs["torch"]["first_loss"] + 0.3
    assert runs["config"] == {"train_images": 96, "valid_images": 32, "batch_size": 32}
    lines = init_lines(runs)
    assert lines[0] == "## Initialisation: the first epochs"
    assert (
        sum(line.startswith("| nyangtorch") or line.startswith("| PyTorch") for line in lines) == 3
    )
