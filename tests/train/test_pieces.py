"""The pieces of the training loop on their own: EarlyStopping, Checkpointer, train_one_epoch,
and what nyang_train writes (or, without out_dir, does not write)."""

import math
import os

import numpy as np
import pytest

import nyangtorch
from nyangtorch import nn, optim
from nyangtorch.data import ArrayDataset, NyangDataloader
from nyangtorch.nn.module import is_grad_enabled
from nyangtorch.train import (
    Checkpointer,
    EarlyStopping,
    History,
    NonFiniteLossError,
    train_one_epoch,
)


def history_of(values, column="valid_loss"):
    history = History()
    for epoch, value in enumerate(values, start=1):
        history.append({"epoch": epoch, "valid_loss": 0.0, column: value})
    return history


def test_early_stopping_counts_epochs_since_the_last_improvement():
    rule = EarlyStopping(patience=2)
    assert not rule.should_stop(history_of([1.0, 0.9, 0.95]))
    assert rule.should_stop(history_of([1.0, 0.9, 0.95, 0.91]))
    assert rule.best_epoch(history_of([1.0, 0.9, 0.95, 0.91])) == 2


def test_early_stopping_min_delta_and_max_mode():
    # 0.9 → 0.89 improves by less than min_delta = 0.05: not an improvement.
    rule = EarlyStopping(patience=2, min_delta=0.05)
    assert rule.best_epoch(history_of([1.0, 0.9, 0.89])) == 2
    assert rule.should_stop(history_of([1.0, 0.9, 0.89, 0.88]))
    accuracy = EarlyStopping(patience=1, monitor="valid_accuracy", mode="max")
    assert accuracy.best_epoch(history_of([0.5, 0.7, 0.6], "valid_accuracy")) == 2
    assert accuracy.should_stop(history_of([0.5, 0.7, 0.6], "valid_accuracy"))


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(patience=0), "patience must be"),
        (dict(patience=2, mode="up"), "mode must be 'min' or 'max'"),
        (dict(patience=2, min_delta=-1), "min_delta must be >= 0"),
        (dict(patience=2, min_delta=math.nan), "min_delta must be >= 0"),
    ],
)
def test_early_stopping_refuses_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        EarlyStopping(**kwargs)


def tiny_loaders(n=48, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 4, 4), dtype=np.uint8)
    labels = (images.reshape(n, -1).mean(axis=1) > 127).astype(np.int64)
    data = ArrayDataset(images, labels)
    return NyangDataloader(data, 16, shuffle=True, seed=seed), NyangDataloader(data, 16)


def tiny_model():
    nyangtorch.manual_seed(0)
    return nn.NyangFlow(nn.Flatten(), nn.Linear(16, 2))


def test_train_one_epoch_returns_means_and_counts_steps():
    train, _ = tiny_loaders()
    model = tiny_model()
    scores, step = train_one_epoch(
        model, optim.SGD(model.parameters(), 0.1), nn.CE(), train, first_step=5
    )
    assert step == 5 + 3 and set(scores) == {"train_loss", "train_accuracy"}
    assert scores["train_loss"] > 0 and 0 <= scores["train_accuracy"] <= 1


def test_monitor_that_no_epoch_records_is_refused_up_front():
    train, valid = tiny_loaders()
    model = tiny_model()
    with pytest.raises(ValueError, match="monitors 'valid_auc', which no epoch records"):
        nyangtorch.nyang_train(
            model, optim.SGD(model.parameters(), 0.1), nn.CE(), train, valid,
            early_stopping=EarlyStopping(2, monitor="valid_auc"), progress=False,
        )  # fmt: skip
    with pytest.raises(ValueError, match="patience or early_stopping, not both"):
        nyangtorch.nyang_train(
            model, optim.SGD(model.parameters(), 0.1), nn.CE(), train, valid,
            patience=2, early_stopping=EarlyStopping(2), progress=False,
        )  # fmt: skip


def test_early_stopping_on_accuracy_through_nyang_train():
    train, valid = tiny_loaders()
    model = tiny_model()
    history = nyangtorch.nyang_train(
        model, optim.SGD(model.parameters(), 0.0), nn.CE(), train, valid, epochs=10,
        early_stopping=EarlyStopping(3, monitor="valid_accuracy", mode="max"), progress=False,
    )  # fmt: skip
    # lr = 0: accuracy never changes, so epoch 1 stays the best and epoch 4 stops the run.
    assert len(history) == 4 and history.stop_reason == "early stopping"


def test_without_out_dir_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    train, valid = tiny_loaders()
    model = tiny_model()
    nyangtorch.nyang_train(
        model, optim.SGD(model.parameters(), 0.1), nn.CE(), train, valid, epochs=2,
        progress=False, verbose=False,
    )  # fmt: skip
    assert os.listdir(tmp_path) == []


