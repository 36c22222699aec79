"""The four business KPIs every report shares: active users, new users, paid orders, GMV, and
the average order value derived from the last two.

Defined here once (their registry entries are in weekly/metrics.yaml): the weekly summary shows
them, forecasting forecasts them per day, other reports compare against them.

From own tracking (users and events) when the data has it, exactly as always, also when WeChat's
statistics are there too. On WeChat's statistics only (no events table: `platform_only`), active
and new users are WeChat's (../shared/reference/report-outputs.md, "Additions"): active users of a
day = the mp_visits day row's visitors, of an ISO week = the week row's visitors (WeChat's
deduplicated visit_uv of the week; a week without its row is missing, never a sum of daily
visitors, which would count a person once per day); new users = the day row's new_visitors, of a
week the sum of its seven day rows (a week missing a day is missing). Without mp_visits either (an
official account's statistics only) they are missing. Orders and GMV come from `orders` whenever
it is there.

`wechat_series` gives WeChat's visits (visit_pv), opens (session_cnt) and average stay times per
ISO week or day, for the weekly summary. A week is WeChat's week row when there is one; otherwise
it is formed from its seven day rows when all seven are there: visits and opens are their sums,
the stay time per open is the day rows' total seconds (stay_time_session x sessions, summed) over
their opens — the same numbers a week row gives. The stay time per visitor needs the week's
deduplicated visitors, which day rows do not give (a person visiting on three days is three day
visitors), so without a week row it is missing.
"""

from __future__ import annotations

import math
from typing import Literal, get_args

import pandas as pd

from helpers.core.periods import Period
from helpers.core.sql import PAID, week_start
from helpers.core.warehouse import Warehouse, day_number, day_to_date

KpiKey = Literal["active_users", "new_users", "orders", "gmv"]
KPIS: tuple[str, ...] = get_args(KpiKey)
# WeChat's own statistics of the mini-program, for the weekly summary (wechat_series).
WECHAT: tuple[str, ...] = ("visits", "opens", "stay_time_uv", "stay_time_session")
Grain = Literal["day", "week"]


def _bucket(day_column: str, grain: Grain) -> str:
    return day_column if grain == "day" else week_start(day_column)


def platform_only(wh: Warehouse) -> bool:
    """WeChat's statistics without own tracking: the data has no events table."""
    return not wh.has("events")


def kpi_series(wh: Warehouse, first: Period | None, last: Period, grain: Grain = "week"
               ) -> pd.DataFrame:
    """KPIs per day or per ISO week from `first` to `last` (inclusive), oldest first.

    Columns: start (date of the day / Monday), complete (the bucket lies entirely inside the data),
    and the KPIS. Buckets not entirely inside the data hold missing values, never 0; so do WeChat's
    users of a bucket without their rows (module docstring).
    """
    first = first or last
    lo, hi = day_number(first.start), day_number(last.end)
    params = {"lo": lo, "hi": hi}
    zero_filled: list[pd.DataFrame] = []  # counted from rows: a bucket without any is 0
    as_given: list[pd.DataFrame] = []  # WeChat's figures: a bucket without its row is missing
    if wh.has("events"):
        zero_filled += _own_users(wh, params, grain)
    elif wh.has("mp_visits"):
        as_given += _wechat_users(wh, params, grain)
    if wh.has("orders"):
        zero_filled.append(wh.query(f"""
            SELECT bucket, COUNT(*) AS orders, SUM(amount) AS gmv
            FROM (SELECT amount, {_bucket('paid_day', grain)} AS bucket
                  FROM orders WHERE paid_day BETWEEN :lo AND :hi AND {PAID}) o
            GROUP BY bucket""", params))
    out = _buckets(lo, hi, grain)
    for part in zero_filled:
        out = out.merge(part, on="bucket", how="left")
        out[list(part.columns[1:])] = out[list(part.columns[1:])].astype("float64").fillna(0.0)
    for part in as_given:
        out = out.merge(part, on="bucket", how="left")
    return _finish(wh, out, list(KPIS), grain)


def _buckets(lo: int, hi: int, grain: Grain) -> pd.DataFrame:
    return pd.DataFrame({"bucket": range(lo, hi + 1, 1 if grain == "day" else 7)})


def _finish(wh: Warehouse, out: pd.DataFrame, columns: list[str], grain: Grain) -> pd.DataFrame:
    """Missing columns as NaN, buckets not entirely inside the data emptied, `start` dates."""
    step = 1 if grain == "day" else 7
    for column in columns:
        out[column] = out[column].astype("float64") if column in out else math.nan
    first_day, last_day = day_number(wh.first_date), day_number(wh.last_date)
    out["complete"] = (out["bucket"] >= first_day) & (out["bucket"] + step - 1 <= last_day)
    out.loc[~out["complete"], columns] = math.nan
    out.insert(0, "start", [day_to_date(b) for b in out.pop("bucket")])
    return out[["start", *columns, "complete"]]


