"""Conversion of the mini-program analysis responses (WeChat's documentation samples, copied under
fixtures/legacy/mini_program) into mp_* tables; expected rows worked out by hand from the JSON."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from fetch import rawfiles
from fetch.rawfiles import rows
from helpers.fetch.convert import convert

store = partial(rawfiles.store, source="mini-program")
sample = partial(rawfiles.answer, "legacy/mini_program")

P = "getweanalysisappid"
# api -> the request the sample answers (begin, end)
REQUESTS = {
    f"{P}dailyvisittrend": ("2017-03-13", "2017-03-13"),
    f"{P}dailysummarytrend": ("2017-03-13", "2017-03-13"),
    f"{P}weeklyvisittrend": ("2017-03-06", "2017-03-12"),
    f"{P}monthlyvisittrend": ("2017-03-01", "2017-03-31"),
    f"{P}dailyretaininfo": ("2017-03-13", "2017-03-13"),
    f"{P}weeklyretaininfo": ("2017-03-06", "2017-03-12"),
    f"{P}monthlyretaininfo": ("2017-02-01", "2017-02-28"),
    f"{P}userportrait": ("2017-06-05", "2017-06-11"),
    f"{P}visitdistribution": ("2017-03-13", "2017-03-13"),
    f"{P}visitpage": ("2017-03-13", "2017-03-13"),
}











@pytest.fixture
def converted(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    for api, (begin, end) in REQUESTS.items():
        store(tmp_path, api, begin, end, sample(api))
    return tmp_path, convert(tmp_path)


def test_every_sample_lands(converted) -> None:
    data, written = converted
    assert written == {"mp_visits": 3, "mp_retention": 8, "mp_portrait": 12, "mp_sources": 9,
                       "mp_distribution": 13, "mp_pages": 5}
    assert sorted(p.name for p in data.glob("*.csv")) == sorted(f"{t}.csv" for t in written)
    assert not list(data.glob(".*.tmp"))  # no temporary file left behind


def test_visits(converted) -> None:
    data, _ = converted
    got = {(r["period"], r["date"]): r for r in rows(data, "mp_visits")}
    # daily trend 20170313 + daily summary of the same day (visit_total 391, share_pv 572,
    # share_uv 383); the sample has no stay_time_uv (optional: empty)
    assert got[("day", "2017-03-13")] == {
        "date": "2017-03-13", "period": "day", "sessions": "142549", "visits": "472351",
        "visitors": "55500", "new_visitors": "5464", "stay_time_uv": "", "stay_time_session": "0.0",
        "visit_depth": "1.9838", "cumulative_users": "391", "shares": "572", "sharers": "383"}
    # weekly "20170306-20170312" -> its Monday; no summary for weeks
    week = got[("week", "2017-03-06")]
    assert (week["sessions"], week["visitors"], week["new_visitors"], week["stay_time_session"],
            week["cumulative_users"]) == ("986780", "189405", "45592", "54.5346", "")
    # monthly "201703" -> the 1st
    assert got[("month", "2017-03-01")]["visits"] == "426113"


def test_retention(converted) -> None:
    data, _ = converted
    got = {(r["period"], r["date"], r["cohort"], r["offset"]): r["users"]
           for r in rows(data, "mp_retention")}
    assert got == {
        ("day", "2017-03-13", "new", "0"): "5464", ("day", "2017-03-13", "active", "0"): "55500",
        ("week", "2017-03-06", "new", "0"): "0", ("week", "2017-03-06", "new", "1"): "16853",
        ("week", "2017-03-06", "active", "0"): "0", ("week", "2017-03-06", "active", "1"): "99310",
        ("month", "2017-02-01", "new", "0"): "346249", ("month", "2017-02-01", "active", "0"): "346249",
    }


def test_portrait(converted) -> None:
    data, _ = converted
    got = {(r["segment"], r["dimension"], r["name"]): r["users"] for r in rows(data, "mp_portrait")}
    # window 2017-06-05 .. 06-11 (the request; the sample's ref_date is its last day): 7 days
    assert {(r["date"], r["window_days"]) for r in rows(data, "mp_portrait")} == {("2017-06-11", "7")}
    assert got == {
        ("new", "province", "广东省"): "215", ("new", "city", "广州"): "78",
        ("new", "gender", "男"): "2146", ("new", "platform", "iPhone"): "27642",
        ("new", "device", "OPPO R9"): "61", ("new", "age", "17岁以下"): "151",
        ("active", "province", "广东省"): "1341", ("active", "city", "广州"): "234",
        ("active", "gender", "男"): "14534", ("active", "platform", "iPhone"): "21750",
        ("active", "device", "OPPO R9"): "617", ("active", "age", "17岁以下"): "3156",
    }


def test_sources_and_distribution(converted) -> None:
    data, _ = converted
    sources = {r["source_key"]: (r["source"], r["sessions"], r["visitors"])
               for r in rows(data, "mp_sources")}
    # access_source_session_cnt: keys 1-8 and 10; the sample has no visitors by source
    assert sources["1"] == ("小程序历史列表", "116578", "")
    assert sources["10"] == ("其他", "5", "")
    assert sorted(sources, key=int) == ["1", "2", "3", "4", "5", "6", "7", "8", "10"]
    dist = {(r["kind"], r["bucket"]): r["sessions"] for r in rows(data, "mp_distribution")}
    assert dist[("stay_time", "1")] == "4511" and dist[("stay_time", "8")] == "16329"
    assert dist[("depth", "5")] == "217" and len(dist) == 8 + 5


def test_pages(converted) -> None:
    data, _ = converted
    first = rows(data, "mp_pages")[1]  # sorted by page: linedetail, main, search, ...
    assert first == {"date": "2017-03-13", "page": "pages/main/main.html", "page_views": "213429",
                     "page_visitors": "55423", "stay_time_pv": "8.139198", "entry_views": "117922",
                     "exit_views": "61304", "shares": "180", "sharers": "166"}


def test_visitors_by_source_in_both_forms_and_unknown_keys(tmp_path: Path) -> None:
    # day 1: visitors as a field of each opens item; day 2: as their own index block. Key 99 is
    # unknown to core.wechat: kept, named by its key. Key "x" and a negative key are skipped.
    items = [{"key": 3, "value": 40, "access_source_visit_uv": 25},
             {"key": 99, "value": 7, "access_source_visit_uv": 5}]
    store(tmp_path, f"{P}visitdistribution", "2026-11-16", "2026-11-16",
          {"ref_date": "20261116", "list": [{"index": "access_source_session_cnt", "item_list": items}]})
    store(tmp_path, f"{P}visitdistribution", "2026-11-17", "2026-11-17", {"ref_date": "20261117", "list": [
        {"index": "access_source_session_cnt",
         "item_list": [{"key": 3, "value": 50}, {"key": "x", "value": 1}, {"key": -2, "value": 1}]},
        {"index": "access_source_visit_uv", "item_list": [{"key": 3, "value": 31}, {"key": 46, "value": 2}]},
        {"index": "access_future_index", "item_list": [{"key": 1, "value": 1}]}]})
    convert(tmp_path)
    got = {(r["date"], r["source_key"]): (r["source"], r["sessions"], r["visitors"])
           for r in rows(tmp_path, "mp_sources")}
    assert got == {("2026-11-16", "3"): ("会话", "40", "25"), ("2026-11-16", "99"): ("99", "7", "5"),
                   ("2026-11-17", "3"): ("会话", "50", "31"), ("2026-11-17", "46"): ("朋友圈", "", "2")}
    assert rows(tmp_path, "mp_distribution") == []  # no stay-time or depth block: header only


def test_missing_optional_fields_and_odd_values(tmp_path: Path) -> None:
    # stay_time_uv present, visit_depth missing, visit_pv as text; a row without visit_uv
    # (required) is left out; the summary of a day without trend adds no row
    store(tmp_path, f"{P}dailyvisittrend", "2026-11-16", "2026-11-17", {"list": [
        {"ref_date": "20261116", "session_cnt": 10, "visit_pv": "25", "visit_uv": 8,
         "visit_uv_new": 3, "stay_time_uv": 61.5, "stay_time_session": 40.25},
        {"ref_date": "20261117", "session_cnt": 12}]})
    store(tmp_path, f"{P}dailysummarytrend", "2026-11-17", "2026-11-17",
          {"list": [{"ref_date": "20261117", "visit_total": 500, "share_pv": 4, "share_uv": 2}]})
    # portrait: a device without id, a repeated name (summed), a city with only an id
    store(tmp_path, f"{P}userportrait", "2026-11-10", "2026-11-16", {
        "ref_date": "20261110-20261116",
        "visit_uv": {"devices": [{"name": "iPhone 15", "value": 4}, {"name": "iPhone 15", "value": 3}],
                     "city": [{"id": 3102, "value": 6}], "genders": []},
        "visit_uv_new": {}})
    assert convert(tmp_path) == {"mp_visits": 1, "mp_portrait": 2}
    (visit,) = rows(tmp_path, "mp_visits")
    assert (visit["visits"], visit["stay_time_uv"], visit["visit_depth"], visit["cumulative_users"]) \
        == ("25", "61.5", "", "")
    portrait = {(r["dimension"], r["name"]): (r["users"], r["window_days"], r["date"])
                for r in rows(tmp_path, "mp_portrait")}
    assert portrait == {("device", "iPhone 15"): ("7", "7", "2026-11-16"),
                        ("city", "3102"): ("6", "7", "2026-11-16")}


def test_empty_lists_give_header_only_tables(tmp_path: Path) -> None:
    store(tmp_path, f"{P}dailyvisittrend", "2026-11-16", "2026-11-16", {"list": []})
    store(tmp_path, f"{P}visitpage", "2026-11-16", "2026-11-16", {"ref_date": "20261116", "list": []})
    assert convert(tmp_path) == {"mp_visits": 0, "mp_pages": 0}
    assert rows(tmp_path, "mp_visits") == [] and rows(tmp_path, "mp_pages") == []