def test_checkpointer_writes_the_run_files(tmp_path):
    checkpointer = Checkpointer(tmp_path / "run")
    model = tiny_model()
    checkpointer.save_best(model)
    checkpointer.save_last({"epoch": 3})
    history = history_of([0.5])
    checkpointer.save_history(history)
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [
        "best.pickle", "history.csv", "history.json", "last.pickle",
    ]  # fmt: skip
    assert Checkpointer.load_last(checkpointer.last_path) == {"epoch": 3}
    loaded = nyangtorch.nyang_load_model(checkpointer.best_path)
    np.testing.assert_array_equal(loaded.layers[1].weight.data, model.layers[1].weight.data)
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match="is not a folder"):
        Checkpointer(tmp_path / "file")


class NaNInValidation(nn.CE):
    """A finite loss in training, NaN in validation (run under no_grad): a diverged model."""

    def forward(self, z, t):
        loss = super().forward(z, t)
        return loss if is_grad_enabled() else float("nan")


def test_nan_valid_loss_in_the_first_epoch_saves_no_best_model(tmp_path):
    train, valid = tiny_loaders()
    model = tiny_model()
    loss_fn = NaNInValidation()
    with pytest.raises(NonFiniteLossError, match="valid loss became nan at epoch 1.*no model"):
        nyangtorch.nyang_train(
            model, optim.SGD(model.parameters(), 0.1), loss_fn, train, valid, epochs=2,
            out_dir=tmp_path, progress=False,
        )  # fmt: skip
    assert not (tmp_path / "best.pickle").exists()
    assert not (tmp_path / "last.pickle").exists()


class InterruptAtOnce:
    batch_size = 16

    def __iter__(self):
        raise KeyboardInterrupt
        yield


def test_ctrl_c_before_the_first_epoch_promises_no_resume_file(tmp_path, capsys):
    _, valid = tiny_loaders()
    model = tiny_model()
    history = nyangtorch.nyang_train(
        model, optim.SGD(model.parameters(), 0.1), nn.CE(), InterruptAtOnce(), valid,
        out_dir=tmp_path, progress=False,
    )  # fmt: skip
    assert history.stop_reason == "interrupted" and len(history) == 0
    err = capsys.readouterr().err
    assert "interrupted in epoch 1" in err and "nothing was saved yet" in err
    assert not (tmp_path / "last.pickle").exists()


def test_reduce_on_plateau_is_driven_by_the_monitored_loss():
    train, valid = tiny_loaders()
    model = tiny_model()
    opt = optim.SGD(model.parameters(), 0.5)
    plateau = optim.ReduceOnPlateau(opt, factor=0.5, patience=0, threshold=0.05)
    history = nyangtorch.nyang_train(
        model, opt, nn.CE(), train, valid, epochs=6, scheduler=plateau, progress=False,
        verbose=False,
    )  # fmt: skip
    # Replaying the recorded valid losses through a fresh scheduler gives the recorded lrs.
    replay_opt = optim.SGD([nn.Parameter(np.zeros(1))], 0.5)
    replay = optim.ReduceOnPlateau(replay_opt, factor=0.5, patience=0, threshold=0.05)
    expected = []
    for loss in history["valid_loss"]:
        expected.append(replay_opt.lr)
        replay.step(loss)
    assert history["lr"] == expected and min(expected) < 0.5  # it did reduce
    with pytest.raises(ValueError, match="use scheduler_interval='epoch'"):
        nyangtorch.nyang_train(
            model, opt, nn.CE(), train, valid, scheduler=plateau, scheduler_interval="batch",
            progress=False,
        )  # fmt: skip


def test_empty_loaders_are_refused_up_front():
    train, valid = tiny_loaders()
    model = tiny_model()
    opt = optim.SGD(model.parameters(), 0.1)
    with pytest.raises(ValueError, match="the valid loader has no batches"):
        nyangtorch.nyang_train(model, opt, nn.CE(), train, [], progress=False)
    with pytest.raises(ValueError, match="the train loader has no batches"):
        nyangtorch.nyang_train(model, opt, nn.CE(), [], valid, progress=False)
    with pytest.raises(ValueError, match="yielded no batches in epoch 1"):
        train_one_epoch(model, opt, nn.CE(), iter([]))


def test_resume_into_other_objects_changes_nothing(tmp_path):
    train, valid = tiny_loaders()
    model = tiny_model()
    nyangtorch.nyang_train(
        model, optim.SGD(model.parameters(), 0.1, momentum=0.9), nn.CE(), train, valid,
        epochs=1, out_dir=tmp_path, progress=False, verbose=False,
    )  # fmt: skip
    fresh = tiny_model()
    adam = optim.Adam(fresh.parameters(), lr=0.01)
    loader = tiny_loaders(seed=5)[0]
    weights, adam_state = fresh.state_dict(), adam.state_dict()
    rng = nyangtorch.random.get_state()
    with pytest.raises(ValueError, match=r"cannot resume from .*last\.pickle.*from a SGD"):
        nyangtorch.nyang_train(
            fresh, adam, nn.CE(), loader, valid, epochs=2, resume=tmp_path / "last.pickle",
            progress=False,
        )  # fmt: skip
    for name, value in fresh.state_dict().items():
        np.testing.assert_array_equal(value, weights[name], err_msg=name)
    assert adam.state_dict()["hyperparameters"] == adam_state["hyperparameters"]
    assert nyangtorch.random.get_state() == rng and loader.state_dict() == {"seed": 5, "epoch": 0}
