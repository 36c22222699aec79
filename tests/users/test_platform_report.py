"""The user-analysis notebook on WeChat's statistics: platform-only data gives a report with the
sections on WeChat's numbers and the JSON of report-outputs.md's additions; each section degrades
on its own; mixed data (own tracking and WeChat's numbers) keeps every own-tracking number and
section as it is without WeChat's tables and adds the reconciliation."""

from __future__ import annotations

import html

import pytest

from helpers.render.text import Text
from users import wechat_data as wd
from users.notebook import run_notebook

from conftest import write_source

ORDERS = [{"order_id": "o1", "user_id": "u1", "paid_at": "2026-11-17 10:00:00", "amount": 100},
          {"order_id": "o2", "user_id": "u1", "paid_at": "2026-11-18 10:00:00", "amount": 50},
          {"order_id": "o3", "user_id": "u2", "paid_at": "2026-11-19 10:00:00", "amount": 30},
          {"order_id": "o0", "user_id": "u1", "paid_at": "2026-11-10 10:00:00", "amount": 10}]
OWN_TRACKING = {"users", "events"}


def _run(tmp_path, tables, language="en"):
    return run_notebook(write_source(tmp_path / "data", tables), tmp_path / "out", period="2026-W47",
                        language=language)


def _headings(run, language="en") -> list[str]:
    """The section headings shown (each followed by its anchor mark), up to the notes."""
    found = [line.split(" ¶")[0].strip() for line in html.unescape(run.text).split("\n") if " ¶" in line]
    return found[: found.index(Text(language)("notes")) + 1]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_platform_only_report(tmp_path, language):
    run = _run(tmp_path, {**wd.platform_tables(), "orders": ORDERS}, language)
    metrics = run.payload["metrics"]
    assert (metrics["wau"], metrics["new_users"], metrics["dau_mean"]) == (600, 91, 130)
    assert metrics["buyers"] == 2 and metrics["aov"] == pytest.approx(60)
    needs_events = {"mau", "stickiness", "retention_d1", "retention_d7", "retention_d30", "referral_share",
                    "funnel_conversion", "churn_rate", "follower_activity", "retention_d1_latest",
                    "retention_d7_latest_cohort", "tracking_gap_days", "tracking_gap_typical"}
    assert all(metrics[k] is None for k in needs_events)
    assert run.payload["definitions"]["wau"].startswith("WeChat's visit_uv of the ISO week")
    assert not run.unreadable()
    tx = Text(language)
    assert _headings(run, language) == [tx(s) for s in (
        "ua_wx_section_visits", "ua_wx_section_retention", "ua_wx_section_portrait", "ua_wx_section_sources",
        "ua_wx_section_distribution", "ua_wx_section_pages", "ua_section_value", "ua_wx_section_own_tracking",
        "notes")]  # the event-based sections are said in one line each under "needs own tracking"
    reasons = [s["reason"] for s in run.skipped]
    assert len([r for r in reasons if tx("ua_own_funnel") in r]) == 1
    assert any(tx("ua_own_value") in r for r in reasons)  # the buyers are shown, RFM and CLV are not
    assert tx("ua_wx_portrait", date=wd.WEEK.end, gender="男", gender_share=0.6, age="18-24岁", age_share=0.7,
              city="广州", city_share=0.8) in html.unescape(run.text)  # 女 and 未知 of new visitors: hidden


def test_each_platform_section_degrades_on_its_own(tmp_path):
    run = _run(tmp_path, {"mp_visits": wd.visits(), "mp_portrait": wd.portrait(end="2026-11-15")})
    assert run.payload["metrics"]["wau"] == 600
    tx = Text("en")
    reasons = " ".join(s["reason"] for s in run.skipped)
    for table in ("mp_retention", "mp_sources", "mp_distribution", "mp_pages"):
        assert f"the {table} table" in reasons
    assert tx("ua_wx_why_no_portrait", date=wd.WEEK.end) in reasons  # a portrait of another week only
    assert tx("ua_wx_section_visits") in _headings(run) and not run.unreadable()


def test_official_account_data_only_gives_a_report_without_numbers(tmp_path):
    followers = [{"date": wd.day(wd.MON, i), "source": "0", "new_followers": 5, "unfollows": 1} for i in range(7)]
    run = _run(tmp_path, {"followers": followers})
    assert all(v is None for v in run.payload["metrics"].values())
    assert "the mp_visits table" in " ".join(s["reason"] for s in run.skipped)
    assert not run.unreadable()


def test_mixed_data_keeps_every_own_number_and_section_and_adds_the_reconciliation(tmp_path):
    tables = wd.mixed_tables()
    mixed = _run(tmp_path / "mixed", tables)
    own = _run(tmp_path / "own", {k: v for k, v in tables.items() if k in OWN_TRACKING})
    extra = {"tracking_gap_days", "tracking_gap_typical"}
    assert {k: v for k, v in mixed.payload["metrics"].items() if k not in extra} == {
        k: v for k, v in own.payload["metrics"].items() if k not in extra}
    assert mixed.payload["metrics"]["tracking_gap_days"] == ["2026-11-18", "2026-11-19", "2026-11-20"]
    assert own.payload["metrics"]["tracking_gap_days"] is None
    heading = Text("en")("ua_section_reconcile")
    assert heading not in _headings(own) and _headings(mixed) == [*_headings(own)[:-1], heading, "Notes"]
    at = next(i for i, t in enumerate(mixed.texts) if heading in html.unescape(t))
    notes = next(i for i, t in enumerate(own.texts) if "Notes ¶" in t)
    # the header (its generated-at time) aside, the same report up to the reconciliation
    assert mixed.texts[1:at] == own.texts[1:notes]
    after = html.unescape("\n".join(mixed.texts[at:]))
    assert "18 Nov (active users low, likely tracking loss)" in after
    assert [a["kind"] for a in mixed.payload["summary"]["alerts"]] == ["tracking_gap"]
    assert mixed.payload["summary"]["sections_skipped"] == own.payload["summary"]["sections_skipped"]
    assert not mixed.unreadable()


def test_mixed_data_without_wechats_pages_reconciles_the_days_only(tmp_path):
    tables = wd.mixed_tables()
    events = [{k: v for k, v in e.items() if k != "page"} for e in tables["events"]]  # no page column either
    run = _run(tmp_path, {"users": tables["users"], "events": events, "mp_visits": tables["mp_visits"]})
    assert run.payload["metrics"]["tracking_gap_days"] == ["2026-11-18", "2026-11-19", "2026-11-20"]
    assert Text("en")("ua_rc_pages_intro") not in html.unescape(run.text) and not run.unreadable()
