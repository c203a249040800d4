"""A model written the PyTorch way, forward only, trained on the built-in 8×8 digits.

The model defines ``__init__`` and ``forward`` and nothing else: while ``forward`` runs, each
layer call is recorded on the model's tape, and ``model.backward`` walks that tape in reverse.
The residual sum goes through ``nn.functional.add`` (a plain ``+`` would leave the tape no way
back), and one ReLU serves three calls, each with its own cache.
"""

import numpy as np

import nyangtorch
from nyangtorch import nn, optim


class DigitNet(nn.Module):
    def __init__(self, channels: int = 16, num_classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, 3, padding="same")
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding="same")
        self.bn2 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(channels * 4 * 4, 64)
        self.fc2 = nn.Linear(64, num_classes)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = self.relu(self.bn1(self.conv1(x)))  # (N, 16, 8, 8)
        h = self.bn2(self.conv2(x))
        x = self.relu(nn.functional.add(h, x))  # a residual connection
        x = self.flatten(self.pool(x))  # (N, 16 · 4 · 4)
        return self.fc2(self.relu(self.fc1(x)))


def main(epochs: int = 10) -> float:
    """Train, print each epoch's loss and validation accuracy; return the test accuracy."""
    nyangtorch.manual_seed(0)
    train, valid, test, _ = nyangtorch.nyangnyang_dataset_ready("digits", batch_size=32)
    model = DigitNet()
    print(model.summary((1, 8, 8)))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=3e-3)

    def accuracy(loader) -> float:
        with nn.inference_mode(model):
            hits = [(model(x).argmax(axis=1) == y).sum() for x, y in loader]
        return sum(hits) / len(loader.dataset)

    for epoch in range(epochs):
        losses = []
        for x, y in train:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            model.backward(loss_fn.backward())  # the tape: each layer's backward, last call first
            optimizer.step()
            losses.append(loss)
        print(
            f"epoch {epoch + 1:2d}  train loss {np.mean(losses):.4f}  "
            f"valid accuracy {accuracy(valid):.2%}"
        )
    test_accuracy = accuracy(test)
    print(f"test accuracy {test_accuracy:.2%}")
    return test_accuracy


if __name__ == "__main__":
    main()
