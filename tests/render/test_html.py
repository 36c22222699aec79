"""Reports open anywhere: no code, no parameters, no request to any host."""

from __future__ import annotations

import base64

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers.render import html as report_html

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 16).decode()


@pytest.mark.parametrize("snippet", [
    '<script src="https://cdn.example.com/x.js"></script>',
    '<link rel="stylesheet" href="//cdn.example.com/x.css">',
    '<img src="http://example.com/a.png">',
    '<img srcset="data:image/png;base64,AA 1x, https://example.com/b.png 2x">',
    '<style>@import "https://fonts.example.com/css";</style>',
    '<style>@font-face { src: url(https://fonts.example.com/f.woff2) }</style>',
    '<div style="background: url(\'http://example.com/bg.png\')"></div>',
    '<iframe src="https://example.com"></iframe>',
    '<script src="local.js"></script>',
])
def test_external_references_are_found(snippet):
    assert report_html.external_references(f"<html><head></head><body>{snippet}</body></html>")


def test_inline_resources_and_links_are_fine():
    page = (f'<img src="data:image/png;base64,{PNG}"><a href="user_analysis.html">x</a>'
            '<a href="#growth">y</a><style>.a { background: url(data:image/svg+xml;base64,AA) }</style>')
    assert report_html.external_references(page) == []


def executed_notebook() -> nbformat.NotebookNode:
    nb = new_notebook(metadata={"kernelspec": {"name": "wxreport", "display_name": "wxreport",
                                               "language": "python"}})
    params = new_code_cell("params = {}", metadata={"tags": ["parameters"]})
    injected = new_code_cell('params = {"period": "2026-W47"}', metadata={"tags": ["injected-parameters"]})
    injected.outputs = [new_output("stream", name="stdout", text="secret-parameter-output")]
    body = new_code_cell("rep.section(...)  # SECRET_CODE")
    body.outputs = [
        new_output("display_data", data={"text/markdown": "## 增长 Growth", "text/plain": "md"}),
        new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
        new_output("stream", name="stderr", text="FutureWarning: noisy"),
        new_output("execute_result", data={"text/plain": "<Axes: >"}, execution_count=3),
    ]
    header = new_code_cell("rep.header()")
    header.outputs = [new_output("display_data", data={"text/html": "<h1>T</h1>" + report_html.TOC_SLOT})]
    note = new_markdown_cell("Analyst note: NOT_FOR_MANAGERS")
    nb.cells = [note, params, injected, header, body]
    return nb


def test_render_hides_code_parameters_notes_and_noise():
    page = report_html.render(executed_notebook(), "周报 · 2026-W47", "zh")
    for hidden in ("SECRET_CODE", "secret-parameter-output", "FutureWarning", "&lt;Axes",
                   "NOT_FOR_MANAGERS", "require.js", "mathjax", "cdnjs"):
        assert hidden not in page, hidden
    assert "<title>周报 · 2026-W47</title>" in page
    assert 'lang="zh-CN"' in page
    assert f"data:image/png;base64,{PNG}" in page
    assert report_html.external_references(page) == []


def test_toc_lists_sections_and_cjk_font_is_embedded():
    page = report_html.render(executed_notebook(), "t", "en")
    assert '<nav id="contents" class="wx-toc"><strong>Contents</strong><ol><li><a href="#' in page
    assert "增长 Growth</a></li>" in page
    assert "@font-face" in page and "data:font/woff2;base64," in page


def test_output_contract_checks_list_items_files_and_the_summary(tmp_path):
    from helpers.core.periods import Period
    from helpers.render.outputs import CONTRACTS, build_payload, check_files, check_payload

    week = Period.parse("2026-W47")
    campaigns, forecasting = CONTRACTS["campaign_evaluation"], CONTRACTS["forecasting"]
    summary = {"summary": {"verdict": "ok", "top_finding": None, "alerts": [], "sections_skipped": []}}
    ok = build_payload("campaign_evaluation", week, "sample", "Asia/Shanghai",
                       {"campaigns": []}, {"campaigns": "one object per campaign"}) | summary
    assert check_payload(ok, "campaign_evaluation", week, campaigns) == []
    assert "summary lacks" in check_payload({k: v for k, v in ok.items() if k != "summary"},
                                            "campaign_evaluation", week, campaigns)[0]
    bad = build_payload("campaign_evaluation", week, "sample", "Asia/Shanghai",
                        {"campaigns": [{"campaign_id": "C1"}]}, {"campaigns": "x"}) | summary
    assert "metrics['campaigns'][0] lacks type, method" in check_payload(bad, "campaign_evaluation", week,
                                                                          campaigns)[0]
    empty = build_payload("forecasting", week, "sample", "Asia/Shanghai", {}) | summary
    assert check_payload(empty, "forecasting", week, forecasting) == ["metrics lack 'series'",
                                                                      "metrics lack 'anomalies'"]
    assert check_files(tmp_path, forecasting) == ["forecast.csv was not written"]
    (tmp_path / "forecast.csv").write_text("date,metric,yhat\n")
    assert "header is 'date,metric,yhat'" in check_files(tmp_path, forecasting)[0]
