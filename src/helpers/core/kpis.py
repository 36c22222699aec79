"""The four business KPIs every report shares: active users, new users, paid orders, GMV, and
the average order value derived from the last two.

Defined here once (their registry entries are in weekly/metrics.yaml): the weekly summary shows
them, forecasting forecasts them per day, other reports compare against them.
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
Grain = Literal["day", "week"]


def _bucket(day_column: str, grain: Grain) -> str:
    return day_column if grain == "day" else week_start(day_column)


def kpi_series(wh: Warehouse, first: Period | None, last: Period, grain: Grain = "week"
               ) -> pd.DataFrame:
    """KPIs per day or per ISO week from `first` to `last` (inclusive), oldest first.

    Columns: start (date of the day / Monday), complete (the bucket lies entirely inside the data),
    and the KPIS. Buckets not entirely inside the data hold missing values, never 0.
    """
    first = first or last
    lo, hi = day_number(first.start), day_number(last.end)
    params = {"lo": lo, "hi": hi}
    parts = [
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
    if wh.has("orders"):
        parts.append(wh.query(f"""
            SELECT bucket, COUNT(*) AS orders, SUM(amount) AS gmv
            FROM (SELECT amount, {_bucket('paid_day', grain)} AS bucket
                  FROM orders WHERE paid_day BETWEEN :lo AND :hi AND {PAID}) o
            GROUP BY bucket""", params))
    step = 1 if grain == "day" else 7
    out = pd.DataFrame({"bucket": range(lo, hi + 1, step)})
    for part in parts:
        out = out.merge(part, on="bucket", how="left")
    for kpi in KPIS:
        if kpi not in out:
            out[kpi] = math.nan
        else:
            out[kpi] = out[kpi].astype("float64").fillna(0.0)
    first_day, last_day = day_number(wh.first_date), day_number(wh.last_date)
    out["complete"] = (out["bucket"] >= first_day) & (out["bucket"] + step - 1 <= last_day)
    out.loc[~out["complete"], list(KPIS)] = math.nan
    out.insert(0, "start", [day_to_date(b) for b in out.pop("bucket")])
    return out


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
