"""The pooled two-proportion z-test and the chi-square test across groups (helpers.stats.proportions)
against statsmodels, scipy and by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import chi2_contingency
from statsmodels.stats.proportion import proportions_ztest

from helpers.stats.proportions import chi_square_p_value, two_proportion_p_value


@pytest.mark.parametrize("alternative", ["larger", "smaller", "two-sided"])
def test_matches_statsmodels(alternative):
    cases = [(100, 200, 40, 200), (3, 5, 0, 2), (60, 400, 50, 380), (10, 50, 30, 60)]
    got = two_proportion_p_value(*np.array(cases).T, alternative)
    for (x1, n1, x2, n2), p in zip(cases, got, strict=True):
        assert p == pytest.approx(proportions_ztest([x1, x2], [n1, n2], alternative=alternative)[1],
                                  rel=1e-12)


def test_by_hand():
    # 0.5 against 0.2 on 200 each: pooled 0.35, se = sqrt(0.35 x 0.65 x 2 / 200), z = 0.3 / se.
    z = 0.3 / math.sqrt(0.35 * 0.65 * 2 / 200)
    assert two_proportion_p_value(100, 200, 40, 200) == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)))


def test_without_variance_or_data_there_is_no_p_value():
    p = two_proportion_p_value([0, 5, 3], [10, 5, 4], [0, 7, 1], [10, 7, 0])
    assert np.isnan(p).all()  # nobody exits, everybody exits, an empty week
    with pytest.raises(ValueError):
        two_proportion_p_value(1, 2, 1, 2, "bigger")


@pytest.mark.parametrize(("successes", "totals"), [
    ([18, 17, 30], [100, 105, 200]), ([5, 40], [50, 60]), ([1, 2, 3, 4], [10, 10, 10, 10])])
def test_chi_square_matches_scipy(successes, totals):
    table = [[x, n - x] for x, n in zip(successes, totals, strict=True)]
    expected = chi2_contingency(table, correction=False)[1]
    assert chi_square_p_value(successes, totals) == pytest.approx(expected, rel=1e-12)


def test_chi_square_by_hand_and_degenerate_tables():
    # 30 of 100 against 10 of 100: pooled 0.2, expected 20 / 80 per group, statistic
    # 2 x (10^2 / 20 + 10^2 / 80) = 12.5 on 1 degree of freedom; p = P(chi2_1 > 12.5) = erfc(sqrt(6.25)).
    assert chi_square_p_value([30, 10], [100, 100]) == pytest.approx(math.erfc(math.sqrt(12.5 / 2)))
    # two groups equal: statistic 0, p = 1
    assert chi_square_p_value([10, 10], [100, 100]) == pytest.approx(1.0)
    assert math.isnan(chi_square_p_value([0, 0], [10, 20]))  # nobody converts
    assert math.isnan(chi_square_p_value([5, 0], [5, 0]))  # one group with data
    with pytest.raises(ValueError):
        chi_square_p_value([11], [10])
