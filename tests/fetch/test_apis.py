"""The calendar rules of the fetch: spans, complete weeks and months, ready days, final answers, plans."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from fetch.wechat_server import CHINA, RULES
from helpers.fetch import apis
from helpers.fetch.apis import APIS, CATALOG, MINI_PROGRAM, OFFICIAL_ACCOUNT, is_final, ready_day
from helpers.fetch.command import weekly_since
from helpers.fetch.plan import plan

DAILY_RETENTION = APIS["getweanalysisappiddailyretaininfo"]
WEEKLY_TREND = APIS["getweanalysisappidweeklyvisittrend"]
MONTHLY_RETENTION = APIS["getweanalysisappidmonthlyretaininfo"]
PORTRAIT = APIS["getweanalysisappiduserportrait"]
SUMMARY = APIS["getusersummary"]


def test_the_catalog_is_the_list_the_issue_names():
    assert [api.name for api in CATALOG] == list(RULES)
    assert {api.name: api.source for api in CATALOG} == {name: rule[0] for name, rule in RULES.items()}


def test_wire_dates_per_source():
    day = date(2026, 1, 5)
    assert SUMMARY.wire_date(day) == "2026-01-05"
    assert DAILY_RETENTION.wire_date(day) == "20260105"


def test_ready_day_in_shanghai_and_the_official_account_8am_rule():
    # 2026-11-24 07:59 in Shanghai = 2026-11-23 23:59 UTC
    early = datetime(2026, 11, 24, 7, 59, tzinfo=CHINA)
    assert ready_day(MINI_PROGRAM, early) == date(2026, 11, 23)
    assert ready_day(OFFICIAL_ACCOUNT, early) == date(2026, 11, 22)
    assert ready_day(OFFICIAL_ACCOUNT, early + timedelta(minutes=1)) == date(2026, 11, 23)
    # 2026-11-23 17:00 UTC is already 01:00 on the 24th in Shanghai
    assert ready_day(MINI_PROGRAM, datetime(2026, 11, 23, 17, 0, tzinfo=apis.UTC)) == date(2026, 11, 23)


def test_weekly_and_monthly_apis_take_only_complete_periods():
    # 2026-11-04 is a Wednesday; complete weeks inside [11-04, 11-30]: 11-09, 11-16, 11-23
    assert [b for b, _ in WEEKLY_TREND.units(date(2026, 11, 4), date(2026, 11, 30))] == [
        date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]
    assert PORTRAIT.units(date(2026, 11, 23), date(2026, 11, 28)) == []  # Sunday 29th not inside
    assert MONTHLY_RETENTION.units(date(2026, 1, 2), date(2026, 3, 31)) == [
        (date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 3, 1), date(2026, 3, 31))]
    assert MONTHLY_RETENTION.units(date(2026, 2, 1), date(2026, 2, 27)) == []


def test_legacy_and_published_article_apis_split_at_2025_11_01():
    legacy, published = APIS["getarticletotal"], APIS["getarticletotaldetail"]
    first, last = date(2025, 10, 30), date(2025, 11, 2)
    assert [b for b, _ in legacy.units(first, last)] == [date(2025, 10, 30), date(2025, 10, 31)]
    assert [b for b, _ in published.units(first, last)] == [date(2025, 11, 1), date(2025, 11, 2)]


def test_final_answers():
    fetched = datetime(2026, 11, 24, 10, tzinfo=CHINA)  # ready: 2026-11-23
    full = {"list": [{"ref_date": "x"}]}
    # daily retention of day d is final once day d+30 is ready: 10-24 yes, 10-25 no
    assert is_final(DAILY_RETENTION, date(2026, 10, 24), fetched, {"visit_uv": [1]})
    assert not is_final(DAILY_RETENTION, date(2026, 10, 25), fetched, {"visit_uv": [1]})
    # monthly retention of September: final once October is over (it is); of October: not yet
    assert is_final(MONTHLY_RETENTION, date(2026, 9, 30), fetched, full)
    assert not is_final(MONTHLY_RETENTION, date(2026, 10, 31), fetched, full)
    # published-content totals: 30 days of coverage; legacy: 7
    assert not is_final(APIS["getarticletotaldetail"], date(2026, 10, 25), fetched, full)
    assert is_final(APIS["getarticletotal"], date(2025, 10, 31), fetched, full)
    # an empty answer is final only 3 days after its window; a delayed one never
    assert not is_final(SUMMARY, date(2026, 11, 21), fetched, {"list": []})
    assert is_final(SUMMARY, date(2026, 11, 20), fetched, {"list": []})
    assert is_final(SUMMARY, date(2026, 11, 23), fetched, full)
    assert not is_final(APIS["getbizsummary"], date(2026, 11, 1), fetched, full | {"is_delay": True})


@settings(max_examples=60, deadline=None)
@given(first=st.dates(date(2025, 9, 1), date(2026, 3, 1)), length=st.integers(0, 80),
       covered=st.sets(st.integers(0, 80), max_size=60), name=st.sampled_from(sorted(APIS)))
def test_plans_cover_every_missing_day_within_the_span(first, length, covered, name):
    api = APIS[name]
    last = first + timedelta(days=length)
    done = {first + timedelta(days=i) for i in covered}
    result = plan(api, first, last, done)
    units = api.units(first, last)
    wanted = {b + timedelta(days=i) for b, e in units for i in range((e - b).days + 1)}
    asked = [b + timedelta(days=i) for b, e in result.requests for i in range((e - b).days + 1)]
    assert len(asked) == len(set(asked)), "no day asked twice"
    assert wanted - done <= set(asked) <= wanted
    _, split, longest = RULES[name]
    for begin, end in result.requests:
        assert (end - begin).days + 1 <= longest
        if split in ("week", "portrait"):
            assert begin.weekday() == 0 and (end - begin).days == 6
        if split == "month":
            assert begin.day == 1 and (end + timedelta(days=1)).day == 1
    assert result.total == len(wanted) and 0 <= result.done <= result.total


def test_weekly_range_covers_eight_weeks_and_two_months():
    # ready Monday 2026-11-23: the current week has begun; 8 complete weeks before it from 09-28;
    # the two months before November start on 09-01
    assert weekly_since(date(2026, 11, 23)) == date(2026, 9, 1)
    # ready Sunday 2026-11-29, 3 weeks: 11-09 .. 11-29 (and September for the monthly answers)
    assert weekly_since(date(2026, 11, 29), 3) == date(2026, 9, 1)
    assert weekly_since(date(2026, 1, 31), 1) == date(2025, 11, 1)
    assert weekly_since(date(2026, 3, 29), 1) == date(2026, 1, 1)
    assert weekly_since(date(2026, 3, 29), 20) == date(2025, 11, 10)
