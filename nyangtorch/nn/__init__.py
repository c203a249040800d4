"""Model building: layers with explicit forward and backward, losses, initialisers."""

from .activation import ELU, SELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import NyangFlow, Sequential
from .conv import Conv
from .dropout import Dropout
from .flatten import Flatten
from .init import he_normal, xavier_uniform
from .linear import Linear
from .loss import BCE, CE, MSE, NLL, FocalLoss, Loss
from .module import (
    NyangModel,
    Parameter,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .norm import BatchNorm, convert_sync_batchnorm
from .pool import AvgPool, GlobalAvgPool, MaxPool
from .residual import Residual
from .torch_names import (
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    CrossEntropyLoss,
    MaxPool2d,
    Module,
    NLLLoss,
)

__all__ = [
    "AvgPool",
    "AvgPool2d",
    "BCE",
    "BatchNorm",
    "BatchNorm1d",
    "BatchNorm2d",
    "CE",
    "Conv",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "ELU",
    "Flatten",
    "FocalLoss",
    "GlobalAvgPool",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "Loss",
    "MSE",
    "MaxPool",
    "MaxPool2d",
    "Module",
    "NLL",
    "NLLLoss",
    "NyangFlow",
    "NyangModel",
    "Parameter",
    "ReLU",
    "Residual",
    "SELU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "convert_sync_batchnorm",
    "he_normal",
    "inference_mode",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
    "xavier_uniform",
]
