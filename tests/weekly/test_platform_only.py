"""The weekly summary on WeChat's statistics only (issue 15, item 3): cards, verdict, trend, day by
day and poster from WeChat's active and new users (+ orders and GMV), visits, opens and stay time;
said once that the numbers are WeChat's; an official account's statistics alone still make a
report that says what it lacks in one line; mixed data keeps own tracking's KPIs."""

from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pytest

from helpers.core import kpis
from helpers.core.periods import Period
from helpers.sample import SampleSpec, write_tables
from helpers.sample.platform import platform_tables
from weekly.inprocess import MISSING_WORDS, run_weekly

SPEC = SampleSpec(seed=11, users=1500, days=42)  # 2026-10-12 .. 2026-11-22
W47 = Period.parse("2026-W47")
SOURCE_NOTE = {"zh": "来自微信官方统计（We分析）", "en": "WeChat's own statistics (We分析)"}


@pytest.fixture(scope="module")
def sample():
    return platform_tables(SPEC)


@pytest.fixture(scope="module")
def folders(sample, tmp_path_factory):
    """The platform-only folder, the mixed one, own tracking only, and an official account's
    statistics only (followers, articles, article_stats, oa_reads)."""
    base = tmp_path_factory.mktemp("folders")
    tables = sample.tables()
    out = {"platform": tables, "mixed": sample.tables(mixed=True),
           "own": {k: v for k, v in sample.own.items()},
           "account": {k: tables[k] for k in ("followers", "articles", "article_stats", "oa_reads")}}
    for name, t in out.items():
        write_tables(base / name, t, sample.truth)
    return base


def _week_row(sample, monday: date) -> pd.Series:
    rows = sample.wechat["mp_visits"].to_pandas()
    rows = rows[(rows["period"] == "week") & (rows["date"].map(str).str[:10] == monday.isoformat())]
    return rows.iloc[0]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_platform_only_week_is_wechats(sample, folders, tmp_path, monkeypatch, language):
    run = run_weekly(folders / "platform", tmp_path, monkeypatch, period="2026-W47", language=language)
    m = run.metrics
    week = _week_row(sample, W47.start)
    days = sample.wechat["mp_visits"].to_pandas().query("period == 'day'")
    in_week = days[days["date"].map(str).str[:10].between("2026-11-16", "2026-11-22")]
    assert len(in_week) == 7
    # active users = WeChat's deduplicated visitors of the week, never the sum of the days
    assert m["active_users"] == week["visitors"] < in_week["visitors"].sum()
    assert m["new_users"] == in_week["new_visitors"].sum()
    assert (m["visits"], m["opens"]) == (week["visits"], week["sessions"])
    assert m["stay_time_uv"] == pytest.approx(week["stay_time_uv"], abs=0.01)
    assert m["stay_time_session"] == pytest.approx(week["stay_time_session"], abs=0.01)
    orders = sample.own["orders"].to_pandas()
    paid = orders[(orders["status"] == "paid") & orders["paid_at"].dt.date.between(W47.start, W47.end)]
    assert m["orders"] == len(paid) and m["gmv"] == pytest.approx(paid["amount"].sum(), abs=0.01)
    previous = _week_row(sample, W47.previous.start)
    assert m["active_users_wow"] == pytest.approx(week["visitors"] / previous["visitors"] - 1)
    cards = [i["metric"] for i in m["kpi_status"]]
    assert cards == ["active_users", "new_users", "orders", "gmv", "aov", "visits", "opens", "stay_time_uv"]
    assert run.text.count(SOURCE_NOTE[language]) == 1  # said once
    assert not MISSING_WORDS.search(run.text)
    assert run.doc["summary"]["sections_skipped"] == []
    assert (run.out / "weekly_summary.png").is_file()


def test_official_account_only_says_what_it_lacks_in_one_line(folders, tmp_path, monkeypatch):
    run = run_weekly(folders / "account", tmp_path, monkeypatch, period="2026-W47", language="en")
    assert all(v is None for k, v in run.metrics.items() if k not in ("kpi_status", "context"))
    assert run.metrics["kpi_status"] == []
    lines = [line.strip() for line in run.text.splitlines() if line.strip()]
    body = lines[lines.index("This week at a glance ¶") + 1:]
    assert len(body) == 1 and body[0].startswith("Nothing to show this week")
    assert run.doc["summary"]["top_finding"] == body[0]
    assert (run.out / "weekly_summary.png").is_file()


def test_mixed_data_keeps_own_tracking_kpis(folders, tmp_path, monkeypatch):
    own = run_weekly(folders / "own", tmp_path / "own", monkeypatch, period="2026-W47", language="zh")
    mixed = run_weekly(folders / "mixed", tmp_path / "mixed", monkeypatch, period="2026-W47", language="zh")
    for key in [*kpis.KPIS, *(f"{k}_wow" for k in kpis.KPIS), "aov"]:
        assert mixed.metrics[key] == own.metrics[key], key
    assert all(own.metrics[k] is None for k in kpis.WECHAT)  # no mp_visits: null, never 0
    assert all(mixed.metrics[k] is not None for k in kpis.WECHAT)
    assert "来自微信官方统计" not in own.text
    assert mixed.text.count("访问次数、打开次数和停留时长来自微信官方统计") == 1


def test_a_missing_week_row_leaves_active_users_null_and_says_so(sample, tmp_path, monkeypatch):
    tables = sample.tables()
    visits = tables["mp_visits"].to_pandas()
    keep = ~((visits["period"] == "week") & (visits["date"].map(str).str[:10] == "2026-11-16"))
    import pyarrow as pa
    tables["mp_visits"] = pa.Table.from_pandas(visits[keep], schema=tables["mp_visits"].schema,
                                               preserve_index=False)
    write_tables(tmp_path / "src", tables, {})
    run = run_weekly(tmp_path / "src", tmp_path, monkeypatch, period="2026-W47", language="en")
    m = run.metrics
    assert m["active_users"] is None and m["stay_time_uv"] is None  # never a sum of the days
    assert m["new_users"] is not None and m["visits"] is not None  # formed from the seven day rows
    assert [i["metric"] for i in m["kpi_status"]][-1] == "stay_time_session"
    assert any("weekly row" in s for s in run.skipped)
    shutil.rmtree(tmp_path / "src")
