"""KPI monitoring: band and threshold rules by hand and the false-alarm rate on clean generated series
(helpers.stats.anomaly); the sample's planted breaks are found in tests/forecasting/test_monitoring.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.stats import anomaly
from helpers.stats.forecast_models import Settings, Unforecastable

WEEK = np.array([1.0, 0.95, 0.97, 1.02, 1.1, 1.25, 1.18])


def test_band_anomalies_by_hand():
    days = pd.date_range("2026-11-16", periods=4)
    actual = pd.Series([10.0, 30.0, 2.0, np.nan], index=days)
    expected = pd.Series([10.0, 12.0, 8.0, 9.0], index=days)
    lo = pd.Series([7.0, 9.0, 6.0, 6.0], index=days)
    hi = pd.Series([13.0, 16.0, 11.0, 12.0], index=days)
    out = anomaly.band_anomalies(actual, expected, lo, hi)
    assert out["date"].tolist() == [days[1], days[2]]  # the missing day is never an anomaly
    assert out["direction"].tolist() == ["up", "down"]
    assert out["deviation"].tolist() == pytest.approx([30 / 12 - 1, 2 / 8 - 1])
    assert out["difference"].tolist() == pytest.approx([18.0, -6.0])
    z = anomaly.Z95
    assert out["severity"].tolist() == pytest.approx([18 / (4 / z), 6 / (2 / z)])
    additive = anomaly.band_anomalies(actual, expected, lo, hi, relative=False)
    assert additive["deviation"].isna().all() and additive["difference"].tolist() == [18.0, -6.0]


def test_threshold_alerts_by_hand():
    days = pd.date_range("2026-11-16", periods=5)
    rate = pd.Series([0.001, 0.011, np.nan, 0.0069, 0.0001], index=days)
    out = anomaly.threshold_alerts(rate, above=0.005, below=0.0005)
    assert list(zip(out["date"], out["rule"], strict=True)) == [
        (days[1], "above"), (days[3], "above"), (days[4], "below")]
    assert out["threshold"].tolist() == [0.005, 0.005, 0.0005]
    assert anomaly.threshold_alerts(rate).empty


def clean_series(seed: int, n: int = 105) -> pd.Series:
    """Counts with a wandering level and a weekly pattern, Poisson noise: nothing anomalous."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2026-08-10", periods=n, freq="D")
    level = 400 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    return pd.Series(rng.poisson(level * WEEK[dates.day_of_week]).astype(float), index=dates)


def test_false_alarm_rate_on_clean_generated_series_is_near_five_percent():
    """20 series x 14 monitored days. With honest 95% intervals ~5% of clean days are flagged
    (14 of 280 expected); the bounds allow sampling noise (binomial 1-10%) but fail a band that is
    systematically too narrow (an uncalibrated one flags far more) or so wide it never fires."""
    settings = Settings(horizon=14, origins=4, step=7, models=("seasonal_naive", "ets_damped"))
    flagged = days = 0
    for seed in range(20):
        y = clean_series(seed)
        watched = anomaly.monitor(y, None, settings, y.index[-14], y.index[-1])
        assert len(watched.band) == 14
        flagged += len(watched.anomalies)
        days += 14
    rate = flagged / days
    assert 0.01 <= rate <= 0.10, f"false-alarm rate {rate:.1%} on clean data"


def test_monitoring_judges_the_window_only_by_the_days_before_it():
    y = clean_series(1)
    broken = y.copy()
    broken.iloc[-3] *= 0.5  # an outage-like drop inside the window
    settings = Settings(horizon=7, origins=3, step=7, models=("seasonal_naive", "ets_damped"))
    before = anomaly.monitor(y, None, settings, y.index[-7], y.index[-1])
    after = anomaly.monitor(broken, None, settings, y.index[-7], y.index[-1])
    pd.testing.assert_frame_equal(before.band, after.band)  # the drop cannot move its own band
    row = after.anomalies.set_index("date").loc[y.index[-3]]
    assert row.direction == "down" and row.deviation == pytest.approx(
        broken.iloc[-3] / before.band["yhat"].iloc[-3] - 1)
    with pytest.raises(ValueError, match="horizon"):
        anomaly.monitor(y, None, settings, y.index[-14], y.index[-1])


def test_a_window_with_nothing_to_model_before_it_is_unforecastable_not_a_crash():
    """Issue 11: `monitor` raised FitError('no_model') (all zeros) or failed on an empty history."""
    y = clean_series(2)
    settings = Settings(horizon=7, origins=3, step=7, models=("seasonal_naive",))
    start, end = y.index[-7], y.index[-1]
    cases = {"all_zero": y * 0.0, "constant": y * 0.0 + 3.0, "too_short": y.iloc[-20:],
             "no_data": y.iloc[-7:]}  # the series starts in the window: no day before it
    for reason, series in cases.items():
        with pytest.raises(Unforecastable, match=reason):
            anomaly.monitor(series, None, settings, start, end)
