"""Issue 14, item 3: the weekly summary judges each KPI against its target and the forecast made
before the week, names the calendar events and campaigns of both weeks, and never colours a KPI
on week on week alone after a week that held 双11."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core.periods import Period
from helpers.render.text import Text
from helpers.weekly import context, judgement
from helpers.weekly.expected import COLUMNS, Expected, expected_week, forecast_file, input_files, read_forecast

W47 = Period.parse("2026-W47")  # 16-22 Nov 2026: the week after 双11
METRICS = {"active_users": 13000, "active_users_wow": -0.1, "new_users": 1500, "new_users_wow": -0.14,
           "orders": 1800, "orders_wow": -0.2, "gmv": 150000.0, "gmv_wow": -0.25}
KEYS = ["active_users", "new_users", "orders", "gmv"]


def forecast_rows(period: Period, daily: dict[str, tuple[float, float, float]], days: int = 7) -> str:
    lines = [",".join(COLUMNS)]
    for i in range(days):
        d = date.fromordinal(period.start.toordinal() + i)
        for metric, (yhat, lo, hi) in daily.items():
            lines.append(f"{d.isoformat()},{metric},structural,{yhat},{lo},{hi},{lo * 0.9},{hi * 1.1}")
    return "\n".join(lines) + "\n"


def test_the_week_after_double_11_names_it_and_is_not_red_on_week_on_week_alone():
    events = context.calendar_events(W47)
    keys = {e.key for e in events if e.week == "previous"}
    assert {"festival_double_11", "presale_double_11"} <= keys
    assert not [e for e in events if e.week == "this"]
    items = judgement.statuses(METRICS, KEYS, {}, {})
    # Every KPI fell week on week; with no forecast and no target that judges nothing after 双11.
    assert [i.tone(eventful=bool(events)) for i in items] == ["flat"] * 4
    assert [i.tone(eventful=False) for i in items] == ["bad"] * 4
    for language, word in (("zh", "双11"), ("en", "Double 11")):
        sentence = judgement.verdict(items, events, Text(language))
        assert word in sentence
    assert judgement.verdict(items, events, Text("en")).startswith("Last week held")


def test_forecast_range_from_the_previous_weeks_forecast_csv(tmp_path):
    (tmp_path / "2026-W46").mkdir()
    daily = {"daily_gmv": (20000.0, 18000.0, 23000.0), "daily_orders": (250.0, 220.0, 280.0),
             "daily_active_users": (2000.0, 1900.0, 2100.0)}
    forecast_file(tmp_path, W47).write_text(forecast_rows(W47, daily), encoding="utf-8")
    assert input_files(None, tmp_path, W47) == [tmp_path / "2026-W46" / "forecast.csv"]
    expected = expected_week(read_forecast(forecast_file(tmp_path, W47)), W47, "2026-W46")
    # Summed over the seven days; active users (distinct over the week) have no forecast.
    assert set(expected) == {"gmv", "orders"}
    assert expected["gmv"] == Expected(140000.0, 126000.0, 161000.0, "2026-W46")
    items = judgement.statuses(METRICS, KEYS, {}, expected)
    by_key = {i.key: i for i in items}
    assert by_key["gmv"].forecast_status == "within" and by_key["gmv"].tone(True) == "flat"
    assert by_key["orders"].forecast_status == "within"  # 1800 in 1540..1960
    assert by_key["active_users"].forecast_status is None
    en = judgement.verdict(items, context.calendar_events(W47), Text("en"))
    assert "Paid orders, GMV within the forecast range" in en
    low = judgement.statuses(METRICS | {"gmv": 100000.0}, KEYS, {}, expected)
    assert low[3].forecast_status == "below" and low[3].tone(True) == "bad"


def test_a_forecast_that_misses_days_or_has_another_layout_is_not_used(tmp_path):
    (tmp_path / "2026-W46").mkdir()
    path = forecast_file(tmp_path, W47)
    path.write_text(forecast_rows(W47, {"daily_gmv": (1.0, 0.5, 2.0)}, days=5), encoding="utf-8")
    assert expected_week(read_forecast(path), W47, "2026-W46") == {}
    path.write_text("date,metric,value\n2026-11-16,daily_gmv,3\n", encoding="utf-8")
    assert read_forecast(path) is None
    assert read_forecast(tmp_path / "nowhere.csv") is None


@pytest.mark.parametrize(("value", "status", "tone"), [
    (160000.0, "met", "good"), (152000.0, "at_risk", "flat"), (120000.0, "missed", "bad")])
def test_target_status_icon_word_and_alert(value, status, tone):
    item = judgement.KpiStatus("gmv", value, 0.1, 158000.0 if status == "at_risk" else 150000.0)
    assert item.target_status == status and item.tone(eventful=True) == tone
    alerts = judgement.target_alerts([item], Text("zh"))
    assert [a["status"] for a in alerts] == ([] if status == "met" else [status])
    assert judgement.published([item], [])["kpi_status"][0]["target_status"] == status


@given(st.floats(0, 1e7), st.floats(1, 1e7), st.floats(-0.9, 5))
def test_statuses_are_always_one_of_their_words(value, target, wow):
    item = judgement.KpiStatus("orders", value, wow, target, Expected(target, target * 0.8, target * 1.2, "W"))
    assert item.target_status in {"met", "at_risk", "missed"}
    assert item.forecast_status in {"within", "above", "below"}
    assert item.tone(eventful=False) in {"good", "bad", "flat"}


def test_campaigns_of_both_weeks_come_from_the_warehouse(tiny_wh):
    period = Period.containing(tiny_wh.last_date).previous
    events = context.campaign_events(tiny_wh, period)
    for e in events:
        week = period if e.week == "this" else period.previous
        assert e.kind == "campaign" and week.start <= e.start <= e.end <= week.end
    lines = context.lines(context.week_events(tiny_wh, period), Text("zh"))
    assert all(line.endswith("。") for line in lines)
