"""The statistics behind the content and campaign reports on degenerate inputs drawn by
hypothesis (zeros, constants, one item, empty groups): they answer with NaN, an empty result or a
named `causal.Unmodelable`, never an infinite number, a crash or a warning. The statistical fits
themselves are calibrated in the other tests of this folder."""

from __future__ import annotations

import warnings
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.stats import causal
from helpers.stats import experiments as ex
from helpers.stats.counts import poisson_upper_tail
from helpers.stats.proportions import two_proportion_p_value
from helpers.stats.regression import ols, treatment_design
from helpers.stats.shrinkage import priors_by_group, ratio_interval, wilson_interval

FAST = settings(derandomize=True, max_examples=50, deadline=None)
counts = st.lists(st.integers(0, 50), min_size=0, max_size=12)


def daily(values: list[float]) -> pd.Series:
    return pd.Series(values, index=[date(2026, 9, 1) + timedelta(days=i) for i in range(len(values))])


@FAST
@given(st.floats(0, 1e6), st.integers(21, 60), st.integers(1, 14))
def test_a_constant_pre_period_is_unmodelable(level, pre, during):
    """Every order refunded (0 a day) or a flat series: nothing to fit, said as `constant`."""
    y = daily([level] * pre + [level + 1.0] * during)
    with pytest.raises(causal.Unmodelable) as raised:
        causal.counterfactual(y, None, y.index[pre], y.index[-1], n_paths=50)
    assert raised.value.why == "constant"


def test_a_short_pre_period_is_unmodelable_and_still_a_value_error():
    y = daily([1.0, 2.0] * 10 + [3.0])
    with pytest.raises(ValueError, match="at least 21") as raised:
        causal.counterfactual(y, None, y.index[-1], y.index[-1], n_paths=50)
    assert isinstance(raised.value, causal.Unmodelable) and raised.value.why == "short"


def test_placebo_windows_on_a_flat_history_are_left_out():
    y = daily([0.0] * 70)
    windows = causal.placebo_windows(pd.Series(True, index=y.index), 7, 28, 3)
    assert len(windows) == 3
    assert causal.placebos(y, None, windows, 84, n_paths=50).empty


@FAST
@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 40))
def test_a_lift_over_a_control_of_zero_is_nan_not_infinite(n_control, n_treated, converted):
    converted = min(converted, n_treated)
    control = ex.Moments.of(np.zeros(n_control))
    treated = ex.Moments.of(np.r_[np.ones(converted), np.zeros(n_treated - converted)])
    for lift in (ex.mean_difference(control, treated), ex.cuped(control, treated).lift):
        assert np.isnan(float(lift.rel)) and np.isnan(float(lift.rel_low))
        assert float(lift.abs) == pytest.approx(converted / n_treated)
        assert not np.isinf([float(lift.abs_low), float(lift.abs_high)]).any()


@FAST
@given(counts, st.data())
def test_shrinkage_with_zero_trials_one_item_or_none(trials, data):
    successes = [data.draw(st.integers(0, n)) for n in trials]
    groups = [data.draw(st.sampled_from(("X", "Y", "—"))) for _ in trials]
    priors, pooled = priors_by_group(successes, trials, groups)
    assert 0 <= pooled.mean <= 1 and set(priors) == set(groups)
    for prior in priors.values():
        shrunk = prior.shrink(np.asarray(successes, float), np.asarray(trials, float))
        assert np.all((shrunk >= 0) & (shrunk <= 1))
    lo, _ = wilson_interval(successes, trials)
    assert np.all(np.isnan(lo) == (np.asarray(trials) == 0))
    rate, low, _ = ratio_interval(successes, trials)
    assert np.isnan(rate) == (sum(trials) == 0)
    assert np.isnan(low) == (np.isnan(rate) or len(trials) < 2)


@FAST
@given(counts, st.floats(0, 20))
def test_count_and_proportion_tests_on_empty_samples(observed, expected):
    p = poisson_upper_tail(observed, expected)
    assert np.all((p >= 0) & (p <= 1))
    n = np.asarray(observed, float)
    p = two_proportion_p_value(n * 0, n, n * 0, n)  # nothing happened in either sample
    assert np.isnan(p).all()


@FAST
@given(st.integers(1, 12), st.sampled_from(("one", "two")))
def test_least_squares_on_a_rank_deficient_design_stays_quiet(rows, levels):
    frame = pd.DataFrame({"column": ["X"] * rows if levels == "one" else ["X", "Y"] * rows,
                          "position": 1})
    design = np.column_stack([treatment_design(frame, ["column", "position"]), np.ones(len(frame))])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = ols(design, np.arange(len(frame), dtype=float))
    assert np.isfinite(fit.fitted).all()
