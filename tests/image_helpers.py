"""Image folders made up for the data tests."""

import numpy as np
from PIL import Image


def make_folder(root, counts: dict, size=(6, 5), mode="L", seed=0):
    """root/<class>/<i>.png with random pixels; returns root."""
    rng = np.random.default_rng(seed)
    for name, n in counts.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            shape = (size[0], size[1]) if mode == "L" else (size[0], size[1], 3)
            Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(
                root / name / f"{i:03d}.png"
            )
    return root
