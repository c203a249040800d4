"""Model building: layers with explicit forward and backward, losses, initialisers."""

from .activation import ELU, SELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .container import NyangFlow, Sequential
from .conv import Conv
from .dropout import Dropout
from .flatten import Flatten
from .init import he_normal, xavier_uniform
from .linear import Linear
from .loss import BCE, CE, MSE, FocalLoss, Loss
from .module import NyangModel, Parameter, inference_mode, is_grad_enabled, no_grad
from .norm import BatchNorm
from .pool import AvgPool, MaxPool

__all__ = [
    "AvgPool",
    "BCE",
    "BatchNorm",
    "CE",
    "Conv",
    "Dropout",
    "ELU",
    "Flatten",
    "FocalLoss",
    "LeakyReLU",
    "Linear",
    "Loss",
    "MSE",
    "MaxPool",
    "NyangFlow",
    "NyangModel",
    "Parameter",
    "ReLU",
    "SELU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "he_normal",
    "inference_mode",
    "is_grad_enabled",
    "no_grad",
    "xavier_uniform",
]
