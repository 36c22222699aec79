"""WeChat's own statistics of the mini-program (the `mp_*` tables `wxreport fetch` writes) for the
user analysis: the visit trend, the week's figures and WeChat's retention table.

Every count here is WeChat's aggregate (We分析); no row is a person. Visitors (`visit_uv`) are
deduplicated within their period only: a day's visitors within the day, a week's within the week.
A figure that needs a day or a week WeChat's rows do not hold is missing, never 0. Breakdowns
(portrait, sources, distributions, pages) are in `users.wechat_breakdowns`.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from helpers.core.warehouse import Warehouse, day_number, day_to_date

VISIT_COLUMNS = ("visitors", "new_visitors", "sessions", "visits", "stay_time_uv", "stay_time_session",
                 "visit_depth", "shares", "sharers")
# The figures of a week, each a registry key (users/metrics.yaml), in the order tables show them.
WEEK_KEYS = ("wx_weekly_visitors", "wx_visitors", "wx_new_visitors", "wx_opens", "wx_page_views",
             "wx_stay_visitor", "wx_stay_open", "wx_depth", "wx_shares")
# WeChat's retention offsets (getweanalysisappid{daily,weekly,monthly}retaininfo keys after 0).
OFFSETS: dict[str, tuple[int, ...]] = {"day": (1, 2, 3, 4, 5, 6, 7, 14, 30), "week": (1, 2, 3, 4),
                                       "month": (1,)}
COLUMN_PREFIX = {"day": "d", "week": "w", "month": "m"}
LATEST_OFFSETS = (1, 7, 30)  # the daily offsets the retention finding states
LATEST_COHORTS = 7  # ... each over the newest week of daily cohorts observable at that offset


def daily_visits(wh: Warehouse, first_day: int, last_day: int) -> pd.DataFrame:
    """One row per day first_day..last_day: day, date and WeChat's daily figures (VISIT_COLUMNS);
    a day WeChat's rows lack holds missing values."""
    out = pd.DataFrame({"day": range(first_day, last_day + 1)})
    if wh.has("mp_visits"):
        rows = wh.query(f"""SELECT day, {", ".join(VISIT_COLUMNS)} FROM mp_visits
                            WHERE period = 'day' AND day BETWEEN :lo AND :hi""",
                        {"lo": first_day, "hi": last_day})
        out = out.merge(rows, on="day", how="left")
    for column in VISIT_COLUMNS:
        out[column] = out[column].astype("float64") if column in out else np.nan
    out.insert(1, "date", [day_to_date(d) for d in out["day"]])
    return out


def period_row(wh: Warehouse, period: str, first_day: int) -> pd.Series | None:
    """WeChat's row of one week (its Monday) or month (its 1st), or None."""
    if not wh.has("mp_visits"):
        return None
    rows = wh.query(f"""SELECT {", ".join(VISIT_COLUMNS)} FROM mp_visits
                        WHERE period = :period AND day = :day""", {"period": period, "day": first_day})
    return rows.astype("float64").iloc[0] if len(rows) else None


