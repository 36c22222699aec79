"""The content_performance notebook end to end through the runner, its escaping of free text, and
the report helpers (tables, findings, charts) in both languages."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from helpers.content import charts, findings, tables
from helpers.content.headline import ADDED_KEYS, headline
from helpers.content.history import history
from helpers.content.outliers import expected_readers
from helpers.content.pages import page_stats
from helpers.content.works import breakdown, push_frequency
from helpers.core.metrics import METRICS
from helpers.core.periods import Period
from helpers.render import style
from helpers.render.html import external_references
from helpers.render.outputs import CONTRACTS, PAYLOAD_KEYS
from helpers.render.text import Text

from conftest import minimal_tables, write_source

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[2]
WXREPORT = str(Path(sys.executable).with_name("wxreport"))
W47 = Period.parse("2026-W47")
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
COLUMN = "<b>专栏</b>"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([WXREPORT, "run", "--only", "content_performance", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)


@pytest.fixture(scope="module")
def hostile(tiny_data, tmp_path_factory) -> Path:
    """The tiny sample with HTML in article titles, a column name and a page path."""
    data = tmp_path_factory.mktemp("hostile") / "shop"
    shutil.copytree(tiny_data, data)
    articles = pd.read_parquet(data / "articles.parquet")
    week = articles["published_at"] >= "2026-11-16"
    articles.loc[week, "title"] = [SCRIPT if i % 2 else IMG for i in range(int(week.sum()))]
    articles.loc[articles.index[-1], "column"] = COLUMN
    articles.to_parquet(data / "articles.parquet", index=False)
    events = pd.read_parquet(data / "events.parquet")
    events.loc[events["page"] == "pages/cart/index", "page"] = IMG
    events.to_parquet(data / "events.parquet", index=False)
    return data


@pytest.fixture(scope="module")
def report(hostile, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cp-e2e") / "reports"
    result = run("--data", str(hostile), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "2026-W47"


def test_json_has_every_key_and_matches_the_data(report, hostile):
    doc = json.loads((report / "content_performance.json").read_text(encoding="utf-8"))
    assert tuple(doc) == (*PAYLOAD_KEYS, "summary") and doc["period"] == "2026-W47"
    # WeChat's reads by source (issue 15) are not offered to own tracking without oa_reads
    assert doc["summary"]["sections_skipped"] == [] and doc["summary"]["top_finding"]
    m = doc["metrics"]
    assert set(CONTRACTS["content_performance"].metrics) <= set(m) <= set(doc["definitions"])
    articles = pd.read_parquet(hostile / "articles.parquet")
    stats = pd.read_parquet(hostile / "article_stats.parquet")
    followers = pd.read_parquet(hostile / "followers.parquet")
    week = pd.to_datetime(stats["date"]).between("2026-11-16", "2026-11-22")
    published = articles[articles["published_at"].between("2026-11-16", "2026-11-23")]
    assert m["articles_published"] == len(published)
    assert m["readers"] == stats.loc[week, "readers"].sum()
    assert m["share_rate"] == pytest.approx(stats.loc[week, "sharers"].sum() / m["readers"])
    mine = stats[stats["article_id"].isin(published["article_id"])]
    assert m["read_rate"] == pytest.approx(
        mine.loc[week, "readers"].sum() / mine.groupby("article_id")["recipients"].max().sum())
    f_week = pd.to_datetime(followers["date"]).between("2026-11-16", "2026-11-22")
    assert m["net_followers"] == (followers.loc[f_week, "new_followers"].sum()
                                  - followers.loc[f_week, "unfollows"].sum())
    assert m["best_article_id"] in set(published["article_id"])


def test_report_is_self_contained_and_escapes_free_text(report):
    page = (report / "content_performance.html").read_text(encoding="utf-8")
    assert external_references(page) == []  # an unescaped <img src=x> would be one
    for raw in (SCRIPT, IMG, COLUMN, "<script>alert", "onerror=alert(2)>"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "&lt;b&gt;专栏&lt;/b&gt;" in page
    assert "open_report" not in page and "Traceback" not in page
    assert "内容表现 · 2026-W47" in page
    assert page.count('<figure class="wx-chart') >= 6  # every section's chart (inline SVG)
    assert "No description has been provided" not in page
    for section in ("本周文章", "什么内容有效", "何时发布", "粉丝变化", "从阅读到购买", "小程序页面",
                    "异常文章"):
        assert f">{section}<" in page
    assert 'class="wx-skipped"' not in page and "oa_reads" not in page  # no reads section offered


def test_missing_tables_skip_their_sections_in_english(tmp_path):
    tables = minimal_tables()
    data = write_source(tmp_path / "shop", tables)
    params = tmp_path / "params"
    params.mkdir()
    (params / "defaults.yaml").write_text("language: en\n")
    out = tmp_path / "out"
    result = run("--data", str(data), "--period", "2026-W47", "--out", str(out), "--params", str(params))
    assert result.returncode == 0, result.stdout + result.stderr
    doc = json.loads((out / "2026-W47" / "content_performance.json").read_text(encoding="utf-8"))
    assert doc["metrics"] == dict.fromkeys((*CONTRACTS["content_performance"].metrics, *ADDED_KEYS))
    assert doc["summary"]["verdict"] == "incomplete" and len(doc["summary"]["sections_skipped"]) == 8
    page = (out / "2026-W47" / "content_performance.html").read_text(encoding="utf-8")
    assert page.count('class="wx-skipped"') == 8  # every section, the glance too: no content tables
    assert "Section skipped: the data source has no articles, article_stats and followers tables." in page
    assert "Section skipped: the data source has no articles or article_stats table." in page
    assert "Section skipped: the data source has no followers table." in page
    assert "Content performance · Week 2026-W47" in page


# ----------------------------------------------------------------------------------------------
# Helpers of the report, without a kernel
# ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_hist(tiny_wh):
    return history(tiny_wh, W47, 6, 1, [1, 7])


@pytest.mark.parametrize("language", ["zh", "en"])
def test_findings_and_tables_read_well_in_both_languages(tiny_wh, tiny_hist, language):
    hist, tx = tiny_hist, Text(language)
    m = headline(tiny_wh, W47, hist)
    parts = {d: breakdown(hist.observed, d) for d in ("column_name", "format", "position_key")}
    texts = [
        findings.at_a_glance(m, {"readers": 0.1}, hist, tx),
        findings.articles(hist, tx),
        findings.shrinkage_note(hist, tx),
        findings.what_works(hist.observed, 5, tx),
        findings.what_works_note(hist, 5, tx),
        findings.timing(hist, push_frequency(tiny_wh, hist, [3, 5]), [3, 5], 5, tx),
        findings.timing_note(1, tx),
        findings.pages(page_stats(tiny_wh, W47, 0.05), 10, tx),
        findings.outliers(expected_readers(hist, 2.5), 1, 2.5, 10, tx),
    ]
    for text in texts:
        assert text and "nan" not in text.lower() and "None" not in text
        if language == "zh":
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text)
        else:  # English prose (it may quote Chinese titles and columns)
            assert re.search(r"\b(the|is|are|of|read)\b", text), text
    frame, units, _ = tables.ranking(hist.current, [1, 7], 1, 10, tx)
    assert ("首1日阅读率" if language == "zh" else "Read rate, first 1 day") in frame.columns
    assert ("首7日阅读率" if language == "zh" else "Read rate, first 7 days") in frame.columns
    assert set(units) <= set(frame.columns) and frame.columns.is_unique
    table, _, _ = tables.breakdowns(parts, 1, tx)
    assert table.columns.is_unique and len(table) == sum(len(p) for p in parts.values())
    # What was shown is what the notes will define: every metric has both labels and a definition.
    assert {"best_article_id", "readers_wow", "article_read_rate_days", "content_read_rate"} <= set(tx.shown)
    for key in tx.shown:
        metric = METRICS[key]
        assert metric.zh and metric.en and metric.definition and metric.formula, key


def test_small_buyer_cells_are_hidden():
    frame = pd.DataFrame({"article_id": ["a", "b", "c"], "title": ["t", None, "u"],
                          "readers": [100.0, 50.0, 80.0], "openers": [40.0, 20.0, 30.0],
                          "click_through": [0.4, 0.4, 0.375], "buyers": [15.0, 3.0, 12.0],
                          "orders": [16.0, 3.0, 13.0], "gmv": [600.0, 90.0, 500.0],
                          "conversion": [0.375, 0.15, 0.4]})
    tx = Text("zh")
    table, _, hidden = tables.buying(frame, 10, 20, tx)
    assert table.iloc[1, 0] == "b"  # no title: the article id
    # b's 3 buyers are hidden, and with them c's 12 (the next-fewest), else the finding's total
    # would give b's away; a's 15 stay.
    assert hidden.iloc[1].sum() == 4 and hidden.iloc[2].sum() == 4 and not hidden.iloc[0].any()
    assert pd.isna(table.iloc[1][tx.label("article_gmv")]) and pd.isna(table.iloc[2][tx.label("article_gmv")])


def test_chart_text_is_plain_never_mathtext():
    style.apply()
    assert charts.plain("省$5$元") == "省$5$元"
    assert charts.plain("一二三四五六七八九十一二三四五六七八", 8) == "一二三四五六七…"
    frame = pd.DataFrame({"title": ["$x^2$ 满减", "普通"], "article_id": ["a", "b"],
                          "expected_readers": [100.0, 200.0], "readers_c": [300.0, 190.0],
                          "in_period": [True, True], "flagged": [True, False], "z": [3.0, -0.1]})
    fig = charts.outliers(frame, 1, Text("zh"))
    fig.canvas.draw()  # a mathtext title would render as math (or fail); plain text draws as is
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels == ["$x^2$ 满减"]
