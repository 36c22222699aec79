"""Conversion of the legacy official-account datacube responses (WeChat's documentation samples
under fixtures/legacy/official_account, and hand-made answers) into followers, oa_reads, articles
and article_stats; expected rows worked out by hand in the comments."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from fetch import rawfiles
from fetch.rawfiles import rows
from helpers.core import wechat
from helpers.fetch.convert import convert
from helpers.fetch.tables_oa import read_source

store = partial(rawfiles.store, source="official-account")
sample = partial(rawfiles.answer, "legacy/official_account")

ALL = wechat.ALL_SOURCES











def test_every_legacy_sample(tmp_path: Path) -> None:
    # Every sample is stored as the answer to the request it documents (the day of its ref_date;
    # getarticletotal: the publish day). APIs without a contract table (messages, interface,
    # hourly and share-scene statistics) are left alone.
    for path in sorted((rawfiles.FIXTURES / "legacy" / "official_account").glob("datacube_*.json")):
        api = path.stem.removeprefix("datacube_")
        first = sample(api)["list"][0]["ref_date"]
        store(tmp_path, api, first, first, sample(api))
    assert convert(tmp_path) == {"articles": 1, "article_stats": 2, "followers": 1, "oa_reads": 1}
    # getusersummary: one row of code 0 (其他合计) without flow; getusercumulate of the same day
    assert rows(tmp_path, "followers") == [{"date": "2014-12-07", "source": "0", "new_followers": "0",
                                            "unfollows": "0", "cumulative": "1217056"}]
    # getuserread without user_source (WeChat's answers before 2020): the total of every source
    assert rows(tmp_path, "oa_reads") == [{"date": "2014-12-07", "source": ALL, "readers": "45524",
                                           "reads": "48796", "sharers": "11", "shares": "276",
                                           "favorites": "5"}]
    # getarticletotal: published 2014-12-08 (00:00: only the day is known), one cumulative row
    # on 12-14 (its increment from nothing is itself); msgid without "_<index>": no position
    assert rows(tmp_path, "articles") == [{
        "article_id": "23423525", "title": "test", "published_at": "2014-12-08 00:00:00",
        "column": "", "format": "", "position": "", "is_original": "", "author": ""}]
    stats = {r["article_id"]: r for r in rows(tmp_path, "article_stats")}
    assert stats["23423525"] == {
        "article_id": "23423525", "date": "2014-12-14", "recipients": "261917", "readers": "23676",
        "reads": "25615", "sharers": "122", "shares": "994", "favorites": "1", "likes": "",
        "zaikan": "", "comments": "", "original_page_readers": "29", "finish_rate": ""}
    # getarticlesummary (daily values of an article no total reaches): a stats row only
    summary = stats["10000050_1"]
    assert (summary["date"], summary["readers"], summary["shares"], summary["recipients"]) == \
        ("2014-12-08", "23676", "994", "")


def _detail(stat: str, target: int, read_user: int, read_count: int, share_user: int,
            fav: int) -> dict[str, object]:
    return {"stat_date": stat, "target_user": target, "int_page_read_user": read_user,
            "int_page_read_count": read_count, "ori_page_read_user": 0, "ori_page_read_count": 0,
            "share_user": share_user, "share_count": share_user * 2, "add_to_fav_user": fav,
            "add_to_fav_count": fav}


def test_cumulative_totals_become_daily_increments(tmp_path: Path) -> None:
    # totals on 11-16 .. 11-19; readers 100, 160, 150 (WeChat revised it down), 175:
    # increments 100, 60, 0, 15 (from the highest total seen, 160), adding up to 175.
    details = [_detail("2026-11-16", 5000, 100, 130, 10, 1), _detail("2026-11-17", 5000, 160, 205, 12, 1),
               _detail("2026-11-18", 5000, 150, 210, 12, 2), _detail("2026-11-19", 5000, 175, 240, 15, 2)]
    store(tmp_path, "getarticletotal", "2026-11-16", "2026-11-16", {"list": [
        {"ref_date": "2026-11-16", "msgid": "2650000001_2", "title": "B", "details": details[::-1]}]})
    convert(tmp_path)
    got = [(r["date"], r["recipients"], r["readers"], r["reads"], r["sharers"], r["favorites"])
           for r in rows(tmp_path, "article_stats")]
    # recipients (target_user) once, on the first day: MAX and SUM per article both give 5000
    assert got == [("2026-11-16", "5000", "100", "130", "10", "1"),
                   ("2026-11-17", "0", "60", "75", "2", "0"),
                   ("2026-11-18", "0", "0", "5", "0", "1"),
                   ("2026-11-19", "0", "15", "30", "3", "0")]
    assert rows(tmp_path, "articles")[0]["position"] == "2"  # msgid "<msg_data_id>_<index>"


def test_followers_sources_zero_days_and_cumulative(tmp_path: Path) -> None:
    # 11-16 .. 11-18 asked; 11-17 answered nothing (no flow); code 999 is unknown (kept);
    # code 30 listed twice on 11-16 (summed: 5 + 2 new, 1 + 0 unfollows)
    store(tmp_path, "getusersummary", "2026-11-16", "2026-11-18", {"list": [
        {"ref_date": "2026-11-16", "user_source": 30, "new_user": 5, "cancel_user": 1},
        {"ref_date": "2026-11-16", "user_source": 30, "new_user": 2, "cancel_user": 0},
        {"ref_date": "2026-11-16", "user_source": 0, "new_user": 1, "cancel_user": 3},
        {"ref_date": "2026-11-18", "user_source": 999, "new_user": 4},
    ]})
    store(tmp_path, "getusercumulate", "2026-11-16", "2026-11-18", {"list": [
        {"ref_date": "2026-11-16", "user_source": 0, "cumulate_user": 1000},
        {"ref_date": "2026-11-17", "cumulate_user": 1000},
        {"ref_date": "2026-11-19", "cumulate_user": 1004}]})  # outside getusersummary: no row
    convert(tmp_path)
    got = [(r["date"], r["source"], r["new_followers"], r["unfollows"], r["cumulative"])
           for r in rows(tmp_path, "followers")]
    assert got == [("2026-11-16", "0", "1", "3", "1000"), ("2026-11-16", "30", "7", "1", "1000"),
                   ("2026-11-17", "0", "0", "0", "1000"),  # zero flow, not a missing day
                   ("2026-11-18", "999", "4", "0", "")]  # cancel_user missing: 0; no total known
    assert wechat.follower_source_label("999", "en") == "source 999"


def test_reads_by_source_codes(tmp_path: Path) -> None:
    # getuserread by user_source: 99999999 = every source; 8 is unknown (kept as "8"); the
    # original page and favorites come with the total only
    store(tmp_path, "getuserread", "2026-11-16", "2026-11-16", {"list": [
        {"ref_date": "2026-11-16", "user_source": 99999999, "int_page_read_user": 90,
         "int_page_read_count": 120, "share_user": 6, "share_count": 9, "add_to_fav_user": 2,
         "add_to_fav_count": 3},
        {"ref_date": "2026-11-16", "user_source": 0, "int_page_read_user": 50,
         "int_page_read_count": 70, "share_user": 4, "share_count": 5},
        {"ref_date": "2026-11-16", "user_source": 8, "int_page_read_user": 3,
         "int_page_read_count": 3, "share_user": 0, "share_count": 0}]})
    convert(tmp_path)
    got = {r["source"]: (r["readers"], r["reads"], r["sharers"], r["shares"], r["favorites"])
           for r in rows(tmp_path, "oa_reads")}
    assert got == {ALL: ("90", "120", "6", "9", "2"), "会话": ("50", "70", "4", "5", ""),
                   "8": ("3", "3", "0", "0", "")}
    assert [read_source(c) for c in (None, "99999999", 1, 3, 7)] == [ALL, ALL, "好友", "腾讯微博", "搜一搜"]


def test_bizsummary_days_replace_user_read_days(tmp_path: Path) -> None:
    # getuserread covers 11-16 and 11-17; getbizsummary answers 11-17: that day takes its
    # scenes only (mixing both vocabularies would count readers twice), 11-16 keeps getuserread
    store(tmp_path, "getuserread", "2026-11-16", "2026-11-17", {"list": [
        {"ref_date": d, "user_source": s, "int_page_read_user": n}
        for d in ("2026-11-16", "2026-11-17") for s, n in ((99999999, 40), (0, 30))]})
    store(tmp_path, "getbizsummary", "2026-11-17", "2026-11-17", {"list": [{"ref_date": "2026-11-17", "detail": {
        "read_user": 41, "share_user": 3,
        "read_user_source": [{"user_count": 41, "scene_desc": ALL}, {"user_count": 25, "scene_desc": "聊天会话"},
                             {"user_count": 16, "scene_desc": "朋友圈"}]}}]})
    convert(tmp_path)
    got = {(r["date"], r["source"]): (r["readers"], r["sharers"]) for r in rows(tmp_path, "oa_reads")}
    assert got == {("2026-11-16", ALL): ("40", ""), ("2026-11-16", "会话"): ("30", ""),
                   ("2026-11-17", ALL): ("41", "3"), ("2026-11-17", "聊天会话"): ("25", ""),
                   ("2026-11-17", "朋友圈"): ("16", "")}
