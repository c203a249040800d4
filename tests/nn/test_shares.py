"""share_sum: the sum over the shares of a batch that threads run side by side."""

import threading

import numpy as np
import pytest

from nyangtorch.nn.shares import ShareGroup, ShareStopped, share_sum


def run_shares(group, works, timeout=30):
    """Run works[k] as share k of ``group``, each in its own thread; (results, errors)."""
    results, errors = [None] * len(works), [None] * len(works)

    def target(k):
        try:
            results[k] = group.run(k, works[k])
        except Exception as error:
            errors[k] = error

    threads = [threading.Thread(target=target, args=(k,)) for k in range(len(works))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a share is still waiting"
    return results, errors


def test_outside_a_group_the_sum_is_its_input():
    values = np.arange(3.0)
    assert share_sum(values) is values


def test_every_share_gets_the_same_sum_round_after_round():
    # 1e16 + 1 − 1e16 depends on the order of the additions: every share must see one order
    given = [np.array([1e16, 1.0]), np.array([1.0, 2.0]), np.array([-1e16, 3.0])]

    def work(k):
        return lambda: [share_sum(given[k] * r) for r in (1, 2, 3)]

    results, errors = run_shares(ShareGroup(3), [work(k) for k in range(3)])
    assert errors == [None] * 3
    for r, factor in enumerate((1, 2, 3)):
        expected = (given[0] * factor + given[1] * factor) + given[2] * factor  # share order
        for result in results:
            np.testing.assert_array_equal(result[r], expected)


def test_a_share_that_stops_early_ends_the_others_waits():
    def short():
        share_sum(np.ones(2))  # one sum, where the others make two

    def full():
        share_sum(np.ones(2))
        return share_sum(np.ones(2))

    results, errors = run_shares(ShareGroup(3), [full, short, full])
    assert errors[1] is None
    for k in (0, 2):
        assert isinstance(errors[k], ShareStopped)
        assert "share 1 of the batch stopped before its sum number 2" in str(errors[k])


def test_a_share_that_fails_ends_the_others_waits():
    def fails():
        raise KeyError("this share's own error")

    results, errors = run_shares(ShareGroup(2), [lambda: share_sum(np.ones(1)), fails])
    assert isinstance(errors[0], ShareStopped) and isinstance(errors[1], KeyError)


def test_sums_of_different_shapes_fail_in_every_share_without_a_hang():
    results, errors = run_shares(
        ShareGroup(2), [lambda: share_sum(np.ones(2)), lambda: share_sum(np.ones(3))]
    )
    messages = sorted(type(e).__name__ for e in errors)
    assert messages == ["ShareStopped", "ValueError"]  # the last to arrive adds, and says why
    assert any("different shapes [(2,), (3,)]" in str(e) for e in errors)


def test_every_share_gets_one_read_only_sum():
    results, errors = run_shares(
        ShareGroup(2), [lambda: share_sum(np.ones(2)), lambda: share_sum(np.ones(2))]
    )
    assert results[0] is results[1] and not results[0].flags.writeable


def test_a_group_run_inside_another_restores_the_outer_one():
    outer, inner = ShareGroup(1), ShareGroup(1)

    def work():
        inner.run(0, lambda: share_sum(np.ones(1)))
        return share_sum(np.full(1, 2.0))  # the outer group's again

    np.testing.assert_array_equal(outer.run(0, work), [2.0])
    assert outer._totals and outer._totals[0] == 2.0


def test_outside_its_run_a_thread_is_in_no_group():
    group = ShareGroup(1)
    np.testing.assert_array_equal(group.run(0, lambda: share_sum(np.ones(2))), np.ones(2))
    values = np.ones(2)
    assert share_sum(values) is values
    with pytest.raises(ValueError):  # an error leaves the thread out of the group too
        group.run(0, lambda: int("x"))
    assert share_sum(values) is values