def _value(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _weighted(values: pd.Series, weights: pd.Series) -> float | None:
    """Mean of daily averages weighted by their base (opens): the week's exact average."""
    keep = values.notna() & weights.notna()
    total = float(weights[keep].sum())
    return float((values[keep] * weights[keep]).sum()) / total if keep.all() and total else None


def week_figures(wh: Warehouse, monday: int) -> dict[str, float | None]:
    """WeChat's figures of the ISO week starting on day `monday` (WEEK_KEYS). Sums and means of
    daily figures need all seven days; weekly visitors and stay time per visitor come from WeChat's
    weekly row (visitors are not additive over days). Missing when WeChat's rows lack them."""
    days = daily_visits(wh, monday, monday + 6)
    week = period_row(wh, "week", monday)
    complete = {c: bool(days[c].notna().all()) for c in VISIT_COLUMNS}

    def total(column: str, weekly: bool = True) -> float | None:
        if complete[column]:
            return float(days[column].sum())
        return _value(week[column]) if weekly and week is not None else None

    return {
        "wx_weekly_visitors": _value(week["visitors"]) if week is not None else None,
        "wx_visitors": float(days["visitors"].mean()) if complete["visitors"] else None,
        "wx_new_visitors": total("new_visitors", weekly=False),
        "wx_opens": total("sessions"),
        "wx_page_views": total("visits"),
        "wx_stay_visitor": _value(week["stay_time_uv"]) if week is not None else None,
        "wx_stay_open": _value(week["stay_time_session"]) if week is not None and pd.notna(
            week["stay_time_session"]) else _weighted(days["stay_time_session"], days["sessions"]),
        "wx_depth": _value(week["visit_depth"]) if week is not None and pd.notna(
            week["visit_depth"]) else _weighted(days["visit_depth"], days["sessions"]),
        "wx_shares": total("shares"),
    }


def platform_headline(wh: Warehouse, monday: int) -> dict[str, float | None]:
    """The JSON keys report-outputs.md defines for platform-only data, from WeChat's visits:
    wau = the week's visit_uv (WeChat's weekly row), new_users = the sum of the days' visit_uv_new,
    dau_mean = the mean of the days' visit_uv; each None when WeChat's rows lack it."""
    figures = week_figures(wh, monday)
    return {"wau": figures["wx_weekly_visitors"], "new_users": figures["wx_new_visitors"],
            "dau_mean": figures["wx_visitors"]}


# --------------------------------------------------------------------------------------------
# WeChat's retention table
# --------------------------------------------------------------------------------------------

def period_end(first_day: int, period: str, offset: int = 0) -> int:
    """The last day of the day / week / month `offset` periods after the one starting on
    `first_day` (a Monday for weeks, a 1st for months)."""
    if period == "day":
        return first_day + offset
    if period == "week":
        return first_day + 7 * offset + 6
    start = day_to_date(first_day)
    month = start.month - 1 + offset
    year, month = start.year + month // 12, month % 12 + 1
    return day_number(date(year, month, calendar.monthrange(year, month)[1]))


def retention_table(wh: Warehouse, period: str, cohort: str, first_day: int, last_day: int,
                    observed_to: int) -> pd.DataFrame:
    """WeChat's retention of the cohorts (`new` or `active` users) of the periods starting in
    first_day..last_day: one row per cohort with date, size (offset 0) and the share of the cohort
    counted again after k periods (columns d1..d30, w1..w4 or m1, as WeChat gives them). A cell whose
    period ends after `observed_to`, or that WeChat's rows lack, is missing (blank, never 0);
    cohorts without a size are left out."""
    prefix, offsets = COLUMN_PREFIX[period], OFFSETS[period]
    columns = ["date", "size", *(f"{prefix}{k}" for k in offsets)]
    if not wh.has("mp_retention"):
        return pd.DataFrame(columns=columns)
    rows = wh.query("""SELECT day, "offset" AS k, users FROM mp_retention
                       WHERE period = :period AND cohort = :cohort AND day BETWEEN :lo AND :hi""",
                    {"period": period, "cohort": cohort, "lo": first_day, "hi": last_day})
    grid = rows.pivot_table(index="day", columns="k", values="users", aggfunc="sum")
    if 0 not in grid.columns:
        return pd.DataFrame(columns=columns)
    grid = grid[grid[0].notna()].sort_index()
    out = pd.DataFrame({"date": [day_to_date(d) for d in grid.index], "size": grid[0].astype(int).to_numpy()})
    for k in offsets:
        share = (grid[k] / grid[0].where(grid[0] > 0)) if k in grid.columns else pd.Series(np.nan, grid.index)
        seen = [period_end(int(d), period, k) <= observed_to for d in grid.index]
        out[f"{prefix}{k}"] = share.where(seen).to_numpy(dtype="float64")
    return out[columns].reset_index(drop=True)


def latest_retention(daily: pd.DataFrame, observed_to: int, min_cell_size: int
                     ) -> list[dict[str, Any]]:
    """For each of LATEST_OFFSETS: the share of the newest LATEST_COHORTS daily cohorts (of at least
    `min_cell_size` users, day k on or before `observed_to`) counted again on day k, pooled
    (retained / size, summed over the cohorts), with the cohorts' first and last date.
    daily: `retention_table(..., "day", ...)` of those cohorts."""
    out = []
    for k in LATEST_OFFSETS:
        column = f"d{k}"
        rows = daily[(daily["size"] >= min_cell_size) & daily[column].notna()]
        rows = rows[[day_number(d) + k <= observed_to for d in rows["date"]]].tail(LATEST_COHORTS)
        if len(rows):
            retained = float((rows[column] * rows["size"]).sum())
            out.append({"k": k, "share": retained / float(rows["size"].sum()),
                        "first": rows["date"].iloc[0], "last": rows["date"].iloc[-1]})
    return out
