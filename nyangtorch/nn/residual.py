"""Residual: a block whose input is added back to its output (He et al., 2016)."""

from __future__ import annotations

import numpy as np

from .module import NyangModel


class Residual(NyangModel):
    """``y = F(x) + S(x)``: ``F`` the block, ``S`` the shortcut, the identity when None (or a
    1×1 Conv and BatchNorm that match a change of shape). x: (N, C, H, W), y: F's output shape.

    Backward: both paths receive ``dy`` and their input gradients add,
    ``dx = dF(dy) + dS(dy)``, where ``dS(dy) = dy`` for the identity.
    """

    def __init__(self, block: NyangModel, shortcut: NyangModel | None = None) -> None:
        super().__init__()
        self.block = block
        self.shortcut = shortcut

    def forward(self, x: np.ndarray) -> np.ndarray:
        fx = self.block(x)
        sx = x if self.shortcut is None else self.shortcut(x)
        if fx.shape != sx.shape:
            raise ValueError(
                f"Residual: the block gives {fx.shape} but the shortcut {sx.shape}; a block that "
                "changes the shape needs a shortcut that does the same (a 1×1 Conv with the "
                "block's stride and output channels, and a BatchNorm)"
            )
        return fx + sx

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dx = self.block.backward(dy)
        return dx + (dy if self.shortcut is None else self.shortcut.backward(dy))

    def backward_params(self, dy: np.ndarray) -> None:
        """Without the input gradient (the input is the data): each path skips its own."""
        self.block.backward_params(dy)
        if self.shortcut is not None:
            self.shortcut.backward_params(dy)
