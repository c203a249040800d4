"""nyangtorch vs torch: converter round trip, refusals, and per-step float64 parity."""

import numpy as np
import pytest
from torch_helpers import torch

import nyangtorch
from nyangtorch import models, nn
from nyangtorch.compare import from_torch, to_torch, twin_run
from nyangtorch.data import ArrayDataset, FashionMNIST, NyangDataloader


def every_layer_model():
    return nn.NyangFlow(
        nn.Conv(1, 4, 3, padding=1), nn.BatchNorm(4), nn.LeakyReLU(0.1), nn.MaxPool(2, relu=True),
        nn.Conv(4, 6, 3, stride=2, bias=False), nn.ELU(0.7), nn.AvgPool(2, 1, 1), nn.Flatten(),
        nn.Dropout(0.3), nn.Linear(24, 16), nn.BatchNorm(16), nn.SELU(),
        nn.Linear(16, 8), nn.Tanh(),
        nn.NyangFlow(nn.Linear(8, 5), nn.Sigmoid()), nn.Linear(5, 3), nn.Softmax(),
    )  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_gives_identical_outputs(dtype):
    nyangtorch.manual_seed(0)
    model = every_layer_model().to(dtype)
    x = np.random.default_rng(0).standard_normal((5, 1, 8, 8)).astype(dtype)
    model(x)  # move the BatchNorm running statistics away from their initial values
    model.eval()
    twin = to_torch(model)
    assert isinstance(twin[1], torch.nn.BatchNorm2d) and isinstance(twin[10], torch.nn.BatchNorm1d)
    assert not twin.training
    with torch.no_grad():
        np.testing.assert_allclose(
            twin(torch.from_numpy(x)).numpy(), model(x), rtol=1e-5 if dtype == np.float32 else 1e-12
        )
    back = from_torch(twin)
    assert repr(back) == repr(model) and not back.training
    np.testing.assert_array_equal(back(x), model(x))
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[k], v)


def test_unsupported_layers_are_named():
    class Custom(nn.NyangModel):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match=r"layer 1 Custom\(\) has no PyTorch twin"):
        to_torch(nn.NyangFlow(nn.Linear(2, 2), Custom()))
    with pytest.raises(TypeError, match="classic .*dropout"):
        to_torch(nn.NyangFlow(nn.Dropout(0.5, inverted=False)))
    with pytest.raises(TypeError, match="BatchNorm1d from BatchNorm2d"):
        to_torch(nn.NyangFlow(nn.BatchNorm(3)))
    with pytest.raises(TypeError, match="layer 0 .*dilation"):
        from_torch(torch.nn.Sequential(torch.nn.Conv2d(1, 1, 3, dilation=2)))
    with pytest.raises(TypeError, match="layer 1 GELU has no nyangtorch twin"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.GELU()))


@pytest.fixture(scope="module")
def fashion_subset():
    return FashionMNIST("test", download=False).subset(np.arange(640))


@pytest.mark.parametrize(
    "make", [models.reference_cnn, models.reference_cnn_bn], ids=["cnn", "cnn-bn"]
)
@pytest.mark.parametrize(
    "optimizer,kwargs", [("SGD", {"lr": 0.05, "momentum": 0.9}), ("Adam", {"lr": 1e-3})]
)
def test_float64_twin_run_agrees_step_by_step(fashion_subset, make, optimizer, kwargs):
    nyangtorch.manual_seed(0)
    loader = NyangDataloader(fashion_subset, batch_size=32, shuffle=True, seed=0)
    result = twin_run(
        make(),
        loader,
        epochs=1,
        max_steps=20,
        optimizer=optimizer,
        optimizer_kwargs=kwargs,
        dtype=np.float64,
    )
    assert result.config["steps"] == 20
    assert result.ours.step_losses[-1] < result.ours.step_losses[0]  # it really trains
    assert result.max_rel_loss_diff < 1e-8, result.max_rel_loss_diff
    assert result.max_weight_diff < 1e-7, result.max_weight_diff


