"""Daily series for forecasting and monitoring: warehouse KPIs, content and follower flow, CSV files.

Each series is one value per day (source timezone) indexed by date. Warehouse KPIs reuse
`summary.kpi_series`; article reads and follower flow come from their own tables, counted as 0 on
days inside the table's range without a row; a CSV file named in the parameters adds a KPI
exported from elsewhere (`date,value`). Earlier reports' forecast.csv files are read back to score
what they forecast against what happened.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core import calendar
from helpers.core.errors import DataError
from helpers.core.periods import Period
from helpers.stats import anomaly
from helpers.stats import forecast as fc
from helpers.core.warehouse import Warehouse, day_number, day_to_date
from helpers.core import kpis as summary
from helpers.core.metrics import METRICS

WAREHOUSE_SERIES = ("daily_active_users", "daily_new_users", "daily_orders", "daily_gmv", "daily_reads",
                    "daily_net_followers")
_FROM_KPI = {"daily_active_users": "active_users", "daily_new_users": "new_users",
             "daily_orders": "orders", "daily_gmv": "gmv"}
_TABLE = {"daily_orders": "orders", "daily_gmv": "orders", "daily_reads": "article_stats",
          "daily_net_followers": "followers"}
FORECAST_COLUMNS = ("date", "metric", "model", "yhat", "lo80", "hi80", "lo95", "hi95")
CSV_COLUMNS = ("date", "value")


def missing_table(wh: Warehouse, key: str) -> str | None:
    """The table a warehouse series needs and the source lacks, or None."""
    table = _TABLE.get(key)
    return table if table and not wh.has(table) else None


def _by_day(frame: pd.DataFrame, column: str, lo: int, hi: int) -> pd.Series:
    """A per-day column over [lo, hi] (day numbers), 0 on days without a row."""
    values = frame.set_index("day")[column].astype(float).reindex(range(lo, hi + 1), fill_value=0.0)
    values.index = pd.DatetimeIndex([day_to_date(d) for d in values.index], name="date")
    return values


def _table_days(wh: Warehouse, table: str, last: date) -> tuple[int, int] | None:
    """The day range a daily table covers, cut at `last`; None when it has no row by then."""
    span = wh.query(f"SELECT MIN(day) AS lo, MAX(day) AS hi FROM {table} WHERE day <= :last",
                    {"last": day_number(last)})
    lo, hi = span.iat[0, 0], span.iat[0, 1]
    return None if pd.isna(lo) else (int(lo), int(hi))


def daily_series(wh: Warehouse, last: Period, keys: list[str]) -> dict[str, pd.Series]:
    """The warehouse series in `keys` from the first day of data to the end of `last`.

    Series whose table is missing are left out (see `missing_table`).
    """
    out: dict[str, pd.Series] = {}
    wanted = [k for k in keys if k in WAREHOUSE_SERIES and missing_table(wh, k) is None]
    if any(k in _FROM_KPI for k in wanted):
        kpis = summary.kpi_series(wh, Period.containing(wh.first_date), last, grain="day")
        kpis = kpis[kpis["start"] >= wh.first_date]
        index = pd.DatetimeIndex(pd.to_datetime(kpis["start"]), name="date")
        for key in wanted:
            if key in _FROM_KPI:
                out[key] = pd.Series(kpis[_FROM_KPI[key]].to_numpy(), index=index, name=key)
    if "daily_reads" in wanted and (span := _table_days(wh, "article_stats", last.end)):
        reads = wh.query("SELECT day, SUM(reads) AS reads FROM article_stats "
                         "WHERE day BETWEEN :lo AND :hi GROUP BY day", {"lo": span[0], "hi": span[1]})
        out["daily_reads"] = _by_day(reads, "reads", *span).rename("daily_reads")
    if "daily_net_followers" in wanted and (span := _table_days(wh, "followers", last.end)):
        flow = follower_flow(wh, span)
        out["daily_net_followers"] = (flow["new_followers"] - flow["unfollows"]).rename("daily_net_followers")
    return {k: out[k] for k in keys if k in out}


def follower_flow(wh: Warehouse, span: tuple[int, int]) -> pd.DataFrame:
    """new_followers, unfollows (and cumulative when the source has it) per day over `span`."""
    cumulative = "MAX(cumulative)" if wh.has("followers", "cumulative") else "NULL"
    flow = wh.query(f"""
        SELECT day, SUM(new_followers) AS new_followers, SUM(unfollows) AS unfollows,
               {cumulative} AS cumulative
        FROM followers WHERE day BETWEEN :lo AND :hi GROUP BY day""", {"lo": span[0], "hi": span[1]})
    out = pd.DataFrame({c: _by_day(flow, c, *span) for c in ("new_followers", "unfollows")})
    out["cumulative"] = flow.set_index("day")["cumulative"].astype(float).reindex(
        range(span[0], span[1] + 1)).to_numpy()
    return out


def unfollow_rate(wh: Warehouse, last: Period) -> pd.Series | None:
    """Unfollows / followers at the start of the day; None without followers.cumulative."""
    if not wh.has("followers", "cumulative") or not (span := _table_days(wh, "followers", last.end)):
        return None
    flow = follower_flow(wh, span)
    start = flow["cumulative"] - flow["new_followers"] + flow["unfollows"]
    return (flow["unfollows"] / start.where(start > 0)).rename("daily_unfollow_rate")


def _read_text_csv(path: Path) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "gb18030"):  # Chinese Excel saves GBK/GB18030
        try:
            return pd.read_csv(path, dtype=str, encoding=encoding, keep_default_na=False)
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise DataError(f"{path}: not a readable CSV file ({exc})") from None
    raise DataError(f"{path}: neither UTF-8 nor GBK/GB18030 text")


def read_csv_series(path: Path) -> pd.Series:
    """A daily series from a CSV file with the columns date,value (extra columns are ignored).

    Empty values are missing days; a bad date or number, a repeated date or a missing column
    raises DataError naming the file, the column and the first bad row.
    """
    if not path.is_file():
        raise DataError(f"{path}: file not found (a CSV with the columns {','.join(CSV_COLUMNS)})")
    frame = _read_text_csv(path)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    for column in CSV_COLUMNS:
        if column not in frame.columns:
            raise DataError(f"{path}: no column '{column}' (columns: {', '.join(frame.columns) or 'none'}); "
                            f"expected the columns {','.join(CSV_COLUMNS)}")
    if frame.empty:
        raise DataError(f"{path}: no rows under the header {','.join(CSV_COLUMNS)}")
    dates = pd.to_datetime(frame["date"].str.strip(), errors="coerce", format="mixed")
    bad = dates.isna()
    if bad.any():
        row = int(bad.idxmax())
        raise DataError(f"{path}: column date: line {row + 2}: {frame['date'][row]!r} is not a date such "
                        f"as 2026-11-16")
    text = frame["value"].str.strip().str.replace(",", "", regex=False)
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = values.isna() & (text != "")
    if bad.any():
        row = int(bad.idxmax())
        raise DataError(f"{path}: column value: line {row + 2}: {frame['value'][row]!r} is not a number")
    if (dates.dt.normalize() != dates).any():
        row = int((dates.dt.normalize() != dates).idxmax())
        raise DataError(f"{path}: column date: line {row + 2}: {frame['date'][row]!r} has a time of day; "
                        f"one row per day expected")
    repeated = dates[dates.duplicated()]
    if len(repeated):
        raise DataError(f"{path}: column date: {len(repeated)} repeated date(s), e.g. "
                        f"{repeated.iloc[0].date()}; one row per day expected")
    return pd.Series(values.to_numpy(dtype=float), index=pd.DatetimeIndex(dates, name="date")).sort_index()


def weekly_totals(daily: pd.Series) -> pd.Series:
    """Sums per ISO week (index: the Monday) of the weeks whose seven days are all known."""
    frame = daily.dropna()
    weeks = frame.groupby(frame.index.to_period("W-SUN"))
    totals = weeks.sum()[weeks.count() == 7]
    totals.index = totals.index.start_time
    return totals


def earlier_forecasts(out: Path, period: Period) -> pd.DataFrame:
    """The forecast.csv rows published by reports of weeks before `period` under `out`,
    with a column `made_in` (the week label); empty when there are none."""
    frames = []
    for path in sorted(out.glob("*-W[0-9][0-9]/forecast.csv")):
        label = path.parent.name
        try:
            made_in = Period.parse(label)
        except ValueError:
            continue
        if made_in >= period:
            continue
        frame = pd.read_csv(path, parse_dates=["date"])
        if tuple(frame.columns) != FORECAST_COLUMNS:
            continue  # a file of another layout is not ours to score
        frames.append(frame.assign(made_in=label))
    if not frames:
        return pd.DataFrame(columns=[*FORECAST_COLUMNS, "made_in"])
    return pd.concat(frames, ignore_index=True)


def forecast_csv(rows: pd.DataFrame, digits: dict[str, int]) -> str:
    """forecast.csv text: the contract's columns, dates as YYYY-MM-DD, values rounded per metric."""
    out = rows.loc[:, list(FORECAST_COLUMNS)].copy()
    out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    for column in FORECAST_COLUMNS[3:]:
        out[column] = [round(v, digits.get(m, 2)) if not math.isnan(v) else v
                       for v, m in zip(out[column], out["metric"], strict=True)]
    return out.to_csv(index=False, lineterminator="\n")


