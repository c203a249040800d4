"""PyTorch's "mnist" example (pytorch/examples, mnist/main.py), ported line for line.

Only two things change: the imports, and the data — Fashion-MNIST, which nyangtorch reads
from Debian's dataset-fashion-mnist package, stands in for MNIST. The model is written
forward-only, as in PyTorch (its layer calls are recorded on a tape that gives it backward);
``F.relu`` and ``F.max_pool2d`` become layers, because the tape records layer calls.

    python examples/port_pytorch_mnist.py [--epochs 14] [--limit N]
"""

import argparse

import numpy as np

import nyangtorch
from nyangtorch import nn, optim
from nyangtorch.data import DataLoader, FashionMNIST, nyang_transforms


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)
        self.relu = nn.ReLU()  # F.relu
        self.max_pool2d = nn.MaxPool2d(2)  # F.max_pool2d(x, 2)
        self.flatten = nn.Flatten()  # torch.flatten(x, 1)
        self.log_softmax = nn.LogSoftmax(1)  # F.log_softmax(x, dim=1)

    def forward(self, x):
        x = self.conv1(x)
        x = self.relu(x)
        x = self.conv2(x)
        x = self.relu(x)
        x = self.max_pool2d(x)
        x = self.dropout1(x)
        x = self.flatten(x)
        x = self.fc1(x)
        x = self.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = self.log_softmax(x)
        return output


def train(model, train_loader, optimizer, epoch, nll_loss):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        optimizer.zero_grad()
        output = model(data)
        loss = nll_loss(output, target)
        model.backward(nll_loss.backward())  # loss.backward()
        optimizer.step()
        if batch_idx % 100 == 0:
            print(
                f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]"
                f"\tLoss: {loss.item():.6f}"
            )


def test(model, test_loader, nll_loss):
    model.eval()
    test_loss, correct = 0.0, 0
    with nyangtorch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += nll_loss(output, target).item() * len(data)  # reduction="sum"
            correct += int((output.argmax(axis=1) == target).sum())
    test_loss /= len(test_loader.dataset)
    accuracy = correct / len(test_loader.dataset)
    print(f"\nTest set: Average loss: {test_loss:.4f}, Accuracy: {accuracy:.0%}\n")
    return accuracy


def main(epochs: int = 14, limit: int | None = None) -> float:
    nyangtorch.manual_seed(1)
    # transforms.Normalize((0.1307,), (0.3081,)) after ToTensor, as the original.
    train_set, test_set = FashionMNIST("train"), FashionMNIST("test")
    if limit is not None:
        train_set = train_set.subset(np.arange(limit))
        test_set = test_set.subset(np.arange(limit // 4))
    train_set.transform = nyang_transforms("train", mean=0.1307, std=0.3081)
    test_set.transform = nyang_transforms("test", mean=0.1307, std=0.3081)
    train_loader = DataLoader(train_set, batch_size=64, shuffle=True, seed=1)
    test_loader = DataLoader(test_set, batch_size=1000)
    model = Net()
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = optim.StepDecay(optimizer, step_size=1, gamma=0.7)  # StepLR
    nll_loss = nn.NLL()  # F.nll_loss
    accuracy = 0.0
    for epoch in range(1, epochs + 1):
        train(model, train_loader, optimizer, epoch, nll_loss)
        accuracy = test(model, test_loader, nll_loss)
        scheduler.step()
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="PyTorch's MNIST example on nyangtorch")
    parser.add_argument("--epochs", type=int, default=14)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images")
    args = parser.parse_args()
    main(args.epochs, args.limit)
