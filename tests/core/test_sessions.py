"""One definition of a session (helpers.core.sessions), used by user_analysis (sessions, bounce)
and content_performance (page entry and exit rates): issue 12, item 7.

Repro: a source whose events carry `session_id` only for some users. User `b` has none and visits
the home page on two days; the old page statistics keyed sessions by COALESCE(session_id, user_id)
and merged b's two visits into one session: home entry rate 0.75 instead of 1.0."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.content.pages import page_stats
from helpers.core.periods import Period
from helpers.core.sessions import SESSION_GAP_S, session_events_sql, sessions_sql, uses_session_ids
from helpers.core.warehouse import Warehouse, build_warehouse, day_number
from helpers.users.activity import session_stats

from conftest import write_source

W47 = Period.parse("2026-W47")
LO, HI = day_number(W47.previous.start), day_number(W47.end)


def ev(user: str, ts: str, event: str = "page_view", page: str | None = None,
       sid: str | None = None) -> dict:
    return {"user_id": user, "event_time": ts, "event": event, "page": page, "session_id": sid}


def repro() -> dict[str, list[dict]]:
    events = [
        # a: tracked ids, one session a day, each starting on the home page
        ev("a", "2026-11-16 09:00:00", page="p/home", sid="a1"),
        ev("a", "2026-11-16 09:01:00", page="p/item", sid="a1"),
        ev("a", "2026-11-17 09:00:00", page="p/home", sid="a2"),
        # b: no ids; two visits to the home page on two days, and a launch 30 minutes before the
        # second (a gap of exactly 30 minutes continues the session)
        ev("b", "2026-11-18 10:00:00", page="p/home"),
        ev("b", "2026-11-18 10:05:00", page="p/item"),
        ev("b", "2026-11-19 19:30:00", event="launch"),
        ev("b", "2026-11-19 20:00:00", page="p/home"),
    ]
    users = [{"user_id": u, "first_seen_at": "2026-11-16 08:00:00"} for u in ("a", "b")]
    return {"users": users, "events": events}


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    warehouse = Warehouse(build_warehouse(write_source(tmp_path_factory.mktemp("sessions"), repro())))
    yield warehouse
    warehouse.close()


def pandas_sessions(events: list[dict], use_ids: bool) -> pd.Series:
    """Each event's session key, computed with pandas: (user, session_id), or (user, n) where n
    counts the user's gaps of more than 30 minutes."""
    ev_ = pd.DataFrame(events)
    ev_["t"] = pd.to_datetime(ev_["event_time"])
    ev_ = ev_.sort_values(["user_id", "t"], kind="stable")
    if use_ids:
        return ev_["user_id"] + "#" + ev_["session_id"].astype(str)
    gap = ev_.groupby("user_id")["t"].diff()
    new = gap.isna() | (gap > pd.Timedelta(seconds=SESSION_GAP_S))
    return ev_["user_id"] + "#" + new.groupby(ev_["user_id"]).cumsum().astype(str)


def test_partly_tracked_ids_fall_back_to_the_30_minute_rule_for_everyone(wh):
    assert wh.has("events", "session_id") and not uses_session_ids(wh, LO, HI)
    got = wh.query(f"SELECT user_id, event_sec, sid FROM ({session_events_sql(False)}) e "
                   "ORDER BY user_id, event_sec", {"lo": LO, "hi": HI})
    keys = got["user_id"] + "#" + got["sid"].astype(int).astype(str)
    expected = pandas_sessions(repro()["events"], use_ids=False)
    assert keys.tolist() == expected.tolist()
    # By hand: a's two days are two sessions, b's two days two more (the launch at 19:30 opens the
    # second; its 20:00 view is exactly 30 minutes later, the same session).
    assert keys.nunique() == 4


def test_home_entry_rate_counts_each_visit_as_a_session(wh):
    """By hand: home is viewed 4 times (a on 16th and 17th, b on 18th and 19th), each the first
    page view of its session: entry rate 4 / 4 = 1.0 (0.75 when b's visits were merged)."""
    got = page_stats(wh, W47, 0.05).set_index("page")
    assert got.at["p/home", "page_views"] == 4
    assert got.at["p/home", "entry_rate"] == pytest.approx(1.0)
    # Exits: a's 17th and b's 19th sessions end on home; p/item ends a's 16th and b's 18th.
    assert got.at["p/home", "exit_rate"] == pytest.approx(2 / 4)
    assert got.at["p/item", "exit_rate"] == pytest.approx(1.0)


def test_user_analysis_and_pages_count_the_same_sessions(wh):
    """session_stats (user_analysis) and the page statistics rest on the same sessions: the entry
    views of the pages add up to the sessions with a page view."""
    sessions = session_stats(wh, day_number(W47.start), HI).iloc[0]
    assert sessions["sessions"] == 4
    pages = page_stats(wh, W47, 0.05)
    assert pages["entries"].sum() == 4 and pages["exits"].sum() == 4


def test_tracked_ids_are_used_when_every_event_has_one(tmp_path):
    tables = repro()
    for i, e in enumerate(tables["events"]):
        e["session_id"] = e["session_id"] or ("b1" if i < 5 else "b2")
    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", tables)))
    try:
        assert uses_session_ids(wh, LO, HI)
        got = wh.query(f"SELECT user_id, sid, pages FROM ({sessions_sql(True)}) s ORDER BY user_id, sid",
                       {"lo": LO, "hi": HI})
        assert got.values.tolist() == [["a", "a1", 2], ["a", "a2", 1], ["b", "b1", 2], ["b", "b2", 1]]
        expected = pandas_sessions(tables["events"], use_ids=True)
        assert got["user_id"].add("#").add(got["sid"]).tolist() == sorted(expected.unique())
    finally:
        wh.close()
