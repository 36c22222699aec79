"""KPI monitoring: days outside the 95% interval of a forecast made before them, and threshold rules.

A day is judged against a model fitted only on the days before the monitored window, so a break
inside the window (a tracking outage, an unfollow spike) cannot hide itself by pulling the model
towards it. With calibrated intervals about 5% of ordinary days fall outside a 95% interval; the
tests measure that false-alarm rate on generated series without anomalies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.stats.calibration import Calibration
from helpers.stats.forecast import SeriesForecast, first_days, forecast, nothing_to_model
from helpers.stats.forecast_models import Settings, Unforecastable

ANOMALY_COLUMNS = ["date", "actual", "expected", "lo95", "hi95", "direction", "deviation", "difference",
                   "severity"]
Z95 = 1.959963984540054
ALERT_COLUMNS = ["date", "value", "threshold", "rule"]


def band_anomalies(actual: pd.Series, expected: pd.Series, lo: pd.Series, hi: pd.Series,
                   relative: bool = True) -> pd.DataFrame:
    """Days whose actual value lies outside the 95% interval [lo, hi] (all indexed by date).

    direction: up (above hi) or down (below lo); difference: actual - expected; deviation:
    actual / expected - 1, only for `relative` (positive) series, where it means something;
    severity: the distance to the expected value in standard deviations implied by the interval
    on that side (for ranking). Missing actual values are never anomalies.
    """
    frame = pd.DataFrame({"actual": actual, "expected": expected, "lo95": lo, "hi95": hi}).dropna()
    outside = frame[(frame["actual"] < frame["lo95"]) | (frame["actual"] > frame["hi95"])]
    up = outside["actual"] > outside["hi95"]
    half = np.where(up, outside["hi95"] - outside["expected"], outside["expected"] - outside["lo95"]) / Z95
    out = outside.assign(
        direction=np.where(up, "up", "down"),
        deviation=(outside["actual"] / outside["expected"].where(outside["expected"] > 0) - 1
                   if relative else np.nan),
        difference=outside["actual"] - outside["expected"],
        severity=np.abs(outside["actual"] - outside["expected"]) / np.where(half > 0, half, np.nan),
    ).rename_axis("date").reset_index()
    return out.loc[:, ANOMALY_COLUMNS]


def threshold_alerts(values: pd.Series, above: float | None = None, below: float | None = None
                     ) -> pd.DataFrame:
    """Days on which `values` is above `above` or below `below` (a rule from the parameters)."""
    rows = []
    for day, value in values.dropna().items():
        if above is not None and value > above:
            rows.append({"date": day, "value": float(value), "threshold": above, "rule": "above"})
        if below is not None and value < below:
            rows.append({"date": day, "value": float(value), "threshold": below, "rule": "below"})
    return pd.DataFrame(rows, columns=ALERT_COLUMNS)


@dataclass(frozen=True)
class Monitoring:
    """A monitored window: the forecast made just before it and the days outside its 95% band."""

    forecast: SeriesForecast
    band: pd.DataFrame  # date-indexed yhat, lo80, hi80, lo95, hi95 over the window
    calibration: dict[float, Calibration]  # of the band: backtest errors of days 1..window only
    anomalies: pd.DataFrame  # ANOMALY_COLUMNS


def monitor(values: pd.Series, regressors: pd.DataFrame | None, settings: Settings,
            start: pd.Timestamp, end: pd.Timestamp) -> Monitoring:
    """Forecast from the day before `start` on the data before it and flag the window's days
    (start..end inclusive) outside the 95% interval, calibrated for that many days ahead.
    Raises Unforecastable when the data before `start` has nothing to model."""
    days = (end - start).days + 1
    if settings.horizon < days:
        raise ValueError(f"the horizon ({settings.horizon} days) must cover the window ({days} days)")
    history = values[values.index < start]
    if (reason := nothing_to_model(history)) is not None:
        raise Unforecastable(reason)
    history = history.reindex(pd.date_range(history.index.min(), start - pd.Timedelta(days=1), freq="D"))
    fc = forecast(history, regressors, settings)
    band, calibration = first_days(fc, days, settings.tolerance)
    band = band.set_index("date")
    actual = values.reindex(band.index)
    found = band_anomalies(actual, band["yhat"], band["lo95"], band["hi95"], relative=fc.log)
    return Monitoring(fc, band, calibration, found)
