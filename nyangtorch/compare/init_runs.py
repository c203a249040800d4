"""What the initialisation does to the first epochs: the reference CNN trained from
nyangtorch's default (He-normal), from ``init="torch"``, and as PyTorch itself starts it."""

from __future__ import annotations

import numpy as np

from .. import models, nn, optim
from ..eval.inference import nyang_inference
from ..random import manual_seed
from ..train.loop import train_one_epoch
from .convert import _torch, to_torch, torch_target


class _FirstLoss:
    """A logger that keeps the loss of the first step."""

    def __init__(self) -> None:
        self.loss: float | None = None

    def log(self, values: dict, step: int) -> None:
        if self.loss is None:
            self.loss = float(values["train/loss"])


def _ours(init: str, train_loader, valid_loader, epochs: int, seed: int) -> dict:
    manual_seed(seed)
    model = models.reference_cnn(init=init)
    opt, loss_fn, first = optim.Adam(model.parameters(), lr=1e-3), nn.CE(), _FirstLoss()
    rows = []
    for epoch in range(1, epochs + 1):
        train_one_epoch(model, opt, loss_fn, train_loader, epoch, logger=first)
        result = nyang_inference(model, valid_loader, loss_fn, ("accuracy",), progress=False)
        rows.append({"valid_loss": result.loss, "valid_accuracy": result.metrics["accuracy"]})
    return {"first_loss": first.loss, "epochs": rows}


def _theirs(train_loader, valid_loader, epochs: int, seed: int) -> dict:
    torch = _torch()
    torch.manual_seed(seed)
    twin = to_torch(models.reference_cnn())
    for module in twin.modules():  # PyTorch's own initialisation, drawn by torch
        if hasattr(module, "reset_parameters"):
            module.reset_parameters()
    opt, first, rows = torch.optim.Adam(twin.parameters(), lr=1e-3), None, []
    for _ in range(epochs):
        twin.train()
        for x, y in train_loader:
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(
                twin(torch.from_numpy(np.ascontiguousarray(x))), torch_target(y, np.float32)
            )
            loss.backward()
            opt.step()
            first = loss.item() if first is None else first
        twin.eval()
        total, hits, count = 0.0, 0, 0
        with torch.no_grad():
            for x, y in valid_loader:
                logits = twin(torch.from_numpy(np.ascontiguousarray(x)))
                target = torch_target(y, np.float32)
                total += torch.nn.functional.cross_entropy(logits, target).item() * len(x)
                hits += int((logits.argmax(dim=1) == target).sum())
                count += len(x)
        rows.append({"valid_loss": total / count, "valid_accuracy": hits / count})
    return {"first_loss": first, "epochs": rows}


def init_runs(train_loader, valid_loader, epochs: int = 2, seed: int = 0) -> dict:
    """``{"he": …, "torch": …, "pytorch": …}``: for each start, the first step's loss and
    each epoch's valid loss and accuracy (Adam, lr 0.001, the loaders' own batches)."""
    runs = {init: _ours(init, train_loader, valid_loader, epochs, seed) for init in ("he", "torch")}
    runs["pytorch"] = _theirs(train_loader, valid_loader, epochs, seed)
    runs["config"] = {
        "train_images": len(train_loader.dataset),
        "valid_images": len(valid_loader.dataset),
        "batch_size": train_loader.batch_size,
    }
    return runs
