"""Activity (DAU/WAU/MAU, sessions, the hour-by-weekday grid) and growth (new users by channel and
access source) against the plain-Python reference."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.core.warehouse import day_number
from helpers.render.text import Text
from helpers.users import activity, growth
from users import reference as ref
from users.shops import load, span


def test_daily_active_users_with_rolling_windows(shop):
    data, wh = shop
    first, last = span(wh)
    got = activity.daily_active(wh, first, last)
    expected = ref.daily_active(data, first, last)
    for row, (dau, wau, mau) in zip(got.itertuples(), expected, strict=True):
        assert row.dau == dau
        assert (math.isnan(row.wau) and math.isnan(wau)) or row.wau == wau
        assert (math.isnan(row.mau) and math.isnan(mau)) or row.mau == mau


@pytest.mark.parametrize("use_ids", [False, True])
def test_sessions_by_id_or_30_minute_gap(tmp_path, use_ids):
    data = ref.random_shop(7, n_users=25, with_session_ids=use_ids)
    wh = load(tmp_path, data)
    first, last = span(wh)
    assert activity.uses_session_ids(wh, first, last) is use_ids
    got = activity.session_stats(wh, first + 7, last).iloc[0]
    expected = ref.sessions(data, first + 7, last, use_ids)
    for key, value_ in expected.items():
        assert got[key] == pytest.approx(value_), key


def test_thirty_minute_rule_boundaries(tmp_path):
    """A gap of exactly 30 minutes continues a session; 30 minutes and 1 second starts a new one."""
    events = [("2026-11-16 10:00:00", "launch"), ("2026-11-16 10:30:00", "page_view"),
              ("2026-11-16 11:00:01", "page_view"), ("2026-11-16 11:00:02", "page_view")]
    data = {"users": [{"user_id": "a", "first_seen_at": "2026-11-16 10:00:00"}],
            "events": [{"user_id": "a", "event_time": t, "event": e} for t, e in events]}
    wh = load(tmp_path, data)
    got = activity.session_stats(wh, span(wh)[0], span(wh)[1]).iloc[0]
    assert got.sessions == 2 and got.pages_per_session == 1.5 and got.bounce_rate == 0.5
    assert got.session_seconds == pytest.approx((1800 + 1) / 2)


def test_hour_weekday_means_over_the_weeks(tmp_path):
    events = ["2026-11-16 09:10:00", "2026-11-16 09:50:00", "2026-11-23 09:05:00", "2026-11-22 23:59:00"]
    data = {"users": [{"user_id": "a", "first_seen_at": "2026-11-16 09:00:00"},
                      {"user_id": "b", "first_seen_at": "2026-11-16 09:00:00"}],
            "events": [{"user_id": "a", "event_time": t, "event": "launch"} for t in events]
            + [{"user_id": "b", "event_time": "2026-11-16 09:30:00", "event": "launch"}]}
    wh = load(tmp_path, data)
    grid = activity.hour_weekday(wh, day_number(pd.Timestamp("2026-11-16").date()),
                                 day_number(pd.Timestamp("2026-11-29").date()))
    assert grid.loc[9, 0] == pytest.approx((2 + 1) / 2)  # two Mondays: {a, b} then {a}
    assert grid.loc[23, 6] == pytest.approx(1 / 2)
    assert grid.to_numpy().sum() == pytest.approx(2.0)


def test_new_users_by_channel_and_access_source(tmp_path):
    data = {"users": [
        {"user_id": "a", "first_seen_at": "2026-11-16 10:00:00", "channel": "search", "scene": 1089},
        {"user_id": "b", "first_seen_at": "2026-11-17 10:00:00", "channel": "search", "scene": 1121},
        {"user_id": "c", "first_seen_at": "2026-11-23 10:00:00", "channel": None, "scene": 9999}],
        "events": [{"user_id": "a", "event_time": "2026-11-16 10:00:00", "event": "launch"},
                   {"user_id": "c", "event_time": "2026-11-29 10:00:00", "event": "launch"}]}
    wh = load(tmp_path, data)
    first, last = span(wh)
    weekly = growth.new_users(wh, first, last, "week", "channel")
    assert weekly.to_dict("records") == [
        {"start": pd.Timestamp("2026-11-16").date(), "key": "search", "new_users": 2},
        {"start": pd.Timestamp("2026-11-23").date(), "key": "unknown", "new_users": 1}]
    sources = growth.new_users(wh, first, last, "week", "source", Text("zh"))
    assert set(zip(sources["key"], sources["new_users"], strict=True)) == {
        ("任务栏-最近使用", 1), ("企业微信", 1), ("其他", 1)}
    assert growth.new_users(wh, first, last)["new_users"].sum() == 3


def test_wide_keeps_the_top_channels_and_sums_the_rest():
    long = pd.DataFrame({"start": [1, 1, 1, 1], "key": ["a", "b", "other", "c"], "new_users": [5, 4, 3, 2]})
    wide = growth.wide(long, top=2)
    assert list(wide.columns) == ["a", "b", "other"] and wide["other"].iloc[0] == 5
