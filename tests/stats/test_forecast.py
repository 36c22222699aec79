"""Forecasting statistics against hand computations and planted truths (helpers.stats: forecast_models,
backtest, calibration, forecast)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.stats import backtest as bk
from helpers.stats import calibration as cal
from helpers.stats import forecast as fc
from helpers.stats import forecast_models as models

FAST = models.Settings(horizon=14, origins=3, step=7, models=("seasonal_naive", "ets_damped"))
WEEK = np.array([1.0, 0.95, 0.97, 1.02, 1.1, 1.25, 1.18])  # Monday .. Sunday


def weekly_series(n: int = 120, seed: int = 0, level: float = 500.0, noise: float = 0.03,
                  start: str = "2026-03-02") -> pd.Series:
    """A positive daily series: slowly wandering level x weekday pattern x lognormal noise."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=n, freq="D")
    walk = np.exp(np.cumsum(rng.normal(0, 0.005, n)))
    values = level * walk * WEEK[dates.day_of_week] * np.exp(rng.normal(0, noise, n))
    return pd.Series(values, index=dates)


# ----------------------------------------------------------------------------------------------
# Scores
# ----------------------------------------------------------------------------------------------

def test_naive_scale_and_mase_by_hand():
    history = np.array([3, 5, 2, 8, 1, 4, 6, 4, np.nan, 2, 9, 1, 5, 7], dtype=float)
    diffs = [abs(history[t] - history[t - 7]) for t in range(7, 14) if not math.isnan(history[t])]
    assert bk.naive_scale(history) == pytest.approx(sum(diffs) / len(diffs))
    actual = np.array([10.0, np.nan, 12.0, 9.0])
    forecast = np.array([11.0, 50.0, 10.0, 9.5])
    assert bk.mase(actual, forecast, 2.0) == pytest.approx((1 + 2 + 0.5) / 3 / 2.0)
    assert math.isnan(bk.mase(actual, forecast, 0.0))


def test_coverage_by_hand():
    actual = np.array([1.0, 2.0, 3.0, np.nan, 5.0])
    lo, hi = np.array([0, 2.5, 2, 0, 5]), np.array([2, 3, 3, 9, 6])
    assert bk.coverage(actual, lo, hi) == pytest.approx(3 / 4)  # 1 in, 2 out, 3 in (edge), 5 in (edge)


def test_score_earlier_forecasts_by_hand():
    dates = pd.date_range("2026-11-16", periods=4)
    published = pd.DataFrame({"date": dates, "yhat": [10.0, 20, 30, 40], "lo80": [9.0, 15, 31, 30],
                              "hi80": [11.0, 25, 35, 50], "lo95": [8.0, 10, 20, 20],
                              "hi95": [12.0, 30, 40, 60]})
    actual = pd.Series([12.0, 18.0, 33.0], index=dates[:3])  # the last day is not known yet
    s = fc.score_forecasts(published, actual)
    assert s["days"] == 3
    assert s["wape"] == pytest.approx((2 + 2 + 3) / (12 + 18 + 33))
    assert s["bias"] == pytest.approx((-2 + 2 - 3) / (12 + 18 + 33))
    assert s["coverage80"] == pytest.approx(2 / 3) and s["coverage95"] == pytest.approx(1.0)


# ----------------------------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------------------------

def test_seasonal_naive_by_hand():
    y = np.array([5, 7, 6, 9, 4, 8, 3, 6, 8, 5, 10, 6, 7, 2], dtype=float)
    pred = models.seasonal_naive(y, 10)
    assert pred.mean.tolist() == [6, 8, 5, 10, 6, 7, 2, 6, 8, 5]
    sigma = math.sqrt(sum((y[t] - y[t - 7]) ** 2 for t in range(7, 14)) / 7)
    assert pred.sd[:7] == pytest.approx([sigma] * 7)  # one season ahead
    assert pred.sd[7:] == pytest.approx([sigma * math.sqrt(2)] * 3)  # two seasons ahead


def test_seasonal_naive_takes_the_last_observed_same_weekday():
    y = np.array([5, 7, 6, 9, 4, 8, 3, 6, 8, np.nan, 10, 6, 7, 2], dtype=float)
    assert models.seasonal_naive(y, 7).mean.tolist() == [6, 8, 6, 10, 6, 7, 2]
    with pytest.raises(models.FitError, match="no_history"):
        models.seasonal_naive(np.array([1.0, 2, np.nan, 4, 5, 6, 7]), 7)


