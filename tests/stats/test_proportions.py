"""The pooled two-proportion z-test (helpers.stats.proportions) against statsmodels and by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.proportion import proportions_ztest

from helpers.stats.proportions import two_proportion_p_value


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