def test_float32_twin_run_records_everything(fashion_subset):
    nyangtorch.manual_seed(0)
    train = NyangDataloader(
        fashion_subset.subset(np.arange(320)), batch_size=64, shuffle=True, seed=0
    )
    test = NyangDataloader(fashion_subset.subset(np.arange(320, 640)), batch_size=128)
    result = twin_run(
        models.reference_cnn(),
        train,
        test,
        test,
        epochs=2,
        scheduler=("StepDecay", {"step_size": 1}),
        measure_memory=True,
        memory_steps=3,
    )
    for side in (result.ours, result.torch):
        assert len(side.step_losses) == 10 and len(side.epochs) == 2
        assert (
            side.test_accuracy is not None
            and side.inference_seconds > 0
            and side.peak_memory_mb > 0
        )
    assert result.max_rel_loss_diff < 1e-3  # float32 rounding only
    assert abs(result.ours.test_accuracy - result.torch.test_accuracy) <= 0.02


def test_report_files_and_sections(fashion_subset, tmp_path):
    from nyangtorch.compare.report import write_report
    from nyangtorch.compare.speed import speed_table

    nyangtorch.manual_seed(0)
    loader = NyangDataloader(
        fashion_subset.subset(np.arange(128)), batch_size=64, shuffle=True, seed=0
    )
    r64 = twin_run(models.reference_cnn(), loader, max_steps=2, dtype=np.float64).to_dict()
    r32 = twin_run(models.reference_cnn(), loader, loader, loader, epochs=1).to_dict()
    batches = list(loader)
    speed = speed_table(
        {"cnn": models.reference_cnn}, batches, [x for x, _ in batches], repeats=1, memory=False
    )
    write_report({"float64": r64, "float32": r32, "speed": speed}, tmp_path)
    for name in (
        "results.json",
        "summary.md",
        "losses.png",
        "loss_difference.png",
        "speed_memory.png",
    ):
        assert (tmp_path / name).stat().st_size > 100, name
    text = (tmp_path / "summary.md").read_text()
    assert "## float64 twin run" in text and "## Speed and memory (block-timed)" in text
    assert "| training time, interleaved (s) |" in text and "| Timing a twin run |" in text
    interleaved = next(
        line for line in text.splitlines() if line.startswith("| training time, interleaved")
    )
    assert interleaved.rstrip().endswith("|  |")  # no ratio for interleaved times
    step = speed["models"]["cnn"]["step_ms"]
    assert f"{step[0]:.1f} / {step[1]:.1f}" in text
    assert "**Roofline.**" in text and "| cnn | 0.40 / 0.99 |" in text
    # the layer-by-layer profile: every layer of the network, forward and backward
    layer_ms = speed["models"]["cnn"]["layer_ms"]
    assert {k.split()[1] for k in layer_ms if k.startswith("fwd ")} == {str(i) for i in range(8)}
    assert {k.split()[1] for k in layer_ms if k.startswith("bwd ")} == {str(i) for i in range(8)}
    assert all(v > 0 for v in layer_ms.values()) and {"loss", "adam step"} <= set(layer_ms)
    assert "**Where a nyangtorch step goes: cnn**" in text and "| 2 Conv |" in text


def test_layer_times_follow_the_layer_order_and_cover_inference():
    from nyangtorch.compare.speed import layer_times

    model = models.reference_cnn()
    x = np.random.default_rng(0).random((4, 1, 28, 28), dtype=np.float32)
    train = layer_times(model, x, np.arange(4) % 10, repeats=2)
    forward = [k for k in train if k.startswith("fwd ")]
    assert forward[:3] == ["fwd 0 Conv", "fwd 1 MaxPool", "fwd 2 Conv"]
    assert [k for k in train if k.startswith("bwd ")][-1] == "bwd 0 Conv"
    inference = layer_times(model, x, repeats=2)
    assert list(inference) == forward and model.training  # forward only; mode restored


