"""nyangtorch (냥냥 torch): deep learning for image classification, from scratch on NumPy.

The five parts of the workflow: ``nyangtorch.data`` (datasets, loaders, augmentation),
``nyangtorch.nn`` (layers, losses), ``nyangtorch.optim`` and ``nyang_train`` (training),
``nyang_save_model`` / ``nyang_load_model`` (utility), ``nyangtorch.metrics``,
``nyang_inference`` and ``nyang_predict`` (evaluation).
"""

from . import data, distributed, eval, metrics, models, nn, optim
from ._allocator import tune_allocator
from .data import NyangDataloader, Preprocessing, nyang_images_grid, nyangnyang_dataset_ready
from .eval import nyang_inference, nyang_predict
from .nn import NyangFlow, NyangModel, no_grad, set_grad_enabled
from .random import manual_seed
from .train import DataParallel, EarlyStopping, History, nyang_train, plot_history
from .utils import load_weights, nyang_load_model, nyang_save_model, save_weights
from .version import __version__

# The names a PyTorch user looks for first.
save_model, load_model = nyang_save_model, nyang_load_model

__all__ = [
    "DataParallel",
    "EarlyStopping",
    "History",
    "NyangDataloader",
    "NyangFlow",
    "NyangModel",
    "Preprocessing",
    "__version__",
    "data",
    "distributed",
    "eval",
    "load_model",
    "load_weights",
    "manual_seed",
    "metrics",
    "models",
    "nn",
    "no_grad",
    "set_grad_enabled",
    "nyang_images_grid",
    "nyang_inference",
    "nyang_load_model",
    "nyang_predict",
    "nyang_save_model",
    "nyang_train",
    "nyangnyang_dataset_ready",
    "optim",
    "plot_history",
    "save_model",
    "save_weights",
    "tune_allocator",
]
