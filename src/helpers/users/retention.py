"""New-user retention: daily cohorts (WeChat's getDailyRetain days), weekly cohorts, curves.

Two readings, both available everywhere: `exact` = active on exactly day k after the first-seen
day (WeChat's definition and the JSON's); `on_or_after` = active on day k or any later day
(unbounded retention: never decreases with more data, never rises with k). A cell is observable
only when its whole day (or week) lies inside the days the events cover, at both ends: a day k
after the data's last day, or before its first (users first seen before the events start), is
missing, never 0. The events' coverage is `wh.meta` first_day .. last_day, the first and last
local days holding an event.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from helpers.core.periods import Period
from helpers.core.sql import week_start
from helpers.core.warehouse import Warehouse, day_to_date

Mode = Literal["exact", "on_or_after"]
WECHAT_DAYS = (1, 2, 3, 4, 5, 6, 7, 14, 30)  # getweanalysisappiddailyretaininfo keys
LATEST_DAYS = (1, 7, 30)  # the days of retention_d<k>_latest
# Catalog words saying how each mode counts a returning user.
MODE_TEXT: dict[str, str] = {"exact": "ua_mode_exact", "on_or_after": "ua_mode_on_or_after"}


def _cohort_counts(wh: Warehouse, first_day: int, last_day: int, days: tuple[int, ...], mode: Mode,
                   by: str | None) -> pd.DataFrame:
    """Per cohort day (and `by` value): size and number retained at each k in `days`."""
    flag = "k = {k}" if mode == "exact" else "k >= {k}"
    flags = ",\n".join(f"MAX(CASE WHEN {flag.format(k=k)} THEN 1 ELSE 0 END) AS r{k}" for k in days)
    sums = ", ".join(f"SUM(COALESCE(r.r{k}, 0)) AS r{k}" for k in days)
    # the cohort days lie in [lo, hi]: the bounds on e.event_day repeat the join's conditions as
    # constants, so the engine reads only those days' events (it cannot derive them from the join)
    horizon = ("AND e.event_day <= c.cohort + :maxk AND e.event_day <= :hi + :maxk" if mode == "exact"
               else "")
    key = f", u.{by}" if by else ""
    frame = wh.query(f"""
        WITH c AS (SELECT u.user_id, u.first_seen_day AS cohort{key} FROM users u
                   WHERE u.first_seen_day BETWEEN :lo AND :hi),
             a AS (SELECT DISTINCT e.user_id, e.event_day - c.cohort AS k
                   FROM events e JOIN c ON e.user_id = c.user_id
                   WHERE e.event_day > c.cohort AND e.event_day > :lo {horizon}),
             r AS (SELECT user_id, {flags} FROM a GROUP BY user_id)
        SELECT c.cohort{", c." + by if by else ""}, COUNT(*) AS size, {sums}
        FROM c LEFT JOIN r ON r.user_id = c.user_id
        GROUP BY c.cohort{", c." + by if by else ""}""",
                     {"lo": first_day, "hi": last_day, "maxk": max(days)})
    if by:
        frame[by] = frame[by].fillna("unknown")
    return frame.sort_values(["cohort", *([by] if by else [])]).reset_index(drop=True)


def _observable(cohort: pd.Series, k: int, wh: Warehouse) -> pd.Series:
    """Day k of each cohort day lies inside the events' coverage (first_day .. last_day)."""
    return (cohort + k >= wh.meta["first_day"]) & (cohort + k <= wh.meta["last_day"])


def daily_cohorts(wh: Warehouse, first_day: int, last_day: int, days: tuple[int, ...] = WECHAT_DAYS,
                  mode: Mode = "exact", by: str | None = None) -> pd.DataFrame:
    """One row per cohort day [and `by` value]: cohort (date), size, d<k> retention fractions."""
    counts = _cohort_counts(wh, first_day, last_day, days, mode, by)
    out = counts[["cohort", *([by] if by else []), "size"]].copy()
    for k in days:
        rate = counts[f"r{k}"] / counts["size"]
        out[f"d{k}"] = rate.where(_observable(counts["cohort"], k, wh))
    out.insert(0, "date", [day_to_date(d) for d in out.pop("cohort")])
    return out


def pooled(wh: Warehouse, first_day: int, last_day: int, days: tuple[int, ...] = WECHAT_DAYS,
           mode: Mode = "exact", by: str | None = None) -> pd.DataFrame:
    """Retention at each k over all cohorts in the range for which day k is observable.

    Rows: k; columns: retention (and users, the observable cohort users behind it) — per `by`
    value when given (long format with a `by` column).
    """
    counts = _cohort_counts(wh, first_day, last_day, days, mode, by)
    rows = []
    groups = counts.groupby(by) if by else [(None, counts)]
    for key, group in groups:
        for k in days:
            ok = _observable(group["cohort"], k, wh)
            users = int(group.loc[ok, "size"].sum())
            retained = int(group.loc[ok, f"r{k}"].sum())
            rows.append({**({by: key} if by else {}), "k": k, "users": users,
                         "retention": retained / users if users else np.nan})
    # the columns even without cohorts in the range (no new users): an empty table, not a crash
    return pd.DataFrame(rows, columns=[*([by] if by else []), "k", "users", "retention"])


