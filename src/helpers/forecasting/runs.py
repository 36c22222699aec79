"""One series through monitoring and forecasting: the report week against a forecast made before
it, then the horizon after it; its weekly roll-up, and the threshold rules of the parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core import calendar
from helpers.core.metrics import METRICS
from helpers.core.periods import Period
from helpers.render.text import Text
from helpers.stats import anomaly
from helpers.stats.forecast import SeriesForecast, forecast, rollup
from helpers.stats.forecast_models import Settings, Unforecastable


@dataclass(frozen=True)
class SeriesInfo:
    """What a report needs to show a series: key, unit, definition, how weeks aggregate it, and
    for a CSV series the names the parameters give it per language (a registry series is named
    by the registry)."""

    key: str
    unit: str
    definition: str
    weekly: str = "sum"  # sum, or mean for a daily stock such as DAU (a sum of DAU is not users)
    names: dict[str, str] = field(default_factory=dict)  # language -> name, CSV series only
    registry: str = ""  # the registry entry naming it, when not `key` (WeChat's users: series.registry_key)

    def label(self, tx: Text) -> str:
        """The series' name in the report language; a registry series counts as shown."""
        return self.names[tx.language] if self.names else tx.label(self.registry or self.key)


def warehouse_info(key: str, registry: str | None = None) -> SeriesInfo:
    """A warehouse series described by its registry entry (`registry`, default its key: on
    WeChat's statistics alone the users series are WeChat's visitors, `series.registry_key`);
    DAU rolls up to a weekly mean."""
    m = METRICS[registry or key]
    return SeriesInfo(key, m.unit, m.definition, "mean" if key == "daily_active_users" else "sum",
                      registry=registry if registry and registry != key else "")


def csv_info(name: str, path: Path, label_zh: str = "", label_en: str = "", unit: str = "count"
             ) -> SeriesInfo:
    """A CSV series of the parameters: named as given (its key when no name is given)."""
    return SeriesInfo(name, unit, f"daily values of column 'value' in {path.name} (named in the parameters)",
                      names={"zh": label_zh or name, "en": label_en or name})


@dataclass(frozen=True)
class SeriesRun:
    """A series monitored over the report week and forecast after it. A series with nothing to
    model before the week is not monitored, one with nothing to model at all is not forecast:
    the part is None and `unmonitored` / `unforecast` hold the Unforecastable reason code."""

    info: SeriesInfo
    values: pd.Series  # daily actual values up to the end of the report week
    monitoring: anomaly.Monitoring | None  # forecast made before the week, and the week's anomalies
    forecast: SeriesForecast | None  # from the day after the week, same model and calibration
    masked: tuple[pd.Timestamp, ...]  # anomaly days left out of the forward fit
    unmonitored: str = ""
    unforecast: str = ""


def calendar_regressors(first: date, period: Period, horizon: int, events: dict[str, list[date]]
                        ) -> pd.DataFrame:
    """Calendar columns from the first day of data to the end of the forecast horizon."""
    return calendar.regressors(first, period.end + timedelta(days=horizon), events)


def run_series(info: SeriesInfo, values: pd.Series, regressors: pd.DataFrame, settings: Settings,
               period: Period, mask_anomalies: bool = True) -> SeriesRun:
    """Monitor the report week against a forecast from the data before it; then forecast the
    horizon after the week with the model and calibration chosen on that backtest, leaving the
    week's anomalies out (an outage should not drag next month down) unless they fall on a
    calendar day, whose regressor is there to explain them (a first Double 11)."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    values = values.reindex(pd.date_range(values.index.union([start]).min(), end, freq="D"))
    watched, ahead, unmonitored, unforecast, masked = None, None, "", "", ()
    try:
        watched = anomaly.monitor(values, regressors, settings, start, end)
    except Unforecastable as exc:
        unmonitored = str(exc)
    if watched is not None and mask_anomalies:
        calendar_days = set() if regressors is None else set(regressors.index[(regressors > 0).any(axis=1)])
        masked = tuple(d for d in watched.anomalies["date"] if d not in calendar_days)
    history = values.copy()
    history.loc[list(masked)] = np.nan
    try:
        ahead = forecast(history, regressors, settings, previous=watched.forecast.backtest if watched else None)
    except Unforecastable as exc:
        unforecast = str(exc)
    return SeriesRun(info, values, watched, ahead, masked, unmonitored, unforecast)


def weekly_forecast(run: SeriesRun, level: float = 0.80) -> pd.DataFrame:
    """The forecast per ISO week wholly inside the horizon: week (Monday), value, lo, hi; a sum,
    or a daily mean for series such as DAU; empty for a series not forecast, missing where a sum
    of huge values overflows."""
    f = run.forecast
    rows = []
    for first in range(len(f.dates) if f is not None else 0):
        if f.dates[first].weekday() or first + 7 > len(f.dates):
            continue
        with np.errstate(over="ignore", invalid="ignore"):
            week = np.array(rollup(f, slice(first, first + 7), level)) / (7 if run.info.weekly == "mean" else 1)
        value, lo, hi = np.where(np.isfinite(week), week, np.nan)
        rows.append({"week": f.dates[first], "value": value, "lo": lo, "hi": hi})
    return pd.DataFrame(rows, columns=["week", "value", "lo", "hi"])


def alert_items(values: dict[str, pd.Series | None], rules: list[tuple[str, float | None, float | None]],
                period: Period) -> tuple[list[dict[str, object]], list[str]]:
    """Threshold rules checked on the report week: the JSON `alerts` objects, and the metrics of
    rules that could not be checked (their series is not available)."""
    items, unchecked = [], []
    for metric, above, below in rules:
        series = values.get(metric)
        if series is None:
            unchecked.append(metric)
            continue
        week = series.loc[pd.Timestamp(period.start):pd.Timestamp(period.end)]
        for a in anomaly.threshold_alerts(week, above, below).itertuples():
            items.append({"metric": metric, "date": a.date.date().isoformat(), "value": a.value,
                          "threshold": a.threshold, "rule": a.rule})
    return items, unchecked