# ----------------------------------------------------------------------------------------------
# One series through monitoring and forecasting
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SeriesInfo:
    """What a report needs to show a series: key, labels, unit, how weeks aggregate it."""

    key: str
    zh: str
    en: str
    unit: str
    definition: str
    weekly: str = "sum"  # sum, or mean for a daily stock such as DAU (a sum of DAU is not users)

    def label(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


def warehouse_info(key: str) -> SeriesInfo:
    m = METRICS[key]
    return SeriesInfo(key, m.zh, m.en, m.unit, m.definition,
                      "mean" if key == "daily_active_users" else "sum")


def csv_info(name: str, path: Path, label_zh: str = "", label_en: str = "", unit: str = "count"
             ) -> SeriesInfo:
    return SeriesInfo(name, label_zh or name, label_en or name, unit,
                      f"daily values of column 'value' in {path.name} (named in the parameters)")


@dataclass(frozen=True)
class SeriesRun:
    """A series monitored over the report week and forecast after it."""

    info: SeriesInfo
    values: pd.Series  # daily actual values up to the end of the report week
    monitoring: anomaly.Monitoring  # forecast made before the week, and the week's anomalies
    forecast: fc.SeriesForecast  # from the day after the week, same model and calibration
    masked: tuple[pd.Timestamp, ...]  # anomaly days left out of the forward fit


def calendar_regressors(first: date, period: Period, horizon: int, events: dict[str, list[date]]
                        ) -> pd.DataFrame:
    """Calendar columns from the first day of data to the end of the forecast horizon."""
    return calendar.regressors(first, period.end + timedelta(days=horizon), events)


def run_series(info: SeriesInfo, values: pd.Series, regressors: pd.DataFrame, settings: fc.Settings,
               period: Period, mask_anomalies: bool = True) -> SeriesRun:
    """Monitor the report week against a forecast from the data before it; then forecast the
    horizon after the week with the model and calibration chosen on that backtest, leaving the
    week's anomalies out (an outage should not drag next month down) unless they fall on a
    calendar day, whose regressor is there to explain them (a first Double 11)."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    values = values.reindex(pd.date_range(values.index.min(), end, freq="D"))
    watched = anomaly.monitor(values, regressors, settings, start, end)
    calendar_days = set() if regressors is None else set(regressors.index[(regressors > 0).any(axis=1)])
    masked = tuple(d for d in watched.anomalies["date"] if d not in calendar_days) if mask_anomalies else ()
    history = values.copy()
    history.loc[list(masked)] = np.nan
    ahead = fc.forecast(history, regressors, settings, previous=watched.forecast.backtest)
    return SeriesRun(info, values, watched, ahead, masked)


def series_item(run: SeriesRun, horizon: int) -> dict[str, object]:
    """The JSON `series` object of a run (report-outputs keys first, then extras)."""
    f = run.forecast
    return {
        "metric": run.info.key, "model": f.model, "horizon_days": horizon,
        "mase_backtest": _num(f.mase), "mase_seasonal_naive": _num(f.mase_naive),
        "coverage80": _num(f.calibration[0.80].expected), "coverage95": _num(f.calibration[0.95].expected),
        "coverage80_raw": _num(f.calibration[0.80].raw), "coverage95_raw": _num(f.calibration[0.95].raw),
        "interval_factor80": _num(f.calibration[0.80].factor),
        "interval_factor95": _num(f.calibration[0.95].factor),
        "transform": "log" if f.log else "none", "yearly": f.yearly,
        "backtest_origins": [d.date().isoformat() for d in f.backtest.dates] if f.backtest else [],
        "masked_days": [d.date().isoformat() for d in run.masked],
        "notes": [n.kind for n in f.notes],
    }


def anomaly_items(run: SeriesRun) -> list[dict[str, object]]:
    """The JSON `anomalies` objects of a run."""
    return [{"metric": run.info.key, "date": r.date.date().isoformat(), "actual": _num(r.actual),
             "expected": _num(r.expected), "lo95": _num(r.lo95), "hi95": _num(r.hi95),
             "direction": r.direction, "deviation": _num(r.deviation), "difference": _num(r.difference),
             "severity": _num(r.severity)}
            for r in run.monitoring.anomalies.itertuples()]


def forecast_rows(runs: list[SeriesRun]) -> pd.DataFrame:
    """Every run's forward forecast in the forecast.csv layout."""
    frames = [r.forecast.frame().assign(metric=r.info.key, model=r.forecast.model) for r in runs]
    if not frames:
        return pd.DataFrame(columns=list(FORECAST_COLUMNS))
    return pd.concat(frames, ignore_index=True).loc[:, list(FORECAST_COLUMNS)]


def weekly_forecast(run: SeriesRun, level: float = 0.80) -> pd.DataFrame:
    """The forecast per ISO week wholly inside the horizon: week (Monday), value, lo, hi; a sum,
    or a daily mean for series such as DAU."""
    f = run.forecast
    rows = []
    for first in range(len(f.dates)):
        if f.dates[first].weekday() or first + 7 > len(f.dates):
            continue
        total, lo, hi = fc.rollup(f, slice(first, first + 7), level)
        div = 7 if run.info.weekly == "mean" else 1
        rows.append({"week": f.dates[first], "value": total / div, "lo": lo / div, "hi": hi / div})
    return pd.DataFrame(rows, columns=["week", "value", "lo", "hi"])


def _num(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def campaigns_between(wh: Warehouse, first: date, last: date) -> pd.DataFrame:
    """Campaigns running on any day of [first, last]: name, type, start, end (dates); shortest
    first, as the most specific context for a day. Empty without a campaigns table."""
    columns = ["name", "type", "start", "end"]
    if not wh.has("campaigns"):
        return pd.DataFrame(columns=columns)
    rows = wh.query("""
        SELECT COALESCE(name, campaign_id) AS name, COALESCE(type, 'other') AS type,
               start_day, end_day
        FROM campaigns WHERE start_day <= :hi AND end_day >= :lo
        ORDER BY end_day - start_day, start_day""", {"lo": day_number(first), "hi": day_number(last)})
    return pd.DataFrame({"name": rows["name"], "type": rows["type"],
                         "start": [day_to_date(d) for d in rows["start_day"]],
                         "end": [day_to_date(d) for d in rows["end_day"]]}, columns=columns)


def campaign_context(campaigns: pd.DataFrame, days: list[date], most: int = 2) -> dict[date, list[str]]:
    """For each day, the names of the (at most `most`) shortest campaigns running on it."""
    out = {}
    for d in days:
        running = campaigns[(campaigns["start"] <= d) & (campaigns["end"] >= d)].head(most)
        if len(running):
            out[d] = list(running["name"])
    return out


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


def score_earlier(earlier: pd.DataFrame, actual: dict[str, pd.Series]) -> pd.DataFrame:
    """Each earlier report's forecasts of each series against the values now known."""
    rows = []
    for (made_in, metric), group in earlier.groupby(["made_in", "metric"], sort=True):
        if metric not in actual:
            continue
        score = fc.score_forecasts(group, actual[metric].dropna())
        if score["days"]:
            rows.append({"made_in": made_in, "metric": metric, **score})
    order = list(actual)
    rows.sort(key=lambda r: (r["made_in"], order.index(r["metric"])))
    return pd.DataFrame(rows, columns=["made_in", "metric", "days", "wape", "bias", "coverage80",
                                       "coverage95"])


CSV_DIGITS = {"CNY": 2, "fraction": 5}


def csv_digits(infos: dict[str, SeriesInfo]) -> dict[str, int]:
    """Decimals written to forecast.csv per series: cents for money, 1 for counts."""
    return {k: CSV_DIGITS.get(i.unit, 1) for k, i in infos.items()}
