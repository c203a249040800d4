"""NyangModel behaviour: registration, modes, dtype, state dicts, errors a person can act on."""

import threading

import numpy as np
import pytest

import nyangtorch
from nyangtorch import nn


def small_cnn():
    return nn.NyangFlow(
        nn.Conv(1, 4, 3),
        nn.BatchNorm(4),
        nn.ReLU(),
        nn.MaxPool(2),
        nn.Flatten(),
        nn.Dropout(0.5),
        nn.Linear(36, 10),
    )


def test_parameter_names_match_torch_sequential():
    names = [n for n, _ in small_cnn().named_parameters()]
    assert names == ["0.weight", "0.bias", "1.weight", "1.bias", "6.weight", "6.bias"]
    assert set(small_cnn().state_dict()) == set(names) | {"1.running_mean", "1.running_var"}


def test_subclassed_model_registers_attributes_in_order():
    class Net(nyangtorch.NyangModel):
        def __init__(self):
            super().__init__()
            self.features = nn.NyangFlow(nn.Conv(1, 2, 3), nn.ReLU())
            self.pool = nn.GlobalAvgPool()
            self.head = nn.Linear(2, 3)

        def forward(self, x):
            return self.head(self.pool(self.features(x)))

    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "features.0.weight",
        "features.0.bias",
        "head.weight",
        "head.bias",
    ]
    assert net(np.zeros((2, 1, 5, 5), np.float32)).shape == (2, 3)


def test_train_and_eval_propagate_to_every_layer():
    model = small_cnn().eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_float32_by_default_and_float64_end_to_end():
    model = small_cnn()
    x = np.random.default_rng(0).standard_normal((2, 1, 8, 8))
    assert model(x.astype(np.float32)).dtype == np.float32
    model.to(np.float64)
    y = model(x)
    assert y.dtype == np.float64
    model.backward(np.ones_like(y))
    assert all(p.grad.dtype == np.float64 for p in model.parameters())
    assert model[1].running_mean.dtype == np.float64


def test_state_dict_round_trip_and_copies():
    a, b = small_cnn(), small_cnn()
    b.load_state_dict(a.state_dict())
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    state = a.state_dict()
    state["0.weight"][:] = 99
    assert not np.any(a[0].weight.data == 99)


def test_load_state_dict_lists_every_difference_and_changes_nothing():
    model = small_cnn()
    before = model.state_dict()
    state = model.state_dict()
    del state["0.bias"]
    state["6.weight"] = np.zeros((10, 40))
    state["extra"] = np.zeros(1)
    with pytest.raises(ValueError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "missing: 0.bias" in message
    assert "unexpected: extra" in message
    assert "shape of 6.weight: model has (10, 36), state has (10, 40)" in message
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_zero_grad_and_accumulation():
    layer = nn.Linear(3, 2)
    x = np.ones((4, 3), np.float32)
    layer(x)
    layer.backward(np.ones((4, 2), np.float32))
    first = layer.weight.grad.copy()
    layer(x)
    layer.backward(np.ones((4, 2), np.float32))
    np.testing.assert_allclose(layer.weight.grad, 2 * first)  # backward adds
    layer.zero_grad()
    assert layer.weight.grad is None


def test_no_grad_keeps_nothing_and_backward_then_explains():
    layer = nn.Conv(1, 2, 3)
    with nyangtorch.no_grad():
        layer(np.zeros((1, 1, 5, 5), np.float32))
    assert nn.is_grad_enabled()
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.zeros((1, 2, 3, 3), np.float32))


def test_grad_mode_is_a_setting_of_each_thread():
    """As in PyTorch: another thread's no_grad (another Streamlit session's inference) leaves
    this thread's training forward keeping what backward needs, and a new thread starts
    with gradients on whatever its creator set."""
    layer = nn.Linear(3, 2)
    inside, done = threading.Event(), threading.Event()

    def other_session():
        with nyangtorch.no_grad():
            inside.set()
            done.wait(timeout=30)

    thread = threading.Thread(target=other_session)
    thread.start()
    try:
        assert inside.wait(timeout=30)
        assert nn.is_grad_enabled()
        layer(np.ones((4, 3), np.float32))
        layer.backward(np.ones((4, 2), np.float32))  # the forward kept its input
    finally:
        done.set()
        thread.join()
    seen = []
    with nyangtorch.no_grad():
        thread = threading.Thread(target=lambda: seen.append(nn.is_grad_enabled()))
        thread.start()
        thread.join()
        assert not nn.is_grad_enabled()
    assert seen == [True]


