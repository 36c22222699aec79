"""forecasting on WeChat's statistics alone (issue 15): no users, no events. Active and new users
per day are WeChat's visitors and new visitors (mp_visits day rows, through `core.kpis.kpi_series`),
named and defined as such; orders, reads and net followers as with own tracking; anomalies, threshold
alerts, the unfollow alert and campaign names need no user-level data. Data: tests/content/platform.py."""

from __future__ import annotations

import math
from datetime import date

import pytest

from content.inprocess import missing_words, run_notebook
from content.platform import platform_tables, visitors
from datasets import open_warehouse
from helpers.core.periods import Period
from helpers.forecasting import series

W47 = Period.parse("2026-W47")
OUTAGE = "2026-11-19"  # a Thursday: WeChat counted 300 visitors instead of 1,007


def test_users_series_are_wechat_visitors_without_events():
    tables = platform_tables(reads=False)
    tables["mp_visits"] = [r for r in tables["mp_visits"] if (r["period"], r["date"]) != ("day", "2026-11-18")]
    with open_warehouse(tables, fmt="csv") as wh:
        got = series.daily_series(wh, W47, ["daily_active_users", "daily_new_users", "daily_orders"])
        assert set(got) == {"daily_active_users", "daily_new_users"}  # no orders table: skipped
        assert series.missing_table(wh, "daily_orders") == "orders"
        assert series.registry_key(wh, "daily_active_users") == "wechat_daily_visitors"
        active = got["daily_active_users"]
        assert active["2026-11-17"] == visitors(date(2026, 11, 17)) == 1007
        assert math.isnan(active["2026-11-18"])  # WeChat's missing day is missing, not 0
        assert got["daily_new_users"]["2026-11-21"] == 1314 // 5
    del tables["mp_visits"]  # an official account's statistics only
    with open_warehouse(tables, fmt="csv") as wh:
        assert series.missing_table(wh, "daily_active_users") == "mp_visits"
        assert series.daily_series(wh, W47, ["daily_active_users", "daily_net_followers"]).keys() == {
            "daily_net_followers"}


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    """The notebook once, English, on the platform-only source with orders and a campaign, visitors
    falling to 300 on Thursday of the report week, and a rule on daily active users below 500."""
    tables = platform_tables(campaigns=True, orders=True)
    for row in tables["mp_visits"]:
        if (row["period"], row["date"]) == ("day", OUTAGE):
            row["visitors"] = 300
    monkeypatch = pytest.MonkeyPatch()
    try:
        yield run_notebook("forecasting", tables, tmp_path_factory.mktemp("fc-wx"), monkeypatch, fmt="csv",
                           language="en", horizon_days=14, backtest_origins=2, models=["ets_damped"],
                           alerts=[{"metric": "daily_active_users", "below": 500},
                                   {"metric": "daily_unfollow_rate", "above": 0.005}])
    finally:
        monkeypatch.undo()


def test_platform_only_forecast_monitors_wechat_visitors(outage):
    doc = outage.doc
    assert missing_words(outage) == [] and outage.skipped == []
    m = doc["metrics"]
    assert [s["metric"] for s in m["series"]] == ["daily_active_users", "daily_new_users", "daily_orders",
                                                  "daily_gmv", "daily_reads", "daily_net_followers"]
    assert all(s["model"] for s in m["series"])
    assert "WeChat's visitors of the day" in doc["definitions"]["daily_active_users"]
    down = [a for a in m["anomalies"] if a["metric"] == "daily_active_users"]
    assert [(a["date"], a["actual"], a["direction"]) for a in down] == [(OUTAGE, 300, "down")]
    assert m["alerts"] == [{"metric": "daily_active_users", "date": OUTAGE, "value": 300.0, "threshold": 500.0,
                            "rule": "below"}]
    assert "Daily visitors (WeChat)" in outage.text and "Daily active users" not in outage.text
    assert "Double coupon" in outage.text.split("Monitoring")[1]  # the campaign names the anomaly's day
