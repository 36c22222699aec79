"""Admin-console exports (core.exports): each fixture lands in its contract table with the rows
worked out by hand; headers are recognised by name whatever their order, alias, unit suffix or the
title lines above them; bad exports stop with a message naming the file and line."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.core import wechat
from helpers.core.errors import DataError
from helpers.core.exports import article_id, moment, number, read_export_table
from helpers.core.sources import data_fingerprint, find_source_files
from helpers.core.warehouse import Warehouse, build_warehouse

from conftest import minimal_tables, write_source

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
ALL = wechat.ALL_SOURCES
FOLLOWERS = wechat.FOLLOWER_EXPORT_SOURCE


def folder_of(tmp_path: Path, *fixtures: str, **texts: str | bytes) -> Path:
    """A data folder holding copies of the named fixtures and files written from `texts`
    (keyword = file name with `__` for the dot)."""
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    for name in fixtures:
        shutil.copy(FIXTURES / name, folder / name)
    for name, content in texts.items():
        path = folder / name.replace("__", ".")
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def rows(wh: Warehouse, table: str, columns: str) -> list[tuple]:
    """The table's rows (dates as dates, missing numbers as None), sorted."""
    frame = wh.query(f"SELECT {columns} FROM {table}")
    return sorted((tuple(_plain(v) for v in r) for r in frame.itertuples(index=False)), key=repr)


def _plain(value: object) -> object:
    if isinstance(value, pd.Timestamp):
        return value.date()
    return None if pd.isna(value) else value


def load(folder: Path) -> Warehouse:
    return Warehouse(build_warehouse(folder))


def d(day: int) -> date:
    return date(2026, 11, day)


# -------------------------------------------------------------------------------------------------
# Each fixture, alone in a folder, lands with the rows worked out by hand
# -------------------------------------------------------------------------------------------------

# user_growth_gbk.csv: GBK, CRLF, a title line, thousands separators ("1,204", "12,105"): lines 3-9.
GROWTH_GBK = [(d(10), FOLLOWERS, 120, 15, 12105), (d(11), FOLLOWERS, 98, 20, 12183),
              (d(12), FOLLOWERS, 143, 11, 12315), (d(13), FOLLOWERS, 87, 30, 12372),
              (d(14), FOLLOWERS, 1204, 44, 13532), (d(15), FOLLOWERS, 65, 12, 13585),
              (d(16), FOLLOWERS, 71, 9, 13647)]
# user_growth_html.xls: an HTML table saved as .xls, 累计 spelling, columns in another order,
# dates 2026/11/15 .. 2026/11/21 (the first two days are also in the GBK export, with equal numbers).
GROWTH_HTML = [(d(15), FOLLOWERS, 65, 12, 13585), (d(16), FOLLOWERS, 71, 9, 13647),
               (d(17), FOLLOWERS, 110, 14, 13743), (d(18), FOLLOWERS, 92, 18, 13817),
               (d(19), FOLLOWERS, 130, 25, 13922), (d(20), FOLLOWERS, 77, 31, 13968),
               (d(21), FOLLOWERS, 84, 10, 14042)]
# content_trend_bom.csv: UTF-8 with a BOM, a channel column (全部 = every channel), dates 20261116.
TREND = [(d(16), "公众号消息", 980, 1200, 25, 30, 18), (d(16), ALL, 1850, 2310, 71, 96, 40),
         (d(16), "推荐", 380, 470, 12, 16, 10), (d(16), "聊天会话", 520, 640, 36, 50, 12),
         (d(17), "公众号消息", 860, 1050, 22, 28, 15), (d(17), ALL, 1602, 1980, 66, 80, 35),
         (d(17), "推荐", 300, 370, 11, 12, 9), (d(17), "聊天会话", 450, 560, 33, 40, 11)]
