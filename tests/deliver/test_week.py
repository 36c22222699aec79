"""What the run published for a week, read back: statuses from index.html, summaries from the JSON
of this week only, KPIs, poster, and whether the week is complete."""

from __future__ import annotations

import os
import time

import pytest

from deliver.published import PERIOD, publish_week
from helpers.core.periods import Period
from helpers.deliver.week import WeekError, find_period, load_week, report_files


@pytest.mark.parametrize("data_name", [True, False], ids=["data-name", "names-from-links"])
def test_a_complete_week(tmp_path, data_name):
    folder = publish_week(tmp_path, data_name=data_name)
    week = load_week(tmp_path, "2026-W47")
    assert week.period == PERIOD and week.folder == folder and week.language == "zh"
    assert [(r.name, r.title, r.status) for r in week.reports] == [
        ("weekly_summary", "每周经营摘要", "ok"), ("user_analysis", "用户分析", "ok"),
        ("content_performance", "内容表现", "ok")]
    assert week.complete and week.incomplete_why == () and week.alerts == ()
    assert week.verdict == "成交额（GMV）达到目标；新增用户接近目标。"
    assert [k.metric for k in week.kpis] == ["active_users", "new_users", "orders", "gmv"]
    gmv = week.kpis[-1]
    assert (gmv.value, gmv.target_status, gmv.tone) == (177166.96, "met", "good")
    assert week.poster == folder / "weekly_summary.png" and week.summary_html == folder / "weekly_summary.html"
    assert report_files(week) == [folder / "index.html"] + [folder / f"{r.name}.html" for r in week.reports]


def test_a_failed_report_makes_the_week_incomplete_and_its_old_json_is_not_read(tmp_path):
    publish_week(tmp_path, failed=("user_analysis",), alerts={"content_performance": ["阅读量异常"]},
                 skipped_sections={"content_performance": [("阅读来源", "数据不足")]})
    week = load_week(tmp_path, "latest")
    failed = week.reports[1]
    assert failed.status == "failed" and failed.top_finding is None and failed.alerts == ()
    assert not week.complete
    assert week.incomplete_why == ("用户分析：本周生成失败", "内容表现：阅读来源未显示——数据不足")
    assert week.alerts == ("内容表现：阅读量异常",)
    assert folder_files(week) == ["index.html", "weekly_summary.html", "content_performance.html"]


def folder_files(week):
    return [p.name for p in report_files(week)]


def test_without_a_weekly_summary_there_is_no_verdict_nor_kpis(tmp_path):
    publish_week(tmp_path, failed=("weekly_summary",), poster=False)
    week = load_week(tmp_path, "2026-W47")
    assert week.verdict is None and week.kpis == () and week.poster is None and week.summary_html is None


def test_an_english_index(tmp_path):
    publish_week(tmp_path, language="en", failed=("user_analysis",))
    week = load_week(tmp_path, "2026-W47")
    assert week.language == "en" and week.reports[1].title == "User analysis"
    assert week.incomplete_why == ("User analysis: failed this week",)


def test_latest_is_the_newest_week_published_and_since_the_one_this_run_wrote(tmp_path):
    publish_week(tmp_path, period=Period.parse("2026-W46"))
    publish_week(tmp_path, period=Period.parse("2026-W47"))
    (tmp_path / "2026-W99-not-a-week").mkdir()
    (tmp_path / "notes").mkdir()
    assert find_period(tmp_path, "latest").label == "2026-W47"
    assert find_period(tmp_path, None).label == "2026-W47"
    assert find_period(tmp_path, "2026-W46").label == "2026-W46"
    old = time.time() - 3600
    os.utime(tmp_path / "2026-W47" / "index.html", (old, old))
    assert find_period(tmp_path, None, since=time.time() - 60).label == "2026-W46"
    with pytest.raises(WeekError, match="no week published by this run"):
        find_period(tmp_path / "2026-W46", None, since=time.time() + 60)


def test_a_week_not_published_is_a_clear_error(tmp_path):
    with pytest.raises(WeekError, match="run `wxreport run` first"):
        load_week(tmp_path, "latest")
    publish_week(tmp_path)
    with pytest.raises(WeekError, match=r"2026-W40.*has not been published.*--period 2026-W40"):
        load_week(tmp_path, "2026-W40")
    with pytest.raises(WeekError, match="use 'latest' or a week"):
        load_week(tmp_path, "2026-W99")
