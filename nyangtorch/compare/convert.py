"""Convert a NyangFlow to the equivalent ``torch.nn.Sequential`` and back, weights included.

torch is imported here, lazily: the rest of nyangtorch never needs it.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import nn


def _torch():
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            "the comparison needs PyTorch: pip install 'nyangtorch[compare]' (torch==2.13.0)"
        ) from error
    return torch


def _unsupported(layer, index, why: str = "") -> TypeError:
    return TypeError(f"layer {index} {layer!r} has no PyTorch twin{': ' + why if why else ''}")


@functools.cache
def _torch_residual():
    """torch has no residual layer: this is the twin of ``nn.Residual``, same attribute names."""
    torch = _torch()

    class Residual(torch.nn.Module):
        def __init__(self, block, shortcut=None) -> None:
            super().__init__()
            self.block, self.shortcut = block, shortcut

        def forward(self, x):
            return self.block(x) + (x if self.shortcut is None else self.shortcut(x))

    return Residual


def _layer_to_torch(layer, index, spatial: bool | None):
    torch = _torch()
    tnn = torch.nn
    if isinstance(layer, nn.Linear):
        return tnn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None)
    if isinstance(layer, nn.Conv):
        # A Conv with next_pool skips outputs its pool never reads; PyTorch computes them all
        # and its pool ignores them, so from the pool on the two are the same.
        return tnn.Conv2d(
            layer.in_channels,
            layer.out_channels,
            layer.kernel_size,
            layer.stride,
            layer.padding,
            bias=layer.bias is not None,
        )
    if isinstance(layer, nn.MaxPool):
        pool = tnn.MaxPool2d(layer.kernel_size, layer.stride, layer.padding)
        return tnn.Sequential(pool, tnn.ReLU()) if layer.relu else pool
    if isinstance(layer, nn.AvgPool):
        return tnn.AvgPool2d(layer.kernel_size, layer.stride, layer.padding)
    if isinstance(layer, nn.BatchNorm):
        if spatial is None:
            raise _unsupported(
                layer, index, "cannot tell BatchNorm1d from BatchNorm2d before any other layer"
            )
        kind = tnn.BatchNorm2d if spatial else tnn.BatchNorm1d
        return kind(layer.num_features, eps=layer.eps, momentum=layer.momentum)
    if isinstance(layer, nn.Dropout):
        if not layer.inverted:
            raise _unsupported(layer, index, "classic (non-inverted) dropout")
        return tnn.Dropout(layer.p)
    if isinstance(layer, nn.SELU):  # before ELU: SELU is an ELU subclass
        return tnn.SELU()
    if isinstance(layer, nn.ELU):
        return tnn.ELU(layer.alpha)
    if isinstance(layer, nn.LeakyReLU):
        return tnn.LeakyReLU(layer.negative_slope)
    if isinstance(layer, nn.Softmax):
        return tnn.Softmax(dim=layer.axis)
    if isinstance(layer, nn.LogSoftmax):
        return tnn.LogSoftmax(dim=layer.axis)
    if isinstance(layer, nn.GlobalAvgPool):
        return tnn.Sequential(tnn.AdaptiveAvgPool2d(1), tnn.Flatten())
    if isinstance(layer, nn.Residual):
        block = _layer_to_torch(layer.block, f"{index}.block", spatial)
        shortcut = layer.shortcut
        if shortcut is not None:
            shortcut = _layer_to_torch(shortcut, f"{index}.shortcut", spatial)
        return _torch_residual()(block, shortcut)
    simple = {
        nn.ReLU: tnn.ReLU,
        nn.Tanh: tnn.Tanh,
        nn.Sigmoid: tnn.Sigmoid,
        nn.Flatten: tnn.Flatten,
    }
    if type(layer) in simple:
        return simple[type(layer)]()
    if isinstance(layer, nn.NyangFlow):
        return to_torch(layer, spatial)
    raise _unsupported(layer, index)


def _is_spatial_after(layer, spatial: bool | None) -> bool | None:
    if isinstance(layer, (nn.Conv, nn.MaxPool, nn.AvgPool)):
        return True
    if isinstance(layer, (nn.Flatten, nn.Linear, nn.GlobalAvgPool)):
        return False
    return spatial


def to_torch(model: nn.NyangFlow, spatial: bool | None = None):
    """The ``torch.nn.Sequential`` twin of ``model`` with every weight and running statistic
    copied, in the model's dtype and mode. ``spatial`` says whether the input is (N, C, H, W)
    when a BatchNorm comes first (it is found from the layers otherwise)."""
    torch = _torch()
    if not isinstance(model, nn.NyangFlow):
        raise TypeError(f"to_torch converts a NyangFlow, got {type(model).__name__}")
    layers = []
    for index, layer in enumerate(model):
        layers.append(_layer_to_torch(layer, index, spatial))
        spatial = _is_spatial_after(layer, spatial)
    twin = torch.nn.Sequential(*layers)
    dtype = next((p.data.dtype for p in model.parameters()), np.dtype(np.float32))
    twin.to(torch.float64 if dtype == np.float64 else torch.float32)
    state = {k: torch.from_numpy(np.array(v)) for k, v in model.state_dict().items()}
    missing, unexpected = twin.load_state_dict(state, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (
        missing,
        unexpected,
    )
    twin.train(model.training)
    return twin


def _layer_from_torch(module, index):
    torch = _torch()
    tnn = torch.nn
    if isinstance(module, tnn.Linear):
        return nn.Linear(module.in_features, module.out_features, bias=module.bias is not None)
    if isinstance(module, tnn.Conv2d):
        if module.dilation != (1, 1) or module.groups != 1 or module.padding_mode != "zeros":
            raise TypeError(
                f"layer {index} {module}: only plain convolutions (no dilation, groups or "
                "non-zero padding modes) have a nyangtorch twin"
            )
        return nn.Conv(
            module.in_channels,
            module.out_channels,
            module.kernel_size,
            module.stride,
            module.padding,
            bias=module.bias is not None,
        )
    if isinstance(module, tnn.MaxPool2d):
        if module.dilation not in (1, (1, 1)) or module.ceil_mode or module.return_indices:
            raise TypeError(
                f"layer {index} {module}: dilation, ceil_mode and return_indices are not supported"
            )
        return nn.MaxPool(module.kernel_size, module.stride, module.padding)
    if isinstance(module, tnn.Sequential) and list(map(type, module)) == [tnn.MaxPool2d, tnn.ReLU]:
        pool = _layer_from_torch(module[0], index)  # what to_torch makes of MaxPool(relu=True)
        return nn.MaxPool(pool.kernel_size, pool.stride, pool.padding, relu=True)
    if isinstance(module, tnn.AvgPool2d):
        if module.ceil_mode or not module.count_include_pad or module.divisor_override:
            raise TypeError(
                f"layer {index} {module}: only count_include_pad=True, floor mode is supported"
            )
        return nn.AvgPool(module.kernel_size, module.stride, module.padding)
    if isinstance(module, (tnn.BatchNorm1d, tnn.BatchNorm2d)):
        if module.momentum is None or not module.affine or not module.track_running_stats:
            raise TypeError(
                f"layer {index} {module}: needs affine=True, track_running_stats=True, a momentum"
            )
        return nn.BatchNorm(module.num_features, module.eps, module.momentum)
    if isinstance(module, tnn.Flatten):
        if module.start_dim != 1 or module.end_dim != -1:
            raise TypeError(
                f"layer {index} {module}: only Flatten(start_dim=1, end_dim=-1) is supported"
            )
        return nn.Flatten()
    table = {
        tnn.ReLU: lambda m: nn.ReLU(),
        tnn.Tanh: lambda m: nn.Tanh(),
        tnn.Sigmoid: lambda m: nn.Sigmoid(),
        tnn.SELU: lambda m: nn.SELU(),
        tnn.ELU: lambda m: nn.ELU(m.alpha),
        tnn.LeakyReLU: lambda m: nn.LeakyReLU(m.negative_slope),
        tnn.Dropout: lambda m: nn.Dropout(m.p),
        tnn.Softmax: lambda m: nn.Softmax(axis=-1 if m.dim is None else m.dim),
        tnn.LogSoftmax: lambda m: nn.LogSoftmax(axis=-1 if m.dim is None else m.dim),
        tnn.Sequential: lambda m: from_torch(m),
    }
    if type(module) in table:
        return table[type(module)](module)
    raise TypeError(f"layer {index} {type(module).__name__} has no nyangtorch twin")


def torch_target(y: np.ndarray, dtype):
    """A loader's labels as torch's cross-entropy takes them: class indices stay int64 (a
    float target would be read as probabilities), one-hot rows take the model's dtype."""
    torch = _torch()
    return torch.from_numpy(y if np.issubdtype(y.dtype, np.integer) else y.astype(dtype))


def from_torch(sequential) -> nn.NyangFlow:
    """The NyangFlow twin of a ``torch.nn.Sequential``, weights and running statistics copied."""
    torch = _torch()
    if not isinstance(sequential, torch.nn.Sequential):
        raise TypeError(
            f"from_torch converts a torch.nn.Sequential, got {type(sequential).__name__}"
        )
    model = nn.NyangFlow(*(_layer_from_torch(m, i) for i, m in enumerate(sequential)))
    state = {
        k: v.detach().cpu().numpy()
        for k, v in sequential.state_dict().items()
        if not k.endswith("num_batches_tracked")
    }
    dtype = next((v.dtype for v in state.values()), np.float32)
    model.to(dtype)
    model.load_state_dict(state)
    model.train(sequential.training)
    return model
