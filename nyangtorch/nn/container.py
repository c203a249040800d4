"""NyangFlow: layers applied one after another (PyTorch's Sequential)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .module import NyangModel


class NyangFlow(NyangModel):
    """``y = f_n(… f_2(f_1(x)))``; backward applies each layer's backward in reverse order.

    Layers run exactly in the order written and are named ``0``, ``1``, … in the state dict,
    as in ``torch.nn.Sequential``.
    """

    def __init__(self, *layers: NyangModel) -> None:
        super().__init__()
        for i, layer in enumerate(layers):
            if not isinstance(layer, NyangModel):
                raise TypeError(
                    f"NyangFlow: layer {i} is a {type(layer).__name__}, not a NyangModel layer"
                )
        for i, layer in enumerate(layers):
            layer.check_following(list(layers[i + 1 :]), i)
        self.layers = list(layers)

    def children(self) -> Iterator[tuple[str, NyangModel]]:
        for i, layer in enumerate(self.layers):
            yield str(i), layer

    def forward(self, x: np.ndarray) -> np.ndarray:
        for i, layer in enumerate(self.layers):
            try:
                x = layer(x)
            except ValueError as error:
                raise ValueError(f"NyangFlow layer {i}: {error}") from error
        return x

    def backward(self, grad: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def backward_params(self, grad: np.ndarray) -> None:
        """Backward without the input gradient: the first layer skips computing it."""
        if not self.layers:
            return
        for layer in reversed(self.layers[1:]):
            grad = layer.backward(grad)
        self.layers[0].backward_params(grad)

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[NyangModel]:
        return iter(self.layers)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return NyangFlow(*self.layers[index])
        return self.layers[index]


Sequential = NyangFlow
