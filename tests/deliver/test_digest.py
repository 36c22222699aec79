"""The digest per format: incomplete weeks said first, KPIs with their status, the byte limit with a
"more" line, links only where the program makes them, escaping of data text."""

from __future__ import annotations

import re

import pytest

from deliver.published import publish_week
from helpers.deliver.digest import (
    CARD_LIMIT,
    MARKDOWN_LIMIT,
    POSTER_CID,
    build_digest,
    digest_card,
    digest_email,
    digest_markdown,
    report_url,
)
from helpers.deliver.params import Destination
from helpers.deliver.week import load_week
from helpers.render.text import Text

BASE = "https://reports.example.com/wx"
HOSTILE = '<@all> 点这里 [奖品](https://evil.example/x) ![i](https://evil.example/i.png) @all <at user_id="all"></at>'
LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def week_of(tmp_path, **kw):
    publish_week(tmp_path / "reports", **kw)
    return load_week(tmp_path / "reports", "2026-W47")


def body_lines(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.strip()]


@pytest.mark.parametrize("flavour", ["wecom", "dingtalk"])
def test_an_incomplete_week_says_so_first(tmp_path, flavour):
    week = week_of(tmp_path, failed=("user_analysis",),
                   skipped_sections={"content_performance": [("阅读来源", "数据不足")]})
    lines = body_lines(digest_markdown(week, flavour, Text("zh"), None, 4096))
    assert "数据不完整" in lines[0]  # the title itself
    assert "本周结果不完整" in lines[1]
    assert lines[2] == "- 用户分析：本周生成失败" and lines[3] == "- 内容表现：阅读来源未显示——数据不足"
    assert "- 用户分析：失败" in lines  # and its report line says it failed, without last week's finding


def test_a_complete_week_has_no_incomplete_line_and_leads_with_the_verdict(tmp_path):
    week = week_of(tmp_path)
    text = digest_markdown(week, "wecom", Text("en"), None, 4096)
    lines = body_lines(text)
    assert lines[0] == "**Weekly report · Week 2026-W47, 16–22 Nov 2026**"
    assert lines[1] == week.verdict
    assert "incomplete" not in text
    assert "- New users 1,449 · -17.2% week on week · ⚠ at risk, target 1,500" in lines
    assert "- Paid orders 2,039 · -5.6% week on week · ● within forecast range (1,900–2,300)" in lines
    assert "- GMV ¥177K · -9.8% week on week · ✓ met target ¥150K" in lines
    assert not LINK.search(text)  # no report_url_base: no link at all


def test_report_url_base_links_each_report_and_the_week(tmp_path):
    week = week_of(tmp_path, failed=("user_analysis",))
    text = digest_markdown(week, "wecom", Text("zh"), BASE + "/", 4096)
    links = LINK.findall(text)
    assert (("每周经营摘要", f"{BASE}/2026-W47/weekly_summary.html") in links
            and ("内容表现", f"{BASE}/2026-W47/content_performance.html") in links
            and ("打开本周报告", f"{BASE}/2026-W47/index.html") in links)
    assert not any(title == "用户分析" for title, _ in links)  # a failed report's page is last week's


def test_a_url_base_cannot_close_the_markdown_link(tmp_path):
    week = week_of(tmp_path)
    url = report_url("https://r.example.com/a (b)/c]", week, "x y.html")
    assert url == "https://r.example.com/a%20%28b%29/c%5D/2026-W47/x%20y.html"


@pytest.mark.parametrize("flavour", ["wecom", "dingtalk", "feishu"])
def test_data_text_cannot_mention_everyone_or_add_a_link(tmp_path, flavour):
    week = week_of(tmp_path, finding=HOSTILE, alerts={"user_analysis": [HOSTILE]},
                   skipped_sections={"content_performance": [(HOSTILE, HOSTILE)]})
    text = digest_markdown(week, flavour, Text("zh"), BASE, 4096)
    for bad in ("<@", "<at", "@all", "@所有人", "![", "<font"):
        assert bad not in text, bad
    links = LINK.findall(text)
    assert len(links) == 4 and all(url.startswith(BASE + "/2026-W47/") for _, url in links)  # 3 reports + index
    assert "点这里" in text  # the text itself is still there to read


