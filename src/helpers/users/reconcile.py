"""Own tracking against WeChat's numbers, day by day: own daily active users (events) against
WeChat's visitors (`mp_visits.visit_uv`), own new users (`users.first_seen_at`) against WeChat's new
visitors (`visit_uv_new`), and page views by page (`page_view` events against `mp_pages`).

The two never agree exactly, and need not: definitions differ (WeChat counts every opening of the
mini-program; own tracking what the code sends, of the users who consented), so the gap
(own - WeChat) / WeChat is usually steady. A day is judged against the typical gap of the window
(the median of its days' own/WeChat ratios), not against zero: own = WeChat x typical ratio is
what the day should show; a day off that by more than the tolerance is flagged, below as likely
tracking loss, above as likely duplication. Days whose WeChat count is under `min_count` are shown
but not judged (a few users move such a ratio by more than any tolerance), nor are days outside
the events' coverage. These are thresholds, not statistical tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.core.warehouse import Warehouse, day_to_date
from helpers.users import wechat_stats

MEASURES = {"active": "visitors", "new": "new_visitors"}  # own measure -> WeChat's mp_visits column
MIN_DAYS = 5  # judged days the window needs before it has a typical gap
LOSS, DUPLICATION = "loss", "duplication"
# Pages: WeChat's path and the events' page are compared without a leading "/" or a query string.
_PAGE = "regexp_replace(split_part({col}, '?', 1), '^/+', '')"


def available(wh: Warehouse) -> bool:
    """Own tracking and WeChat's daily visits are both present."""
    return wh.has("events") and wh.has("users") and wh.has("mp_visits")


def own_daily(wh: Warehouse, first_day: int, last_day: int) -> pd.DataFrame:
    """Own active and new users per day first_day..last_day; days outside the events' coverage
    are missing (not 0)."""
    params = {"lo": first_day, "hi": last_day}
    active = wh.query("""SELECT event_day AS day, COUNT(DISTINCT user_id) AS active FROM events
                         WHERE event_day BETWEEN :lo AND :hi GROUP BY event_day""", params)
    new = wh.query("""SELECT first_seen_day AS day, COUNT(*) AS new FROM users
                      WHERE first_seen_day BETWEEN :lo AND :hi GROUP BY first_seen_day""", params)
    out = pd.DataFrame({"day": range(first_day, last_day + 1)})
    out = out.merge(active, on="day", how="left").merge(new, on="day", how="left")
    covered = (out["day"] >= wh.meta["first_day"]) & (out["day"] <= wh.meta["last_day"])
    for column in MEASURES:
        out[column] = out[column].astype("float64").fillna(0.0).where(covered)
    return out


def judge(own: pd.Series, wechat: pd.Series, tolerance: float, min_count: int
          ) -> tuple[pd.DataFrame, float | None]:
    """Each day's gap, its deviation from the window's typical ratio and its flag. Returns the
    frame (gap, judged, deviation, flag) and the typical gap (None with fewer than MIN_DAYS
    judged days: nothing is flagged then)."""
    ratio = own / wechat.where(wechat > 0)
    judged = ratio.notna() & (wechat >= min_count)
    out = pd.DataFrame({"gap": ratio - 1, "judged": judged, "deviation": np.nan, "flag": ""},
                       index=own.index)
    if int(judged.sum()) < MIN_DAYS:
        return out, None
    typical = float(ratio[judged].median())
    if typical <= 0:  # own tracking counts nobody on most days: every day is "typical"
        return out, typical - 1
    deviation = (ratio / typical - 1).where(judged)
    out["deviation"] = deviation
    out.loc[deviation < -tolerance, "flag"] = LOSS
    out.loc[deviation > tolerance, "flag"] = DUPLICATION
    return out, typical - 1


