"""Models that write only forward: the tape against torch in float64, reuse, errors, summary."""

import re
import threading

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from example_loader import load_example
from torch_helpers import compare_layer, to_torch

import nyangtorch
from nyangtorch import nn
from nyangtorch.nn import tape
from nyangtorch.testing import gradcheck


class TorchGlobalAvgPool(torch.nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3))


class ResidualNet(nn.Module):
    """A residual block with a projection shortcut, written as in PyTorch."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 4, 3, padding="same")
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(4)
        self.proj = nn.Conv2d(2, 4, 1)
        self.relu = nn.ReLU()
        self.pool = nn.GlobalAvgPool()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        h = self.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        h = self.relu(nn.functional.add(h, self.proj(x)))
        return self.fc(self.pool(h))


class TorchResidualNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(2, 4, 3, padding="same")
        self.bn1 = torch.nn.BatchNorm2d(4)
        self.conv2 = torch.nn.Conv2d(4, 4, 3, padding=1)
        self.bn2 = torch.nn.BatchNorm2d(4)
        self.proj = torch.nn.Conv2d(2, 4, 1)
        self.relu = torch.nn.ReLU()
        self.pool = TorchGlobalAvgPool()
        self.fc = torch.nn.Linear(4, 3)

    def forward(self, x):
        h = self.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        h = self.relu(h + self.proj(x))
        return self.fc(self.pool(h))


class TwoBranch(nn.Module):
    """The input feeds two branches, joined by channels."""

    def __init__(self):
        super().__init__()
        self.a = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU())
        self.b = nn.Sequential(nn.Conv2d(1, 2, 5, padding=2), nn.Tanh())
        self.head = nn.Sequential(nn.Conv2d(5, 4, 1), nn.Flatten(), nn.Linear(4 * 6 * 6, 3))

    def forward(self, x):
        return self.head(nn.functional.cat([self.a(x), self.b(x)], axis=1))


class TorchTwoBranch(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3, padding=1), torch.nn.ReLU())
        self.b = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 5, padding=2), torch.nn.Tanh())
        self.head = torch.nn.Sequential(
            torch.nn.Conv2d(5, 4, 1), torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 3)
        )

    def forward(self, x):
        return self.head(torch.cat([self.a(x), self.b(x)], dim=1))


class Gate(nn.Module):
    """A forward-only sub-model: ``x · sigmoid(W x)``."""

    def __init__(self):
        super().__init__()
        self.fc, self.sigmoid = nn.Linear(8, 8), nn.Sigmoid()
        self.mix = nn.Linear(16, 8)

    def forward(self, x):
        return self.mix(nn.functional.cat([x, self.sigmoid(self.fc(x))], axis=1))


class TorchGate(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc, self.mix = torch.nn.Linear(8, 8), torch.nn.Linear(16, 8)

    def forward(self, x):
        return self.mix(torch.cat([x, torch.sigmoid(self.fc(x))], dim=1))


class Reuse(nn.Module):
    """One ReLU, one MaxPool, one Linear, a small stack and a forward-only sub-model, each
    called twice."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3)
        self.conv2 = nn.Conv2d(4, 6, 3)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(24, 8)
        self.shared = nn.Linear(8, 8)
        self.stack = nn.Sequential(nn.Linear(8, 8), nn.Tanh())
        self.gate = Gate()

    def forward(self, x):
        x = self.pool(self.relu(self.conv1(x)))
        x = self.pool(self.relu(self.conv2(x)))
        x = self.relu(self.fc(self.flatten(x)))
        x = self.shared(self.relu(self.shared(x)))
        return self.gate(self.gate(self.stack(self.stack(x))))


class TorchReuse(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 4, 3)
        self.conv2 = torch.nn.Conv2d(4, 6, 3)
        self.fc = torch.nn.Linear(24, 8)
        self.shared = torch.nn.Linear(8, 8)
        self.stack = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.Tanh())
        self.gate = TorchGate()

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc(torch.flatten(x, 1)))
        x = self.shared(F.relu(self.shared(x)))
        return self.gate(self.gate(self.stack(self.stack(x))))


# PyTorch's MNIST example (examples/mnist/main.py) as ported in examples/: the example itself
# is what is checked against torch.
Net = load_example("port_pytorch_mnist").Net


class TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 32, 3, 1)
        self.conv2 = torch.nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = torch.nn.Dropout(0.25)
        self.dropout2 = torch.nn.Dropout(0.5)
        self.fc1 = torch.nn.Linear(9216, 128)
        self.fc2 = torch.nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


