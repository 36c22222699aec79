"""Concentration measures (helpers.stats.concentration): hand-computed values, the pairwise
definition of the Gini coefficient, and properties on random inputs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.stats.concentration import gini, lorenz, tiers, top_fraction_count, top_fraction_share, top_k_share


def pairwise_gini(x: list[float]) -> float:
    """The textbook definition: mean absolute difference over all ordered pairs / (2 x mean)."""
    n = len(x)
    mean = sum(x) / n
    return sum(abs(a - b) for a, b in itertools.product(x, x)) / (2 * n * n * mean)


def test_gini_by_hand():
    # 1, 2, 3, 4: |differences| of the six pairs 1+2+3+1+2+1 = 10, ordered 20; 20 / (2 x 16 x 2.5) = 0.25
    assert gini([4, 1, 3, 2]) == pytest.approx(0.25)
    assert gini([5, 5, 5, 5]) == 0.0
    # one of four sells everything: (n - 1) / n
    assert gini([0, 0, 10, 0]) == pytest.approx(0.75)
    # 1, 1, 8: pairs |0| + |7| + |7| = 14, ordered 28; 28 / (2 x 9 x 10/3) = 0.4667
    assert gini([1, 8, 1]) == pytest.approx(28 / 60)
    assert gini([7]) == 0.0
    assert np.isnan(gini([])) and np.isnan(gini([0, 0]))


def test_lorenz_by_hand():
    people, share = lorenz([30, 10, 60])
    assert people == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert share == pytest.approx([0, 0.1, 0.4, 1.0])
    empty = lorenz([0, 0])
    assert len(empty[0]) == 0 and len(empty[1]) == 0


def test_top_shares_by_hand():
    values = [5, 1, 4, 10]  # total 20
    assert top_k_share(values, 2) == pytest.approx(15 / 20)
    assert top_k_share(values, 1) == pytest.approx(0.5)
    assert top_k_share(values, 10) == 1.0 and top_k_share(values, 0) == 0.0
    assert np.isnan(top_k_share([0, 0], 1))
    # the top 20% of 4 merchants is one (ceil 0.8), of 7 two, of 40 eight, of 10 two
    assert [top_fraction_count(n, 0.2) for n in (4, 7, 40, 10, 0)] == [1, 2, 8, 2, 0]
    assert top_fraction_share(values, 0.2) == pytest.approx(0.5)
    assert top_fraction_share(list(range(1, 11)), 0.2) == pytest.approx((10 + 9) / 55)


def test_tiers_by_hand():
    # 50 | 30 | 20: before each 0, 0.5, 0.8 -> head, waist (0.5 is on the head's line), tail
    assert list(tiers([50, 30, 20])) == ["head", "waist", "tail"]
    # input order kept: 60 head, 30 waist (0.6 before it), 10 tail (0.9 before it)
    assert list(tiers([10, 60, 30])) == ["tail", "head", "waist"]
    # four equal: before 0, .25, .5, .75 -> head, head, waist, waist
    assert list(tiers([25, 25, 25, 25])) == ["head", "head", "waist", "waist"]
    # the crossing merchant belongs to the head: 40 (before 0), 40 (before 0.4 < 0.5), 20 (0.8)
    assert list(tiers([40, 40, 20])) == ["head", "head", "tail"]
    # other lines, head 60% and waist 30%: 70 head, 20 waist (0.7 before it), 5 and 5 tail (0.9, 0.95)
    assert list(tiers([70, 20, 5, 5], head=0.6, waist=0.3)) == ["head", "waist", "tail", "tail"]
    assert list(tiers([0, 0])) == [None, None]
    with pytest.raises(ValueError):
        tiers([1, 2], head=0.7, waist=0.3)


def test_bad_values_are_refused():
    for bad in ([1, -1], [1, float("nan")], [float("inf")]):
        with pytest.raises(ValueError):
            gini(bad)
    with pytest.raises(ValueError):
        top_k_share([1, 2], -1)


amounts = st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(amounts)
def test_gini_equals_the_pairwise_definition_and_stays_in_bounds(x):
    if sum(x) <= 0:
        assert np.isnan(gini(x))
        return
    g = gini(x)
    assert g == pytest.approx(pairwise_gini(x), abs=1e-9)
    assert -1e-12 <= g <= (len(x) - 1) / len(x) + 1e-12
    assert gini([3.5 * v for v in x]) == pytest.approx(g, abs=1e-9)  # scale free
    assert gini(x[::-1]) == pytest.approx(g, abs=1e-12)  # order free


@settings(max_examples=200, deadline=None)
@given(amounts)
def test_lorenz_is_convex_under_the_diagonal_and_tiers_follow_the_lines(x):
    people, share = lorenz(x)
    if sum(x) <= 0:
        assert len(people) == 0
        return
    assert share[0] == 0 and share[-1] == 1
    assert np.all(share <= people + 1e-12)
    assert np.all(np.diff(share, 2) >= -1e-12)  # slopes never fall: convex
    # twice the area between the diagonal and the curve is the Gini coefficient
    area = np.sum((people[1:] - people[:-1]) * (share[1:] + share[:-1]) / 2)
    assert 1 - 2 * area == pytest.approx(gini(x), abs=1e-9)
    labels = tiers(x)
    total = sum(x)
    order = np.argsort(-np.asarray(x), kind="stable")
    before = 0.0
    for i in order:
        expected = "head" if before / total < 0.5 - 1e-9 else "waist" if before / total < 0.8 - 1e-9 else "tail"
        assert labels[i] == expected
        before += x[i]
    head = [x[i] for i in range(len(x)) if labels[i] == "head"]
    assert sum(head) >= 0.5 * total * (1 - 1e-9)  # the head makes at least half
    assert top_k_share(x, len(head)) == pytest.approx(sum(head) / total)