def test_the_digest_is_cut_at_the_byte_limit_with_a_more_line(tmp_path):
    alerts = {"content_performance": [f"第 {i} 篇文章阅读量异常下降，低于预测范围" for i in range(300)]}
    week = week_of(tmp_path, alerts=alerts)
    for base, more in ((None, "……更多内容见报告"), (BASE, f"[……更多内容见报告]({BASE}/2026-W47/index.html)")):
        text = digest_markdown(week, "wecom", Text("zh"), base, MARKDOWN_LIMIT["wecom"])
        assert len(text.encode("utf-8")) <= 4096
        assert text.splitlines()[-1] == more
        assert "第 10 篇" in text and "第 299 篇" not in text
        assert not text.splitlines()[-3].startswith("**")  # no heading left without its lines


def test_a_huge_verdict_is_clipped_not_dropped(tmp_path):
    week = week_of(tmp_path, verdict="很长的结论" * 1000)
    text = digest_markdown(week, "dingtalk", Text("zh"), None, 4096)
    assert len(text.encode("utf-8")) <= 4096
    assert "很长的结论很长的结论" in text and "…" in text
    assert text.splitlines()[-1] == "……更多内容见报告"


def test_feishu_card(tmp_path):
    week = week_of(tmp_path, failed=("user_analysis",), finding=HOSTILE)
    card = digest_card(week, Text("zh"), BASE)
    assert card["header"]["template"] == "red" and "数据不完整" in card["header"]["title"]["content"]
    divs = [e["text"]["content"] for e in card["elements"] if e["tag"] == "div"]
    assert divs[0].startswith("**⚠ 本周结果不完整")
    assert all(e["text"]["tag"] == "lark_md" for e in card["elements"] if e["tag"] == "div")
    assert card["elements"][-1]["actions"][0]["url"] == f"{BASE}/2026-W47/index.html"
    assert "<at" not in str(card) and "@all" not in str(card)
    assert digest_card(week_of(tmp_path / "b"), Text("zh"), None)["header"]["template"] == "blue"
    assert all(e["tag"] == "div" for e in digest_card(week, Text("zh"), None)["elements"])  # no button
    assert sum(len(d.encode()) for d in divs) < CARD_LIMIT


def test_email_has_the_poster_inline_and_says_the_reports_are_attached(tmp_path):
    week = week_of(tmp_path, finding="<b>粗体</b> & \"引号\"")
    subject, text, html = digest_email(week, Text("zh"), None)
    assert subject == "周报 · 2026-W47（2026年11月16日–22日）"
    assert f'src="cid:{POSTER_CID}"' in html and "完整报告见附件" in html and "完整报告见附件" in text
    assert "&lt;b&gt;粗体&lt;/b&gt; &amp; &quot;引号&quot;" in html and "<b>粗体" not in html
    assert "<b>粗体</b>" in text  # text/plain shows it as written
    _, text, html = digest_email(week_of(tmp_path / "b", poster=False), Text("en"), BASE)
    assert "cid:" not in html and "attached" not in html
    assert f'<a href="{BASE}/2026-W47/index.html">Open this week&#x27;s reports</a>' in html
    assert f"Open this week's reports <{BASE}/2026-W47/index.html>" in text


def test_build_digest_per_destination_and_its_hash(tmp_path):
    week = week_of(tmp_path)
    tx = Text("zh")
    wecom = build_digest(week, Destination("a", "wecom"), tx)
    feishu = build_digest(week, Destination("b", "feishu"), tx)
    mail = build_digest(week, Destination("c", "email", report_url_base=BASE), tx)
    assert wecom.card is None and wecom.text.startswith("**周报")
    assert wecom.title == "周报 · 2026-W47（2026年11月16日–22日）"
    assert feishu.card is not None and feishu.text.startswith("{")
    assert mail.html and mail.links and not wecom.links
    assert build_digest(week, Destination("a", "wecom"), tx).sha256 == wecom.sha256
    other = week_of(tmp_path / "b", finding="另一个发现")
    assert build_digest(other, Destination("a", "wecom"), tx).sha256 != wecom.sha256
