"""nyang_train end to end on small real data (scikit-learn's digits)."""

import json

import numpy as np
import pytest

import nyangtorch
from nyangtorch import nn, optim
from nyangtorch.data import nyangnyang_dataset_ready
from nyangtorch.train import Checkpointer, NonFiniteLossError, plot_history


def small_cnn(dropout=0.0):
    layers = [nn.Conv(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool(2), nn.Flatten()]
    layers += [nn.Dropout(dropout)] if dropout else []
    return nn.NyangFlow(*layers, nn.Linear(128, 10))


def loaders(augment=False, batch_size=64):
    return nyangnyang_dataset_ready("digits", batch_size=batch_size, augment=augment, seed=0)


def train(tmp_path, epochs=3, model=None, lr=3e-3, **kwargs):
    nyangtorch.manual_seed(0)
    tr, va, te, _ = loaders(kwargs.pop("augment", False))
    model = model or small_cnn()
    history = nyangtorch.nyang_train(
        model,
        optim.Adam(model.parameters(), lr=lr),
        nn.CE(),
        tr,
        va,
        epochs=epochs,
        out_dir=tmp_path,
        progress=False,
        **kwargs,
    )
    return model, history, (tr, va, te)


def test_loss_decreases_and_files_are_written(tmp_path):
    model, history, _ = train(tmp_path, epochs=4)
    losses = history["train_loss"]
    assert losses[-1] < losses[0] * 0.5 and history["valid_accuracy"][-1] > 0.85
    for name in ("best.pickle", "last.pickle", "history.json", "history.csv"):
        assert (tmp_path / name).is_file()
    saved = json.loads((tmp_path / "history.json").read_text())
    assert [r["epoch"] for r in saved["records"]] == [1, 2, 3, 4]
    assert (
        (tmp_path / "history.csv")
        .read_text()
        .splitlines()[0]
        .startswith("epoch,train_loss,train_accuracy,valid_loss")
    )
    assert 0.5 < history["train_accuracy"][-1] <= 1


def test_best_checkpoint_is_the_epoch_with_lowest_valid_loss(tmp_path):
    # A high learning rate makes the valid loss go up and down.
    model, history, (_, va, _) = train(tmp_path, epochs=6, lr=0.05)
    valid = history["valid_loss"]
    assert history.best_epoch == int(np.argmin(valid)) + 1
    best = nyangtorch.nyang_load_model(tmp_path / "best.pickle")
    result = nyangtorch.nyang_inference(best, va, nn.CE(), progress=False)
    assert result.loss == pytest.approx(min(valid), rel=1e-6)


def test_early_stopping_fires_after_patience_epochs(tmp_path):
    # lr = 0: the valid loss never improves after epoch 1, so patience 2 stops after epoch 3.
    _, history, _ = train(tmp_path, epochs=10, lr=0.0, patience=2)
    assert len(history) == 3 and history.stopped_early and history.stop_reason == "early stopping"
    assert history.best_epoch == 1


def test_without_valid_loader_train_loss_is_monitored(tmp_path):
    nyangtorch.manual_seed(0)
    tr, _, _, _ = loaders()
    model = small_cnn()
    history = nyangtorch.nyang_train(
        model,
        optim.Adam(model.parameters(), 3e-3),
        nn.CE(),
        tr,
        epochs=2,
        out_dir=tmp_path,
        progress=False,
    )
    assert history.monitor == "train_loss" and history.best_epoch == 2


def make_run(epochs, resume=None, tmp_path=None):
    nyangtorch.manual_seed(0)
    tr, va, _, _ = loaders(
        augment=True
    )  # shuffling, augmentation and dropout all draw random numbers
    model = small_cnn(dropout=0.3)
    opt = optim.Adam(model.parameters(), lr=3e-3)
    sched = optim.StepDecay(opt, step_size=2, gamma=0.5)
    nyangtorch.nyang_train(
        model,
        opt,
        nn.CE(),
        tr,
        va,
        epochs=epochs,
        scheduler=sched,
        resume=resume,
        out_dir=tmp_path,
        progress=False,
        seed=1,
    )
    return model


def test_resume_continues_identically(tmp_path):
    straight = make_run(4, tmp_path=tmp_path / "a")
    make_run(2, tmp_path=tmp_path / "b")
    resumed = make_run(4, resume=tmp_path / "b" / "last.pickle", tmp_path=tmp_path / "b")
    for (name, p), (_, q) in zip(straight.named_parameters(), resumed.named_parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)
    history = json.loads((tmp_path / "b" / "history.json").read_text())
    assert [r["epoch"] for r in history["records"]] == [1, 2, 3, 4]


class NaNAfter(nn.CE):
    def __init__(self, calls):
        super().__init__()
        self.calls = calls

    def forward(self, z, t):
        self.calls -= 1
        return float("nan") if self.calls < 0 else super().forward(z, t)


def test_nan_loss_stops_with_epoch_and_step_and_keeps_the_best_model(tmp_path):
    nyangtorch.manual_seed(0)
    tr, va, _, _ = loaders()
    model = small_cnn()
    # 23 train batches + 3 valid batches per epoch: the 30th call is epoch 2, step 4.
    loss = NaNAfter(29)
    with pytest.raises(
        NonFiniteLossError, match=r"loss became nan at epoch 2, step 4.*best\.pickle is untouched"
    ):
        nyangtorch.nyang_train(
            model,
            optim.Adam(model.parameters()),
            loss,
            tr,
            va,
            epochs=3,
            out_dir=tmp_path,
            progress=False,
        )
    best = nyangtorch.nyang_load_model(tmp_path / "best.pickle")
    assert all(np.all(np.isfinite(p.data)) for p in best.parameters())
    assert json.loads((tmp_path / "history.json").read_text())["stop_reason"] == "non-finite loss"


class InterruptingLoader:
    """Wraps a loader and presses Ctrl-C in the middle of the second epoch."""

    def __init__(self, loader):
        self.loader, self.batch_size, self.seed, self.epoch, self.calls = (
            loader,
            loader.batch_size,
            0,
            0,
            0,
        )

    def __iter__(self):
        self.epoch += 1
        for i, batch in enumerate(self.loader):
            if self.epoch == 2 and i == 5:
                raise KeyboardInterrupt
            yield batch


def test_interrupt_returns_history_and_keeps_last_state(tmp_path):
    nyangtorch.manual_seed(0)
    tr, va, _, _ = loaders()
    model = small_cnn()
    history = nyangtorch.nyang_train(
        model,
        optim.Adam(model.parameters()),
        nn.CE(),
        InterruptingLoader(tr),
        va,
        epochs=5,
        out_dir=tmp_path,
        progress=False,
    )
    assert len(history) == 1 and history.stop_reason == "interrupted"
    state = Checkpointer.load_last(tmp_path / "last.pickle")
    assert state["epoch"] == 1


class ListLogger:
    def __init__(self):
        self.rows = []

    def log(self, values, step):
        self.rows.append((step, values))


def test_custom_logger_gets_steps_and_epochs(tmp_path):
    log = ListLogger()
    train(tmp_path, epochs=2, logger=log)
    steps = [s for s, v in log.rows if "train/loss" in v]
    epochs = [v for _, v in log.rows if "valid_accuracy" in v]
    assert steps == list(range(1, 47)) and len(epochs) == 2 and epochs[-1]["epoch"] == 2


def test_wandb_offline_run(tmp_path, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    train(tmp_path, epochs=1, logger="wandb")
    runs = list((tmp_path / "wandb").glob("offline-run-*"))
    assert len(runs) == 1 and list(runs[0].glob("*.wandb"))


def test_warmup_per_batch(tmp_path):
    nyangtorch.manual_seed(0)
    tr, va, _, _ = loaders()
    model = small_cnn()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    warm = optim.WarmUp(opt, warmup_steps=30)
    history = nyangtorch.nyang_train(
        model,
        opt,
        nn.CE(),
        tr,
        va,
        epochs=2,
        scheduler=warm,
        scheduler_interval="batch",
        progress=False,
    )
    assert history["lr"][0] == pytest.approx(1e-3 / 31) and history["lr"][1] == pytest.approx(
        1e-3 * 24 / 31
    )
    assert opt.lr == pytest.approx(1e-3)


def test_bad_arguments(tmp_path):
    tr, va, _, _ = loaders()
    model = small_cnn()
    opt = optim.SGD(model.parameters(), 0.1)
    for kwargs, match in [
        (dict(epochs=0), "epochs must be"),
        (dict(patience=0), "patience must be"),
        (dict(metrics=("auc",)), "unknown metric"),
        (dict(scheduler_interval="step"), "epoch' or 'batch"),
    ]:
        with pytest.raises(ValueError, match=match):
            nyangtorch.nyang_train(model, opt, nn.CE(), tr, va, progress=False, **kwargs)
    with pytest.raises(ValueError, match="unknown logger"):
        nyangtorch.nyang_train(model, opt, nn.CE(), tr, va, epochs=1, progress=False, logger="tb")


def test_grad_clip_matches_torch():
    from torch_helpers import torch

    rng = np.random.default_rng(0)
    grads = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    params = [nn.Parameter(np.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.copy()
    tensors = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for t, g in zip(tensors, grads):
        t.grad = torch.tensor(g)
    total = optim.clip_grad_norm(params, 1.5)
    expected = torch.nn.utils.clip_grad_norm_(tensors, 1.5)
    assert total == pytest.approx(expected.item())
    for p, t in zip(params, tensors):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12)


def test_plot_history(tmp_path):
    _, history, _ = train(tmp_path, epochs=2)
    fig = plot_history(history, tmp_path / "curves.png")
    assert (tmp_path / "curves.png").stat().st_size > 5000 and len(fig.axes[0].lines) == 3


def test_inference_restores_mode_and_matches_metrics(tmp_path):
    model, _, (_, _, te) = train(tmp_path, epochs=2)
    model.train()
    result = nyangtorch.nyang_inference(model, te, progress=False)
    assert model.training
    model.eval()
    result_eval = nyangtorch.nyang_inference(
        tmp_path / "best.pickle", te, metrics=("accuracy", "precision"), progress=False
    )
    assert not model.training and set(result_eval.metrics) == {"accuracy", "precision"}
    assert result.probabilities.shape == (len(te.dataset), 10)
    np.testing.assert_allclose(result.probabilities.sum(axis=1), 1)
    assert result.metrics["accuracy"] == pytest.approx(
        np.mean(result.predictions == result.targets)
    )
    assert result.confusion.sum() == len(te.dataset) and np.trace(result.confusion) == np.sum(
        result.predictions == result.targets
    )
