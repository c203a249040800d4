"""The example scripts run and do what they say."""

from example_loader import load_example as load


def test_custom_model_trains_a_forward_only_model(capsys):
    example = load("custom_model")
    assert example.DigitNet.backward is example.nn.Module.backward  # written forward-only
    assert example.main(epochs=2) > 0.9
    out = capsys.readouterr().out
    assert "Add" in out and "epoch  2" in out and "test accuracy" in out


def test_pytorch_mnist_port_trains_one_epoch(capsys):
    example = load("port_pytorch_mnist")
    assert example.Net.backward is example.nn.Module.backward  # forward-only, as in PyTorch
    assert example.main(epochs=1, limit=2000) > 0.6
    out = capsys.readouterr().out
    assert "Train Epoch: 1 [0/2000]" in out and "Test set: Average loss:" in out


def test_keras_convnet_port_trains_one_epoch(capsys):
    example = load("port_keras_convnet")
    assert example.main(epochs=1, limit=2000) > 0.6
    out = capsys.readouterr().out
    assert "x_train shape: (2000, 28, 28, 1)" in out and "Test accuracy:" in out
