"""One definition of a session for every report: the tracked `events.session_id` when every event
of the days looked at carries one, else a user's run of events without a 30-minute gap (WeChat's
rule). A source that tracks ids only for some events would otherwise merge the untracked visits
of a user into one session.

The SQL reads the events of days `:lo` to `:hi` (parameters of the query it is put into).
"""

from __future__ import annotations

from collections.abc import Sequence

from helpers.core.warehouse import Warehouse

SESSION_GAP_S = 30 * 60  # a new session starts after 30 minutes without events (WeChat's rule)
EVENT_COLUMNS = ("user_id", "event_day", "event_sec", "event")


def uses_session_ids(wh: Warehouse, first_day: int, last_day: int) -> bool:
    """Tracked session ids are used when every event of the range has one."""
    if not wh.has("events", "session_id"):
        return False
    missing = wh.scalar("SELECT COUNT(*) FROM events WHERE event_day BETWEEN :lo AND :hi "
                        "AND session_id IS NULL", {"lo": first_day, "hi": last_day})
    return not missing


def session_events_sql(use_session_id: bool, columns: Sequence[str] = EVENT_COLUMNS) -> str:
    """The events of days :lo to :hi, each with `columns` and `sid`, its session's key within its
    user (a session is identified by user_id and sid together). Without tracked ids, events with
    the same timestamp fall in the same session."""
    cols = ", ".join(dict.fromkeys(["user_id", "event_sec", *columns]))
    if use_session_id:
        return f"SELECT {cols}, session_id AS sid FROM events WHERE event_day BETWEEN :lo AND :hi"
    return f"""
        WITH gaps AS (
            SELECT {cols},
                   CASE WHEN event_sec - LAG(event_sec) OVER (PARTITION BY user_id ORDER BY event_sec)
                             <= {SESSION_GAP_S} THEN 0 ELSE 1 END AS starts
            FROM events WHERE event_day BETWEEN :lo AND :hi)
        -- the default RANGE frame gives events with the same timestamp the same session
        SELECT {cols}, SUM(starts) OVER (PARTITION BY user_id ORDER BY event_sec) AS sid
        FROM gaps"""


def sessions_sql(use_session_id: bool) -> str:
    """One row per session of days :lo to :hi: user_id, sid, day (of its first event), start_sec,
    end_sec and pages (its page_view events)."""
    return f"""
        SELECT user_id, sid, MIN(event_day) AS day, MIN(event_sec) AS start_sec,
               MAX(event_sec) AS end_sec,
               SUM(CASE WHEN event = 'page_view' THEN 1 ELSE 0 END) AS pages
        FROM ({session_events_sql(use_session_id)}) e
        GROUP BY user_id, sid"""