def daily(wh: Warehouse, first_day: int, last_day: int, tolerance: float, min_count: int
          ) -> tuple[pd.DataFrame, dict[str, float | None]]:
    """Own tracking against WeChat per day and measure over the window first_day..last_day (long
    format: day, date, measure, own, wechat, gap, judged, deviation, flag) and each measure's
    typical gap over the window."""
    own = own_daily(wh, first_day, last_day)
    wechat = wechat_stats.daily_visits(wh, first_day, last_day)
    parts, typical = [], {}
    for measure, column in MEASURES.items():
        judged, typical[measure] = judge(own[measure], wechat[column], tolerance, min_count)
        parts.append(pd.DataFrame({"day": own["day"], "measure": measure, "own": own[measure],
                                   "wechat": wechat[column]}).join(judged))
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(1, "date", [day_to_date(d) for d in frame["day"]])
    return frame, typical


def flagged_days(frame: pd.DataFrame, first_day: int, last_day: int) -> list[str]:
    """ISO dates of first_day..last_day on which any measure is flagged, in order."""
    rows = frame[(frame["flag"] != "") & frame["day"].between(first_day, last_day)]
    return [d.isoformat() for d in sorted(set(rows["date"]))]


def week_table(frame: pd.DataFrame, first_day: int, last_day: int) -> pd.DataFrame:
    """The days first_day..last_day side by side: own and WeChat's active and new users, their
    gaps and each day's flags (measure -> flag)."""
    week = frame[frame["day"].between(first_day, last_day)]
    wide = week.pivot(index="date", columns="measure", values=["own", "wechat", "gap"])
    wide.columns = [f"{value}_{measure}" for value, measure in wide.columns]
    flags = week[week["flag"] != ""].groupby("date").apply(
        lambda g: dict(zip(g["measure"], g["flag"], strict=True)), include_groups=False)
    wide["flags"] = [flags.get(d, {}) for d in wide.index]
    return wide.reset_index()


def page_views(wh: Warehouse, first_day: int, last_day: int, tolerance: float, min_count: int
               ) -> tuple[pd.DataFrame, float | None]:
    """Page views by page over first_day..last_day, for the pages WeChat lists: own page_view
    events on the days WeChat lists the page (its list is each day's top 200) against WeChat's
    views, on the days the events cover. Columns: page, own, wechat, gap, judged, deviation, flag,
    days_listed, own_viewers, wechat_floor (the largest day's WeChat visitors of the page, or its views when WeChat gave
    none). Pages are judged against the typical page's ratio, like days; most viewed first."""
    frame = wh.query(f"""
        WITH w AS (SELECT {_PAGE.format(col="page")} AS page, day, SUM(page_views) AS views,
                          MAX(page_visitors) AS visitors
                   FROM mp_pages WHERE day BETWEEN :lo AND :hi GROUP BY 1, 2),
             e AS (SELECT {_PAGE.format(col="page")} AS page, event_day AS day, user_id FROM events
                   WHERE event = 'page_view' AND page IS NOT NULL AND event_day BETWEEN :lo AND :hi),
             own AS (SELECT e.page, COUNT(*) AS own, COUNT(DISTINCT e.user_id) AS own_viewers
                     FROM e JOIN w ON w.page = e.page AND w.day = e.day GROUP BY e.page)
        SELECT w.page, COALESCE(MAX(own.own), 0) AS own, SUM(w.views) AS wechat,
               COUNT(*) AS days_listed, COALESCE(MAX(own.own_viewers), 0) AS own_viewers,
               COALESCE(MAX(w.visitors), MAX(w.views)) AS wechat_floor
        FROM w LEFT JOIN own ON own.page = w.page GROUP BY w.page""",
                     {"lo": max(first_day, wh.meta["first_day"]), "hi": min(last_day, wh.meta["last_day"])})
    frame = frame.astype({"own": "float64", "wechat": "float64"})
    judged, typical = judge(frame["own"], frame["wechat"], tolerance, min_count)
    frame = frame.join(judged).sort_values(["wechat", "page"], ascending=[False, True])
    return frame.reset_index(drop=True), typical
