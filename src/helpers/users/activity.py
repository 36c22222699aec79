"""Activity: DAU, rolling WAU/MAU, stickiness, sessions and the hour-by-weekday heatmap."""

from __future__ import annotations

import pandas as pd

from helpers.core.sessions import sessions_sql, uses_session_ids
from helpers.core.warehouse import Warehouse, day_to_date

# The registry metrics of `session_stats`, as the report compares them week on week.
SESSION_KEYS = ("sessions", "opens_per_user", "session_seconds", "pages_per_session", "bounce_rate")


def daily_active(wh: Warehouse, first_day: int, last_day: int) -> pd.DataFrame:
    """Per day: DAU, WAU and MAU as rolling 7- and 30-day distinct users ending that day,
    and stickiness DAU/MAU. Windows reaching before the data's first day are incomplete and
    left missing; the query reads 29 days before `first_day`, so a chart's first days still
    get complete windows whenever the data has them.

    Each active (user, day) counts the user on the days from it up to the window's length or the
    user's next active day, whichever comes first: these spans never overlap, so a running sum of
    their starts and ends gives the distinct users of every window in one pass over the user-days
    (a join of each day with its 30 days' user-days made 30 rows of each)."""
    running = "OVER (ORDER BY d.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    frame = wh.query(f"""
        WITH ud AS (SELECT DISTINCT user_id, event_day FROM events
                    WHERE event_day BETWEEN :lo - 29 AND :hi),
             nx AS (SELECT event_day, COALESCE(LEAD(event_day) OVER (PARTITION BY user_id ORDER BY event_day),
                                               event_day + 30) AS next_day
                    FROM ud),
             edges AS (SELECT event_day AS day, 1 AS dau, 1 AS wau, 1 AS mau FROM nx
                       UNION ALL SELECT event_day + 1, -1, 0, 0 FROM nx
                       UNION ALL SELECT LEAST(event_day + 7, next_day), 0, -1, 0 FROM nx
                       UNION ALL SELECT LEAST(event_day + 30, next_day), 0, 0, -1 FROM nx),
             deltas AS (SELECT day, SUM(dau) AS dau, SUM(wau) AS wau, SUM(mau) AS mau
                        FROM edges GROUP BY day),
             totals AS (SELECT d.day,
                               SUM(COALESCE(c.dau, 0)) {running} AS dau,
                               SUM(COALESCE(c.wau, 0)) {running} AS wau,
                               SUM(COALESCE(c.mau, 0)) {running} AS mau
                        FROM days d LEFT JOIN deltas c ON c.day = d.day
                        WHERE d.day BETWEEN :lo - 29 AND :hi)
        SELECT day, CAST(dau AS BIGINT) AS dau, CAST(wau AS BIGINT) AS wau, CAST(mau AS BIGINT) AS mau
        FROM totals WHERE day BETWEEN :lo AND :hi ORDER BY day""", {"lo": first_day, "hi": last_day})
    full = frame.astype({"dau": "float64"})
    data_start = wh.meta["first_day"]
    full["wau"] = full["wau"].astype("float64").where(full["day"] - 6 >= data_start)
    full["mau"] = full["mau"].astype("float64").where(full["day"] - 29 >= data_start)
    full["stickiness"] = full["dau"] / full["mau"]
    full.insert(0, "date", [day_to_date(d) for d in full["day"]])
    return full


def distinct_active(wh: Warehouse, first_day: int, last_day: int) -> int:
    """Distinct users with any event in [first_day, last_day]."""
    return int(wh.scalar("SELECT COUNT(DISTINCT user_id) FROM events "
                         "WHERE event_day BETWEEN :lo AND :hi", {"lo": first_day, "hi": last_day}) or 0)


def session_stats(wh: Warehouse, first_day: int, last_day: int, by_day: bool = False,
                  use_session_id: bool | None = None) -> pd.DataFrame:
    """Sessions (tracked session ids, else cut at 30 minutes of inactivity) in the range.

    Columns: [day,] sessions, users, opens_per_user, session_seconds (mean time from a session's
    first to its last event), pages_per_session (page views), bounce_rate (share of sessions
    with page views that have exactly one).
    """
    if use_session_id is None:
        use_session_id = uses_session_ids(wh, first_day, last_day)
    group = "day," if by_day else ""
    frame = wh.query(f"""
        SELECT {group}
               COUNT(*) AS sessions,
               COUNT(DISTINCT user_id) AS users,
               AVG(end_sec - start_sec) AS session_seconds,
               AVG(pages) AS pages_per_session,
               SUM(CASE WHEN pages = 1 THEN 1 ELSE 0 END) AS single_page,
               SUM(CASE WHEN pages >= 1 THEN 1 ELSE 0 END) AS with_pages
        FROM ({sessions_sql(use_session_id)}) s
        {"GROUP BY day ORDER BY day" if by_day else ""}""", {"lo": first_day, "hi": last_day})
    frame["opens_per_user"] = frame["sessions"] / frame["users"]
    frame["bounce_rate"] = frame["single_page"] / frame["with_pages"].where(frame["with_pages"] > 0)
    if by_day:
        frame.insert(0, "date", [day_to_date(d) for d in frame.pop("day")])
    return frame.drop(columns=["single_page", "with_pages"])


def hour_weekday(wh: Warehouse, first_day: int, last_day: int) -> pd.DataFrame:
    """Mean distinct active users per hour of the day (rows 0-23) and weekday (columns 0 = Monday)
    over the range's weeks."""
    frame = wh.query("""
        SELECT weekday, hour, COUNT(*) AS user_days
        FROM (SELECT DISTINCT user_id, event_day, (event_day + 3) % 7 AS weekday,
                     CAST(FLOOR((event_sec % 86400) / 3600) AS INTEGER) AS hour
              FROM events WHERE event_day BETWEEN :lo AND :hi) u
        GROUP BY weekday, hour""", {"lo": first_day, "hi": last_day})
    days_per_weekday = pd.Series([(d + 3) % 7 for d in range(first_day, last_day + 1)]).value_counts()
    grid = frame.pivot(index="hour", columns="weekday", values="user_days")
    grid = grid.reindex(index=range(24), columns=range(7)).fillna(0.0)
    return grid / days_per_weekday.reindex(range(7)).to_numpy()[None, :]