class Outer(nn.Module):
    """Nested: a forward-only model holding a NyangFlow and another forward-only model."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU())
        self.body = ResidualNet()

    def forward(self, x):
        return self.body(self.stem(x))


class TorchOuter(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.ReLU())
        self.body = TorchResidualNet()

    def forward(self, x):
        return self.body(self.stem(x))


CASES = [
    (ResidualNet, TorchResidualNet, (3, 2, 6, 6)),
    (TwoBranch, TorchTwoBranch, (2, 1, 6, 6)),
    (Reuse, TorchReuse, (3, 1, 14, 14)),
    (Outer, TorchOuter, (3, 1, 5, 5)),
]


@pytest.mark.parametrize("ours,theirs,shape", CASES, ids=[c[0].__name__ for c in CASES])
def test_forward_only_models_match_torch(rng, ours, theirs, shape):
    nyangtorch.manual_seed(0)
    compare_layer(ours(), theirs(), rng.standard_normal(shape))


def test_pytorch_mnist_example_trains_like_torch(rng):
    nyangtorch.manual_seed(0)
    ours, theirs = Net().to(np.float64).eval(), TorchNet().double().eval()  # dropout off
    x = rng.standard_normal((2, 1, 28, 28))
    compare_layer(ours, theirs, x)
    # and one training step's gradients through NLL, as the example computes them
    target = np.array([3, 7])
    ours.zero_grad()
    loss_fn = nn.NLL()
    loss = loss_fn(ours(x), target)
    ours.backward_params(loss_fn.backward())
    theirs.zero_grad()
    expected = F.nll_loss(theirs(to_torch(x)), torch.tensor(target))
    expected.backward()
    assert loss == pytest.approx(expected.item(), rel=1e-12)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.grad, theirs_params[name].grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name
        )


def test_reuse_sums_parameter_gradients_over_the_calls(rng):
    # Each call keeps its own cache: with one cache per layer the second call's would
    # overwrite the first's and the gradients would be wrong.
    nyangtorch.manual_seed(0)
    ours, theirs = Reuse(), TorchReuse()
    compare_layer(ours, theirs, rng.standard_normal((3, 1, 14, 14)))
    np.testing.assert_allclose(
        ours.shared.weight.grad, theirs.shared.weight.grad.numpy(), rtol=1e-10
    )


def test_gradcheck_of_a_small_tape_model():
    class Small(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3, padding="same")
            self.bn = nn.BatchNorm2d(2)
            self.relu = nn.ReLU()
            self.fc = nn.Linear(4 * 3 * 3, 2)
            self.flatten = nn.Flatten()

        def forward(self, x):
            h = self.relu(self.bn(self.conv(x)))
            h = nn.functional.cat([h, self.relu(nn.functional.add(h, self.conv(x)))], axis=1)
            return self.fc(self.flatten(h))

    nyangtorch.manual_seed(0)
    assert gradcheck(Small(), np.random.default_rng(2).standard_normal((2, 1, 3, 3)))


def test_backward_params_gives_the_same_parameter_gradients(rng):
    x = rng.standard_normal((3, 2, 6, 6))
    grads = []
    for method in ("backward", "backward_params"):
        nyangtorch.manual_seed(0)
        model = ResidualNet().to(np.float64)
        y = model(x)
        getattr(model, method)(np.ones_like(y))
        grads.append([p.grad for p in model.parameters()])
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-12)


class Doubles(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x * 2)


class Reshapes(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 1)
        self.fc = nn.Linear(16, 2)

    def forward(self, x):
        return self.fc(self.conv(x).reshape(len(x), -1))


def test_an_array_made_outside_the_recorded_calls_is_refused_with_the_layer_named():
    x = np.ones((3, 4), np.float32)
    with pytest.raises(ValueError, match=r"Linear\(4→2.* in Doubles.forward: input 0 was computed"):
        Doubles()(x)
    with pytest.raises(ValueError, match=r"Linear\(16→2.*Flatten for a reshape.*functional.add"):
        Reshapes()(np.ones((2, 1, 4, 4), np.float32))
    assert x.flags.writeable  # the failed forward leaves the input writable


def test_changing_a_recorded_array_in_place_is_refused():
    class InPlace(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(3, 3), nn.Linear(3, 3)

        def forward(self, x):
            out = self.a(x)
            out += self.b(x)  # torchvision's `out += identity`
            return out

    with pytest.raises(ValueError, match="InPlace.forward changed a recorded array in place"):
        InPlace()(np.ones((2, 3), np.float32))


def test_returning_an_array_made_outside_is_refused():
    class Scales(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return self.fc(x) * 0.5

    with pytest.raises(ValueError, match="Scales.forward returned an array computed outside"):
        Scales()(np.ones((2, 3), np.float32))


def test_outputs_are_writable_again_after_forward_and_inference_records_nothing():
    model = ResidualNet()
    x = np.ones((2, 2, 5, 5), np.float32)
    y = model(x)
    assert y.flags.writeable and x.flags.writeable
    assert isinstance(model._cache, tape.Tape)
    with nn.inference_mode(model):
        model(x)
    assert model._cache is None and all(m._cache is None for m in model.modules())
    with nyangtorch.no_grad():
        assert Doubles()(np.ones((3, 4), np.float32)).shape == (3, 2)  # nothing checked


def test_walking_the_tape_shows_each_gradient_on_its_way_to_the_input(rng):
    model = TwoBranch().to(np.float64)
    x = rng.standard_normal((2, 1, 6, 6))
    y = model(x)
    recorded = model.forward_tape
    assert isinstance(recorded, tape.Tape) and nn.Linear(2, 2).forward_tape is None
    assert [type(e.layer) for e in recorded.entries] == [
        nn.Sequential,
        nn.Sequential,
        nn.combine.Cat,
        nn.Sequential,
    ]
    states = [dict(g) for g in recorded.walk(np.ones_like(y))]
    # Before the walk only the output waits; after the head and cat, both branch outputs
    # wait; at the end only the input is left, its two gradients summed.
    assert list(states[0]) == [id(y)] and len(states) == len(recorded.entries) + 1
    branches = {id(recorded.entries[0].output), id(recorded.entries[1].output)}
    assert set(states[2]) == branches and list(states[-1]) == [id(x)]
    walked = states[-1][id(x)]
    model(x)
    np.testing.assert_array_equal(model.backward(np.ones_like(y)), walked)  # backward = walk


def test_an_output_that_does_not_reach_the_result_gets_no_gradient(rng):
    class DeadBranch(nn.Module):
        def __init__(self):
            super().__init__()
            self.used, self.unused = nn.Linear(3, 2), nn.Linear(3, 2)

        def forward(self, x):
            self.unused(x)
            return self.used(x)

    model = DeadBranch()
    y = model(rng.standard_normal((4, 3)).astype(np.float32))
    model.backward(np.ones_like(y))
    assert model.used.weight.grad is not None and model.unused.weight.grad is None


def test_a_handwritten_backward_wins_over_the_tape(rng):
    class Scaled(nn.Module):
        """y = fc(2x), differentiated by hand: no tape, so `x * 2` is fine here."""

        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 2)

        def forward(self, x):
            return self.fc(x * 2)

        def backward(self, dy):
            return 2 * self.fc.backward(dy)

    model = Scaled()
    x = rng.standard_normal((4, 3)).astype(np.float32)
    dx = model.backward(np.ones_like(model(x)))
    np.testing.assert_allclose(dx, 2 * np.ones((4, 2)) @ model.fc.weight.data, rtol=1e-6)
    assert model._cache is None


class Pauses(nn.Module):
    """A forward-only model that, given events, says when it is halfway through its forward
    (its tape recording) and waits there to be let go."""

    def __init__(self, halfway=None, go=None):
        super().__init__()
        self.fc1, self.relu, self.fc2 = nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)
        self.halfway, self.go = halfway, go

    def forward(self, x):
        h = self.fc1(x)
        if self.halfway is not None:
            self.halfway.set()
            assert self.go.wait(timeout=30)
        return self.fc2(self.relu(h))


def test_each_thread_records_on_its_own_tape(rng):
    """Two threads running forward-only models at once (two Streamlit sessions): one stops
    halfway through its forward while the other runs a whole step, and each model still gets
    its own gradients, those of a step on its own."""
    inputs = rng.standard_normal((2, 5, 3)).astype(np.float32)  # each model its own batch
    halfway, go = threading.Event(), threading.Event()
    nyangtorch.manual_seed(0)
    paused, other = Pauses(halfway, go), Pauses()
    nyangtorch.manual_seed(0)
    alone = [Pauses(), Pauses()]  # the same weights, each stepped on its own
    for model, x in zip(alone, inputs):
        model.backward(np.ones_like(model(x)))
    errors = []

    def paused_step():
        try:
            paused.backward(np.ones_like(paused(inputs[0])))
        except Exception as error:  # reported below, on the test's thread
            errors.append(error)

    thread = threading.Thread(target=paused_step)
    thread.start()
    try:
        assert halfway.wait(timeout=30)  # fc1 recorded on its tape
        other.backward(np.ones_like(other(inputs[1])))
    finally:
        go.set()
        thread.join()
    assert not errors
    for model, reference in zip((paused, other), alone):
        for p, q in zip(model.parameters(), reference.parameters()):
            np.testing.assert_array_equal(p.grad, q.grad)
    assert tape.active() is None


def test_a_nyangflow_step_records_nothing(monkeypatch):
    def fail(*args):
        raise AssertionError("the tape ran for a NyangFlow")

    monkeypatch.setattr(tape, "run", fail)
    model = nyangtorch.models.reference_cnn()
    y = model(np.zeros((2, 1, 28, 28), np.float32))
    model.backward_params(np.ones_like(y))


def test_summary_follows_the_forward_of_a_residual_model():
    text = ResidualNet().summary((2, 6, 6))
    rows = [re.split(r"\s{2,}", line.strip()) for line in text.splitlines()[3:]]
    assert [r[0] for r in rows] == [
        "(conv1) Conv", "(bn1) BatchNorm", "(relu) ReLU", "(conv2) Conv", "(bn2) BatchNorm",
        "(proj) Conv", "Add", "(relu) ReLU", "(pool) GlobalAvgPool", "(fc) Linear", "total",
    ]  # fmt: skip
    assert rows[5] == ["(proj) Conv", "(None, 4, 6, 6)", "12"]
    assert rows[8][1:] == ["(None, 4)", "0"] and rows[9][1:] == ["(None, 3)", "15"]
    assert rows[-1][-1] == f"{ResidualNet().num_parameters():,}"
