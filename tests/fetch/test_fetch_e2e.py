"""`wxreport fetch` end to end against the loopback server: complete tables for both sources, with
every fault of the issue, reruns that ask only for what is missing or not final, the not-ready
rules and the progress lines."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from fetch.checks import assert_complete_mp, assert_complete_oa, covered_days, mp_apis, raw_answers
from fetch.conftest import NOW, read_table, tables
from fetch.wechat_server import CHINA, MP, OA, RULES
from helpers.fetch.apis import APIS
from helpers.fetch.plan import Plan, Progress

MP_FIRST, MP_LAST = date(2026, 10, 1), date(2026, 11, 23)  # NOW's yesterday
OA_FIRST, OA_LAST = date(2025, 10, 27), date(2025, 11, 9)  # legacy and published-content days


def test_both_sources_give_complete_tables(wechat, fetch, tmp_path):
    mp = fetch("mini-program", MP_FIRST.isoformat(), None, tmp_path)
    assert mp.code == 0, mp.err
    oa = fetch("official-account", OA_FIRST.isoformat(), OA_LAST.isoformat(), tmp_path)
    assert oa.code == 0, oa.err
    assert not wechat.violations
    assert_complete_mp(tmp_path, MP_FIRST, MP_LAST)
    assert_complete_oa(tmp_path, OA_FIRST, OA_LAST)
    for api in RULES:
        first, last = (MP_FIRST, MP_LAST) if RULES[api][0] == MP else (OA_FIRST, OA_LAST)
        if RULES[api][1] == "days":
            limit = date(2025, 10, 31) if api in ("getarticletotal", "getuserread") else last
            start = date(2025, 11, 1) if api in ("getarticletotaldetail", "getbizsummary") else first
            assert covered_days(tmp_path, api) == {start + timedelta(days=i) for i in range((limit - start).days + 1)}
    assert "tables written in" in mp.out and "mp_visits.csv" in mp.out
    assert "followers.csv" in oa.out
    # the getusersummary requests were cut into spans of 7 days: 14 days = 2 requests
    assert len(wechat.data_calls("getusersummary")) == 2
    assert len(wechat.data_calls("getbizsummary")) == 1  # 9 days in one request (span 30)


def test_a_rerun_asks_only_for_answers_that_are_not_final(wechat, fetch, tmp_path):
    assert fetch("mini-program", MP_FIRST.isoformat(), None, tmp_path).code == 0
    before = len(wechat.calls)
    again = fetch("mini-program", MP_FIRST.isoformat(), None, tmp_path)
    assert again.code == 0
    asked = {(c.api, c.begin) for c in wechat.calls[before:]}
    # daily retention: the cohorts whose day 30 is not ready (from 10-25: 10-24 + 30 = 11-23 is); weekly: those whose
    # week 4 is not over (Mondays 10-26 .. 11-16); monthly: October (November's end not ready)
    expected = {("getweanalysisappiddailyretaininfo", date(2026, 10, 25) + timedelta(days=i)) for i in range(30)}
    expected |= {("getweanalysisappidweeklyretaininfo", date(2026, 10, 26) + timedelta(weeks=i)) for i in range(4)}
    expected |= {("getweanalysisappidmonthlyretaininfo", date(2026, 10, 1))}
    assert asked == expected
    assert "already fetched" in again.out


def test_a_past_range_is_fetched_once(wechat, fetch, tmp_path):
    assert fetch("official-account", "2025-10-01", "2025-10-20", tmp_path).code == 0
    before = len(wechat.calls)
    assert fetch("official-account", "2025-10-01", "2025-10-20", tmp_path).code == 0
    assert len(wechat.calls) == before


def test_later_runs_replace_answers_that_were_not_final(wechat, fetch, at, tmp_path):
    first = date(2026, 11, 16)
    assert fetch("mini-program", first.isoformat(), None, tmp_path).code == 0
    offsets = {row["offset"] for row in read_table(tmp_path, "mp_retention")
               if row["date"] == "2026-11-20" and row["period"] == "day" and row["cohort"] == "new"}
    assert offsets == {"0", "1", "2", "3"}  # 11-20 .. 11-23 observable on 11-24
    at(NOW + timedelta(days=40))
    assert fetch("mini-program", first.isoformat(), "2026-11-23", tmp_path).code == 0
    rows = read_table(tmp_path, "mp_retention")
    offsets = {row["offset"] for row in rows
               if row["date"] == "2026-11-20" and row["period"] == "day" and row["cohort"] == "new"}
    assert offsets == {str(k) for k in (0, 1, 2, 3, 4, 5, 6, 7, 14, 30)}
    assert_complete_mp(tmp_path, first, date(2026, 11, 23))
    assert not wechat.violations


def test_published_content_totals_are_asked_again_until_their_30_days_are_over(wechat, fetch, at, tmp_path):
    at(datetime(2025, 11, 12, 9, tzinfo=CHINA))  # ready: 2025-11-11
    assert fetch("official-account", "2025-11-01", None, tmp_path).code == 0
    stats = read_table(tmp_path, "article_stats")
    assert max(row["date"] for row in stats) == "2025-11-11"
    before = len(wechat.calls)
    at(datetime(2025, 12, 20, 9, tzinfo=CHINA))
    assert fetch("official-account", "2025-11-01", "2025-11-11", tmp_path).code == 0
    asked = {c.api for c in wechat.calls[before:]}
    assert asked == {"getarticletotaldetail"}
    assert len(wechat.calls) - before == 11
    assert_complete_oa(tmp_path, date(2025, 11, 1), date(2025, 11, 11))
    assert max(row["date"] for row in read_table(tmp_path, "article_stats")) == "2025-12-10"  # 11-11 + 29


@pytest.mark.parametrize(("hour", "last"), [(7, date(2026, 11, 22)), (8, date(2026, 11, 23))])
def test_official_account_data_of_yesterday_is_not_ready_before_8(wechat, fetch, at, tmp_path, hour, last):
    at(datetime(2026, 11, 24, hour, 30, tzinfo=CHINA))
    result = fetch("official-account", "2026-11-16", "2026-11-30", tmp_path)
    assert result.code == 0, result.err
    assert not wechat.violations
    assert f"data is ready up to {last}" in result.out and "--until 2026-11-30 capped" in result.out
    assert max(c.end for c in wechat.calls) == last
    assert_complete_oa(tmp_path, date(2026, 11, 16), last)


def test_mini_program_data_of_yesterday_is_ready_after_midnight(wechat, fetch, at, tmp_path):
    at(datetime(2026, 11, 24, 0, 30, tzinfo=CHINA))
    assert fetch("mini-program", "2026-11-20", None, tmp_path).code == 0
    assert max(c.end for c in wechat.calls) == date(2026, 11, 23)
    assert not wechat.violations


TRANSIENT = [
    ("http500", {}), ("drop", {}), ("malformed", {}), ("errcode", {"code": -1}), ("errcode", {"code": 45011}),
    ("expire", {}), ("invalid", {}),
]


@pytest.mark.parametrize(("kind", "options"), TRANSIENT, ids=[f"{k}{o.get('code', '')}" for k, o in TRANSIENT])
@pytest.mark.parametrize("source", [MP, OA])
def test_transient_faults_leave_the_same_tables(wechat, fetch, tmp_path, kind, options, source):
    first, last = (date(2026, 11, 16), date(2026, 11, 22)) if source == MP else (date(2025, 10, 29), date(2025, 11, 4))
    clean = tmp_path / "clean"
    assert fetch(source, first.isoformat(), last.isoformat(), clean).code == 0
    apis = [api for api in RULES if api in {c.api for c in wechat.calls}]
    for api in apis[::3]:  # a fault on a third of the APIs, twice on the first
        wechat.inject(kind, api=api, times=2 if api == apis[0] and kind not in ("expire", "invalid") else 1,
                      **options)
    faulty = tmp_path / "faulty"
    result = fetch(source, first.isoformat(), last.isoformat(), faulty)
    assert result.code == 0, result.err
    assert all(f.times == 0 for f in wechat.faults), "every fault was met"
    assert tables(faulty) == tables(clean)
    assert {k: v for k, v in raw_answers(faulty).items()} == raw_answers(clean)
    assert not wechat.violations
    if kind in ("expire", "invalid"):
        assert any(r.get("force_refresh") is True for r in wechat.token_requests)
    else:
        assert "trying again" in result.err


def test_an_empty_answer_for_a_recent_day_is_asked_again(wechat, fetch, tmp_path):
    trend = "getweanalysisappiddailyvisittrend"
    wechat.inject("empty", api=trend, day=date(2026, 11, 22))  # recent: 1 day before the ready day
    wechat.inject("empty", api=trend, day=date(2026, 11, 10))  # old: final as it is (a quiet day)
    assert fetch("mini-program", "2026-11-09", "2026-11-22", tmp_path).code == 0
    day_rows = [row["date"] for row in read_table(tmp_path, "mp_visits") if row["period"] == "day"]
    assert "2026-11-22" not in day_rows and "2026-11-10" not in day_rows
    before = len(wechat.data_calls(trend))
    assert fetch("mini-program", "2026-11-09", "2026-11-22", tmp_path).code == 0
    assert [c.begin for c in wechat.data_calls(trend)[before:]] == [date(2026, 11, 22)]
    day_rows = [row["date"] for row in read_table(tmp_path, "mp_visits") if row["period"] == "day"]
    assert "2026-11-22" in day_rows and "2026-11-10" not in day_rows


def test_an_empty_answer_for_recent_official_account_days_is_asked_again(wechat, fetch, tmp_path):
    wechat.inject("empty", api="getbizsummary")  # one request: 11-16 .. 11-23, ending yesterday
    wechat.inject("empty", api="getusersummary", day=date(2026, 11, 16))  # 11-16 .. 11-22
    assert fetch("official-account", "2026-11-16", None, tmp_path).code == 0
    assert read_table(tmp_path, "oa_reads") == []
    assert raw_answers(tmp_path)[("getusersummary", "2026-11-16")] == ("2026-11-22", {"list": []})
    assert fetch("official-account", "2026-11-16", None, tmp_path).code == 0
    assert_complete_oa(tmp_path, date(2026, 11, 16), date(2026, 11, 23))
    assert len(wechat.data_calls("getbizsummary")) == 2 and len(wechat.data_calls("getusersummary")) == 3


def test_missing_optional_fields_and_unknown_codes_do_not_stop_anything(wechat, fetch, tmp_path):
    wechat.inject("no_optional", api="getweanalysisappiddailyvisittrend", day=date(2026, 11, 12))
    wechat.inject("no_optional", api="getweanalysisappidvisitpage", day=date(2026, 11, 12))
    wechat.inject("unknown_codes", api="getweanalysisappidvisitdistribution", day=date(2026, 11, 12))
    assert fetch("mini-program", "2026-11-09", "2026-11-22", tmp_path).code == 0
    wechat.inject("unknown_codes", api="getusersummary")
    assert fetch("official-account", "2025-11-01", "2025-11-07", tmp_path).code == 0
    assert_complete_mp(tmp_path, date(2026, 11, 9), date(2026, 11, 22))
    assert_complete_oa(tmp_path, date(2025, 11, 1), date(2025, 11, 7))
    stay = {row["date"]: row["stay_time_uv"] for row in read_table(tmp_path, "mp_visits") if row["period"] == "day"}
    assert stay["2026-11-12"] == "" and stay["2026-11-13"] != ""
    assert "999" in {row["source_key"] for row in read_table(tmp_path, "mp_sources")}
    assert len({row["source"] for row in read_table(tmp_path, "followers")}) == 4  # 0, 1, 30 and 12345


def test_progress_is_a_few_lines_per_api(wechat, fetch, tmp_path):
    result = fetch("mini-program", "2026-09-14", None, tmp_path)  # 71 days: 71 requests per daily API
    assert result.code == 0
    for api in mp_apis():
        lines = [line for line in result.out.splitlines() if f" {api}: " in line]
        assert 2 <= len(lines) <= 6, (api, lines)
    trend = [line for line in result.out.splitlines() if " getweanalysisappiddailyvisittrend: " in line]
    assert trend[0].endswith("0/71 days (71 requests)") and trend[-1].endswith("71/71 days (done)")


def test_progress_lines_do_not_grow_with_the_requests():
    lines: list[str] = []
    ticks = iter(range(10**6))
    todo = Plan(APIS["getusersummary"], 2000, 100, tuple((date(2020, 1, 1), date(2020, 1, 1)) for _ in range(1900)))
    progress = Progress(todo, lines.append, clock=lambda: next(ticks) * 0.001)  # 1 ms a request
    for _ in range(1900):
        progress.advance(1)
    progress.finish()
    # 100/2000 is step 0; steps 1, 2, 3 at 500, 1000, 1500; the 15 s mark once (1900 requests = 1.9 s: none)
    assert lines == ["getusersummary: 100/2000 days (1900 requests)", "getusersummary: 500/2000 days",
                     "getusersummary: 1000/2000 days", "getusersummary: 1500/2000 days",
                     "getusersummary: 2000/2000 days (done)"]