def _own_users(wh: Warehouse, params: dict[str, int], grain: Grain) -> list[pd.DataFrame]:
    """Own tracking: distinct users with an event, users first seen."""
    return [
        wh.query(f"""
            SELECT bucket, COUNT(DISTINCT user_id) AS active_users
            FROM (SELECT user_id, {_bucket('event_day', grain)} AS bucket
                  FROM events WHERE event_day BETWEEN :lo AND :hi) e
            GROUP BY bucket""", params),
        wh.query(f"""
            SELECT bucket, COUNT(*) AS new_users
            FROM (SELECT {_bucket('first_seen_day', grain)} AS bucket
                  FROM users WHERE first_seen_day BETWEEN :lo AND :hi) u
            GROUP BY bucket""", params),
    ]


def _wechat_users(wh: Warehouse, params: dict[str, int], grain: Grain) -> list[pd.DataFrame]:
    """WeChat's statistics: visitors of the day / week row; new visitors of the day, or summed
    over a week's seven day rows (missing unless all seven have a value)."""
    if grain == "day":
        return [wh.query("""
            SELECT day AS bucket, visitors AS active_users, new_visitors AS new_users
            FROM mp_visits WHERE period = 'day' AND day BETWEEN :lo AND :hi""", params)]
    return [
        wh.query("""
            SELECT day AS bucket, visitors AS active_users
            FROM mp_visits WHERE period = 'week' AND day BETWEEN :lo AND :hi""", params),
        wh.query(f"""
            SELECT {week_start('day')} AS bucket,
                   CASE WHEN COUNT(new_visitors) = 7 THEN SUM(new_visitors) END AS new_users
            FROM mp_visits WHERE period = 'day' AND day BETWEEN :lo AND :hi
            GROUP BY {week_start('day')}""", params),
    ]


def wechat_series(wh: Warehouse, first: Period | None, last: Period, grain: Grain = "week"
                  ) -> pd.DataFrame:
    """WeChat's visits, opens, stay_time_uv (average seconds per visitor) and stay_time_session
    (average seconds per open) per ISO week or day, like `kpi_series` (start, complete; missing
    without mp_visits or without the rows: module docstring)."""
    first = first or last
    lo, hi = day_number(first.start), day_number(last.end)
    out = _buckets(lo, hi, grain)
    if wh.has("mp_visits"):
        out = out.merge(_wechat_rows(wh, {"lo": lo, "hi": hi}, grain), on="bucket", how="left")
    return _finish(wh, out, list(WECHAT), grain)


def _wechat_rows(wh: Warehouse, params: dict[str, int], grain: Grain) -> pd.DataFrame:
    columns = """visits, sessions AS opens, stay_time_uv, stay_time_session"""
    rows = wh.query(f"""
        SELECT day AS bucket, {columns} FROM mp_visits
        WHERE period = :period AND day BETWEEN :lo AND :hi""", {**params, "period": grain})
    if grain == "day":
        return rows
    days = wh.query(f"""
        SELECT {week_start('day')} AS bucket,
               CASE WHEN COUNT(visits) = 7 THEN SUM(visits) END AS visits,
               CASE WHEN COUNT(sessions) = 7 THEN SUM(sessions) END AS opens,
               CASE WHEN COUNT(stay_time_session * sessions) = 7 AND SUM(sessions) > 0
                    THEN SUM(stay_time_session * sessions) / SUM(sessions) END AS stay_time_session
        FROM mp_visits WHERE period = 'day' AND day BETWEEN :lo AND :hi
        GROUP BY {week_start('day')}""", params)
    both = _buckets(params["lo"], params["hi"], grain).merge(rows, on="bucket", how="left").merge(
        days, on="bucket", how="left", suffixes=("", "_days"))
    for column in ("visits", "opens", "stay_time_session"):  # the week row, else its day rows
        both[column] = both[column].astype("float64").fillna(both[f"{column}_days"].astype("float64"))
    return both[["bucket", *WECHAT]]


def aov(gmv: float | None, orders: float | None) -> float | None:
    """Average order value (客单价): GMV / paid orders of the same period; None when either is
    missing or there is no paid order."""
    if gmv is None or orders is None or math.isnan(gmv) or math.isnan(orders) or orders == 0:
        return None
    return float(gmv) / float(orders)


def with_aov(series: pd.DataFrame) -> pd.DataFrame:
    """`kpi_series` with an `aov` column (missing where a bucket has no paid order or no data)."""
    return series.assign(aov=series["gmv"] / series["orders"].where(series["orders"] > 0))


def relative_change(current: float | None, previous: float | None) -> float | None:
    """(current - previous) / previous; None when either is missing or previous is 0."""
    if current is None or previous is None or math.isnan(current) or math.isnan(previous):
        return None
    if previous == 0:
        return None
    return current / previous - 1
