"""Optimizers and learning-rate schedulers with PyTorch's names, defaults and update rules."""

from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .clip import clip_grad_norm
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .scheduler import (
    CosineDecay,
    ExpoDecay,
    OneCycle,
    ReduceOnPlateau,
    Scheduler,
    StepDecay,
    WarmUp,
)
from .sgd import SGD

__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "CosineDecay",
    "ExpoDecay",
    "OneCycle",
    "Optimizer",
    "RMSprop",
    "ReduceOnPlateau",
    "Scheduler",
    "StepDecay",
    "WarmUp",
    "clip_grad_norm",
]