def weekly_cohorts(wh: Warehouse, first_week_day: int, last_week_day: int, weeks: int = 8
                   ) -> pd.DataFrame:
    """Cohorts by ISO week of first seen: size and w0..w<weeks> = share active in week +j.
    A week not entirely inside the events' coverage (not fully happened yet, or partly before the
    events start) is missing."""
    shares = ",\n".join(f"SUM(CASE WHEN a.j = {j} THEN 1 ELSE 0 END) AS w{j}" for j in range(weeks + 1))
    frame = wh.query(f"""
        WITH c AS (SELECT user_id, {week_start('first_seen_day')} AS cohort FROM users
                   WHERE first_seen_day BETWEEN :lo AND :hi + 6),
             a AS (SELECT DISTINCT e.user_id,
                          CAST(({week_start('e.event_day')} - c.cohort) / 7 AS INTEGER) AS j
                   FROM events e JOIN c ON e.user_id = c.user_id
                   WHERE e.event_day >= c.cohort AND e.event_day < c.cohort + :span
                     AND e.event_day >= :lo - 6 AND e.event_day < :hi + 6 + :span)
        SELECT c.cohort, COUNT(DISTINCT c.user_id) AS size, {shares}
        FROM c LEFT JOIN a ON a.user_id = c.user_id
        GROUP BY c.cohort ORDER BY c.cohort""",
                     {"lo": first_week_day, "hi": last_week_day, "span": 7 * (weeks + 1)})
    data_start, data_end = wh.meta["first_day"], wh.meta["last_day"]
    for j in range(weeks + 1):
        visible = (frame["cohort"] + 7 * j >= data_start) & (frame["cohort"] + 7 * j + 6 <= data_end)
        frame[f"w{j}"] = (frame[f"w{j}"] / frame["size"]).where(visible)
    frame.insert(0, "week", [day_to_date(d) for d in frame.pop("cohort")])
    return frame


def period_retention(wh: Warehouse, first_day: int, last_day: int) -> dict[str, float | None]:
    """retention_d1/d7/d30 of report-outputs.md: among the period's new users for whom day k is
    observable (inside the events' coverage), the share with any event on exactly day k; None
    when nobody is observable."""
    table = pooled(wh, first_day, last_day, days=(1, 7, 30), mode="exact")
    return {f"retention_d{int(r.k)}": (None if not r.users else float(r.retention))
            for r in table.itertuples()}


def latest_retention(wh: Warehouse, last_day: int, days: tuple[int, ...] = LATEST_DAYS
                     ) -> dict[str, float | str | None]:
    """retention_d<k>_latest and retention_d<k>_latest_cohort for each k: the newest weekly cohort
    whose day k falls on or before `last_day` (the report week's last day), as an ISO week
    ('2026-W45'), and the exact day-k retention of its users whose day k is observable (None when
    none is: no new users that week, or their day k before the events start). Reads no event
    after `last_day`, so a past week's rerun on later data gives the same figures."""
    rates, cohorts = {}, {}
    for k in days:
        monday = latest_complete_cohort_week(last_day, k)
        row = pooled(wh, monday, monday + 6, (k,), mode="exact").iloc[0]
        rates[f"retention_d{k}_latest"] = float(row.retention) if row.users else None
        cohorts[f"retention_d{k}_latest_cohort"] = Period.containing(day_to_date(monday)).label
    return {**rates, **cohorts}


def latest_complete_cohort_week(last_day: int, k: int) -> int:
    """Monday (day number) of the newest ISO week whose every cohort day has day k observable."""
    latest = last_day - k
    sunday = latest - (latest + 4) % 7  # (day + 3) % 7 is the weekday, Monday = 0
    return sunday - 6


def compared_cohort_weeks(wh: Warehouse, last_day: int, k: int) -> tuple[int | None, int]:
    """The newest weekly cohort whose day k falls on or before `last_day` (the report week's last
    day, so a rerun of a past week describes the same cohort) and the week before it, None when
    that week is not entirely in the data: Mondays as day numbers."""
    later = latest_complete_cohort_week(last_day, k)
    earlier = later - 7
    return (earlier if earlier >= wh.meta["first_day"] else None), later


def cohort_change(wh: Warehouse, earlier_week_day: int | None, later_week_day: int, k: int = 7,
                  by: str = "channel") -> pd.DataFrame:
    """Exact day-k retention of two weekly cohorts, overall and per `by` value.

    Per value: size and rate in each week, and `rate_effect` = mean share of the value in the two
    cohorts x change of its rate (points of the overall change it explains). The overall row has
    key '*'. Only cohort days whose day k is observable count (as in `pooled`). A week that is
    None or has no new users has no rates (NaN), so nothing compares.
    """
    parts = []
    for name, start in (("earlier", earlier_week_day), ("later", later_week_day)):
        counts = (_cohort_counts(wh, start, start + 6, (k,), "exact", by) if start is not None
                  else pd.DataFrame({"cohort": [], by: [], "size": [], f"r{k}": []}))
        counts = counts[_observable(counts["cohort"], k, wh)]
        grouped = counts.groupby(by)[["size", f"r{k}"]].sum()
        grouped.columns = [f"size_{name}", f"retained_{name}"]
        parts.append(grouped)
    table = parts[0].join(parts[1], how="outer").fillna(0)
    total = table.sum().to_frame("*").T
    table = pd.concat([table, total])
    for name in ("earlier", "later"):
        table[f"rate_{name}"] = table[f"retained_{name}"] / table[f"size_{name}"].where(
            table[f"size_{name}"] > 0)
    sizes = total[["size_earlier", "size_later"]].iloc[0]
    sizes = sizes.where(sizes > 0)  # an empty week gives no weights (NaN, never inf)
    weight = (table["size_earlier"] / sizes["size_earlier"] + table["size_later"] / sizes["size_later"]) / 2
    table["rate_effect"] = weight * (table["rate_later"] - table["rate_earlier"])
    return table.rename_axis(by).reset_index()