def test_step_gflop_counts_every_product_of_a_training_step():
    from nyangtorch.compare.speed import step_gflop

    # conv1: forward and weight gradient only (the image needs no gradient); conv2, fc1 and
    # fc2: forward, weight and input gradients. 2 FLOPs per multiply-add, batch 64. Our conv2
    # computes the 10×10 outputs its pool reads, by Winograd: forward on F(2×2), 16
    # multiply-adds for each of 5×5 blocks of 2×2 outputs, and backward on F(4×4), 36 for
    # each of 3×3 blocks of 4×4; torch's all 11×11, 9 for each.
    def macs(conv2_forward, conv2_backward):
        conv2 = (conv2_forward + 2 * conv2_backward) * 64 * 32
        return 26 * 26 * 32 * 9 * 2 + conv2 + (1600 * 128 + 128 * 10) * 3

    ours, torch = step_gflop(models.reference_cnn(), (1, 28, 28), 64)
    assert ours == pytest.approx(2 * macs(16 * 5 * 5, 36 * 3 * 3) * 64 / 1e9)
    assert torch == pytest.approx(2 * macs(11 * 11 * 9, 11 * 11 * 9) * 64 / 1e9)
    assert isinstance(ours, float)
    # The BatchNorm CNN's conv2 makes all 11×11 outputs, forward and backward by F(4×4, 3×3).
    ours, torch = step_gflop(models.reference_cnn_bn(), (1, 28, 28), 64)
    assert ours == pytest.approx(2 * macs(36 * 3 * 3, 36 * 3 * 3) * 64 / 1e9)
    assert torch == pytest.approx(2 * macs(11 * 11 * 9, 11 * 11 * 9) * 64 / 1e9)


def test_summary_names_numpys_blas_among_the_process_thread_pools():
    from nyangtorch.compare.report import package_of, summary_markdown

    site = "/venv/lib/python3.11/site-packages"
    assert package_of(f"{site}/numpy.libs/libscipy_openblas64_-32a4.so") == "numpy"
    assert package_of(f"{site}/torch/lib/libgomp.so.1") == "torch"
    assert package_of("/usr/lib/x86_64-linux-gnu/libopenblas.so.0") == ""
    pool = {"internal_api": "openblas", "num_threads": 2}
    env = {
        "numpy": "2.4.6", "torch": "2.13.0", "torch_threads": 2, "cpus": 2, "openblas_env": {},
        "blas": [
            pool | {"version": "0.3.15", "architecture": "Haswell", "package": "scipy"},
            pool | {"version": "0.3.31", "architecture": "SkylakeX", "package": "numpy"},
        ],
    }  # fmt: skip
    first = summary_markdown({"environment": env, "differences": []}).splitlines()[2]
    assert "numpy 2.4.6 (openblas 0.3.31, kernel SkylakeX, 2 threads)" in first


@pytest.mark.parametrize(
    "optimizer,kwargs", [("SGD", {"lr": 0.05, "momentum": 0.9}), ("Adam", {"lr": 1e-3})]
)
def test_resnet20_float64_twin_run_agrees_for_50_steps(optimizer, kwargs):
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (40, 12, 12), dtype=np.uint8)
    data = ArrayDataset(images, rng.integers(0, 10, 40))
    nyangtorch.manual_seed(0)
    loader = NyangDataloader(data, batch_size=4, shuffle=True, seed=0)
    # One BLAS thread: these matrices are tiny, and on a busy machine a second thread that
    # waits for work costs ~4× the step (the numbers are the same either way).
    with threadpool_limits(1, user_api="blas"):
        result = twin_run(
            models.resnet(20),
            loader,
            epochs=5,
            max_steps=50,
            optimizer=optimizer,
            optimizer_kwargs=kwargs,
            dtype=np.float64,
        )
    assert result.config["steps"] == 50
    assert result.ours.step_losses[-1] < result.ours.step_losses[0]  # it really trains
    assert result.max_rel_loss_diff < 1e-8, result.max_rel_loss_diff
    assert result.max_weight_diff < 1e-8, result.max_weight_diff


