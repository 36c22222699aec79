"""Campaigns without control: the counterfactual model, placebos and difference-in-differences,
calibrated on simulated series with a known effect (fixed seeds)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.stats import causal
from helpers.stats.regression import trend_test

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
        # the effect's coverage is checked here, not the pre-trend p: few draws for it keep this fast
        results.append((effect, truth, causal.diff_in_diff(treated, comparison, during, trend_draws=19)))
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
    assert result.pre_trend_p == pytest.approx(trend_test(before))
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


# ---------------------------------------------------------------------------------------------
# Regressors active in the campaign window and rare before it (issue 13, item 1)
# ---------------------------------------------------------------------------------------------

def national_day_series(rng: np.random.Generator, holiday_effect: float, other_effect: float = 0.2
                        ) -> tuple[pd.Series, pd.DataFrame, date, date]:
    """No-effect campaign over National Day (1-7 Oct 2026) with an 84-day pre-period: the holiday
    regressor is on once before it (Mid-Autumn, Friday 25 Sep) and on all 7 campaign days; another
    campaign (+20%) ran on 2 pre-period days and overlaps 2 window days. Poisson daily orders
    around a drifting level of 200 with a weekly pattern."""
    start, pre = date(2026, 10, 1), 84
    n = pre + 7
    dates = [start + timedelta(days=i - pre) for i in range(n)]
    holiday, other = np.zeros(n), np.zeros(n)
    holiday[pre:] = 1
    holiday[pre - 6] = 1
    other[[30, 31, pre + 3, pre + 4]] = 1
    level = np.log(200) + np.cumsum(rng.normal(0, 0.005, n))
    weekday = np.array([d.weekday() for d in dates])
    mu = np.exp(level + WEEKLY[weekday] + holiday_effect * holiday + other_effect * other)
    y = pd.Series(rng.poisson(mu), index=dates, dtype=float)
    return y, pd.DataFrame({"holiday": holiday, "other_campaign": other}, index=dates), start, dates[-1]


def test_no_effect_over_a_holiday_seen_once_before_stays_near_five_percent():
    """Regression coefficients fitted as point values ignored their own uncertainty: with a holiday
    seen on one pre-period day then active on all 7 campaign days, and another campaign seen on 2
    days, the 95% interval excluded zero in 108 of these 300 runs (36.0%) on the old code; with
    the coefficients as states 23 (7.7%). (Holiday alone: 29.5% of 200 runs old, 5.0% of 600
    new.) Bound 30 (10%): P(X <= 30 | 300, 0.36) < 1e-20 and P(X > 30 | 300, 0.05) = 1.3e-4; the
    old count against the nominal rate, binom.sf(107, 300, 0.05) < 1e-40. ~10 s."""
    rng = np.random.default_rng(40)
    alarms = []
    for i in range(300):
        y, x, start, end = national_day_series(rng, 0.3 if i % 2 else -0.3)
        fit = causal.counterfactual(y, x, start, end, n_paths=400, seed=i)
        assert fit.regressors == ["holiday", "other_campaign"] and fit.unseen == []
        alarms.append(not (fit.during.abs_low <= 0 <= fit.during.abs_high))
    assert sum(alarms) <= 30, f"false alarms {np.mean(alarms):.3f}"
    assert sum(alarms) >= 5, "intervals so wide they never alarm"


# ---------------------------------------------------------------------------------------------
# The placebo check's power and wording (issue 13, item 3)
# ---------------------------------------------------------------------------------------------

def placebo_frame(alarms: list[bool]) -> pd.DataFrame:
    n = len(alarms)
    return pd.DataFrame({"abs": np.linspace(-10, 10, n), "excludes_zero": alarms})


def test_placebo_check_reports_the_rate_with_its_upper_bound_and_an_honest_verdict():
    # 8 windows, 0 alarms: the old check called this sound; a method with a 15% false-alarm rate
    # gives 0 alarms in 0.85^8 = 27% of runs, so nothing is shown: inconclusive.
    # One-sided exact bound with 0 alarms: 1 - 0.05^(1/8) = 0.3123.
    few = causal.placebo_check(placebo_frame([False] * 8))
    assert few.sound and not few.rules_out_bad and few.verdict == "inconclusive"
    assert few.rate == 0 and few.rate_high == pytest.approx(1 - 0.05 ** (1 / 8))
    # 40 windows, 2 alarms: rate 2/40 = 5%; the bound u solves P(X <= 2 | 40, u) = 0.05, u = 0.149
    # < 15%, so a 15% method is ruled out.
    many = causal.placebo_check(placebo_frame([True, True] + [False] * 38))
    assert many.rate == 0.05 and many.verdict == "sound"
    assert stats.binom.cdf(2, 40, many.rate_high) == pytest.approx(0.05)
    assert many.rate_high == pytest.approx(0.1492, abs=5e-4)
    # 40 windows, 3 alarms: bound 0.1895 > 15%: not enough to rule it out.
    assert causal.placebo_check(placebo_frame([True] * 3 + [False] * 37)).verdict == "inconclusive"
    # 40 windows, 6 alarms: P(X >= 6 | 40, 5%) = 0.014 < 5%: more than chance.
    assert causal.placebo_check(placebo_frame([True] * 6 + [False] * 34)).verdict == "unsound"


def test_placebo_check_rarely_calls_a_bad_method_sound():
    """A method whose intervals exclude zero in 15% of no-effect windows. The old check (8 windows,
    sound when <= 2 alarms) called it sound in binom.cdf(2, 8, 0.15) = 89.5% of runs; the new
    verdict on 40 windows says "sound" only when P(X <= alarms | 40, 15%) < 5%, i.e. <= 2 alarms,
    4.9% of runs. 400 simulated checks of each: the old rate against the 5% a sound check may
    allow gives binom.sf(357, 400, 0.05) < 1e-300; the bound 8% (32 runs) has
    P(X > 32 | 400, 0.049) = 0.005."""
    rng = np.random.default_rng(41)
    eight = [causal.placebo_check(placebo_frame(list(rng.random(8) < 0.15))) for _ in range(400)]
    assert np.mean([c.sound for c in eight]) > 0.85  # the old verdict: within chance, so "sound"
    old = [c.verdict == "sound" for c in eight]
    new = [causal.placebo_check(placebo_frame(list(rng.random(40) < 0.15))).verdict == "sound"
           for _ in range(400)]
    assert np.mean(old) < 0.01  # 8 windows can never rule out 15%: the verdict stays inconclusive
    assert sum(new) <= 32, f"bad method called sound in {np.mean(new):.3f} of checks"
    # a sound 5% method on 40 windows is called sound in P(X <= 2 | 40, 5%) = 67.7% of runs
    good = [causal.placebo_check(placebo_frame(list(rng.random(40) < 0.05))).verdict == "sound"
            for _ in range(400)]
    assert 0.6 <= np.mean(good) <= 0.75


def test_placebo_windows_whole_weeks_apart_do_not_overlap():
    days = pd.Index([START + timedelta(days=i) for i in range(120)])
    windows = causal.placebo_windows(pd.Series(True, index=days), length=10, min_pre_days=28,
                                     count=52, step=14)
    ends = [days.get_loc(w[1]) for w in windows]
    assert ends == [119, 105, 91, 77, 63, 49]  # first day 110, 96, ..., 40 >= 28
    assert all(days.get_loc(a[0]) > days.get_loc(b[1]) for a, b in itertools.pairwise(windows))


def test_placebo_windows_slide_past_a_campaign_day_by_day():
    days = pd.Index([START + timedelta(days=i) for i in range(100)])
    eligible = pd.Series(True, index=days)
    eligible.iloc[80:83] = False  # a campaign on days 80-82: the next window ends on day 79
    windows = causal.placebo_windows(eligible, length=4, min_pre_days=28, count=5, slide=1)
    assert [days.get_loc(w[1]) for w in windows] == [99, 92, 79, 72, 65]


# ---------------------------------------------------------------------------------------------
# Short autocorrelated shocks: intervals widened by the placebos' own errors (issue 13, item 2)
# ---------------------------------------------------------------------------------------------

def test_placebo_scale_against_a_hand_computation():
    crit = stats.norm.ppf(0.975)
    # 8 windows, each interval +-crit around its estimate (standard error 1), estimates 0 or +-2:
    # mean z^2 = (4 x 4) / 8 = 2, so the factor is sqrt(2) x t(0.975, 8) / z(0.975) = 1.664.
    est = np.array([2.0, -2.0, 2.0, -2.0, 0.0, 0.0, 0.0, 0.0])
    frame = pd.DataFrame({"abs": est, "abs_low": est - crit, "abs_high": est + crit})
    assert causal.placebo_scale(frame) == pytest.approx(np.sqrt(2) * 2.3060 / 1.95996, rel=1e-4)
    # no excess (mean z^2 = 0.5): the model's intervals stand
    assert causal.placebo_scale(frame.assign(abs=est / 2, abs_low=est / 2 - crit,
                                             abs_high=est / 2 + crit)) == 1.0
    # seven windows are too few to measure the method by
    assert causal.placebo_scale(frame.iloc[:7]) == 1.0


def test_a_widened_effect_keeps_its_estimate_and_agrees_with_its_p_value():
    e = causal.Effect(days=4, actual=500.0, expected=400.0, abs=100.0, abs_low=40.0, abs_high=170.0,
                      rel=0.25, rel_low=0.1, rel_high=0.42, p_value=0.002)
    assert causal.widened(e, 1.0) is e
    w = causal.widened(e, 2.0)
    assert (w.abs, w.rel, w.expected) == (e.abs, e.rel, e.expected)
    assert (w.abs_low, w.abs_high) == (-20.0, 240.0)  # each side twice as far from the estimate
    assert (w.rel_low, w.rel_high) == pytest.approx((-0.05, 0.59))
    # p: the z of 0.002 (3.09) halved, 1.545 -> 0.122; consistent with an interval holding 0
    assert w.p_value == pytest.approx(2 * stats.norm.sf(stats.norm.isf(0.001) / 2))
    assert w.p_value > 0.05


def ar_shock_series(rng: np.random.Generator, history: int = 84, days: int = 4, level: float = 1000.0,
                    phi: float = 0.6, sd: float = 0.05) -> pd.Series:
    """Daily orders with short autocorrelated shocks and no campaign effect: log-scale AR(1)
    deviations (the issue's phi 0.6, innovation sd 0.05) on a slowly drifting level with a weekly
    pattern, Poisson counts; `history` days before a `days`-day campaign."""
    n = history + days
    shock = np.zeros(n)
    for t in range(1, n):
        shock[t] = phi * shock[t - 1] + rng.normal(0, sd)
    mu = np.exp(np.log(level) + np.cumsum(rng.normal(0, 0.005, n)) + WEEKLY[np.arange(n) % 7] + shock)
    return pd.Series(rng.poisson(mu), index=[START + timedelta(days=i) for i in range(n)], dtype=float)


def test_short_autocorrelated_shocks_are_caught_by_the_placebos_and_widen_the_interval():
    """No-effect 2-day campaigns (a weekend sale) on series with AR(1) shocks, the model fitted on
    the 28 days before (a short `pre_period_days`) and 8 placebo windows a week apart on the 84
    days of history, each fitted on its own 28 days (as campaigns.observational does). The model's
    own 95% interval excluded zero in 45 of these 300 runs (15.0%; against the nominal rate
    binom.sf(44, 300, 0.05) = 6e-11); widened by `placebo_scale`, in 16 (5.3%). Bound 24 (8%): a
    method at the nominal 5% exceeds it with P(X > 24 | 300, 0.05) = 0.009, the old rate stays
    under it with P(X <= 24 | 300, 0.15) = 2e-4. (4-day campaigns fitted on 21 days: 32 -> 7 of
    300.) `make bench BENCH=causal_calibration` has full-size runs. ~50 s."""
    rng = np.random.default_rng(43)
    model, widened = [], []
    for i in range(300):
        y = ar_shock_series(rng, days=2)
        start = y.index[84]
        fit = causal.counterfactual(y.iloc[84 - 28:], None, start, y.index[-1], n_paths=400, seed=i)
        windows = causal.placebo_windows(pd.Series(True, index=y.index[:84]), 2, 28, 40, 7, 1)
        placebos = causal.placebos(y.iloc[:84], None, windows, 28, n_paths=200, log_scale=fit.log_scale)
        assert len(placebos) == 8
        e = causal.widened(fit.during, causal.placebo_scale(placebos))
        model.append(not fit.during.abs_low <= 0 <= fit.during.abs_high)
        widened.append(not e.abs_low <= 0 <= e.abs_high)
    assert sum(model) > 24, f"the model's own intervals: {np.mean(model):.3f}"  # the failure shows
    assert sum(widened) <= 24, f"false alarms after widening {np.mean(widened):.3f}"
