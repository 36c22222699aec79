"""content_performance on WeChat's statistics (issue 15): reads by source from `oa_reads` (numbers
by hand in content/platform.py), the rule for articles without a time of day, and the notebook on a
platform-only source (no users, no events) and on own tracking with `oa_reads` (mixed)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.account import W47, account_tables, pandas_headline
from content.inprocess import missing_words, run_notebook
from content.platform import CHATS, MESSAGES, MOMENTS, OTHER, SEARCH, W47_DAYS, oa_reads, platform_tables
from datasets import open_warehouse
from helpers.content import privacy, tables
from helpers.content.history import history, publish_times_known
from helpers.content.labels import published
from helpers.content.reads import source_reads, summarise, week_metrics
from helpers.content.sections import without_recipients
from helpers.core.wechat import ALL_SOURCES
from helpers.render.text import Text

EN, ZH = Text("en"), Text("zh")


def reads_of(rows: list[dict]):
    with open_warehouse({"oa_reads": rows}, fmt="csv") as wh:
        return source_reads(wh, W47)


def test_reads_by_source_by_hand():
    """content/platform.py: readers 3,500 (WeChat's deduplicated row, 500 a day), reads 5,600."""
    result = reads_of(oa_reads())
    assert result.days == 7 and result.deduplicated
    assert result.total == {"readers": 3500, "reads": 5600, "shares": 280, "favorites": pytest.approx(np.nan,
                                                                                                     nan_ok=True)}
    s = result.sources.set_index("source")
    assert list(s.index) == [MESSAGES, CHATS, MOMENTS, SEARCH, OTHER]  # most readers first
    assert s["readers"].tolist() == [2100, 1050, 700, 21, 1]
    assert s["readers_share"].tolist() == pytest.approx([0.6, 0.3, 0.2, 0.006, 1 / 3500])
    assert s["reads_share"].tolist() == pytest.approx([0.5625, 0.3125, 0.125, 0, 0])
    # people read from several sources: the readers' shares add up to more than 100%, reads' to 100%
    assert s["readers_share"].sum() > 1.1 and s["reads_share"].sum() == pytest.approx(1)
    assert week_metrics(result) == {"oa_readers": 3500, "oa_reads": 5600, "oa_shares": 280}
    assert week_metrics(None) == {"oa_readers": None, "oa_reads": None, "oa_shares": None}


def test_readers_of_sources_are_never_added_up_into_people():
    """Without WeChat's deduplicated row the week's readers are unknown (not 3,871 = the sum of the
    sources); reads add up: 5,600. With the row missing on one day, readers are unknown too."""
    without = reads_of([r for r in oa_reads() if r["source"] != ALL_SOURCES])
    assert not without.deduplicated and math.isnan(without.total["readers"])
    assert without.total["reads"] == 5600 and without.sources["readers_share"].isna().all()
    assert week_metrics(without)["oa_readers"] is None and week_metrics(without)["oa_reads"] == 5600
    gap = reads_of([r for r in oa_reads() if not (r["source"] == ALL_SOURCES and r["date"] == "2026-11-18")])
    assert math.isnan(gap.total["readers"])
    assert gap.total["reads"] == 5600  # 6 x 800 from the total row would be wrong: the sum of sources
    assert reads_of(oa_reads(days=[W47_DAYS[0] - pd.Timedelta(days=7)])) is None  # no row this week


def test_small_sources_are_hidden_with_one_more_and_in_the_sentence():
    """k = 10: OTHER (1 reader) hidden, and SEARCH (21) with it: the total reads would give OTHER's
    away. The sentence names the top source with its share of the deduplicated readers."""
    result = reads_of(oa_reads())
    _, mask = privacy.reads(result.sources, 10)
    hidden = set(result.sources["source"][mask["readers"]])
    assert hidden == {OTHER, SEARCH} and mask.loc[mask["readers"], "reads"].all()
    table, _, cells = tables.reads(result, 10, EN)
    # WeChat's source names, in English in an English report
    assert table.iloc[:, 0].tolist() == ["Account messages", "Chats", "Moments", "Search", "Other",
                                         EN("cp_reads_all")]
    assert cells["Readers"].tolist() == [False, False, False, True, True, False]
    assert table["Readers"].iat[-1] == 3500 and table["Share of readers"].iat[-1] == 1.0
    assert "Favourites" not in table  # the source gives none
    from helpers.content import findings

    text = findings.reads(result, 10, EN)
    assert text == ("This week WeChat counted 3,500 readers (deduplicated within each day, the days added up) and "
                    "5,600 reads of the account's articles. Most readers came from Account messages: 2,100, 60.0% of "
                    "the deduplicated readers.")
    no_total = reads_of([r for r in oa_reads() if r["source"] != ALL_SOURCES])
    zh = findings.reads(no_total, 10, ZH)
    assert "不能相加" in zh and "占去重" not in zh and "5,600" in zh


def test_only_the_total_row_makes_a_table_of_one_row():
    """WeChat may give only the deduplicated row (getuserread without sources, a console export of
    every channel): the week's total stands alone (a fetched folder failed on it)."""
    only_total = reads_of([r for r in oa_reads() if r["source"] == ALL_SOURCES])
    assert only_total.sources.empty and only_total.deduplicated
    table, _, _ = tables.reads(only_total, 10, EN)
    assert table.iloc[:, 0].tolist() == [EN("cp_reads_all")] and table["Readers"].iat[0] == 3500


def articles_at(*times: str) -> dict[str, list[dict]]:
    return {"followers": [{"date": "2026-11-16", "source": "1", "new_followers": 1, "unfollows": 0}],
            "articles": [{"article_id": f"A{i}", "published_at": t} for i, t in enumerate(times)]}


@pytest.mark.parametrize(("times", "known"), [
    (("2026-11-16 00:00:00", "2026-11-18 00:00:00"), False),  # WeChat's dates: every one at 00:00:00
    (("2026-11-16 00:00:00", "2026-11-18 00:00:01"), True),  # one time of day is enough
    (("2026-11-16 20:30:00",), True),
    ((), True),  # no article: nothing to say
])
def test_no_time_of_day_rule(times, known):
    with open_warehouse(articles_at(*times), fmt="csv") as wh:
        assert publish_times_known(wh) is known


def test_a_date_without_time_is_written_without_midnight():
    row = pd.Series({"published": pd.Timestamp("2026-11-16"), "time_known": False})
    assert published(row, EN) == "Mon 16 Nov" and published(row, ZH) == "11-16 周一"
    assert published(row, ZH, prose=True) == "11月16日（周一）"
    assert published(row.drop("time_known"), EN) == "Mon 16 Nov 00:00"  # own data: as before


@pytest.fixture(scope="module")
def platform_run(tmp_path_factory):
    """The notebook once on the platform-only source (CSV files, no users, no events)."""
    monkeypatch = pytest.MonkeyPatch()
    try:
        yield run_notebook("content_performance", platform_tables(), tmp_path_factory.mktemp("cp-wx"), monkeypatch,
                           fmt="csv", language="en")
    finally:
        monkeypatch.undo()


def test_platform_only_report_completes_and_says_what_needs_events(platform_run):
    run = platform_run
    assert missing_words(run) == []
    m = run.doc["metrics"]
    assert (m["oa_readers"], m["oa_reads"], m["oa_shares"]) == (3500, 5600, 280)
    # articles every second day from 24 Aug: 14, 16, 18, 20, 22 Nov, readers 300 / 100 / 50 on their
    # first three days: W47 holds 14's last day (50), three whole articles, and 22's first day (300)
    assert m["articles_published"] == 4 and m["readers"] == 50 + 3 * 450 + 300
    assert m["new_followers"] is not None
    skipped = "\n".join(run.skipped)
    assert "times of day in articles.published_at" in skipped
    assert "user-level events (own tracking, events with article_id)" in skipped
    assert "user-level events with page paths" in skipped
    assert len(run.skipped) == 3
    # the only midnight is the line saying why publish hours are not compared
    assert run.text.count("00:00") == 1 and "Mon 16 Nov" in run.text
    assert "(articles without a column average" in run.text and "column “—”" not in run.text
    reads_section = run.text.split("Reads by source")[1].split("What works")[0]
    assert "3,500" in reads_section and "60.0%" in reads_section and "<10" in reads_section


def test_reads_by_source_show_with_own_tracking_too_and_nothing_else_moves(tmp_path, monkeypatch):
    """Mixed data: the hand-made account with oa_reads keeps its numbers and adds the section."""
    tables = account_tables() | {"oa_reads": oa_reads()}
    run = run_notebook("content_performance", tables, tmp_path, monkeypatch, language="en")
    m = run.doc["metrics"]
    for key, value in pandas_headline(account_tables(), W47).items():
        assert m[key] == pytest.approx(value), key
    assert m["oa_readers"] == 3500 and "Most readers came from" in run.text
    assert not any("oa_reads" in r or "times of day" in r for r in run.skipped)


def test_articles_without_recipients_still_show_readers_shares_and_zaikan():
    """WeChat's published-content statistics carry no recipients: no read rate to rank by, but the
    week's articles are listed with readers, shares and 在看 (content/platform.py: 4 articles)."""
    source = platform_tables(reads=False)
    source["article_stats"] = [{k: v for k, v in r.items() if k != "recipients"} for r in source["article_stats"]]
    with open_warehouse(source, fmt="csv") as wh:
        hist = history(wh, W47, 26, 1, [1, 7])
        assert without_recipients(hist) and hist.current["read_shrunk"].isna().all()
        table, _, _ = tables.engagement(hist.current, 10, EN)
    assert len(table) == 4 and table["Zaikan (在看)"].tolist() == [22, 22, 22, 15]  # 15 + 5 + 2; 15


SOURCES = ("A", "B", "C", "D")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(st.tuples(st.integers(0, 6), st.sampled_from(SOURCES), st.integers(0, 40),
                                st.integers(0, 60)), min_size=1, max_size=25, unique_by=lambda c: c[:2]),
       with_total=st.sampled_from(["every day", "some days", "never"]), k=st.integers(5, 12))