def test_ets_and_structural_forecasts_follow_the_weekly_pattern():
    y = np.log(weekly_series(84, noise=0.01).to_numpy())
    for pred in (models.ets_damped(y, 14), models.structural(y, 14)):
        assert pred.mean.shape == pred.sd.shape == (14,)
        # Forecast days 0..13 start on a Monday (84 days after a Monday): the weekday pattern shows.
        profile = np.exp(pred.mean[:7]) / np.exp(pred.mean[:7]).mean()
        assert profile == pytest.approx(WEEK / WEEK.mean(), rel=0.03)
        assert (np.diff(pred.sd) >= -1e-9).all()  # uncertainty does not shrink with the horizon


def test_structural_recovers_a_planted_calendar_effect():
    rng = np.random.default_rng(3)
    n = 140
    dates = pd.date_range("2026-03-02", periods=n, freq="D")
    promo = np.zeros(n)
    promo[rng.choice(np.arange(10, n), size=14, replace=False)] = 1.0
    y = np.log(800) + np.log(WEEK[dates.day_of_week]) + np.log(1.4) * promo + rng.normal(0, 0.03, n)
    pred = models.structural(y, 7, promo[:, None], np.zeros((7, 1)), ["promo"])
    coef, se = pred.effects.loc[0, ["coef", "se"]]
    assert pred.effects.loc[0, "regressor"] == "promo"
    assert abs(coef - math.log(1.4)) < 3 * se and se < 0.03
    assert np.expm1(coef) == pytest.approx(0.4, abs=0.06)


def test_yearly_profile_recovers_a_planted_season():
    dates = pd.date_range("2020-01-01", periods=3 * 365, freq="D")
    t = np.asarray((dates - models.FOURIER_EPOCH).days, float)
    season = 0.5 * np.sin(2 * np.pi * t / models.YEAR_DAYS) + 0.2 * np.cos(4 * np.pi * t / models.YEAR_DAYS)
    rng = np.random.default_rng(1)
    y = pd.Series(3 + 0.001 * np.arange(len(dates)) + season + rng.normal(0, 0.05, len(dates)), index=dates)
    shape = models.yearly_profile(y, terms=4)
    future = pd.date_range(dates[-1] + pd.Timedelta(days=1), periods=60)
    tf = np.asarray((future - models.FOURIER_EPOCH).days, float)
    truth = 0.5 * np.sin(2 * np.pi * tf / models.YEAR_DAYS) + 0.2 * np.cos(4 * np.pi * tf / models.YEAR_DAYS)
    assert np.abs(shape(future) - truth).max() < 0.05


# ----------------------------------------------------------------------------------------------
# Guards and fallbacks
# ----------------------------------------------------------------------------------------------

def test_guard_rejects_non_finite_divergent_and_exploding_forecasts():
    history = np.array([10.0, 12, 11, 13, 9, 10, 12])
    ok = models.Prediction(np.full(5, 11.0), np.full(5, 1.0))
    models.guard(ok, history)
    cases = {
        "non_finite": models.Prediction(np.array([11.0, np.inf, 11, 11, 11]), np.ones(5)),
        "diverged": models.Prediction(np.array([11.0, 12, 14, 20, 40]), np.ones(5)),
        "interval_exploded": models.Prediction(np.full(5, 11.0), np.array([1.0, 1, 1, 1, 100])),
    }
    for reason, pred in cases.items():
        with pytest.raises(models.FitError, match=reason):
            models.guard(pred, history)


def test_series_with_zeros_is_never_put_on_the_log_scale():
    y = weekly_series(84)
    y.iloc[[10, 40, 70]] = 0.0
    forced = fc.forecast(y, None, models.Settings(**{**FAST.__dict__, "log": True}))
    assert not forced.log and [n.kind for n in forced.notes] == ["log_not_possible"]
    assert np.isfinite(forced.yhat).all() and (forced.bounds[0.95][0] < forced.yhat).all()
    assert not models.prepare(y, None, models.Settings()).log  # auto: additive as well
    assert models.prepare(y.clip(lower=1), None, models.Settings()).log


def test_a_diverging_candidate_is_rejected_and_the_next_one_is_used(monkeypatch):
    y = weekly_series(98)
    real = models.ets_damped

    def explodes_on_latest_data(values: np.ndarray, h: int) -> models.Prediction:
        pred = real(values, h)
        if len(values) < len(y):  # fine in the backtest ...
            return pred
        return models.Prediction(pred.mean * np.exp(np.linspace(0, 3, h)), pred.sd)  # ... runs away at the end

    monkeypatch.setattr(models, "ets_damped", explodes_on_latest_data)
    settings = models.Settings(horizon=14, origins=3, step=7, models=("seasonal_naive", "ets_damped"), log=False)
    out = fc.forecast(y, None, settings)
    assert bk.ranking(out.backtest)[0] == "ets_damped"  # it won the backtest ...
    assert out.model == "seasonal_naive"  # ... but its final fit was rejected
    assert models.Note("fallback", "ets_damped", "diverged", other="seasonal_naive") in out.notes
    assert out.yhat == pytest.approx(models.seasonal_naive(y.to_numpy(), 14).mean)