def test_set_grad_enabled_as_a_call_a_block_and_no_grad_as_a_decorator():
    with nyangtorch.set_grad_enabled(False):
        assert not nn.is_grad_enabled()
        with nn.set_grad_enabled(True):
            assert nn.is_grad_enabled()
        assert not nn.is_grad_enabled()
    assert nn.is_grad_enabled()
    with pytest.raises(KeyError):
        with nn.set_grad_enabled(False):
            raise KeyError("a failure inside the block")
    assert nn.is_grad_enabled()
    try:
        nn.set_grad_enabled(False)  # a call, as torch.set_grad_enabled(False)
        assert not nn.is_grad_enabled()
    finally:
        nn.set_grad_enabled(True)
    with pytest.raises(TypeError, match="mode must be True or False, got 'off'"):
        nn.set_grad_enabled("off")
    assert nn.is_grad_enabled()

    @nyangtorch.no_grad()
    def predict():
        return nn.is_grad_enabled()

    assert predict() is False and predict() is False and nn.is_grad_enabled()


def test_inference_mode_switches_to_eval_and_restores_the_mode_even_on_error():
    model = nn.NyangFlow(nn.Linear(3, 2), nn.Dropout(0.5))
    with pytest.raises(KeyError):
        with nn.inference_mode(model):
            assert not model.training and not model[1].training
            assert not nn.is_grad_enabled()
            raise KeyError("a failure inside the block")
    assert model.training and model[1].training and nn.is_grad_enabled()
    model.eval()
    with nn.inference_mode(model):
        model(np.ones((1, 3), np.float32))
    assert not model.training and model[0]._cache is None


@pytest.mark.parametrize(
    "layer,x,match",
    [
        (
            nn.Conv(1, 32, 3),
            np.zeros((64, 28, 28)),
            r"expected input \(N, 1, H, W\), got \(64, 28, 28\) — did you forget the channel axis",
        ),
        (nn.Conv(3, 8, 3), np.zeros((2, 1, 8, 8)), r"Conv\(3→8.*expected input \(N, 3, H, W\)"),
        (nn.Conv(1, 8, 5), np.zeros((2, 1, 3, 3)), "too small for kernel"),
        (
            nn.Linear(1600, 128),
            np.zeros((64, 1024)),
            r"Linear\(1600→128.*expected input \(N, 1600\)",
        ),
        (nn.Linear(10, 2), np.zeros((4, 1, 10)), "add a Flatten"),
        (nn.MaxPool(2), np.zeros((2, 5, 5)), "forget the channel axis"),
        (nn.BatchNorm(4), np.zeros((2, 3)), r"BatchNorm\(4.*expected input"),
    ],
)
def test_bad_input_names_layer_and_shapes(layer, x, match):
    with pytest.raises(ValueError, match=match):
        layer(x)


def test_flow_error_names_the_position():
    model = nn.NyangFlow(nn.Flatten(), nn.Linear(10, 2))
    with pytest.raises(ValueError, match=r"NyangFlow layer 1: Linear\(10→2"):
        model(np.zeros((3, 12)))


@pytest.mark.parametrize(
    "layer", [nn.Linear(2, 2), nn.Conv(1, 1, 1), nn.MaxPool(2), nn.ReLU(), nn.BatchNorm(2)]
)
def test_backward_before_forward(layer):
    with pytest.raises(RuntimeError, match="backward\\(\\) called before forward"):
        layer.backward(np.zeros((1, 2)))


def test_flow_is_iterable_indexable_sliceable():
    model = small_cnn()
    assert len(model) == 7 and isinstance(model[0], nn.Conv)
    assert [type(m).__name__ for m in model][:2] == ["Conv", "BatchNorm"]
    assert isinstance(model[:3], nn.Sequential) and len(model[:3]) == 3
    with pytest.raises(TypeError, match="layer 1 is a int"):
        nn.NyangFlow(nn.ReLU(), 3)


