"""The test datasets (tests/datasets.py) are what they claim: valid, with a complete week to report
on, and each named shape has its degenerate feature."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from datasets import SHAPES, datasets, latest_week, merged_shape, named_shape, open_warehouse
from helpers.core import contract
from helpers.core.warehouse import day_number

FEATURES = {  # shape -> a query that is true when the warehouse has the shape's feature
    "one_user": "select count(*) = 1 from users",
    "one_day": "select count(distinct event_day) = 1 from events where user_id <> 'u0000'",
    "one_week": "select max(event_day) - min(event_day) = 9 and dayofweek(min(event_time)) = 5 from events",
    "exactly_one_week": "select max(event_day) - min(event_day) = 6 and isodow(min(event_time)) = 1 from events",
    "no_new_users_in_report_week": "select count(*) = 0 from users where first_seen_day >= :week_start",
    "same_first_seen_day": "select count(distinct first_seen_day) = 1 from users",
    "users_older_than_events": "select (select max(first_seen_at) from users) < (select min(event_time) from events)",
    "single_event_type": "select count(distinct event) = 1 from events",
    "some_session_id": "select count(session_id) between 1 and count(*) - 1 from events",
    "monthly_events": "select min(gap) >= 30 from (select event_day - lag(event_day) over (partition by user_id "
                      "order by event_day) as gap from events where user_id <> 'u0000') where gap is not null",
    "single_channel": "select count(distinct channel) = 1 and count(channel) = count(*) from users",
    "only_refunded_orders": "select count(*) > 0 and bool_and(status = 'refunded') from orders",
    "heavy_skew": "select max(n) * 2 >= sum(n) from (select count(*) as n from events group by user_id)",
    "minimal_tracking": "select count(distinct first_seen_day) = 1 and count(distinct event) = 1 "
                        "and max(event_day) - min(event_day) = 729 from users, events",
    "retail_log": "select count(*) filter (where n > 0) * 6 < count(*) from (select d.week, count(u.user_id) as n "
                  "from (select distinct (day - 4) // 7 as week from days where day between "
                  "(select min(event_day) from events) and (select max(event_day) from events)) d "
                  "left join users u on (u.first_seen_day - 4) // 7 = d.week group by d.week)",
}
ABSENT = {"no_session_id": [("events", "session_id")], "no_orders": [("orders",)],
          "minimal_tracking": [("events", "session_id"), ("events", "page"), ("users", "channel")],
          "sample_without_orders": [("orders",)]}


@pytest.mark.parametrize("name", SHAPES)
def test_each_named_shape_is_valid_reportable_and_has_its_feature(name):
    with open_warehouse(named_shape(name)) as wh:
        week = latest_week(wh)
        assert str(week) == "2026-W47" and wh.last_date.isoformat() <= "2026-12-02"
        if name in FEATURES:
            assert wh.scalar(FEATURES[name], {"week_start": day_number(week.start)}), name
        for table, *column in ABSENT.get(name, []):
            assert not wh.has(table, *column), (name, table, column)
        if name == "empty_optional_tables":
            assert sorted(n for n, rows in wh.meta["tables"].items() if rows == 0) == sorted([
                "article_stats", "articles", "assignments", "campaigns", "followers", "merchants", "orders", "spend",
                *contract.WECHAT_TABLES])
        if name != "sample_without_orders":  # the sample plants a few events before first_seen_at
            assert wh.quality().empty, name  # only the features asked for, no stray problems


def test_merged_shapes_have_every_feature_and_refuse_contradictions():
    with open_warehouse(merged_shape("single_event_type", "single_channel", "only_refunded_orders")) as wh:
        for name in ("single_event_type", "single_channel", "only_refunded_orders"):
            assert wh.scalar(FEATURES[name]), name
    with pytest.raises(ValueError, match="contradicts"):
        merged_shape("one_day", "one_week")


def test_csv_and_parquet_give_the_same_warehouse():
    tables = named_shape("some_session_id")
    counts = []
    for fmt in ("parquet", "csv"):
        with open_warehouse(tables, fmt) as wh:
            counts.append(wh.query("select count(*), count(session_id), sum(epoch(event_time)) from events")
                          .iloc[0].tolist())
    assert counts[0] == counts[1]


@settings(derandomize=True, max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables=datasets())
def test_generated_datasets_are_valid_small_and_reportable(tables):
    assert len(tables["users"]) <= 60
    with open_warehouse(tables) as wh:
        latest_week(wh)
        assert (wh.last_date - wh.first_date).days < 120
        assert wh.quality().empty