def test_a_candidate_failing_in_the_backtest_is_scored_as_seasonal_naive_and_excluded(monkeypatch):
    def broken(values: np.ndarray, h: int) -> models.Prediction:
        raise np.linalg.LinAlgError("singular")

    monkeypatch.setattr(models, "ets_damped", broken)
    out = fc.forecast(weekly_series(98), None, FAST)
    bt = out.backtest
    assert bt.failed["ets_damped"] == ("error:LinAlgError",) * 3
    assert np.array_equal(bt.mean["ets_damped"], bt.mean["seasonal_naive"])
    assert "ets_damped" not in bk.ranking(bt) and out.model == "seasonal_naive"
    assert models.Note("failed_backtest", "ets_damped", "error:LinAlgError", 3, "3") in out.notes


def test_short_history_gives_seasonal_naive_with_a_note():
    out = fc.forecast(weekly_series(30), None, FAST)
    assert out.model == "seasonal_naive" and out.backtest.origins == ()
    assert [n.kind for n in out.notes] == ["short_history"]
    assert math.isnan(out.mase) and out.calibration[0.8].factor == 1.0


# ----------------------------------------------------------------------------------------------
# Backtest, choice, calibration
# ----------------------------------------------------------------------------------------------

def test_origin_positions_by_hand():
    assert bk.origin_positions(100, models.Settings(horizon=28, origins=4, step=14)) == [30, 44, 58, 72]
    assert bk.origin_positions(60, models.Settings(horizon=28, origins=4, step=14)) == [32]


def test_backtest_errors_and_scores_by_hand():
    y = weekly_series(84)
    series = models.prepare(y, None, FAST)
    bt = bk.backtest(series, [56, 63, 70], 14)
    for i, origin in enumerate(bt.origins):
        naive = models.seasonal_naive(np.log(y.to_numpy()[:origin]), 14)
        truth = y.to_numpy()[origin:origin + 14]
        assert bt.mean["seasonal_naive"][i] == pytest.approx(np.exp(naive.mean))
        assert bt.z["seasonal_naive"][i] == pytest.approx((np.log(truth) - naive.mean) / naive.sd)
        assert bt.scale[i] == pytest.approx(np.mean(np.abs(np.diff(y.to_numpy()[:origin].reshape(-1, 7), axis=0))))
    by_hand = np.mean([np.mean(np.abs(bt.actual[i] - bt.mean["ets_damped"][i])) / bt.scale[i] for i in range(3)])
    assert bk.scores(bt)["ets_damped"] == pytest.approx(by_hand)


def test_calibration_keeps_good_intervals_and_fixes_bad_ones():
    rng = np.random.default_rng(0)
    good = rng.normal(0, 1, (6, 28))
    for level in cal.LEVELS:
        c = cal.calibrate(good, level, tolerance=0.25)
        assert c.factor == 1.0 and c.expected == c.raw
        assert c.raw == pytest.approx(np.mean(np.abs(good) <= stats.norm.ppf(0.5 + level / 2)))
    narrow = 2.0 * good  # the model's sd is half the real one: its intervals cover too little
    c = cal.calibrate(narrow, 0.95, tolerance=0.25)
    assert c.raw < 0.8
    rank = math.ceil((narrow.size + 1) * 0.95)  # split-conformal: the 160th smallest |z| of 168
    assert c.factor == pytest.approx(np.sort(np.abs(narrow).ravel())[rank - 1] / stats.norm.ppf(0.975))
    assert c.factor == pytest.approx(2.0, rel=0.2) and c.expected == pytest.approx(0.95, abs=0.03)


def test_a_factor_that_does_not_carry_over_between_origins_is_not_used():
    """Three calm origins and one wild one: a factor fitted to all four misjudges whichever origin
    it did not see, which leaving each origin out reveals; the raw interval is kept."""
    rng = np.random.default_rng(4)
    z = np.vstack([rng.normal(0, 0.3, (3, 28)), rng.normal(0, 6.0, (1, 28))])
    c = cal.calibrate(z, 0.95, tolerance=0.25)
    assert c.raw < 0.9 and c.factor == 1.0 and c.expected == c.raw


