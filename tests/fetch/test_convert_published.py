"""Conversion of the published-content APIs of 2025-11 (fixtures/published, built from WeChat's
documented fields) into articles, article_stats and oa_reads; expected rows worked out by hand."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from fetch import rawfiles
from fetch.rawfiles import rows
from helpers.core import wechat
from helpers.fetch import tables_articles
from helpers.fetch.convert import convert

store = partial(rawfiles.store, source="official-account")
sample = partial(rawfiles.answer, "published")

ALL = wechat.ALL_SOURCES
REQUESTS = {"getarticletotaldetail": ("2025-11-03", "2025-11-03"),
            "getarticleread": ("2025-11-06", "2025-11-06"),
            "getarticleshare": ("2025-11-06", "2025-11-06"),
            "getbizsummary": ("2025-11-03", "2025-11-05")}
A1, A2, A3, OLD = "2247490098_1", "2247490098_2", "2247490102_1", "2247489901_1"











@pytest.fixture
def converted(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    for api, (begin, end) in REQUESTS.items():
        store(tmp_path, api, begin, end, sample(api))
    # followers at the end of 11-02 (27850) are the recipients of the 11-03 push
    store(tmp_path, "getusersummary", "2025-11-02", "2025-11-03", {"list": []})
    store(tmp_path, "getusercumulate", "2025-11-02", "2025-11-03", {"list": [
        {"ref_date": "2025-11-02", "cumulate_user": 27850}, {"ref_date": "2025-11-03", "cumulate_user": 27901}]})
    return tmp_path, convert(tmp_path)


def test_tables_written(converted) -> None:
    _, written = converted
    # 3 articles; stats: A1 and A2 4 days each (11-03 .. 05 totals, 11-06 daily), A3 1 day, and
    # the older article's 11-06 reads; oa_reads: 3 days x (全部 + 7 scenes); followers: 2 zero days
    assert written == {"articles": 3, "article_stats": 10, "followers": 2, "oa_reads": 24}


def test_articles(converted) -> None:
    data, _ = converted
    got = {r["article_id"]: (r["title"], r["published_at"], r["position"]) for r in rows(data, "articles")}
    # only the publish day is known: 00:00; the position is msgid's "_<index>"
    assert got == {A1: ("双十一囤货清单：这 12 样值得买", "2025-11-03 00:00:00", "1"),
                   A2: ("门店周末营业时间调整", "2025-11-03 00:00:00", "2"),
                   A3: ("会员积分规则说明（存档）", "2025-11-03 00:00:00", "1")}


COLUMNS = ("recipients", "readers", "sharers", "zaikan", "likes", "comments", "favorites", "finish_rate")


def test_article_stats_daily(converted) -> None:
    data, _ = converted
    got = {(r["article_id"], r["date"]): tuple(r[c] for c in COLUMNS) for r in rows(data, "article_stats")}
    # A1 cumulative read_user 3120, 4380, 4650 -> 3120, 1260, 270; share 210, 280, 296 -> 210, 70,
    # 16; zaikan 45, 61, 64; like 88, 117, 121; comments 12, 15, 16; collection 30, 41, 43.
    # finish: finishers so far 0.42*3120 = 1310.4, 0.40*4380 = 1752, 0.41*4650 = 1906.5 ->
    # 1310.4/3120 = 0.42, 441.6/1260 = 0.350476, 154.5/270 = 0.572222.
    # recipients: followers at the end of the day before (27850), once.
    assert got[(A1, "2025-11-03")] == ("27850", "3120", "210", "45", "88", "12", "30", "0.42")
    assert got[(A1, "2025-11-04")] == ("0", "1260", "70", "16", "29", "3", "11", "0.350476")
    assert got[(A1, "2025-11-05")] == ("0", "270", "16", "3", "4", "1", "2", "0.572222")
    # 11-06 is beyond the totals: getarticleread (120) + getarticleshare (9)
    assert got[(A1, "2025-11-06")] == ("", "120", "9", "", "", "", "", "")
    # A2 has no comment_count (empty); finish 0.55*1210 = 665.5, 0.52*1650 = 858, 0.53*1702 =
    # 902.06 -> 0.55, 192.5/440 = 0.4375, 44.06/52 = 0.847308
    assert got[(A2, "2025-11-03")] == ("27850", "1210", "64", "12", "20", "", "9", "0.55")
    assert got[(A2, "2025-11-04")] == ("0", "440", "19", "3", "6", "", "3", "0.4375")
    assert got[(A2, "2025-11-05")] == ("0", "52", "2", "0", "1", "", "0", "0.847308")
    assert got[(A2, "2025-11-06")] == ("", "31", "2", "", "", "", "", "")
    # A3 was published without notifying followers (publish_type 1): nobody received it
    assert got[(A3, "2025-11-03")] == ("0", "95", "4", "1", "3", "0", "2", "0.61")
    assert got[(OLD, "2025-11-06")] == ("", "14", "", "", "", "", "", "")


def test_daily_finish_rates_average_back_to_the_cumulative_one(converted) -> None:
    data, _ = converted
    a1 = [r for r in rows(data, "article_stats") if r["article_id"] == A1 and r["finish_rate"]]
    weighted = sum(float(r["finish_rate"]) * int(r["readers"]) for r in a1) / sum(int(r["readers"]) for r in a1)
    assert weighted == pytest.approx(0.41, abs=1e-5)  # the last cumulative read_finish_rate


def test_oa_reads_from_bizsummary(converted) -> None:
    data, _ = converted
    got = {(r["date"], r["source"]): (r["readers"], r["reads"], r["sharers"], r["favorites"])
           for r in rows(data, "oa_reads")}
    assert got[("2025-11-03", ALL)] == ("4480", "", "270", "39")
    assert got[("2025-11-03", "公众号消息")] == ("2950", "", "", "")
    assert got[("2025-11-04", "推荐")] == ("180", "", "", "")
    assert got[("2025-11-05", ALL)] == ("390", "", "19", "")  # collection_user missing that day
    scenes = [v[0] for (d, s), v in got.items() if d == "2025-11-04" and s != ALL]
    assert sum(map(int, scenes)) == 1750 and len(scenes) == 7


def test_read_jump_position_in_either_form_and_published_first(tmp_path: Path) -> None:
    # The same article in getarticletotaldetail and in the legacy getarticletotal: the published
    # content's totals win (one running total per article); read_jump_position as an object, a
    # list or junk does not matter (no contract column)
    detail = sample("getarticletotaldetail")
    detail["list"] = detail["list"][:1]
    detail["list"][0]["detail_list"][0]["read_jump_position"] = {"position": 1, "rate": 0.3}
    detail["list"][0]["detail_list"][1]["read_jump_position"] = "n/a"
    store(tmp_path, "getarticletotaldetail", "2025-11-03", "2025-11-03", detail)
    store(tmp_path, "getarticletotal", "2025-11-03", "2025-11-03", {"list": [{
        "ref_date": "2025-11-03", "msgid": A1, "title": "legacy", "details": [
            {"stat_date": "2025-11-03", "target_user": 9, "int_page_read_user": 1},
            {"stat_date": "2025-11-08", "target_user": 9, "int_page_read_user": 2}]}]})
    convert(tmp_path)
    got = [(r["date"], r["readers"], r["recipients"]) for r in rows(tmp_path, "article_stats")]
    # no follower totals fetched: recipients unknown (empty), not a guess
    assert got == [("2025-11-03", "3120", ""), ("2025-11-04", "1260", ""), ("2025-11-05", "270", "")]
    assert rows(tmp_path, "articles")[0]["title"] == "双十一囤货清单：这 12 样值得买"


def test_per_day_detail_list_is_one_switch(monkeypatch, tmp_path: Path) -> None:
    # Should WeChat's detail_list turn out to be per day, one constant changes the reading
    monkeypatch.setattr(tables_articles, "DETAIL_LIST_CUMULATIVE", False)
    store(tmp_path, "getarticletotaldetail", "2025-11-03", "2025-11-03", sample("getarticletotaldetail"))
    convert(tmp_path)
    a1 = [(r["readers"], r["finish_rate"]) for r in rows(tmp_path, "article_stats") if r["article_id"] == A1]
    assert a1 == [("3120", "0.42"), ("4380", "0.4"), ("4650", "0.41")]
