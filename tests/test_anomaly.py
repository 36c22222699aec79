"""KPI monitoring: band and threshold rules by hand, the false-alarm rate on clean generated series,
and the sample's planted tracking outage and unfollow spike found (helpers.stats.anomaly)."""

from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from helpers.metrics import forecasting as fm
from helpers.core.periods import Period
from helpers.sample import SampleSpec, write_sample
from helpers.stats import anomaly
from helpers.stats import forecast as fc
from helpers.core.warehouse import Warehouse, build_warehouse

WEEK = np.array([1.0, 0.95, 0.97, 1.02, 1.1, 1.25, 1.18])
W47 = Period.parse("2026-W47")


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
    settings = fc.Settings(horizon=14, origins=4, step=7, models=("seasonal_naive", "ets_damped"))
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
    settings = fc.Settings(horizon=7, origins=3, step=7, models=("seasonal_naive", "ets_damped"))
    before = anomaly.monitor(y, None, settings, y.index[-7], y.index[-1])
    after = anomaly.monitor(broken, None, settings, y.index[-7], y.index[-1])
    pd.testing.assert_frame_equal(before.band, after.band)  # the drop cannot move its own band
    row = after.anomalies.set_index("date").loc[y.index[-3]]
    assert row.direction == "down" and row.deviation == pytest.approx(
        broken.iloc[-3] / before.band["yhat"].iloc[-3] - 1)
    with pytest.raises(ValueError, match="horizon"):
        anomaly.monitor(y, None, settings, y.index[-14], y.index[-1])


@pytest.fixture(scope="module")
def mid_sample(tmp_path_factory) -> tuple[Warehouse, dict]:
    """A generated shop of 91 days ending 2026-11-22, with the sample's planted outage and spike."""
    path = tmp_path_factory.mktemp("mid") / "shop"
    write_sample(path, SampleSpec(seed=5, users=8000, days=91))
    wh = Warehouse(build_warehouse(path))
    yield wh, json.loads((path / "truth.json").read_text())
    wh.close()


def test_planted_tracking_outage_is_flagged(mid_sample):
    wh, truth = mid_sample
    outage = pd.Timestamp(truth["outage"]["date"])
    series = fm.daily_series(wh, W47, ["daily_active_users"])["daily_active_users"]
    regressors = fm.calendar_regressors(wh.first_date, W47, 28, {})
    run = fm.run_series(fm.warehouse_info("daily_active_users"), series, regressors, fc.Settings(), W47)
    found = run.monitoring.anomalies.set_index("date")
    assert outage in found.index, found
    row = found.loc[outage]
    assert row.direction == "down" and row.deviation < -0.15
    assert row.severity == found["severity"].max()  # the outage is the week's clearest break
    assert outage in run.masked and not math.isnan(run.forecast.yhat[0])
    items = fm.anomaly_items(run)
    assert {"metric", "date", "actual", "expected", "lo95", "hi95", "direction"} <= set(items[0])


def test_planted_unfollow_spike_is_flagged(mid_sample):
    wh, truth = mid_sample
    spike = date.fromisoformat(truth["content"]["unfollow_spike"]["date"])
    rate = fm.unfollow_rate(wh, W47)
    alerts, unchecked = fm.alert_items({"daily_unfollow_rate": rate}, [("daily_unfollow_rate", 0.005, None)],
                                       W47)
    assert unchecked == [] and spike.isoformat() in {a["date"] for a in alerts}
    net = fm.daily_series(wh, W47, ["daily_net_followers"])["daily_net_followers"]
    run = fm.run_series(fm.warehouse_info("daily_net_followers"), net, None, fc.Settings(), W47)
    down = run.monitoring.anomalies.query("direction == 'down'")
    assert pd.Timestamp(spike) in set(down["date"])
    assert not run.forecast.log  # net followers can be negative: never the log scale
