"""Mini-program pages against a walk through each session, and significant exit-rate jumps."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from content.account import W47, account_tables
from helpers.content.pages import page_stats
from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, build_warehouse

from conftest import write_source


def python_pages(events: list[dict], period: Period, gap_sessions: bool) -> pd.DataFrame:
    """Per page of the period by walking each session in time order."""
    ev = pd.DataFrame([e for e in events if e["event"] in ("page_view", "share")])
    ev["t"] = pd.to_datetime(ev["event_time"])
    ev = ev[ev.t.dt.date.between(period.previous.start, period.end)]
    ev = ev.sort_values(["user_id", "t", "event"], kind="stable")
    if gap_sessions:  # sessions from 30-minute gaps, over all of the user's events
        every = pd.DataFrame(events)
        every["t"] = pd.to_datetime(every["event_time"])
        every = every.sort_values(["user_id", "t"])
        new = every.groupby("user_id").t.diff().isna() | (every.groupby("user_id").t.diff()
                                                          > pd.Timedelta(minutes=30))
        every["session"] = every.user_id + "#" + new.groupby(every.user_id).cumsum().astype(str)
        ev = ev.merge(every[["user_id", "t", "event", "session"]].drop_duplicates(),
                      on=["user_id", "t", "event"])
    else:
        ev["session"] = ev["session_id"]
    rows = []
    for _, s in ev.groupby("session"):
        views = s[s.event == "page_view"]
        current = None
        for _, e in s.iterrows():
            if e.event == "page_view":
                current = e.page
                n = list(views.index).index(e.name)
                rows.append({"page": e.page, "t": e.t, "user": e.user_id, "view": 1,
                             "entry": n == 0, "exit": n == len(views) - 1, "share": 0,
                             "duration": e.duration_s})
            else:
                page = e.page if isinstance(e.page, str) else current
                if page:
                    rows.append({"page": page, "t": e.t, "user": None, "view": 0, "entry": False,
                                 "exit": False, "share": 1, "duration": np.nan})
    r = pd.DataFrame(rows)
    r = r[r.t.dt.date >= period.start]
    views = r[r.view == 1]
    out = views.groupby("page").agg(page_views=("view", "sum"), visitors=("user", "nunique"),
                                    avg_time=("duration", "mean"), entries=("entry", "sum"),
                                    exits=("exit", "sum"))
    out["shares"] = r.groupby("page").share.sum()
    return out


def test_pages_match_a_session_walk(account):
    """The account tracks session ids on its page events only: sessions are cut at 30 idle
    minutes for every event, as user_analysis cuts them (issue 12, item 7)."""
    tables, wh = account
    got = page_stats(wh, W47, 0.05).set_index("page")
    expected = python_pages(tables["events"], W47, gap_sessions=True)
    for column in ("page_views", "visitors", "entries", "exits", "shares"):
        assert got[column].to_dict() == expected[column].astype(float).to_dict(), column
    np.testing.assert_allclose(got.loc[expected.index, "avg_time"], expected["avg_time"])
    # By hand: p/product is viewed 5 times this week (s1, s2, s3 and twice in s4); s2, s3 and
    # s4 end there.
    assert got.at["p/product", "exit_rate"] == pytest.approx(3 / 5)
    assert got.at["p/index", "entry_rate"] == 1 and got.at["p/cart", "exit_rate"] == 1
    assert got.at["p/product", "shares"] == 1  # the share in s1 without a page
    # The week before: p/product ended no session of its 2 views.
    assert got.at["p/product", "exit_rate_prev"] == 0
    assert got.at["p/product", "exit_change"] == pytest.approx(0.6)


def test_pages_without_session_ids_cut_sessions_at_30_minutes(tmp_path):
    tables = account_tables()
    for e in tables["events"]:
        e.pop("session_id")
    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", tables)))
    assert not wh.has("events", "session_id")
    got = page_stats(wh, W47, 0.05).set_index("page")
    expected = python_pages(tables["events"], W47, gap_sessions=True)
    for column in ("page_views", "visitors", "entries", "exits", "shares"):
        assert got[column].to_dict() == expected[column].astype(float).to_dict(), column


def test_exit_rate_jump_needs_size_and_significance(tmp_path):
    tables = account_tables()
    events = [e | {"session_id": f"other-{i}"} for i, e in enumerate(tables["events"])
              if e["event"] != "page_view"]  # every event tracked: the ids define the sessions
    for week, exit_share in ((W47.previous, 0.2), (W47, 0.5)):
        for i in range(200):
            day = week.start + timedelta(days=i % 7)
            sid = f"{week.label}-{i}"
            exits = i < 200 * exit_share
            pages = ["p/list"] if exits else ["p/list", "p/detail"]
            for j, page in enumerate(pages):
                events.append({"user_id": f"u{1 + i % 5}", "event_time": f"{day} 10:{i % 60:02d}:{j:02d}",
                               "event": "page_view", "session_id": sid, "page": page,
                               "duration_s": None, "article_id": None})
    tables["events"] = events
    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", tables)))
    got = page_stats(wh, W47, 0.05).set_index("page")
    assert got.at["p/list", "exit_change"] == pytest.approx(0.3)
    assert bool(got.at["p/list", "exit_jump"]) and not bool(got.at["p/detail", "exit_jump"])
    assert not page_stats(wh, W47, 0.5).set_index("page").at["p/list", "exit_jump"]
