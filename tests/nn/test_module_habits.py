"""What a PyTorch user's habits meet, and what every layer call checks: state dicts loaded
strictly or not (all or nothing), .to() and .cuda(), loss.item(), the input of any layer."""

import numpy as np
import pytest
from torch_helpers import torch

from nyangtorch import nn
from nyangtorch.nn import module


def pair():
    ours = nn.NyangFlow(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    return ours, theirs


def test_strict_false_reports_the_keys_torch_reports():
    ours, theirs = pair()
    state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    del state["2.bias"]
    state["extra.weight"] = np.zeros(3, np.float32)
    result = ours.load_state_dict(state, strict=False)
    expected = theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()}, strict=False)
    assert result.missing_keys == expected.missing_keys == ["2.bias"]
    assert result.unexpected_keys == expected.unexpected_keys == ["extra.weight"]
    np.testing.assert_array_equal(ours[0].weight.data, state["0.weight"])
    strict = nn.NyangFlow(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    with pytest.raises(ValueError, match="missing: 2.bias"):
        strict.load_state_dict(state)


@pytest.mark.parametrize(
    "bad,match",
    [
        (np.array(["a", "b"]), r"2.bias: <U1 values, not real numbers"),
        (np.array([None, None]), r"2.bias: object values"),
        (np.zeros(3), r"shape of 2.bias: model has \(2,\), state has \(3,\)"),
    ],
)
def test_a_bad_last_entry_changes_nothing(bad, match):
    ours, _ = pair()
    state = {k: v + 1 for k, v in ours.state_dict().items()}
    state["2.bias"] = bad
    before = ours.state_dict()
    with pytest.raises(ValueError, match=match):
        ours.load_state_dict(state)
    for name, value in ours.state_dict().items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)


@pytest.mark.parametrize("dtype", [np.int32, "int64", str, object, bool])
def test_to_keeps_parameters_floating_point(dtype):
    model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="parameters must stay floating point"):
        model.to(dtype)
    assert model.weight.dtype == np.float32


def test_devices_as_torch_code_names_them():
    model = nn.Linear(2, 2)
    assert model.to("cpu") is model and model.cpu() is model
    assert model.weight.dtype == np.float32
    for call in (model.cuda, lambda: model.to("cuda:0"), lambda: model.to("mps")):
        with pytest.raises(RuntimeError, match="runs on the CPU only"):
            call()
    with pytest.raises(TypeError, match="'gpu' is not a dtype"):
        model.to("gpu")


def test_loss_item():
    loss = nn.CE()(np.array([[2.0, 0.0]]), np.array([0]))
    assert isinstance(loss.item(), float) and loss.item() == pytest.approx(np.log1p(np.exp(-2)))


@pytest.mark.parametrize(
    "layer,x,error,match",
    [
        (nn.ReLU(), [1.0, -1.0], TypeError, r"ReLU\(\): expected a NumPy array, got list"),
        (nn.Flatten(), np.zeros(4), ValueError, r"Flatten\(\): expected input \(N, C, ...\)"),
        (nn.Linear(3, 2), np.zeros((0, 3)), ValueError, "empty batch of shape \\(0, 3\\)"),
        (nn.Conv(1, 2, 3), np.zeros((0, 1, 5, 5)), ValueError, "empty batch"),
        (nn.Sigmoid(), np.array(1.0), ValueError, "got a single number"),
    ],
)
def test_every_layer_call_checks_its_input(layer, x, error, match):
    with pytest.raises(error, match=match):
        layer(x)


def test_integer_images_warn_once(monkeypatch):
    monkeypatch.setattr(module, "_warned_integers", False)
    model = nn.NyangFlow(nn.Flatten(), nn.Linear(4, 2))
    with pytest.warns(UserWarning, match="got uint8 input: integer pixels are used as they are"):
        model(np.full((1, 2, 2), 255, np.uint8))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model(np.full((1, 2, 2), 255, np.uint8))  # once is enough