# content_hourly.csv: channel 搜一搜 in the title line, 24 hours a day. Day 16: reads at 8h 5,
# 12h 12, 20h 9, 21h 4 = 30; shares 12h 2 + 20h 1 = 3; favorites 20h 1 = 1. Day 17: reads 9h 7,
# 13h 6, 22h 11 = 24; shares 22h 2 = 2; favorites 0. Readers (people) are not summed: empty.
HOURLY = [(d(16), "搜一搜", None, 30, None, 3, 1), (d(17), "搜一搜", None, 24, None, 2, 0)]
OA_COLUMNS = "date, source, readers, reads, sharers, shares, favorites"


def test_gbk_growth_export_with_a_title_line(tmp_path):
    wh = load(folder_of(tmp_path, "user_growth_gbk.csv"))
    assert rows(wh, "followers", "date, source, new_followers, unfollows, cumulative") == sorted(GROWTH_GBK, key=repr)
    assert (wh.first_date, wh.last_date) == (d(10), d(16))


def test_html_saved_as_xls_growth_export(tmp_path):
    wh = load(folder_of(tmp_path, "user_growth_html.xls"))
    assert rows(wh, "followers", "date, source, new_followers, unfollows, cumulative") == sorted(GROWTH_HTML, key=repr)


def test_content_trend_with_a_channel_column(tmp_path):
    wh = load(folder_of(tmp_path, "content_trend_bom.csv"))
    assert rows(wh, "oa_reads", OA_COLUMNS) == sorted(TREND, key=repr)
    assert wh.has("oa_reads", "readers", "sharers", "favorites")


def test_hourly_content_export_sums_counts_to_days_and_leaves_readers_empty(tmp_path):
    wh = load(folder_of(tmp_path, "content_hourly.csv"))
    assert rows(wh, "oa_reads", OA_COLUMNS) == sorted(HOURLY, key=repr)
    assert wh.has("oa_reads", "reads", "shares", "favorites")
    assert not wh.has("oa_reads", "readers") and not wh.has("oa_reads", "sharers")


def test_per_article_export_lands_as_articles_and_one_stats_row_on_the_publish_day(tmp_path):
    # article_list.csv: three articles, "13,640" written with a separator, a title with a comma,
    # 收藏次数 (times saved) as favorites, and a note line under the table (skipped).
    wh = load(folder_of(tmp_path, "article_list.csv"))
    first = article_id("2026-11-16 20:30:00", "双十一复盘：我们卖了多少")
    second = article_id("2026-11-16 20:30:00", "会员日预告")
    third = article_id("2026-11-18 12:00:05", "冬季新品, 先睹为快")
    assert len({first, second, third}) == 3
    published = wh.query("SELECT article_id, title, CAST(published_at AS VARCHAR) AS t FROM articles "
                         "ORDER BY published_at, title")
    assert sorted(map(tuple, published.values.tolist())) == sorted([
        (first, "双十一复盘：我们卖了多少", "2026-11-16 20:30:00"),
        (second, "会员日预告", "2026-11-16 20:30:00"),
        (third, "冬季新品, 先睹为快", "2026-11-18 12:00:05")])
    assert rows(wh, "article_stats", "article_id, date, recipients, readers, reads, sharers, shares, "
                                     "favorites") == sorted([
        (first, d(16), 13640, 1980, 2410, 88, 120, 41),
        (third, d(18), 13820, 1203, 1498, 45, 60, 22),
        (second, d(16), 13640, 620, 700, 12, 15, 9)], key=repr)


