"""Headline KPIs for the weekly summary: active users, new users, paid orders, GMV."""

from __future__ import annotations

import math
from typing import Literal

import pandas as pd

from ..periods import Period
from ..warehouse import Warehouse, day_number, day_to_date
from .sql import PAID, week_start

KPIS = ("active_users", "new_users", "orders", "gmv")
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


def relative_change(current: float | None, previous: float | None) -> float | None:
    """(current - previous) / previous; None when either is missing or previous is 0."""
    if current is None or previous is None or math.isnan(current) or math.isnan(previous):
        return None
    if previous == 0:
        return None
    return current / previous - 1


def _value(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def headline(weekly: pd.DataFrame) -> dict[str, float | None]:
    """The report-outputs `weekly_summary` metrics from the last two rows of `kpi_series`."""
    this, previous = weekly.iloc[-1], weekly.iloc[-2]
    metrics: dict[str, float | None] = {}
    for kpi in KPIS:
        value = _value(this[kpi])
        metrics[kpi] = round(value, 2) if kpi == "gmv" and value is not None else value
        metrics[f"{kpi}_wow"] = relative_change(value, _value(previous[kpi]))
    for kpi in ("active_users", "new_users", "orders"):
        if metrics[kpi] is not None:
            metrics[kpi] = int(metrics[kpi])
    return metrics