def test_recalibration_brings_heavy_tailed_coverage_back_to_nominal():
    """Student-t errors (3 df) at 1.5 times the scale the model believes: its Gaussian intervals
    cover about 54% / 72% instead of 80% / 95%. Factors from a 6-origin backtest bring coverage on
    fresh errors of the same series back near nominal, and the leave-one-origin-out estimate says
    so beforehand."""
    rng = np.random.default_rng(11)
    backtest_z = 1.5 * rng.standard_t(3, (6, 28))
    fresh_z = 1.5 * rng.standard_t(3, 200_000)
    for level in cal.LEVELS:
        q = stats.norm.ppf(0.5 + level / 2)
        c = cal.calibrate(backtest_z, level, tolerance=0.25)
        raw = np.mean(np.abs(fresh_z) <= q)
        fixed = np.mean(np.abs(fresh_z) <= q * c.factor)
        assert raw < level - 0.2 and c.raw < level - 0.1
        # 168 heavy-tailed errors pin a quantile down to a few points (5-95% range over seeds: +-0.05)
        assert abs(fixed - level) < 0.07 and abs(fixed - level) < abs(raw - level) / 4, (level, raw, fixed)
        assert c.expected == pytest.approx(fixed, abs=0.06)


def test_weekly_correlation_by_hand():
    rng = np.random.default_rng(2)
    shared = np.repeat(rng.normal(0, 1, (40, 2)), 7, axis=1)  # one error for all 7 days of a week
    assert cal.weekly_correlation(shared) == pytest.approx(1.0)
    assert cal.weekly_correlation(rng.normal(0, 1, (200, 14))) == pytest.approx(0.0, abs=0.03)


def test_rollup_interval_by_hand():
    mean, sd = np.array([10.0, 12, 11]), np.array([1.0, 2, 2])
    calibration = {lv: cal.Calibration(lv, np.nan, 1.5, np.nan) for lv in cal.LEVELS}
    base = fc.SeriesForecast(pd.date_range("2026-11-23", periods=3), mean, {}, mean, sd, "structural",
                             False, False, {}, calibration, 0.0, None)
    q = stats.norm.ppf(0.9)
    total, lo, hi = fc.rollup(base, slice(0, 3), 0.80)
    assert total == 33 and hi - total == pytest.approx(q * 1.5 * math.sqrt(1 + 4 + 4))
    total, lo, hi = fc.rollup(fc.SeriesForecast(**{**base.__dict__, "rho": 1.0}), slice(0, 3), 0.80)
    assert hi - total == pytest.approx(q * 1.5 * (1 + 2 + 2))
    logged = fc.SeriesForecast(**{**base.__dict__, "mean": np.log(mean), "sd": np.array([0.1, 0.1, 0.1]),
                                  "log": True, "rho": 1.0})
    total, lo, hi = fc.rollup(logged, slice(0, 3), 0.80)
    assert total == pytest.approx(33) and lo * hi == pytest.approx(total**2)  # symmetric on the log scale
    assert math.log(hi / total) == pytest.approx(q * 1.5 * 0.1)
    # issue 13 item 4: the correlation of the week starting that day ahead, when the backtest gave one
    by_lead = fc.SeriesForecast(**{**base.__dict__, "rho_lead": (1.0, 0.0)})
    assert fc.rollup(by_lead, slice(0, 3), 0.80)[2] - 33 == pytest.approx(q * 1.5 * (1 + 2 + 2))
    assert fc.rollup(by_lead, slice(1, 3), 0.80)[2] - 23 == pytest.approx(q * 1.5 * math.sqrt(4 + 4))
    assert fc.rollup(by_lead, slice(2, 3), 0.80)[2] - 11 == pytest.approx(q * 1.5 * 2)  # beyond: pooled rho


def test_forecast_end_to_end_is_calibrated_and_consistent():
    y = weekly_series(112, seed=5)
    out = fc.forecast(y, None, FAST)
    frame = out.frame()
    assert list(frame.columns) == ["date", "yhat", "lo80", "hi80", "lo95", "hi95"]
    assert frame["date"].iloc[0] == y.index[-1] + pd.Timedelta(days=1)
    assert ((frame.lo95 <= frame.lo80) & (frame.lo80 <= frame.yhat) & (frame.yhat <= frame.hi80)
            & (frame.hi80 <= frame.hi95)).all()
    assert out.model in FAST.models and out.log
    assert out.mase == bk.scores(out.backtest)[out.model] <= out.mase_naive
    # Reusing the backtest on more data keeps the model and calibration, and refits.
    again = fc.forecast(pd.concat([y, weekly_series(7, seed=6, start="2026-06-22")]), None, FAST,
                        previous=out.backtest)
    assert again.model == out.model and again.calibration == out.calibration
    assert again.dates[0] == out.dates[7]


