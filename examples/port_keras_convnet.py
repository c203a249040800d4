"""Keras' "Simple MNIST convnet" (keras.io/examples/vision/mnist_convnet), ported.

The Keras way is kept: NumPy arrays in, images (N, 28, 28, 1) channels-last, one-hot labels,
``validation_split=0.1``. Fashion-MNIST (from Debian's dataset-fashion-mnist package) stands
in for MNIST. Keras ends the model in a softmax and trains it with categorical
cross-entropy; nyangtorch's CE takes the logits and applies the softmax inside (as
``from_logits=True``), so the model ends at the last Dense layer.

    python examples/port_keras_convnet.py [--epochs 15] [--limit N]
"""

import argparse

import numpy as np

import nyangtorch
from nyangtorch import nn, optim
from nyangtorch.data import ArrayDataset, DataLoader, FashionMNIST, one_hot

num_classes = 10
input_shape = (28, 28, 1)


def load_data(limit: int | None = None):
    """Like ``keras.datasets.mnist.load_data()``: uint8 (N, 28, 28) images, integer labels."""
    train, test = FashionMNIST("train"), FashionMNIST("test")
    n_train, n_test = (None, None) if limit is None else (limit, limit // 4)
    return (
        (train.images[:n_train, ..., 0], train.targets[:n_train]),
        (test.images[:n_test, ..., 0], test.targets[:n_test]),
    )


def main(epochs: int = 15, limit: int | None = None) -> float:
    nyangtorch.manual_seed(0)
    (x_train, y_train), (x_test, y_test) = load_data(limit)

    # Scale images to the [0, 1] range and make sure they have shape (28, 28, 1).
    x_train = np.expand_dims(x_train.astype("float32") / 255, -1)
    x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
    print("x_train shape:", x_train.shape)
    # Class vectors to binary class matrices (keras.utils.to_categorical).
    y_train, y_test = one_hot(y_train, num_classes), one_hot(y_test, num_classes)

    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),  # Conv2D(32, 3, "relu"), MaxPooling2D
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.5),
        nn.Linear(1600, num_classes),  # Dense(num_classes) — the softmax is inside CE
    )  # fmt: skip
    print(model.summary((1, 28, 28)))

    batch_size = 128
    # model.fit(x_train, y_train, batch_size, epochs, validation_split=0.1)
    train_part, valid_part, _ = ArrayDataset(x_train, y_train).split((0.9, 0.1, 0.0), seed=0)
    optimizer = optim.Adam(model.parameters())
    nyangtorch.nyang_train(
        model, optimizer, nn.CrossEntropyLoss(),
        DataLoader(train_part, batch_size, shuffle=True, seed=0, one_hot=True),
        DataLoader(valid_part, batch_size, one_hot=True),
        epochs=epochs, progress=False,
    )  # fmt: skip

    # model.evaluate(x_test, y_test)
    result = nyangtorch.nyang_inference(
        model, DataLoader((x_test, y_test), batch_size, one_hot=True), nn.CrossEntropyLoss(),
        progress=False,
    )  # fmt: skip
    print("Test loss:", result.loss)
    print("Test accuracy:", result.metrics["accuracy"])
    return result.metrics["accuracy"]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Keras' simple MNIST convnet on nyangtorch")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images")
    args = parser.parse_args()
    main(args.epochs, args.limit)