def test_reads_by_source_in_any_shape(cells, with_total, k):
    """Random days, sources and counts, WeChat's total row on every day, some or none: reads add
    up (their shares to 100% without the total row), readers are only ever WeChat's total, a
    source never gets more than 100% of the readers, and no hidden source can be worked out from
    the shown ones and the total."""
    rows = pd.DataFrame([{"day": d, "source": s, "readers": r, "reads": r + n, "shares": None, "favorites": None}
                         for d, s, r, n in cells])
    days = sorted(set(rows["day"]))
    total_days = {"every day": days, "some days": days[1:], "never": []}[with_total]
    per_day = rows.groupby("day")[["readers", "reads"]].sum()
    totals = pd.DataFrame([{"day": d, "source": ALL_SOURCES, "readers": int(per_day.loc[d, "readers"]) // 2 + 1,
                            "reads": int(per_day.loc[d, "reads"]), "shares": None, "favorites": None}
                           for d in total_days])
    result = summarise(pd.concat([rows, totals], ignore_index=True))
    assert result.total["reads"] == rows["reads"].sum()  # the total row's reads are the sources' sum here
    if with_total == "every day":
        assert result.total["readers"] == sum(int(per_day.loc[d, "readers"]) // 2 + 1 for d in days)
    else:
        assert not result.deduplicated and result.sources["readers_share"].isna().all()
        if rows["reads"].sum():
            assert result.sources["reads_share"].sum() == pytest.approx(1)
    assert sorted(result.sources["source"]) == sorted(set(rows["source"]))
    shown, mask, total = result.shown(k)
    hidden = mask["readers"] & result.sources["readers"].gt(0)
    assert not (result.sources["readers"].between(1, k - 1) & ~mask["readers"]).any()
    assert shown.loc[mask["readers"], ["reads", "reads_share"]].isna().all().all()
    if hidden.sum() == 1:  # a lone hidden source would follow from the total: no total is shown
        assert all(np.isnan(v) for v in total.values())
        assert set(week_metrics(result, k).values()) == {None}
    elif not 0 < result.total["readers"] < k:  # a week of fewer than k readers is hidden whole
        assert total["reads"] == result.total["reads"]
    table, _, _ = tables.reads(result, k, EN)  # the table of any shape builds, total row last
    assert len(table) == len(result.sources) + 1