def test_a_folder_of_exports_only_answers_a_followers_query(tmp_path):
    """No users, no events: the exports are WeChat's statistics, a platform-only source. The two
    growth exports overlap on 11-15 and 11-16 with the same numbers: each day lands once."""
    folder = folder_of(tmp_path, "user_growth_gbk.csv", "user_growth_html.xls", "content_trend_bom.csv",
                       "content_hourly.csv", "article_list.csv")
    wh = load(folder)
    assert {t: wh.tables[t] for t in ("followers", "oa_reads", "articles", "article_stats")} == {
        "followers": 12, "oa_reads": 10, "articles": 3, "article_stats": 3}
    assert not wh.has("events") and not wh.has("users")
    weeks = wh.query("""
        SELECT MIN(date) AS monday, SUM(new_followers) AS new, SUM(unfollows) AS gone,
               MAX(cumulative) AS last
        FROM followers GROUP BY ("day" - 4) // 7 ORDER BY monday""")
    # W46 (11-10 .. 11-15): 120 + 98 + 143 + 87 + 1204 + 65 = 1717 new, 15+20+11+30+44+12 = 132 gone.
    # W47 (11-16 .. 11-21): 71 + 110 + 92 + 130 + 77 + 84 = 564 new, 9+14+18+25+31+10 = 107 gone.
    assert weeks[["new", "gone", "last"]].values.tolist() == [[1717, 132, 13585], [564, 107, 14042]]
    (source,) = wh.query("SELECT DISTINCT source FROM followers")["source"]
    assert wechat.follower_source_label(source, "en") == "All sources (daily totals)"
    assert wechat.follower_source_label(source, "zh") == FOLLOWERS


def test_exports_and_contract_tables_mix_in_one_folder(tmp_path):
    """Own tracking in contract files, WeChat's follower numbers from an export."""
    folder = write_source(tmp_path / "data", minimal_tables())
    shutil.copy(FIXTURES / "user_growth_gbk.csv", folder)
    wh = load(folder)
    assert wh.tables["followers"] == 7 and wh.tables["users"] == 2


# -------------------------------------------------------------------------------------------------
# Bad exports
# -------------------------------------------------------------------------------------------------

