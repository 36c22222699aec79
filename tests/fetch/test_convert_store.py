"""The raw store as the converter reads it: bad files named, the latest fetch of each day wins
(overlapping reruns never duplicate rows), rewrites are whole and atomic, and the converted folder
is a data source the warehouse loads and validates."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fetch.rawfiles import rows, store
from helpers.core.errors import DataError
from helpers.core.warehouse import Warehouse
from helpers.fetch.convert import convert
from helpers.fetch.tables_articles import daily_rates, increments

HERE = Path(__file__).parent / "fixtures"
TREND = "getweanalysisappiddailyvisittrend"








def trend(days: list[date], visitors: int) -> dict[str, object]:
    return {"list": [{"ref_date": d.strftime("%Y%m%d"), "session_cnt": 1, "visit_pv": 1,
                      "visit_uv": visitors, "visit_uv_new": 0} for d in days]}


# --------------------------------------------------------------------------------------------
# Files that are not stored responses
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not a readable JSON file"),
    ("[1, 2]", "not a raw-response wrapper (missing api, source, begin_date"),
    (json.dumps({"list": []}), "missing api, source, begin_date, end_date, fetched_at, response"),
    (json.dumps({"api": "getusersummary", "source": "official-account", "begin_date": "2026-11-16",
                 "end_date": "2026-11-16", "fetched_at": "2026-11-23T01:00:00Z", "response": {}}),
     "holds a response of 'getusersummary' but is stored under"),
    (json.dumps({"api": TREND, "source": "mini-program", "begin_date": "16/11/2026",
                 "end_date": "2026-11-16", "fetched_at": "2026-11-23T01:00:00Z", "response": {}}),
     "begin_date '16/11/2026' is not a date"),
    (json.dumps({"api": TREND, "source": "mini-program", "begin_date": "2026-11-16",
                 "end_date": "2026-11-16", "fetched_at": "yesterday", "response": {}}),
     "fetched_at 'yesterday' is not an ISO-8601 time"),
    (json.dumps({"api": TREND, "source": "mini-program", "begin_date": "2026-11-16",
                 "end_date": "2026-11-16", "fetched_at": "2026-11-23T01:00:00Z",
                 "response": {"errcode": 45009, "errmsg": "reach max api daily quota limit"}}),
     "holds WeChat error 45009"),
    (json.dumps({"api": TREND, "source": "mini-program", "begin_date": "2026-11-16",
                 "end_date": "2026-11-17", "fetched_at": "2026-11-23T01:00:00Z",
                 "response": {"list": [{"ref_date": "2026-13-45", "visit_uv": 1}]}}),
     "ref_date '2026-13-45' is not a date"),
])
def test_a_bad_raw_file_is_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "raw" / TREND / "2026-11-16.json"
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as err:
        convert(tmp_path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_no_raw_folder_writes_nothing(tmp_path: Path) -> None:
    assert convert(tmp_path) == {}
    assert list(tmp_path.iterdir()) == []


def test_temporary_and_hidden_files_are_not_read(tmp_path: Path) -> None:
    store(tmp_path, TREND, "2026-11-16", "2026-11-16", trend([date(2026, 11, 16)], 5))
    (tmp_path / "raw" / TREND / ".2026-11-17.json").write_text("{half a fil", encoding="utf-8")
    (tmp_path / "raw" / TREND / "2026-11-18.json.tmp").write_text("{", encoding="utf-8")
    assert convert(tmp_path) == {"mp_visits": 1}


# --------------------------------------------------------------------------------------------
# The latest fetch of each day wins
# --------------------------------------------------------------------------------------------

def test_overlapping_reruns_do_not_duplicate_rows(tmp_path: Path) -> None:
    d = [date(2026, 11, 16) + timedelta(days=i) for i in range(4)]
    # A (01:00) asked 16-18; B (02:00) asked 17-19 and said nothing about the 18th; C is older
    # than both (00:30) and asked the 16th alone.
    store(tmp_path, TREND, d[0], d[2], trend(d[0:3], 100), "2026-11-23T01:00:00Z", "a.json")
    store(tmp_path, TREND, d[1], d[3], trend([d[1], d[3]], 200), "2026-11-23T02:00:00+00:00", "b.json")
    store(tmp_path, TREND, d[0], d[0], trend(d[0:1], 300), "2026-11-23T08:30:00+08:00", "c.json")
    assert convert(tmp_path) == {"mp_visits": 3}
    # 16th: A (C is older: 08:30 in Shanghai is 00:30 UTC); 17th: B; 18th: B said nothing -> no
    # row (the latest answer wins, also when it is empty); 19th: B
    assert [(r["date"], r["visitors"]) for r in rows(tmp_path, "mp_visits")] == [
        ("2026-11-16", "100"), ("2026-11-17", "200"), ("2026-11-19", "200")]
    first = (tmp_path / "mp_visits.csv").read_bytes()
    assert convert(tmp_path) == {"mp_visits": 3}  # rewritten whole: the same file again
    assert (tmp_path / "mp_visits.csv").read_bytes() == first


REQUESTS = st.lists(st.tuples(st.integers(0, 20), st.integers(0, 6), st.integers(0, 50)),
                    min_size=1, max_size=8)


@settings(derandomize=True, max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(requests=REQUESTS)
def test_random_overlapping_requests_keep_the_latest_fetch_of_each_day(tmp_path: Path, requests) -> None:
    # Each request (first day, length - 1, fetch hour) answers every day it asked for with
    # visitors = 1000 * (its number + 1) + day; the expected row of a day is the answer of the
    # latest fetch covering it (ties: the later begin, the later end, the later file name).
    data = tmp_path / f"case{len(list(tmp_path.iterdir()))}"
    start = date(2026, 10, 1)
    expected: dict[date, tuple[tuple, int]] = {}
    for i, (first, extra, hour) in enumerate(requests):
        begin, end = start + timedelta(days=first), start + timedelta(days=first + extra)
        days = [begin + timedelta(days=k) for k in range(extra + 1)]
        fetched = f"2026-11-{1 + hour // 24:02d}T{hour % 24:02d}:00:00Z"
        name = f"{i:02d}.json"
        store(data, TREND, begin, end, {"list": [
            {"ref_date": d.strftime("%Y%m%d"), "visit_uv": 1000 * (i + 1) + d.day} for d in days]},
            fetched, name)
        rank = (hour, begin, end, name)
        for d in days:
            if d not in expected or rank > expected[d][0]:
                expected[d] = (rank, 1000 * (i + 1) + d.day)
    assert convert(data) == {"mp_visits": len(expected)}
    got = [(r["date"], int(r["visitors"])) for r in rows(data, "mp_visits")]
    assert got == [(d.isoformat(), v) for d, (_, v) in sorted(expected.items())]


def test_weekly_and_portrait_periods(tmp_path: Path) -> None:
    # A refetch of the same week replaces the earlier answer; a portrait refetch of the same
    # window too, while another window of the same week stays its own row set.
    week = {"list": [{"ref_date": "20261109-20261115", "visit_uv": 70}]}
    store(tmp_path, "getweanalysisappidweeklyvisittrend", "2026-11-09", "2026-11-15", week,
          "2026-11-17T01:00:00Z", "old.json")
    week2 = {"list": [{"ref_date": "20261109-20261115", "visit_uv": 72}]}
    store(tmp_path, "getweanalysisappidweeklyvisittrend", "2026-11-09", "2026-11-15", week2,
          "2026-11-18T01:00:00Z", "new.json")
    cell = {"visit_uv": {"genders": [{"id": 1, "name": "男", "value": 9}]}}
    store(tmp_path, "getweanalysisappiduserportrait", "2026-11-09", "2026-11-15",
          {"ref_date": "20261109-20261115", **cell}, "2026-11-17T01:00:00Z", "w1.json")
    store(tmp_path, "getweanalysisappiduserportrait", "2026-11-09", "2026-11-15",
          {"ref_date": "20261109-20261115", "visit_uv": {"genders": [{"id": 1, "name": "男", "value": 11}]}},
          "2026-11-18T01:00:00Z", "w2.json")
    store(tmp_path, "getweanalysisappiduserportrait", "2026-11-15", "2026-11-15",
          {"ref_date": "20261115", **cell}, "2026-11-19T01:00:00Z", "d1.json")
    convert(tmp_path)
    assert [(r["date"], r["period"], r["visitors"]) for r in rows(tmp_path, "mp_visits")] == [
        ("2026-11-09", "week", "72")]
    assert sorted((r["date"], r["window_days"], r["users"]) for r in rows(tmp_path, "mp_portrait")) == [
        ("2026-11-15", "1", "9"), ("2026-11-15", "7", "11")]


# --------------------------------------------------------------------------------------------
# Running totals
# --------------------------------------------------------------------------------------------

@given(st.lists(st.one_of(st.none(), st.integers(0, 10_000)), max_size=12))
def test_increments_add_up_to_the_highest_total(totals) -> None:
    steps = increments(totals)
    assert all(s is None or s >= 0 for s in steps)
    assert sum(s or 0 for s in steps) == max((t for t in totals if t is not None), default=0)


def test_daily_rates() -> None:
    # finishers so far 0.5*100 = 50, 0.4*150 = 60, 0.4*150 (no new readers), 0.45*200 = 90
    # -> 50/100, 10/50, None, 30/50
    assert daily_rates([0.5, 0.4, 0.4, 0.45], [100, 150, 150, 200]) == pytest.approx([0.5, 0.2, None, 0.6])
    assert daily_rates([None, 0.5], [10, 20]) == [None, None]  # without the first, unknown


# --------------------------------------------------------------------------------------------
# The converted folder is a data source
# --------------------------------------------------------------------------------------------

def _every_fixture(data: Path) -> None:
    """Every committed sample, stored as the answer to the request it documents."""
    for kind, source in (("mini_program", "mini-program"), ("official_account", "official-account")):
        for path in sorted((HERE / "legacy" / kind).glob("datacube_*.json")):
            api = path.stem.removeprefix("datacube_")
            response = json.loads(path.read_text(encoding="utf-8"))
            ref = str(response.get("ref_date") or response["list"][0]["ref_date"])
            begin = end = date(int(ref[:4]), int(ref[4:6].strip("-") or 1), 1)
            if len(ref) >= 8:
                begin = end = date.fromisoformat(ref[:10]) if "-" in ref[:10] else \
                    date(int(ref[:4]), int(ref[4:6]), int(ref[6:8]))
            if "weekly" in api or "portrait" in api:
                begin = end - timedelta(days=6) if "portrait" in api else begin
                end = begin + timedelta(days=6)
            elif "monthly" in api:
                end = (begin.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            store(data, api, begin, end, response, source=source)
    for api, (begin, end) in {"getarticletotaldetail": ("2025-11-03", "2025-11-03"),
                              "getarticleread": ("2025-11-06", "2025-11-06"),
                              "getarticleshare": ("2025-11-06", "2025-11-06"),
                              "getbizsummary": ("2025-11-03", "2025-11-05")}.items():
        response = json.loads((HERE / "published" / f"datacube_{api}.json").read_text(encoding="utf-8"))
        store(data, api, begin, end, response, source="official-account")


def test_the_converted_folder_loads_and_validates(tmp_path: Path) -> None:
    _every_fixture(tmp_path)
    written = convert(tmp_path)
    assert set(written) == {"mp_visits", "mp_retention", "mp_portrait", "mp_sources", "mp_distribution",
                            "mp_pages", "followers", "articles", "article_stats", "oa_reads"}
    wh = Warehouse.from_source(tmp_path)  # platform-only: no users or events
    try:
        assert not wh.has("events")
        for table, n in written.items():
            assert wh.scalar(f"SELECT COUNT(*) FROM {table}") == n, table
        assert wh.scalar("SELECT MAX(recipients) FROM article_stats WHERE article_id = '23423525'") == 261917
    finally:
        wh.close()
