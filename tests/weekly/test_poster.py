"""Issue 14, item 4: weekly_summary.png is a phone-shaped image 1080 px wide, drawn from the
week's JSON (a different JSON draws a different image), in the report language."""

from __future__ import annotations

import copy
import io
import json

import pytest
from PIL import Image, ImageChops

from helpers.weekly.poster import FILE, WIDTH, poster, save_poster, top_findings

PAYLOAD = {
    "notebook": "weekly_summary", "period": "2026-W47", "data_source": "sample",
    "metrics": {"kpi_status": [
        {"metric": "active_users", "tone": "flat", "value": 12000, "wow": -0.077, "target": None,
         "target_status": None, "forecast": None, "forecast_lo80": None, "forecast_hi80": None,
         "forecast_made_in": None, "forecast_status": None},
        {"metric": "gmv", "tone": "good", "value": 177000.0, "wow": -0.098, "target": 150000.0,
         "target_status": "met", "forecast": 146000.0, "forecast_lo80": 123000.0, "forecast_hi80": 173000.0,
         "forecast_made_in": "2026-W46", "forecast_status": "above"},
    ]},
    "summary": {"verdict": "ok", "top_finding": "上周有双11；成交额（GMV）高于预测范围。", "alerts": [],
                "sections_skipped": [],
                "findings": ["上周有双11；成交额（GMV）高于预测范围。", "本周活跃用户 1.2万。", "第二条。",
                             "第三条。", "第四条。"]},
}


def image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_poster_is_1080_wide_and_phone_shaped(language):
    img = image(poster(json.dumps(PAYLOAD, ensure_ascii=False), language))
    width, height = img.size
    assert width == WIDTH == 1080 and height > width  # a long, phone-shaped image
    assert img.getbbox() is not None


def test_poster_is_drawn_from_the_json():
    """Change one number, the verdict, or a status in the JSON: the image changes where it says so."""
    base = image(poster(json.dumps(PAYLOAD), "zh"))
    for change in ("value", "verdict", "status"):
        other = copy.deepcopy(PAYLOAD)
        if change == "value":
            other["metrics"]["kpi_status"][0]["value"] = 99999
        elif change == "verdict":
            other["summary"]["top_finding"] = "完全不同的一句话。"
        else:
            other["metrics"]["kpi_status"][1]["target_status"] = "missed"
        drawn = image(poster(json.dumps(other), "zh"))
        if drawn.size == base.size:
            assert ImageChops.difference(base, drawn).getbbox() is not None, change
    # The same JSON draws the same image (nothing else goes in).
    assert poster(json.dumps(PAYLOAD), "zh") == poster(json.dumps(PAYLOAD), "zh")


def test_more_kpis_make_a_longer_poster():
    more = copy.deepcopy(PAYLOAD)
    more["metrics"]["kpi_status"] *= 6
    assert image(poster(json.dumps(more), "zh")).height > image(poster(json.dumps(PAYLOAD), "zh")).height


def test_top_three_findings_alerts_first():
    doc = copy.deepcopy(PAYLOAD)
    doc["summary"]["alerts"] = [{"kind": "target", "metric": "gmv", "text": "成交额未达目标"}]
    assert top_findings(doc) == ["成交额未达目标", "本周活跃用户 1.2万。", "第二条。"]
    assert top_findings({}) == []


def test_a_json_without_cards_or_summary_still_draws():
    png = poster(json.dumps({"period": "2026-W47", "metrics": {}}), "en")
    assert image(png).size[0] == WIDTH


class _Rep:
    notebook = "weekly_summary"
    lang = "zh"

    def __init__(self, folder):
        self.output_dir = folder


def test_save_poster_writes_next_to_the_json(tmp_path):
    assert save_poster(_Rep(None)) is None
    assert save_poster(_Rep(tmp_path)) is None  # no JSON yet: nothing to draw from
    (tmp_path / "weekly_summary.json").write_text(json.dumps(PAYLOAD), encoding="utf-8")
    path = save_poster(_Rep(tmp_path))
    assert path == tmp_path / FILE and image(path.read_bytes()).size[0] == WIDTH
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_lines_break_like_print_and_never_inside_an_amount():
    from helpers.weekly.poster import NO_LINE_END, NO_LINE_START, _font, _wrap

    text = "本周活跃用户 1.2万（周环比 -7.7%），成交额（GMV） ¥17.7万（¥12.3万–¥17.3万），客单价 ¥86.89。" * 3
    for width in range(200, 900, 37):
        lines = _wrap(text, _font(30), width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert not any(line[0] in NO_LINE_START for line in lines[1:])
        assert not any(line[-1] in NO_LINE_END for line in lines)
        assert not any(line.startswith("万") for line in lines)


def test_data_text_is_drawn_as_typed_without_failing():
    """Campaign names and findings come from the data: markup, formula starts, control characters
    and characters the font lacks are drawn as pixels (or boxes), never interpreted, never a crash."""
    hostile = '<script>alert(1)</script> =HYPERLINK("x") 满$100减$20 **b** \x00 🎉 ' + "很长" * 80
    doc = json.loads(json.dumps(PAYLOAD))
    doc["summary"]["verdict"] = "attention"
    doc["summary"]["top_finding"] = hostile
    doc["summary"]["findings"] = [hostile] * 3
    doc["summary"]["alerts"] = [{"kind": "anomaly", "metric": "gmv", "text": hostile}]
    img = image(poster(json.dumps(doc), "zh"))
    assert img.size[0] == 1080 and img.size[1] >= 1920
