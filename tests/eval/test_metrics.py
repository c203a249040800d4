"""Metrics equal scikit-learn's on the same inputs, in every input form."""

import numpy as np
import pytest
from sklearn import metrics as sk

from nyangtorch import metrics


@pytest.fixture(params=[0, 1, 2])
def labels(request):
    rng = np.random.default_rng(request.param)
    t = rng.integers(0, 5, 200)
    p = np.where(rng.random(200) < 0.6, t, rng.integers(0, 5, 200))
    if request.param == 2:
        p[p == 4] = 3  # a class that is never predicted: zero division handled like sklearn
    return t, p


@pytest.mark.parametrize("average", ["macro", "micro", "weighted"])
def test_precision_recall_f1_equal_sklearn(labels, average):
    t, p = labels
    assert metrics.precision(t, p, average) == pytest.approx(
        sk.precision_score(t, p, average=average, zero_division=0)
    )
    assert metrics.recall(t, p, average) == pytest.approx(
        sk.recall_score(t, p, average=average, zero_division=0)
    )
    assert metrics.f1_score(t, p, average) == pytest.approx(
        sk.f1_score(t, p, average=average, zero_division=0)
    )


def test_binary_average_with_pos_label():
    rng = np.random.default_rng(3)
    t, p = rng.integers(0, 2, 50), rng.integers(0, 2, 50)
    for pos in (0, 1):
        assert metrics.f1_score(t, p, "binary", pos_label=pos) == pytest.approx(
            sk.f1_score(t, p, pos_label=pos)
        )
        assert metrics.precision(t, p, "binary", pos_label=pos) == pytest.approx(
            sk.precision_score(t, p, pos_label=pos)
        )
    with pytest.raises(ValueError, match="binary' needs two classes"):
        metrics.f1_score([0, 1, 2], [0, 1, 2], "binary")


def test_accuracy_and_confusion_equal_sklearn(labels):
    t, p = labels
    assert metrics.accuracy(t, p) == sk.accuracy_score(t, p)
    np.testing.assert_array_equal(metrics.confusion_matrix(t, p), sk.confusion_matrix(t, p))


def test_inputs_may_be_one_hot_or_scores(labels):
    t, p = labels
    one_hot = np.eye(5)[t]
    logits = np.random.default_rng(0).standard_normal((200, 5))
    logits[np.arange(200), p] += 10
    assert metrics.f1_score(one_hot, logits) == pytest.approx(
        sk.f1_score(t, p, average="macro", zero_division=0)
    )
    np.testing.assert_array_equal(
        metrics.confusion_matrix(one_hot, logits, 5), sk.confusion_matrix(t, p, labels=range(5))
    )


def test_metric_errors():
    with pytest.raises(ValueError, match="average must be one of"):
        metrics.f1_score([0, 1], [0, 1], "samples")
    with pytest.raises(ValueError, match="2 samples but y_pred has 3"):
        metrics.accuracy([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="unknown metric"):
        metrics.compute_metrics(["auc"], [0], [0])
