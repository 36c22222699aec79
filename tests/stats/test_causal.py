"""Campaigns without control: the counterfactual model, placebos and difference-in-differences,
calibrated on simulated series with a known effect (fixed seeds)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from helpers.stats import causal

WEEKLY = np.array([0.0, 0.02, 0.03, 0.05, 0.1, 0.15, 0.08])
START = date(2026, 1, 5)


def shop_series(rng: np.random.Generator, pre: int = 84, window: int = 6, effect: float = 0.0,
                drift: float = 0.005, campaign_days: int = 4) -> tuple[pd.Series, pd.DataFrame, date, date,
                                                                         float]:
    """Daily paid orders: a drifting level (random walk on the log scale), a weekly pattern, five
    holidays (+30%) in the pre-period, Poisson noise; a campaign adds Poisson(effect x expected)
    orders on its first `campaign_days` days. Returns y, regressors, start, end and the realised
    incremental orders (what the campaign really added)."""
    n = pre + window
    dates = [START + timedelta(days=i) for i in range(n)]
    level = np.log(200) + np.cumsum(rng.normal(0, drift, n))
    holiday = np.zeros(n)
    holiday[rng.choice(pre, 5, replace=False)] = 1
    mu = np.exp(level + WEEKLY[np.arange(n) % 7] + 0.3 * holiday)
    added = np.zeros(n)
    added[pre:pre + campaign_days] = rng.poisson(effect * mu[pre:pre + campaign_days])
    y = pd.Series(rng.poisson(mu) + added, index=dates, dtype=float)
    return (y, pd.DataFrame({"holiday": holiday}, index=dates), dates[pre], dates[pre + campaign_days - 1],
            float(added.sum()))


def test_counterfactual_calibration_on_500_simulated_campaigns():
    """Every other simulated campaign has no effect (the A/A half); one test, so that the 500
    model fits run once."""
    rng = np.random.default_rng(20)
    runs = []
    for i in range(500):
        y, x, start, end, truth = shop_series(rng, effect=0.3 if i % 2 else 0.0)
        runs.append((truth, causal.counterfactual(y, x, start, end, n_paths=400, seed=i)))
    coverage = np.mean([f.during.abs_low <= truth <= f.during.abs_high for truth, f in runs])
    assert 0.93 <= coverage <= 0.97, f"coverage of the realised effect {coverage:.3f}"
    nulls = [f for truth, f in runs if truth == 0]
    alarms = np.mean([not (f.during.abs_low <= 0 <= f.during.abs_high) for f in nulls])
    p_alarms = np.mean([f.during.p_value < 0.05 for f in nulls])
    # 250 campaigns without effect: a Monte Carlo sd of 1.4 points around the nominal 5%
    assert alarms <= 0.075 and p_alarms <= 0.075, f"false alarms {alarms:.3f} / p {p_alarms:.3f}"
    after = np.mean([f.after.abs_low <= 0 <= f.after.abs_high for _, f in runs])
    assert after >= 0.93, f"after-period coverage {after:.3f}"  # no simulation has a lasting effect
    found = np.mean([f.during.abs_low > 0 for truth, f in runs if truth > 0])
    assert found > 0.9, f"power against a 30% lift {found:.3f}"


def test_counterfactual_frame_is_consistent_and_flags_unseen_regressors():
    rng = np.random.default_rng(21)
    y, x, start, end, _ = shop_series(rng, effect=0.5)
    x["festival"] = 0.0
    x.loc[start, "festival"] = 1.0  # a festival on the campaign's first day, never seen before
    fit = causal.counterfactual(y, x, start, end, seed=1)
    assert fit.unseen == ["festival"] and fit.regressors == ["holiday"]
    assert fit.log_scale and fit.pre_days == 84
    during = fit.daily[fit.daily["phase"] == "during"]
    assert list(during["date"]) == [start + timedelta(days=i) for i in range(4)]
    assert fit.during.actual == pytest.approx(y[start:end].sum())
    assert fit.during.expected == pytest.approx(during["expected"].sum())
    assert fit.during.abs == pytest.approx(fit.during.actual - fit.during.expected)
    assert fit.during.rel == pytest.approx(fit.during.abs / fit.during.expected)
    assert fit.after.days == 2 and fit.during.abs_low > 0
    assert (fit.daily["low"] <= fit.daily["expected"]).all() and (fit.daily["expected"] <= fit.daily["high"]).all()


def test_counterfactual_needs_three_weeks_and_models_small_counts_in_levels():
    rng = np.random.default_rng(22)
    y, x, start, end, _ = shop_series(rng, pre=20)
    with pytest.raises(ValueError, match="at least 21"):
        causal.counterfactual(y, x, start, end)
    small = pd.Series(rng.poisson(3.0, 60), index=[START + timedelta(days=i) for i in range(60)],
                      dtype=float)
    fit = causal.counterfactual(small, None, START + timedelta(days=56), START + timedelta(days=59))
    assert not fit.log_scale and fit.regressors == []


def test_vectorised_paths_match_statsmodels_simulation():
    rng = np.random.default_rng(28)
    y, x, start, _, _ = shop_series(rng)
    pre = np.array([d < start for d in y.index])
    fit = causal.FlooredLocalLevel(np.log(y.to_numpy()[pre]), x.to_numpy()[pre]).fit(disp=False, method="powell")
    future = x.to_numpy()[~pre]
    ours = causal.simulate_paths(fit, future, 6, 20_000, np.random.default_rng(0))
    theirs = np.asarray(fit.simulate(6, repetitions=20_000, anchor="end", exog=future,
                                     rng=np.random.default_rng(1))).reshape(6, 20_000)
    assert ours.mean(1) == pytest.approx(theirs.mean(1), abs=0.003)
    assert ours.std(1) == pytest.approx(theirs.std(1), rel=0.03)
    assert ours.sum(0).std() == pytest.approx(theirs.sum(0).std(), rel=0.03)  # day-to-day correlation
    assert fit.params[1] >= causal.LEVEL_NOISE_FLOOR * fit.params[0] * (1 - 1e-9)


def test_collinear_and_constant_regressors_are_dropped():
    rng = np.random.default_rng(23)
    y, x, start, end, _ = shop_series(rng)
    x["copy"] = x["holiday"]  # collinear with holiday
    x["never"] = 0.0
    assert causal.counterfactual(y, x, start, end, n_paths=200).regressors == ["holiday"]


def test_placebo_windows_step_back_over_eligible_days_only():
    days = pd.Index([START + timedelta(days=i) for i in range(100)])
    eligible = pd.Series(True, index=days)
    eligible.iloc[80:83] = False  # a campaign on days 80-82
    windows = causal.placebo_windows(eligible, length=4, min_pre_days=28, count=5)
    assert windows[0] == (days[96], days[99])
    assert all(not (days[80] <= d <= days[82]) for w in windows for d in w)
    assert all(days.get_loc(w[0]) >= 28 for w in windows) and len(windows) == 5
    assert [days.get_loc(w[1]) for w in windows] == [99, 92, 78, 71, 64]  # 82-85 holds day 82
    assert causal.placebo_windows(eligible.iloc[:30], 4, 28, 5) == []


def test_placebos_on_a_quiet_series_rarely_find_an_effect():
    rng = np.random.default_rng(24)
    y, x, _, _, _ = shop_series(rng, pre=180, window=4)
    windows = causal.placebo_windows(pd.Series(True, index=y.index), 4, 56, 10)
    frame = causal.placebos(y, x, windows, pre_days=84, n_paths=400)
    assert len(frame) == 10 and frame["excludes_zero"].sum() <= 1
    assert list(frame.columns) == ["start", "end", "expected", "abs", "abs_low", "abs_high", "rel",
                                   "excludes_zero"]


def test_placebo_windows_with_an_unseen_regressor_are_left_out():
    rng = np.random.default_rng(29)
    y, x, _, _, _ = shop_series(rng, pre=120, window=4)
    x["festival"] = 0.0
    x.iloc[-2, x.columns.get_loc("festival")] = 1.0  # only in the last window
    windows = causal.placebo_windows(pd.Series(True, index=y.index), 4, 56, 3)
    frame = causal.placebos(y, x, windows, pre_days=84, n_paths=200)
    assert len(windows) == 3 and list(frame["start"]) == [w[0] for w in windows[1:]]


# ---------------------------------------------------------------------------------------------
# Difference-in-differences
# ---------------------------------------------------------------------------------------------

def group_pair(rng: np.random.Generator, effect: float, pre: int = 84, days: int = 7, phi: float = 0.3
               ) -> tuple[pd.Series, pd.Series, np.ndarray, float]:
    """Treated (60% of the comparison's size) and comparison daily orders sharing every shock
    (drift, weekdays), plus an AR(1) wobble of the treated group's share; the campaign adds
    Poisson(effect x expected) treated orders on its days."""
    n = pre + days
    common = np.log(300) + np.cumsum(rng.normal(0, 0.02, n)) + WEEKLY[np.arange(n) % 7]
    wobble = np.zeros(n)
    for t in range(n):
        wobble[t] = (phi * wobble[t - 1] if t else 0.0) + rng.normal(0, 0.03)
    during = np.arange(n) >= pre
    mu = np.exp(common + np.log(0.6) + wobble)
    added = rng.poisson(effect * mu * during)
    return (pd.Series(rng.poisson(mu) + added, dtype=float), pd.Series(rng.poisson(np.exp(common)), dtype=float),
            during, float(added[during].sum()))


def test_diff_in_diff_calibration():
    rng = np.random.default_rng(25)
    results = []
    for i in range(3000):
        effect = 0.2 if i % 3 == 0 else 0.0
        treated, comparison, during, truth = group_pair(rng, effect)
        results.append((effect, truth, causal.diff_in_diff(treated, comparison, during)))
    coverage = np.mean([r.abs_low <= truth <= r.abs_high for _, truth, r in results])
    fpr = np.mean([r.p_value < 0.05 for effect, _, r in results if effect == 0])
    assert 0.93 <= coverage <= 0.97, coverage
    assert fpr <= 0.055, fpr  # 2,000 groups without effect (Monte Carlo sd 0.5 points)
    assert np.mean([r.p_value < 0.05 for effect, _, r in results if effect > 0]) > 0.8


def test_diff_in_diff_against_a_hand_computation():
    rng = np.random.default_rng(26)
    treated, comparison, during, _ = group_pair(rng, 0.25, pre=42, days=6)
    result = causal.diff_in_diff(treated, comparison, during)
    gap = np.log(treated.to_numpy()) - np.log(comparison.to_numpy())
    before = gap[~during]
    delta = gap[during].mean() - before.mean()
    means = np.array([before[i:i + 6].mean() for i in range(len(before) - 5)])
    se = np.sqrt(means.var(ddof=1) * (1 + 6 / 42))
    q = stats.t.ppf(0.975, 42 // 6 - 1)
    observed = treated[during].sum()
    assert result.abs == pytest.approx(observed * (1 - np.exp(-delta)))
    assert result.abs_low == pytest.approx(observed * (1 - np.exp(-(delta - q * se))))
    assert result.rel_high == pytest.approx(np.expm1(delta + q * se))
    assert result.p_value == pytest.approx(2 * stats.t.sf(abs(delta) / se, 6))
    trend = sm.OLS(before, sm.add_constant(np.arange(42.0))).fit(cov_type="HAC", cov_kwds={"maxlags": 7},
                                                                 use_t=True)
    assert result.pre_trend_p == pytest.approx(trend.pvalues[1])
    assert result.log_scale and result.days == 6


def test_diff_in_diff_flags_diverging_groups_and_needs_enough_history():
    rng = np.random.default_rng(27)
    treated, comparison, during, _ = group_pair(rng, 0.0)
    drifting = treated * np.exp(0.01 * np.arange(len(treated)))  # the treated group grows 1% a day
    assert causal.diff_in_diff(drifting, comparison, during).pre_trend_p < 0.01
    assert causal.diff_in_diff(treated, comparison, during).pre_trend_p > 0.01
    with pytest.raises(ValueError, match="at least 21"):
        causal.diff_in_diff(treated[-27:], comparison[-27:], during[-27:])
    zeros = treated.copy()
    zeros.iloc[3] = 0.0
    assert not causal.diff_in_diff(zeros, comparison, during).log_scale


def test_placebo_check_counts_alarms_against_the_binomial_tail():
    frame = pd.DataFrame({"abs": [-45.0, 3.0, 54.0, 10.0, -2.0, 8.0, 1.0],
                          "excludes_zero": [False] * 7})
    check = causal.placebo_check(frame)
    assert (check.windows, check.alarms, check.low, check.high, check.sound) == (7, 0, -45.0, 54.0, True)
    one = causal.placebo_check(frame.assign(excludes_zero=[True] + [False] * 6))
    assert one.sound and one.alarms == 1  # P(X >= 1) = 1 - 0.95^7 = 0.30
    two = causal.placebo_check(frame.assign(excludes_zero=[True, True] + [False] * 5))
    assert stats.binom.sf(1, 7, 0.05) == pytest.approx(1 - 0.95**7 - 7 * 0.05 * 0.95**6)
    assert not two.sound  # P(X >= 2) = 0.044 < 0.05: more alarms than chance
