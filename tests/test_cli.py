"""Smoke tests of the nyangtorch command."""

import json

import numpy as np
import pytest
from PIL import Image

import nyangtorch
from nyangtorch.cli import main
from nyangtorch.data import Digits


def test_help_is_readable(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "nyangtorch train fashion-mnist" in capsys.readouterr().out


def test_train_evaluate_predict(tmp_path, capsys):
    out = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "digits",
                "--model",
                "mlp",
                "--epochs",
                "2",
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    for name in ("best.pickle", "curves.png", "confusion.png", "metrics.json", "history.json"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "metrics.json").read_text())
    assert summary["test_accuracy"] > 0.8
    assert "test accuracy" in capsys.readouterr().out

    assert main(["evaluate", str(out / "best.pickle"), "--data", "digits"]) == 0
    assert f"accuracy {summary['test_accuracy']:.4f}" in capsys.readouterr().out

    digits = Digits()
    paths = []
    for i in (0, 1):
        Image.fromarray(digits.images[i, ..., 0]).save(tmp_path / f"d{i}.png")
        paths.append(str(tmp_path / f"d{i}.png"))
    assert main(["predict", str(out / "best.pickle"), *paths, "--top-k", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith(paths[0]) and lines[0].count("%") == 2


@pytest.mark.parametrize(
    "argv,message",
    [
        (["train", "no/such/folder"], "dataset root no/such/folder does not exist"),
        (["evaluate", "missing.pickle", "--data", "digits"], "missing.pickle does not exist"),
        (["train", "digits", "--epochs", "1"], "add --image-size 10 or more"),
    ],
)
def test_bad_arguments_give_one_clear_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    "argv,message",
    [
        (["train", "digits", "--epochs", "0"], "argument --epochs: must be at least 1, got 0"),
        (["train", "digits", "--image-size", "0"], "argument --image-size: must be at least 1"),
        (["predict", "m.pickle", "x.png", "--top-k", "x"], "--top-k: expected an integer"),
        (["train", "digits", "--weight-decay", "-1"], "--weight-decay: must be a finite number"),
        (["train", "digits", "--weight-decay", "nan"], "--weight-decay: must be a finite number"),
    ],
)
def test_bad_numbers_name_their_flag(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2 and message in capsys.readouterr().err


def test_version_and_defaults_in_help(capsys):
    from nyangtorch import __version__

    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"nyangtorch {__version__}"
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for default in ("(default: 15)", "(default: 64)", "(default: 0.001)", "(default: 0)"):
        assert default in out


def test_refused_model_files_end_in_one_line(tmp_path, capsys):
    import pickle

    from nyangtorch.utils.serialization import save_object

    save_object({"evil": print}, tmp_path / "evil.pickle")  # names builtins.print
    assert main(["predict", str(tmp_path / "evil.pickle"), "x.png"]) == 2
    err = capsys.readouterr().err.strip()
    assert "refused to load builtins.print" in err and len(err.splitlines()) == 1
    (tmp_path / "junk.pickle").write_bytes(pickle.dumps([1, 2]))
    assert main(["evaluate", str(tmp_path / "junk.pickle"), "--data", "digits"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_interrupted_training_exits_without_testing(tmp_path, monkeypatch, capsys):
    from nyangtorch.train import History

    def interrupted(*args, **kwargs):
        return History(stop_reason="interrupted")

    monkeypatch.setattr(nyangtorch, "nyang_train", interrupted)
    out = tmp_path / "run"
    code = main(["train", "digits", "--model", "mlp", "--out", str(out), "--no-progress"])
    assert code == 130 and not (out / "metrics.json").exists()


def test_unknown_choice_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["train", "digits", "--model", "resnet"])
    assert info.value.code == 2 and "invalid choice: 'resnet'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "digits", "--augment", "cats"])
    assert "unknown preset 'cats'; choose one of" in capsys.readouterr().err


def test_predict_needs_metadata(tmp_path, capsys):
    from nyangtorch import nn, nyang_save_model

    nyang_save_model(nn.Linear(64, 10), tmp_path / "bare.pickle")
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(tmp_path / "x.png")
    assert main(["predict", str(tmp_path / "bare.pickle"), str(tmp_path / "x.png")]) == 2
    assert "has no class names" in capsys.readouterr().err


def test_resnet20_is_a_model_choice():
    from nyangtorch.cli import MODELS, make_model

    assert "resnet20" in MODELS
    model = make_model("resnet20", channels=3, num_classes=5, image_size=8, dropout=0.0)
    assert model(np.zeros((2, 3, 8, 8), np.float32)).shape == (2, 5)


@pytest.mark.parametrize("name", ["cosine", "onecycle"])
def test_per_batch_schedules_end_the_run_near_zero(name):
    from nyangtorch import nn
    from nyangtorch.cli import make_optimizer, make_scheduler

    optimizer = make_optimizer("sgd", nn.Linear(2, 2).parameters(), 0.1, weight_decay=5e-4)
    assert optimizer.weight_decay == 5e-4 and optimizer.momentum == 0.9
    scheduler, interval = make_scheduler(name, optimizer, epochs=3, batches=10)
    assert interval == "batch"
    rates, momenta = [], []
    for _ in range(30):
        rates.append(optimizer.lr)
        momenta.append(optimizer.momentum)
        scheduler.step()
    assert max(rates) == pytest.approx(0.1, rel=1e-2) and rates[-1] < 1e-3
    if name == "cosine":  # one epoch of linear warm-up, then the cosine from the peak
        assert rates[:10] == sorted(rates[:10]) and rates[10] == pytest.approx(0.1)
    else:  # the momentum moves against the rate: 0.95 at the start, 0.85 at the peak
        peak = int(np.argmax(rates))
        assert momenta[0] == pytest.approx(0.95) and momenta[peak] == pytest.approx(0.85)


def test_a_one_epoch_cosine_run_has_no_warm_up():
    from nyangtorch import nn
    from nyangtorch.cli import make_optimizer, make_scheduler

    optimizer = make_optimizer("adam", nn.Linear(2, 2).parameters(), 0.01)
    scheduler, _ = make_scheduler("cosine", optimizer, epochs=1, batches=4)
    rates = []
    for _ in range(4):
        rates.append(optimizer.lr)
        scheduler.step()
    assert rates == pytest.approx([0.01 * (1 + np.cos(np.pi * t / 4)) / 2 for t in range(4)])


def test_onecycle_with_too_few_steps_names_the_flag(tmp_path, capsys):
    argv = ["train", "digits", "--image-size", "10", "--scheduler", "onecycle"]
    assert main([*argv, "--epochs", "1", "--batch-size", "2000", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "--scheduler onecycle needs at least 4 steps" in err and len(err.splitlines()) == 1