def test_unseen_calendar_column_is_reported_and_left_out():
    y = weekly_series(84)
    dates = pd.date_range(y.index[0], periods=84 + 14)
    regressors = pd.DataFrame({"festival_double_12": 0.0}, index=dates)
    regressors.iloc[90, 0] = 1.0  # only in the horizon
    settings = models.Settings(horizon=14, origins=2, step=7, models=("seasonal_naive", "structural"))
    out = fc.forecast(y, regressors, settings)
    plain = fc.forecast(y, None, settings)
    assert out.unseen == ("festival_double_12",)
    assert out.yhat == pytest.approx(plain.yhat)


# ----------------------------------------------------------------------------------------------
# Series with nothing to model (issue 11: one such series sank the whole forecasting report)
# ----------------------------------------------------------------------------------------------

def test_nothing_to_model_names_the_reason():
    y = weekly_series(120)
    zeros, constant = y * 0.0, y * 0.0 + 5.0
    old_spike = zeros.copy()
    old_spike.iloc[0] = 3000.0  # issue 11: every user first seen on day one, none since
    assert old_spike.index[-1] - old_spike.index[0] < pd.Timedelta(days=365)  # the spike is recent ...
    assert fc.nothing_to_model(old_spike) is None  # ... so there is something to model
    long_ago = pd.concat([pd.Series([3000.0], [y.index[0] - pd.Timedelta(days=400)]), zeros])
    cases = {
        "all_zero": [zeros, long_ago], "constant": [constant],
        "too_short": [y.iloc[:models.MIN_MODEL_DAYS - 1], y.where(np.arange(120) % 10 == 0)],
        "no_data": [y * np.nan, y.iloc[:0], pd.concat([y.iloc[:20], pd.Series(np.nan, [y.index[20] +
                                                                                       pd.Timedelta(days=400)])])],
    }
    for reason, series in cases.items():
        for s in series:
            assert fc.nothing_to_model(s) == reason
            with pytest.raises(models.Unforecastable, match=reason):
                fc.forecast(s, None, FAST)
    assert fc.nothing_to_model(y) is None and fc.nothing_to_model(y.iloc[:models.MIN_MODEL_DAYS]) is None


def test_a_two_week_series_is_forecast_by_seasonal_naive_without_a_backtest():
    out = fc.forecast(weekly_series(20), None, FAST)
    assert out.model == "seasonal_naive" and out.backtest.origins == () and np.isfinite(out.yhat).all()


def test_every_candidate_rejected_is_unforecastable_not_a_crash(monkeypatch):
    def broken(pred: models.Prediction, history: np.ndarray) -> None:
        raise models.FitError("diverged")

    monkeypatch.setattr(models, "guard", broken)
    with pytest.raises(models.Unforecastable, match="no_model"):
        fc.forecast(weekly_series(70), None, FAST)


def test_a_series_of_70_days_with_one_model_failing_is_still_forecast(monkeypatch):
    def broken(values: np.ndarray, h: int) -> models.Prediction:
        raise np.linalg.LinAlgError("singular")

    monkeypatch.setattr(models, "ets_damped", broken)
    out = fc.forecast(weekly_series(70), None, FAST)
    assert out.model == "seasonal_naive" and np.isfinite(out.yhat).all()
    assert any(n.kind == "failed_backtest" and n.model == "ets_damped" for n in out.notes)


def test_a_gap_longer_than_the_guard_window_is_rejected_by_the_guard_not_a_crash():
    with pytest.raises(models.FitError, match="no_history"):
        models.guard(models.Prediction(np.ones(3), np.ones(3)), np.r_[np.ones(20), np.full(400, np.nan)])
    y = weekly_series(500)
    y.iloc[30:450] = np.nan  # backtest origins inside the gap see no recent values
    out = fc.forecast(y, None, FAST)
    assert np.isfinite(out.yhat).all()


def test_infinite_values_are_missing_days():
    y = weekly_series(84)
    bad = y.copy()
    bad.iloc[[5, 50]] = [np.inf, -np.inf]
    gap = y.copy()
    gap.iloc[[5, 50]] = np.nan
    np.testing.assert_allclose(fc.forecast(bad, None, FAST).yhat, fc.forecast(gap, None, FAST).yhat)