def test_summary_lists_shapes_and_parameter_counts():
    text = small_cnn().summary((1, 8, 8))
    assert "(None, 4, 6, 6)" in text and "(None, 10)" in text
    assert f"{small_cnn().num_parameters():,}" in text.splitlines()[-1]


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="unknown init"):
        nn.Linear(2, 2, init="magic")
    with pytest.raises(ValueError, match="kernel_size must be"):
        nn.Conv(1, 1, (1, 2, 3))
    with pytest.raises(ValueError, match="padding should be at most half"):
        nn.MaxPool(2, padding=2)


def test_initialisers_have_the_right_scale():
    nyangtorch.manual_seed(0)
    he = nn.he_normal((256, 400))
    assert abs(he.std() - np.sqrt(2 / 400)) < 0.003
    xavier = nn.xavier_uniform((300, 200))
    bound = np.sqrt(6 / 500)
    assert xavier.max() <= bound and abs(xavier.std() - bound / np.sqrt(3)) < 0.002
    assert nn.Linear(5, 4, init="xavier").weight.data.dtype == np.float32


def test_backward_params_gives_the_same_parameter_gradients():
    x = np.random.default_rng(0).standard_normal((3, 1, 8, 8))
    grads = []
    for method in ("backward", "backward_params"):
        nyangtorch.manual_seed(0)
        model = small_cnn().to(np.float64)
        y = model(x)
        getattr(model, method)(np.ones_like(y))
        grads.append([p.grad for p in model.parameters()])
    for a, b in zip(*grads):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "layer",
    [
        nn.ReLU(),
        nn.LeakyReLU(),
        nn.ELU(),
        nn.SELU(),
        nn.Tanh(),
        nn.Sigmoid(),
        nn.Softmax(),
        nn.Dropout(),
        nn.BatchNorm(3),
        nn.MaxPool(2),
        nn.AvgPool(2),
        nn.Flatten(),
    ],
    ids=repr,
)
def test_inference_keeps_nothing_for_backward(layer):
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 4))
    layer(x)
    assert layer._cache is not None
    with nyangtorch.no_grad():
        layer(x)
    assert layer._cache is None


@pytest.mark.parametrize(
    "layer, x, grad_shape",
    [
        (nn.Conv(2, 3, 3), np.ones((2, 2, 5, 5)), (2, 3, 4, 4)),
        (nn.BatchNorm(3), np.ones((4, 3, 5, 5)), (4, 3, 5, 4)),
        (nn.Flatten(), np.ones((4, 3, 5, 5)), (4, 74)),
    ],
)
def test_backward_with_a_gradient_of_the_wrong_shape_names_the_layer(layer, x, grad_shape):
    layer(x.astype(np.float32))
    with pytest.raises(ValueError, match=rf"{type(layer).__name__}\(.*backward got grad"):
        layer.backward(np.ones(grad_shape, np.float32))


def test_flatten_hands_the_gradient_back_in_the_input_memory_layout(rng):
    x_last = rng.standard_normal((2, 5, 4, 3)).transpose(0, 3, 1, 2)  # NCHW shape, NHWC memory
    for x in (x_last, np.ascontiguousarray(x_last)):
        flat = nn.Flatten()
        y = flat(x)
        np.testing.assert_array_equal(y, x.reshape(2, -1))  # C, H, W order, as torch
        dy = rng.standard_normal(y.shape)
        dx = flat.backward(dy)
        np.testing.assert_array_equal(dx, dy.reshape(x.shape))
        assert dx.strides == x.strides


def test_flow_runs_layers_as_written_and_backward_in_reverse():
    calls = []

    class Logged(nn.NyangModel):
        """The identity, logging each call."""

        def __init__(self, name):
            super().__init__()
            self.name = name

        def forward(self, x):
            calls.append(f"fwd {self.name}")
            return x

        def backward(self, dy):
            calls.append(f"bwd {self.name}")
            return dy

    flow = nn.NyangFlow(Logged("a"), Logged("b"), Logged("c"))
    flow.backward(flow(np.ones(2)))
    flow.backward_params(flow(np.ones(2)))  # the first layer's backward_params calls backward
    assert calls == ["fwd a", "fwd b", "fwd c", "bwd c", "bwd b", "bwd a"] * 2
