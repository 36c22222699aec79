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
DIP_COLUMNS = ["date", "actual", "expected", "floor", "deviation", "score", "low"]
DIP_WEEKS = 8  # weeks before the judged one that give each weekday's usual place and the spread
MAD_TO_SD = 1.4826  # MAD x this estimates the standard deviation of normal data
_NO_DIPS = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "low": pd.Series(dtype=bool)}
                        | {c: pd.Series(dtype="float64") for c in DIP_COLUMNS[1:-1]}).loc[:, DIP_COLUMNS]


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


def weekday_dips(values: pd.Series, start: pd.Timestamp, weeks: int = DIP_WEEKS, z: float = 4.0,
                 min_drop: float = 0.10, min_weeks: int = 3) -> pd.DataFrame:
    """The 7 days from `start` of a daily count such as DAU (date-indexed), each judged against the
    level its weekday and its own week lead one to expect; `low` marks a day far below it (a
    tracking outage loses a day's events; a real fall in use lasts longer than a day).

    On log(1 + value): a weekday's usual place is the median, over the complete weeks among the
    `weeks` before `start`, of that day's distance from its week's median; a day's level is the
    median of its week's other days net of their places (the day cannot pull its own level, while
    a trend or a busy week moves all days alike); expected = level + place. The spread is the
    robust standard deviation (1.4826 x MAD) of the same residuals in the weeks before, each of
    those weeks judged by the places of the others (in-sample places would fit its noise and
    understate the spread). A day is low when it lies more than `z` spreads below expected
    (`score` < -z; `floor` is that bound) and at least `min_drop` below it (`deviation`): the
    spread alone makes a 3% dip of a steady series "unusual", the share alone makes ordinary noise
    of a small series a warning. On the bundled sample (W30-W47) ordinary weeks score down to -4.4
    but lie at most 9.2% below expected; the planted outage scores -8.9 at -29.7%. An empty frame
    (DIP_COLUMNS) when fewer than `min_weeks` complete weeks precede `start`.
    """
    start = pd.Timestamp(start)
    days = pd.date_range(start - pd.Timedelta(days=7 * weeks), periods=7 * (weeks + 1), freq="D")
    logs = np.log1p(values.astype("float64").where(values >= 0).reindex(days).to_numpy())
    grid = logs.reshape(weeks + 1, 7)  # one row per week, the judged week last
    past, week = grid[:-1][~np.isnan(grid[:-1]).any(axis=1)], grid[-1]
    if len(past) < min_weeks or np.isnan(week).all():
        return _NO_DIPS.copy()
    shifts = past - np.median(past, axis=1, keepdims=True)
    history = [_week_residuals(row, np.median(np.delete(shifts, i, axis=0), axis=0))
               for i, row in enumerate(past)]
    spread = MAD_TO_SD * float(np.median(np.abs(np.concatenate(history))))
    residual = _week_residuals(week, np.median(shifts, axis=0))
    expected = np.expm1(week - residual)
    with np.errstate(divide="ignore", invalid="ignore"):
        deviation = np.expm1(week) / np.where(expected > 0, expected, np.nan) - 1
        score = np.where(residual < 0, -np.inf, 0.0) if spread == 0 else residual / spread
    seen = ~np.isnan(week)
    out = pd.DataFrame({
        "date": days[-7:], "actual": np.expm1(week), "expected": expected,
        "floor": np.expm1(week - residual - z * spread), "deviation": deviation, "score": score,
        "low": (score < -z) & (deviation <= -min_drop)})
    return out[seen].reset_index(drop=True).loc[:, DIP_COLUMNS]


def _week_residuals(week: np.ndarray, places: np.ndarray) -> np.ndarray:
    """A week's log values net of their weekdays' usual places, each less the median of the
    week's other days (missing days left out): leaving the day out keeps it from pulling its own
    level, and keeps the residuals of ordinary weeks from being shrunk to 0."""
    net = week - places
    return np.array([net[i] - np.nanmedian(np.delete(net, i)) if np.isfinite(net[i]) else np.nan
                     for i in range(len(net))])
