"""nyangtorch (냥냥 torch): deep learning for image classification, from scratch on NumPy.

The five parts of the workflow: ``nyangtorch.data`` (datasets, loaders, augmentation),
``nyangtorch.nn`` (layers, losses), ``nyangtorch.optim`` and ``nyang_train`` (training),
``nyang_save_model`` / ``nyang_load_model`` (utility), ``nyangtorch.metrics`` and
``nyang_inference`` (evaluation).
"""

from . import _allocator, data, eval, metrics, models, nn, optim  # noqa: F401  (_allocator: see its docstring)
from .data import NyangDataloader, nyang_images_grid, nyangnyang_dataset_ready
from .eval import nyang_inference
from .nn import NyangFlow, NyangModel, no_grad
from .random import manual_seed
from .train import History, nyang_train, plot_history
from .utils import load_weights, nyang_load_model, nyang_save_model, save_weights

__version__ = "0.1.0"

__all__ = [
    "History",
    "NyangDataloader",
    "NyangFlow",
    "NyangModel",
    "__version__",
    "data",
    "eval",
    "load_weights",
    "manual_seed",
    "metrics",
    "models",
    "nn",
    "no_grad",
    "nyang_images_grid",
    "nyang_inference",
    "nyang_load_model",
    "nyang_save_model",
    "nyang_train",
    "nyangnyang_dataset_ready",
    "optim",
    "plot_history",
    "save_weights",
]
