"""Losses. ``loss = loss_fn(logits, target)`` is the mean over the batch;
``loss_fn.backward()`` returns d loss / d logits (times an optional upstream factor)."""

from __future__ import annotations

import warnings

import numpy as np

from .functional import log_softmax, sigmoid
from .module import NyangModel


class Loss(NyangModel):
    """Base of the losses: checks shapes and keeps the logits' gradient for ``backward``."""

    _warned_probabilities = False

    def __call__(self, logits: np.ndarray, target: np.ndarray) -> np.float64:
        """The mean loss, as a NumPy float: a Python float to arithmetic, with ``.item()`` as
        a PyTorch loss has."""
        return np.float64(self.forward(logits, target))

    def backward(self, grad: float = 1.0) -> np.ndarray:
        dlogits = self._saved()
        return dlogits * grad if grad != 1.0 else dlogits.copy()

    def _same_shape(self, logits: np.ndarray, target: np.ndarray) -> np.ndarray:
        target = np.asarray(target)
        if target.shape != logits.shape:
            raise ValueError(
                f"{self!r}: target shape {target.shape} does not match input shape {logits.shape}"
            )
        return target.astype(logits.dtype, copy=False)

    def _class_targets(self, logits: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Integer class indices (N,) or one-hot / probabilities (N, C) -> (N, C) floats."""
        if logits.ndim != 2:
            raise ValueError(f"{self!r}: expected logits (N, C), got {logits.shape}")
        target = np.asarray(target)
        n, c = logits.shape
        if target.shape == (n,) and np.issubdtype(target.dtype, np.integer):
            if target.size and (target.min() < 0 or target.max() >= c):
                raise ValueError(
                    f"{self!r}: class index out of range [0, {c}): "
                    f"min {target.min()}, max {target.max()}"
                )
            one_hot = np.zeros((n, c), logits.dtype)
            one_hot[np.arange(n), target] = 1
            return one_hot
        if target.shape == (n, c):
            return target.astype(logits.dtype, copy=False)
        raise ValueError(
            f"{self!r}: target must be class indices (N,) = ({n},) of integers or one-hot "
            f"(N, C) = ({n}, {c}); got {target.shape} of {target.dtype}"
        )

    def _warn_if_probabilities(self, z: np.ndarray) -> None:
        """Warn (once per loss) when the logits are rows of probabilities: non-negative and
        summing to 1, the output of a Softmax. This loss applies softmax itself, so a second
        one flattens the predictions and shrinks the gradients; the model still trains, badly."""
        if self._warned_probabilities or z.size == 0 or z.min() < 0:
            return
        if np.allclose(z.sum(axis=1), 1.0):
            self._warned_probabilities = True
            warnings.warn(
                f"{type(self).__name__} got rows that sum to 1 (probabilities, from a final "
                "Softmax?), but it takes logits and applies softmax itself: drop the Softmax, "
                "or end the model with LogSoftmax and use NLL",
                stacklevel=4,
            )


class MSE(Loss):
    """``L = mean((y − t)²)`` over every element;  ``dL/dy = 2 (y − t) / numel``."""

    def forward(self, y: np.ndarray, target: np.ndarray) -> float:
        diff = y - self._same_shape(y, target)
        self._cache = 2.0 * diff / diff.size
        return float(np.mean(diff * diff))


class BCE(Loss):
    """Binary cross-entropy on logits z (sigmoid inside), mean over every element:
    ``L = mean(max(z, 0) − z·t + log(1 + e^−|z|))`` (never overflows);
    ``dL/dz = (σ(z) − t) / numel``."""

    def forward(self, z: np.ndarray, target: np.ndarray) -> float:
        t = self._same_shape(z, target)
        loss = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
        self._cache = (sigmoid(z) - t) / z.size
        return float(loss.mean())


class CE(Loss):
    """Cross-entropy on logits z (N, C), softmax inside through log-sum-exp:
    ``L = −(1/N) Σ_n Σ_c t_nc · log softmax(z_n)_c``;  ``dL/dz = (softmax(z)·Σ_c t − t) / N``.

    ``target``: class indices (N,) or one-hot / probabilities (N, C). ``label_smoothing`` ε
    replaces t by ``(1 − ε)·t + ε / C``, as in PyTorch.
    """

    def __init__(self, label_smoothing: float = 0.0) -> None:
        super().__init__()
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"CE: label_smoothing must be in [0, 1], got {label_smoothing}")
        self.label_smoothing = label_smoothing

    def forward(self, z: np.ndarray, target: np.ndarray) -> float:
        t = self._class_targets(z, target)
        self._warn_if_probabilities(z)
        if self.label_smoothing:
            t = t * (1 - self.label_smoothing) + self.label_smoothing / z.shape[1]
        log_p = log_softmax(z, axis=1)
        n = z.shape[0]
        self._cache = (np.exp(log_p) * t.sum(axis=1, keepdims=True) - t) / n
        return float(-(t * log_p).sum() / n)

    def extra_repr(self) -> str:
        return f"label_smoothing={self.label_smoothing}" if self.label_smoothing else ""


class FocalLoss(Loss):
    """Multi-class focal loss (Lin et al., 2017) on softmax probabilities p = softmax(z):
    ``L = −(1/N) Σ_n Σ_c t_nc · α_c · (1 − p_nc)^γ · log p_nc``.

    With ``u_c = t_c α_c (γ (1 − p_c)^(γ−1) p_c log p_c − (1 − p_c)^γ)`` (that is
    ``p_c · dL/dp_c``), the gradient is ``dL/dz = (u − p Σ_c u_c) / N``.
    ``alpha``: None (all 1), a scalar for every class, or per-class weights (C,).
    γ = 0 and no alpha is exactly ``CE``.
    """

    def __init__(self, gamma: float = 2.0, alpha=None) -> None:
        super().__init__()
        if gamma < 0:
            raise ValueError(f"FocalLoss: gamma must be >= 0, got {gamma}")
        self.gamma = gamma
        self.alpha = None if alpha is None else np.asarray(alpha, dtype=np.float64)

    def forward(self, z: np.ndarray, target: np.ndarray) -> float:
        t = self._class_targets(z, target)
        self._warn_if_probabilities(z)
        if self.alpha is not None:
            if self.alpha.ndim == 1 and self.alpha.shape[0] != z.shape[1]:
                raise ValueError(
                    f"{self!r}: alpha has {self.alpha.shape[0]} weights for {z.shape[1]} classes"
                )
            t = t * self.alpha.astype(z.dtype)
        g = self.gamma
        log_p = log_softmax(z, axis=1)
        p = np.exp(log_p)
        q = -np.expm1(log_p)  # 1 − p, accurate when p is close to 1
        modulating = q**g
        with np.errstate(divide="ignore", invalid="ignore"):
            # γ q^(γ−1) p log p → 0 as p → 1; the guard avoids 0·∞ at p == 1 exactly.
            slope = np.where(q > 0, g * q ** (g - 1) * p * log_p, 0.0) if g else 0.0
        u = t * (slope - modulating)
        n = z.shape[0]
        self._cache = (u - p * u.sum(axis=1, keepdims=True)) / n
        return float(-(t * modulating * log_p).sum() / n)

    def extra_repr(self) -> str:
        return f"gamma={self.gamma}" + (
            f", alpha={self.alpha.tolist()}" if self.alpha is not None else ""
        )


class NLL(Loss):
    """Negative log-likelihood of log-probabilities ℓ (N, C), as PyTorch's ``NLLLoss``:
    ``L = −(1/N) Σ_n Σ_c t_nc · ℓ_nc``;  ``dL/dℓ = −t / N``.

    ``target``: class indices (N,) or one-hot (N, C). After ``LogSoftmax`` it equals ``CE``
    on the logits.
    """

    def forward(self, log_p: np.ndarray, target: np.ndarray) -> float:
        t = self._class_targets(log_p, target)
        n = log_p.shape[0]
        self._cache = -t / n
        return float(-(t * log_p).sum() / n)
