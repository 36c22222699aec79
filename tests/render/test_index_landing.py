"""Issue 14, item 2: the index is the week's landing page: verdict, headline KPI cards with target
and forecast status (icon and word), the week's alerts, one line per report (what it answers and
its top finding, from its published JSON), the poster and earlier weeks; localized times."""

from __future__ import annotations

import json
from datetime import datetime

from helpers.core.periods import Period
from helpers.render.html import external_references
from helpers.render.index import IndexEntry, alerts, earlier_weeks, read_published, render_index, write_index

W47 = Period.parse("2026-W47")
WHEN = datetime(2026, 11, 23, 9, 5)
WEEKLY = {
    "metrics": {"kpi_status": [
        {"metric": "gmv", "tone": "bad", "value": 120000.0, "wow": -0.2, "target": 150000.0,
         "target_status": "missed", "forecast": 140000.0, "forecast_lo80": 130000.0,
         "forecast_hi80": 150000.0, "forecast_made_in": "2026-W46", "forecast_status": "below"},
        {"metric": "orders", "tone": "flat", "value": 1800, "wow": -0.1, "target": None,
         "target_status": None, "forecast": None, "forecast_lo80": None, "forecast_hi80": None,
         "forecast_made_in": None, "forecast_status": None}]},
    "summary": {"verdict": "attention", "top_finding": "上周有双11；成交额（GMV）低于预测范围。",
                "alerts": [{"kind": "target", "metric": "gmv", "text": "成交额（GMV） ¥12万，未达目标 ¥15万"}],
                "sections_skipped": []},
}
CAMPAIGNS = {"summary": {"verdict": "attention", "top_finding": "新人券提升了转化。",
                         "alerts": [{"kind": "srm", "metric": "ab_srm_p_value", "text": "分组比例异常"}],
                         "sections_skipped": []}}


def entries() -> list[IndexEntry]:
    return [IndexEntry("weekly_summary", "每周经营摘要", "ok", 17.4, report="weekly_summary.html"),
            IndexEntry("campaign_evaluation", "活动评估", "ok", 3.0, cached=True, report="campaign_evaluation.html",
                       sections_skipped=(("渠道", "数据中没有渠道"),)),
            IndexEntry("forecasting", "预测", "failed", 5.0, error="boom")]


def page(language: str = "zh", **kw) -> str:
    return render_index(W47, "sample", WHEN, entries(), language,
                        {"weekly_summary": WEEKLY, "campaign_evaluation": CAMPAIGNS}, **kw)


def test_verdict_and_kpi_cards_come_first_from_the_published_json():
    html = page()
    verdict, cards, attention = (html.index('class="wx-finding wx-ix-verdict"'),
                                 html.index('class="wx-cards wx-ks-cards"'),
                                 html.index('id="alerts"'))
    assert verdict < cards < attention
    assert "上周有双11；成交额（GMV）低于预测范围。" in html
    assert "¥12万" in html and "未达目标" in html and "×" in html  # icon and word, not colour alone
    assert "低于预测范围" in html and "▼" in html and "无预测" in html
    assert 'class="wx-card wx-ks wx-ks-bad"' in html


def test_alerts_gather_every_report_and_skipped_sections():
    lines = alerts(entries(), {"weekly_summary": WEEKLY, "campaign_evaluation": CAMPAIGNS}, _tx())
    assert lines[0].startswith("预测") and "失败" in lines[0]
    assert any("未达目标" in line for line in lines) and any("分组比例异常" in line for line in lines)
    assert any("渠道" in line and "数据中没有渠道" in line for line in lines)


def test_report_lines_say_what_each_answers_and_its_top_finding_localized():
    zh, en = page("zh"), page("en")
    assert "新人券提升了转化。" in zh and "活动带来了多少增量" in zh
    assert "耗时 17秒" in zh and "沿用上次结果" in zh
    assert "cached" not in zh and "(cached)" not in en
    assert "2026年11月23日 09:05" in zh and "2026-11-23T" not in zh
    assert "23 Nov 2026 09:05" in en


def test_a_failed_weekly_summary_shows_no_stale_verdict():
    failed = [IndexEntry("weekly_summary", "每周经营摘要", "failed", 1.0, report="weekly_summary.html")]
    html = render_index(W47, "sample", WHEN, failed, "zh", {"weekly_summary": WEEKLY})
    assert "上周有双11" not in html and 'class="wx-cards wx-ks-cards"' not in html and "暂无结论" in html


def test_earlier_weeks_and_poster_are_linked(tmp_path):
    for week in ("2026-W45", "2026-W46", "2026-W48", "notes"):
        (tmp_path / week).mkdir()
        (tmp_path / week / "index.html").write_text("x", encoding="utf-8")
    assert earlier_weeks(tmp_path, W47) == ["2026-W46", "2026-W45"]
    folder = tmp_path / "2026-W47"
    folder.mkdir()
    (folder / "weekly_summary.json").write_text(json.dumps(WEEKLY, ensure_ascii=False), encoding="utf-8")
    (folder / "broken.json").write_text("{", encoding="utf-8")
    (folder / "weekly_summary.png").write_bytes(b"\x89PNG")
    assert set(read_published(folder, ["weekly_summary", "broken", "missing"])) == {"weekly_summary"}
    write_index(folder / "index.html", W47, "sample", WHEN, entries(), "zh")
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert 'href="../2026-W46/index.html"' in html and 'href="../2026-W45/index.html"' in html
    assert "2026-W48" not in html and 'href="weekly_summary.png"' in html
    assert "上周有双11" in html and external_references(html) == []


def test_data_text_is_escaped():
    evil = {"summary": {"top_finding": "<script>x</script>", "alerts": [{"text": "<img src=x>"}],
                        "sections_skipped": []}, "metrics": {}}
    html = render_index(W47, "<b>", WHEN, entries(), "zh", {"weekly_summary": evil, "campaign_evaluation": evil})
    assert "<script>x" not in html and "<img src=x>" not in html and "&lt;b&gt;" in html
    assert "&lt;script&gt;" in html


def _tx():
    from helpers.render.text import Text

    return Text("zh")