def test_converter_knows_the_new_layers_and_same_padding():
    nyangtorch.manual_seed(0)
    model = nn.NyangFlow(
        nn.Conv(1, 2, 3, padding="same"),
        nn.Residual(nn.NyangFlow(nn.Conv(2, 2, 3, padding=1), nn.ReLU())),
        nn.GlobalAvgPool(),
        nn.Linear(2, 3),
        nn.LogSoftmax(axis=1),
    ).to(np.float64)
    x = np.random.default_rng(0).standard_normal((2, 1, 5, 5))
    twin = to_torch(model)
    with torch.no_grad():
        np.testing.assert_allclose(twin(torch.from_numpy(x)).numpy(), model(x), rtol=1e-12)
    back = from_torch(torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, padding="same"), twin[-1]))
    assert back[0].padding == (1, 1) and isinstance(back[1], nn.LogSoftmax)


def test_the_roofline_reads_reports_written_before_next_pool():
    from nyangtorch.compare.report import roofline_lines

    model = {"step_gflop": 0.985, "step_ms": [10.0, 9.0]}  # one number for both sides
    old = {"gemm_gflops": [150.0, 140.0], "batch_size": 64, "models": {"cnn": model}}
    text = "\n".join(roofline_lines(old))
    assert "(7744×288) @ (288×64)" in text and "| cnn | 0.98 / 0.98 |" in text
    model = dict(model, step_gflop=[0.84, 0.99])  # ours, torch's
    new = dict(old, gemm_shape=[6400, 288, 64], models={"cnn": model})
    text = "\n".join(roofline_lines(new))
    assert "(6400×288) @ (288×64)" in text and "| cnn | 0.84 / 0.99 |" in text


def test_training_epoch_seconds_takes_turns_chunk_by_chunk(monkeypatch):
    from nyangtorch.compare import speed

    calls, reads = [], []

    class Loader:  # counts how often an epoch is read
        def __iter__(self):
            reads.append(1)
            return iter([(i, None) for i in range(7)])

    def trainer(name):
        return lambda batches: calls.append((name, [i for i, _ in batches]))

    sides = ("ours", *speed.TORCH_FORMATS)
    monkeypatch.setattr(speed, "SETTLE_SECONDS", 0.0)
    monkeypatch.setattr(speed, "_trainers", lambda model: {s: trainer(s) for s in sides})
    epochs = speed.training_epoch_seconds(None, Loader(), rounds=2, chunk=3)
    assert len(reads) == 2 and set(epochs) == set(sides)
    assert all(len(ts) == 2 and all(t >= 0 for t in ts) for ts in epochs.values())
    # each chunk goes to every side in turn, then the next chunk; every batch once per round
    chunks = [[0, 1, 2], [3, 4, 5], [6]] * 2
    assert calls == [(s, chunk) for chunk in chunks for s in sides]


def test_training_epoch_seconds_trains_each_side_on_the_loader():
    from nyangtorch.compare.speed import TORCH_FORMATS, training_epoch_seconds

    nyangtorch.manual_seed(0)
    model = nn.NyangFlow(nn.Conv(1, 2, 3), nn.Flatten(), nn.Linear(8, 3))
    data = ArrayDataset(
        np.random.default_rng(0).random((20, 4, 4, 1), dtype=np.float32), np.arange(20) % 3
    )
    before = model.state_dict()["0.weight"].copy()
    epochs = training_epoch_seconds(model, NyangDataloader(data, batch_size=8), chunk=2)
    assert set(epochs) == {"ours", *TORCH_FORMATS}
    assert all(len(ts) == 1 and ts[0] > 0 for ts in epochs.values())
    assert not np.array_equal(model.state_dict()["0.weight"], before)  # ours trained
