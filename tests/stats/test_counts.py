"""Poisson upper tails (helpers.stats.counts) against scipy and hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from helpers.stats.counts import poisson_upper_tail


def test_upper_tail_is_the_probability_of_at_least_that_many():
    # By hand: P(X >= 2 | mean 1) = 1 - e^-1 (1 + 1); P(X >= 0) = 1.
    assert poisson_upper_tail(2, 1.0) == pytest.approx(1 - 2 * math.exp(-1))
    assert poisson_upper_tail(0, 3.0) == pytest.approx(1.0)
    observed, expected = np.array([0, 5, 20, 55]), np.array([2.0, 5.0, 10.0, 20.0])
    tails = [stats.poisson.pmf(np.arange(k, k + 400), mu).sum() for k, mu in zip(observed, expected, strict=True)]
    np.testing.assert_allclose(poisson_upper_tail(observed, expected), tails, rtol=1e-9)


def test_a_spike_is_unlikely_and_a_missing_count_is_not_judged():
    p = poisson_upper_tail([110, 12, np.nan], [20.0, 10.0, 10.0])
    assert p[0] < 1e-12 and 0.2 < p[1] < 0.4 and np.isnan(p[2])
