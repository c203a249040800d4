"""nyangtorch (냥냥 torch): deep learning for image classification, from scratch on NumPy."""

from . import _allocator, nn, optim  # noqa: F401  (_allocator: see its docstring)
from .nn import NyangFlow, NyangModel, no_grad
from .random import manual_seed

__version__ = "0.1.0"

__all__ = ["NyangFlow", "NyangModel", "manual_seed", "nn", "no_grad", "optim", "__version__"]
