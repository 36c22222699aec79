"""Mini-program pages: views, visitors, time on page, entry and exit rates and shares, this week
against the week before, with significant exit-rate jumps flagged."""

from __future__ import annotations

import pandas as pd

from helpers.content.history import divide
from helpers.core.periods import Period
from helpers.core.sessions import session_events_sql, uses_session_ids
from helpers.core.warehouse import Warehouse, day_number
from helpers.stats.proportions import two_proportion_p_value

EXIT_JUMP_P_VALUE = 0.05  # an exit-rate rise must be unlikely as sampling noise
PAGE_EVENT_COLUMNS = ("user_id", "event", "page", "duration_s", "event_sec", "event_day")


def page_stats(wh: Warehouse, period: Period, jump: float) -> pd.DataFrame:
    """Per page, this week and the week before: page views, visitors, average time on page,
    entry rate (sessions starting here / views), exit rate (sessions ending here / views) and
    shares (share events; without a page, the page last viewed before the share in the session).
    Sessions are those of `core.sessions` (as in user_analysis), decided over the two weeks:
    tracked ids only when every event has one. `exit_jump` flags pages whose exit rate rose by at
    least `jump` (a fraction, 0.05 = 5 points) and significantly (two-proportion z-test, p < 0.05)."""
    prev = period.previous
    lo, mid, hi = day_number(prev.start), day_number(period.start), day_number(period.end)
    sessions = session_events_sql(uses_session_ids(wh, lo, hi), PAGE_EVENT_COLUMNS)
    frame = wh.query(f"""
        WITH ev AS ({sessions}),
        stream AS (
          SELECT sid, user_id, event, page, duration_s, event_sec, event_day,
                 SUM(CASE WHEN event = 'page_view' THEN 1 ELSE 0 END) OVER (
                   PARTITION BY user_id, sid
                   ORDER BY event_sec, CASE WHEN event = 'page_view' THEN 0 ELSE 1 END, page
                   ROWS UNBOUNDED PRECEDING) AS view_no,
                 COUNT(CASE WHEN event = 'page_view' THEN 1 END) OVER (
                   PARTITION BY user_id, sid) AS views
          FROM ev WHERE event IN ('page_view', 'share')),
        located AS (
          SELECT s.*, MAX(CASE WHEN event = 'page_view' THEN page END) OVER (
                        PARTITION BY user_id, sid, view_no) AS viewed_page
          FROM stream s),
        tagged AS (
          SELECT CASE WHEN event = 'page_view' THEN page ELSE COALESCE(page, viewed_page) END AS pg,
                 CASE WHEN event_day >= :mid THEN 1 ELSE 0 END AS this_week,
                 event, user_id, duration_s, view_no, views
          FROM located)
        SELECT pg AS page, this_week,
               SUM(CASE WHEN event = 'page_view' THEN 1 ELSE 0 END) AS page_views,
               COUNT(DISTINCT CASE WHEN event = 'page_view' THEN user_id END) AS visitors,
               AVG(CASE WHEN event = 'page_view' THEN duration_s END) AS avg_time,
               SUM(CASE WHEN event = 'page_view' AND view_no = 1 THEN 1 ELSE 0 END) AS entries,
               SUM(CASE WHEN event = 'page_view' AND view_no = views THEN 1 ELSE 0 END) AS exits,
               SUM(CASE WHEN event = 'share' THEN 1 ELSE 0 END) AS shares
        FROM tagged WHERE pg IS NOT NULL GROUP BY pg, this_week""",
                     {"lo": lo, "hi": hi, "mid": mid})
    numeric = ["page_views", "visitors", "avg_time", "entries", "exits", "shares"]
    frame[numeric] = frame[numeric].astype("float64")
    this = frame[frame["this_week"] == 1].drop(columns="this_week").set_index("page")
    before = frame[frame["this_week"] == 0].drop(columns="this_week").set_index("page")
    out = this.join(before[["page_views", "exits"]].add_suffix("_prev"), how="left")
    out = out[out["page_views"] > 0].reset_index()
    out["entry_rate"] = divide(out["entries"], out["page_views"])
    out["exit_rate"] = divide(out["exits"], out["page_views"])
    out["exit_rate_prev"] = divide(out["exits_prev"], out["page_views_prev"])
    out["exit_change"] = out["exit_rate"] - out["exit_rate_prev"]
    out["shares_per_100"] = 100 * divide(out["shares"], out["page_views"])
    out["exit_p"] = two_proportion_p_value(out["exits"], out["page_views"],
                                           out["exits_prev"].fillna(0),
                                           out["page_views_prev"].fillna(0), "larger")
    out["exit_jump"] = out["exit_change"].ge(jump) & out["exit_p"].lt(EXIT_JUMP_P_VALUE)
    return out.sort_values(["page_views", "page"], ascending=[False, True], ignore_index=True)