GROWTH = "时间,新关注人数,取消关注人数\n"
BAD = {
    "unrecognised export": (
        {"message_analysis.csv": FIXTURES / "message_analysis.csv"},
        ["message_analysis.csv: not an admin-console export", "found the columns 时间, 消息发送人数, "
         "消息发送次数, 人均发送次数 (line 1)", "用户增长 (followers): 时间, 新关注人数, 取消关注人数",
         "内容分析 (oa_reads): 日期, 阅读次数 or 阅读人数", "单篇图文 (articles + article_stats): 发布时间, 标题",
         "<table>.csv"]),
    "export and contract file for one table": (
        {"followers.csv": "date,source,new_followers,unfollows\n2026-11-10,x,1,1\n",
         "growth.csv": GROWTH + "2026-11-10,10,3\n"},
        ["followers.csv and the admin-console export(s) growth.csv both give the followers table; keep one"]),
    "per-article export and articles.csv": (
        {"articles.csv": "article_id,published_at\na1,2026-11-10 08:00:00\n",
         "list.csv": FIXTURES / "article_list.csv"},
        ["articles.csv and the admin-console export(s) list.csv both give the articles table; keep one"]),
    "net change disagrees": (
        {"growth.csv": "用户增长\n时间,新关注人数,取消关注人数,净增关注人数\n2026-11-10,10,3,7\n2026-11-11,10,3,6\n"},
        ["growth.csv: line 4: 净增关注人数 is 6, but 新关注人数 10 - 取消关注人数 3 = 7"]),
    "a value that is no number, under a title line": (
        {"growth.csv": "用户增长\n" + GROWTH + "2026-11-10,10,3\n2026-11-11,abc,3\n"},
        ["growth.csv: column new_followers: 1 value(s) cannot be read as int", "first at line 4: 'abc'"]),
    "a bad value in an HTML export: its physical line": (
        {"growth.xls": "<table>\n<tr><td>用户增长</td></tr>\n"
                       "<tr><td>时间</td><td>新关注人数</td><td>取消关注人数</td></tr>\n"
                       "<tr><td>2026-11-10</td><td>5</td><td>1</td></tr>\n\n"
                       "<tr><td>2026-11-11</td><td>5</td><td>-1</td></tr>\n</table>\n"},
        ["growth.xls: column unfollows: 1 value(s) is negative", "first at line 6: '-1'"]),
    "an unreadable date": (
        {"growth.csv": GROWTH + "2026-13-10,10,3\n"},
        ["growth.csv: column date: 1 value(s) cannot be read as date", "line 2: '2026-13-10'"]),
    "conflicting days in two exports": (
        {"a.csv": GROWTH + "2026-11-10,10,3\n2026-11-11,5,3\n", "b.csv": GROWTH + "2026-11-11,6,3\n"},
        ["a.csv", "b.csv: column date, source: 1 duplicated key(s), expected unique",
         f"'2026-11-11 / {FOLLOWERS}' at a.csv line 3, b.csv line 2"]),
    "conflicting hours in two hourly exports": (
        {"a.csv": "日期,小时,阅读次数\n2026-11-10,1,3\n2026-11-10,2,3\n",
         "b.csv": "日期,小时,阅读次数\n2026-11-10,2,4\n"},
        ["column date, hour, source: 1 duplicated key(s)", f"'2026-11-10 / 2 / {ALL}' at a.csv line 3, b.csv line 2"]),
    "a row wider than the header": (
        {"growth.csv": GROWTH + "2026-11-10,10,3,,9\n"},
        ["growth.csv: line 2: the row has 5 fields; expected 3, one per column of the header (line 1)"]),
    "two columns for one field": (
        {"growth.csv": "时间,累积关注人数,新关注人数,取消关注人数,累计关注人数\n2026-11-10,1,1,1,1\n"},
        ["growth.csv: line 1 (header): columns 累积关注人数 and 累计关注人数 both give cumulative"]),
    "several channels named": (
        {"内容分析_搜一搜.csv": "传播渠道:推荐\n日期,阅读次数\n2026-11-10,5\n"},
        ["names several channels (推荐, 搜一搜)", "expected one channel per file, or a column 渠道"]),
    "binary xls": (
        {"growth.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200)},
        ["growth.xls: a binary Excel workbook (.xls), which the suite does not read; open it in Excel "
         "or WPS and save it as \"CSV UTF-8\""]),
    "xlsx": ({"growth.xlsx": b"PK\x03\x04" + bytes(100)}, ["growth.xlsx: an Excel workbook (.xlsx"]),
    "users without events beside an export": (
        {"users.csv": "user_id,first_seen_at\na,2026-11-10 00:00:00\n", "growth.csv": GROWTH + "2026-11-10,1,1\n"},
        ["required table(s) events not found"]),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_export_stops_with_a_located_message(tmp_path, case):
    files, messages = BAD[case]
    folder = tmp_path / "data"
    folder.mkdir()
    for name, content in files.items():
        if isinstance(content, Path):
            shutil.copy(content, folder / name)
        elif isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as info:
        build_warehouse(folder)
    for message in messages:
        assert message in str(info.value)


# -------------------------------------------------------------------------------------------------
# Folder rules, fingerprint, values
# -------------------------------------------------------------------------------------------------

def test_other_files_are_left_alone_and_exports_found_by_content_not_suffix(tmp_path):
    """Hidden files, Excel lock files, folders and other suffixes are not exports; an HTML table
    saved as .csv is read as HTML; a file naming no channel is every channel."""
    html = (FIXTURES / "user_growth_html.xls").read_text(encoding="utf-8")
    folder = folder_of(tmp_path, **{"notes__txt": "x", ".hidden__csv": "x", "~$growth__xls": "x",
                                    "growth__csv": html, "trend__html": "<table><tr><td>日期</td><td>阅读次数</td>"
                                    "</tr><tr><td>2026-11-17</td><td>8</td></tr></table>"})
    (folder / "raw").mkdir()
    (folder / "raw" / "stray.csv").write_text("x", encoding="utf-8")
    found = {f.table: [p.name for p in f.files] for f in find_source_files(folder)}
    assert found == {"followers": ["growth.csv"], "oa_reads": ["trend.html"]}
    wh = load(folder)
    assert rows(wh, "oa_reads", "date, source, reads") == [(d(17), ALL, 8)]


def test_channel_from_the_file_name_and_summary_rows_skipped(tmp_path):
    folder = folder_of(tmp_path, **{"内容分析_推荐_20261116__csv":
                                    "日期,阅读人数,阅读次数\n2026-11-16,3,4\n2026-11-17,1,2\n合计,4,6\n"})
    assert rows(load(folder), "oa_reads", "date, source, readers, reads") == sorted([
        (d(16), "推荐", 3, 4), (d(17), "推荐", 1, 2)], key=repr)


def test_hourly_rows_from_a_time_column(tmp_path):
    """One 时间 column holding the hour: 8 + 5 = 13 reads on the 16th, 2 on the 17th; readers empty."""
    path = folder_of(tmp_path, **{"hours__csv": "时间,阅读次数,阅读人数\n2026-11-16 08:00,8,7\n"
                                                "2026-11-16 09:00,5,5\n2026-11-17 00:00,2,2\n"}) / "hours.csv"
    table = read_export_table("oa_reads", [path])
    assert table.columns == ["date", "source", "reads"]
    assert table.rows == [("2026-11-16", ALL, "13"), ("2026-11-17", ALL, "2")]
    assert [s.number for s in table.spots] == [2, 4]


def test_date_and_time_columns_each_find_their_field_whatever_their_order(tmp_path):
    """日期 is the date and 时间 the hour when both are there (the first alias of a field wins),
    also with 时间 first: 3 + 4 reads on the 16th."""
    folder = folder_of(tmp_path, **{"hours__csv": "时间,日期,阅读次数\n08:00,2026-11-16,3\n09:00,2026-11-16,4\n"})
    table = read_export_table("oa_reads", [folder / "hours.csv"])
    assert table.rows == [("2026-11-16", ALL, "7")]


def test_changing_an_export_rebuilds_the_warehouse(tmp_path):
    folder = folder_of(tmp_path, "user_growth_gbk.csv", "content_trend_bom.csv")
    before, path = data_fingerprint(folder), build_warehouse(folder)
    text = (folder / "content_trend_bom.csv").read_text(encoding="utf-8-sig")
    (folder / "content_trend_bom.csv").write_text(text.replace("1200,980", "1201,980"), encoding="utf-8-sig")
    assert data_fingerprint(folder) != before
    assert build_warehouse(folder) != path


def test_the_same_article_keeps_its_id_across_encodings_and_date_styles(tmp_path):
    gbk = tmp_path / "a.csv"
    gbk.write_bytes("发布时间,标题,图文阅读次数\n2026/11/16 20:30,会员日预告,700\n".encode("gbk"))
    utf = tmp_path / "b.csv"
    utf.write_text("标题,发表时间,阅读次数\n 会员日预告 ,2026-11-16 20:30:00,700\n", encoding="utf-8-sig")
    ids = {read_export_table("articles", [p]).rows[0][0] for p in (gbk, utf)}
    assert ids == {article_id("2026-11-16 20:30:00", "会员日预告")}


@pytest.mark.parametrize(("written", "read"), [
    ("2026-11-16", ("2026-11-16", None)), ("2026/11/16", ("2026-11-16", None)),
    ("20261116", ("2026-11-16", None)), ("2026年11月16日", ("2026-11-16", None)),
    ("2026/1/5 8:05", ("2026-01-05", "08:05:00")), ("2026-11-16T23:59:59", ("2026-11-16", "23:59:59")),
    ("２０２６－１１－１６", ("2026-11-16", None)), ("2026-02-30", None), ("2026-11-16 24:00", None),
    ("11/16/2026", None), ("合计", None)])
def test_dates_as_exports_write_them(written, read):
    assert moment(written) == read


@pytest.mark.parametrize(("written", "read"), [
    ("1,234", "1234"), ("12,345,678", "12345678"), ("'1234", "1234"), ('="1234"', "1234"),
    ("１，２３４", "1234"), (" 56 ", "56"), ("-", None), ("--", None), ("", None),
    ("1,23", "1,23"), ("abc", "abc"), ("-5", "-5")])
def test_numbers_as_exports_write_them(written, read):
    assert number(written) == read


# -------------------------------------------------------------------------------------------------
# Any column order, any alias, any title lines, any container: the same table
# -------------------------------------------------------------------------------------------------

DAYS = [("2026-11-10", 120, 15, 12105), ("2026-11-11", 1098, 20, 13183), ("2026-11-12", 0, 7, 13176)]
STYLES = {"iso": lambda y, m, dd: f"{y}-{m:02d}-{dd:02d}", "slash": lambda y, m, dd: f"{y}/{m}/{dd}",
          "compact": lambda y, m, dd: f"{y}{m:02d}{dd:02d}", "zh": lambda y, m, dd: f"{y}年{m}月{dd}日",
          "time": lambda y, m, dd: f"{y}-{m:02d}-{dd:02d} 00:00:00"}


def _write(path: Path, table: list[list[str]], html: bool, encoding: str) -> None:
    if html:
        body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in table)
        path.write_bytes(f"<html><body><table>{body}\n</table></body></html>".encode(encoding))
    else:
        text = "\r\n".join(",".join(f'"{c}"' if "," in c else c for c in row) for row in table)
        path.write_bytes((text + "\r\n").encode(encoding))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_growth_export_in_any_shape_gives_the_same_table(tmp_path, data):
    aliases = wechat.EXPORT_ALIASES["followers"]
    fields = data.draw(st.permutations(["date", "new_followers", "unfollows", "net", "cumulative"]))
    names = {f: data.draw(st.sampled_from(aliases[f])) + data.draw(st.sampled_from(["", "(人)", "（人）", " "]))
             for f in fields}
    style = STYLES[data.draw(st.sampled_from(sorted(STYLES)))]
    grouped = data.draw(st.booleans())
    titles = data.draw(st.lists(st.sampled_from(["用户增长", "2026-11-10 至 2026-11-12", ""]), max_size=3))
    table = [[t] for t in titles] + [[names[f] for f in fields]]
    for day, new, gone, total in DAYS:
        y, m, dd = (int(x) for x in day.split("-"))
        value = {"date": style(y, m, dd), "new_followers": new, "unfollows": gone, "net": new - gone,
                 "cumulative": total}
        table.append([f"{value[f]:,}" if grouped and f != "date" else str(value[f]) for f in fields])
    html = data.draw(st.booleans())
    path = tmp_path / ("growth.xls" if html else "growth.csv")
    _write(path, table, html, data.draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk"])))
    got = read_export_table("followers", [path])
    assert got.columns == ["date", "source", "new_followers", "unfollows", "cumulative"]
    assert got.rows == [(day, FOLLOWERS, str(new), str(gone), str(total)) for day, new, gone, total in DAYS]
    assert [s.number for s in got.spots] == [len(titles) + 2 + i for i in range(3)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_content_export_in_any_shape_gives_the_same_table(tmp_path, data):
    aliases = wechat.EXPORT_ALIASES["oa_reads"]
    extra = data.draw(st.lists(st.sampled_from(["original_reads", "original_readers", "posts"]), unique=True))
    fields = data.draw(st.permutations(["date", "source", "readers", "reads", "shares", "favorites", *extra]))
    names = {f: data.draw(st.sampled_from(aliases[f])) for f in fields}
    values = [("2026-11-16", "全部渠道", 1850, 2310, 96, 40), ("2026-11-16", "搜一搜", 30, 41, 2, 1)]
    table = [[names[f] for f in fields]]
    for day, channel, readers, reads, shares, favorites in values:
        cell = {"date": day.replace("-", "/"), "source": channel, "readers": readers, "reads": reads,
                "shares": shares, "favorites": favorites, "original_reads": 3, "original_readers": 2, "posts": 1}
        table.append([str(cell[f]) for f in fields])
    path = tmp_path / "trend.csv"
    _write(path, table, False, "utf-8")
    got = read_export_table("oa_reads", [path])
    assert got.columns == ["date", "source", "readers", "reads", "shares", "favorites"]
    assert got.rows == [("2026-11-16", ALL, "1850", "2310", "96", "40"),
                        ("2026-11-16", "搜一搜", "30", "41", "2", "1")]
