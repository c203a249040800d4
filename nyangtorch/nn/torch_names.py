"""PyTorch's names for nyangtorch's classes, so a model ported from PyTorch reads as written.

One class serves both BatchNorm names: ``BatchNorm`` takes (N, C) and (N, C, H, W) alike.
``Sequential`` (``NyangFlow``) is defined beside its class in ``container.py``.
"""

from .conv import Conv
from .loss import CE, NLL
from .module import NyangModel
from .norm import BatchNorm
from .pool import AvgPool, MaxPool

Module = NyangModel
Conv2d = Conv
MaxPool2d = MaxPool
AvgPool2d = AvgPool
BatchNorm1d = BatchNorm
BatchNorm2d = BatchNorm
CrossEntropyLoss = CE
NLLLoss = NLL
