"""A training loop written by hand with the raw engine: an MLP on scikit-learn's 8×8 digits.

Every step is visible: forward, loss, backward, optimizer step.
"""

import numpy as np
from sklearn.datasets import load_digits

import nyangtorch
from nyangtorch import nn, optim

nyangtorch.manual_seed(0)
digits = load_digits()
x = (digits.images / 16.0).astype(np.float32).reshape(-1, 64)
y = digits.target
order = np.random.default_rng(0).permutation(len(x))
train, test = order[:1500], order[1500:]

model = nn.NyangFlow(nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
loss_fn = nn.CE()
optimizer = optim.Adam(model.parameters(), lr=1e-3)
scheduler = optim.StepDecay(optimizer, step_size=10, gamma=0.5)

for epoch in range(20):
    model.train()
    batches = np.random.default_rng(epoch).permutation(train).reshape(-1, 50)
    losses = []
    for idx in batches:
        optimizer.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        model.backward(loss_fn.backward())
        optimizer.step()
        losses.append(loss)
    scheduler.step()
    model.eval()
    with nyangtorch.no_grad():
        accuracy = (model(x[test]).argmax(axis=1) == y[test]).mean()
    print(f"epoch {epoch + 1:2d}  train loss {np.mean(losses):.4f}  test accuracy {accuracy:.2%}")
