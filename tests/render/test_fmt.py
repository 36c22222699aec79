"""Numbers read the way each language writes them."""

from __future__ import annotations

import math

import pytest

from helpers.render import fmt
from helpers.render.text import Text


@pytest.mark.parametrize(("x", "zh", "en"), [
    (0, "0", "0"),
    (9_876, "9,876", "9,876"),
    (12_345, "1.23万", "12.3K"),
    (123_456, "12.3万", "123K"),
    (1_234_567, "123万", "1.23M"),
    (250_000_000, "2.5亿", "250M"),
    (3.5, "3.50", "3.50"),
    (None, "—", "—"),
    (math.nan, "—", "—"),
])
def test_number(x, zh, en):
    assert fmt.number(x, "zh") == zh
    assert fmt.number(x, "en") == en


def test_money_percent_changes_and_points():
    assert fmt.money(177_166.96, "zh") == "¥17.7万"
    assert fmt.money(-12_000, "en") == "-¥12K"
    assert fmt.percent(0.183) == "18.3%"
    assert fmt.relative_change(0.031) == "+3.1%"
    assert fmt.relative_change(-0.5) == "-50.0%"
    assert fmt.points(0.021, "zh") == "+2.1个百分点"
    assert fmt.points(-0.021, "en") == "-2.1 pts"
    assert fmt.value(0.2, "fraction") == "20.0%"


def test_privacy_suppression_and_table_labels():
    import pandas as pd

    from helpers.render import privacy, tables

    frame = pd.DataFrame({"city": ["上海", "拉萨", "无"], "users": [120, 3, 0], "share": [0.9, 0.02, 0.0]})
    out, hidden = privacy.suppress(frame, "users", k=10, also=["share"])
    assert out.users.isna().tolist() == [False, True, False]  # zero is not a small cell
    assert out.share.isna().tolist() == [False, True, False]
    html = tables.styled(out, {"users": "users", "share": "fraction"}, Text("zh"), hidden, 10).to_html()
    assert "&lt;10" in html and "90.0%" in html and "拉萨" in html
    matrix, small = privacy.suppress_matrix(pd.DataFrame([[50, 4], [0, 12]]), 10)
    assert small.values.tolist() == [[False, True], [False, False]]
    assert pd.isna(matrix.iat[0, 1]) and matrix.iat[1, 0] == 0


def test_table_text_is_escaped():
    import pandas as pd

    from helpers.render import tables

    frame = pd.DataFrame({"<b>title</b>": ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]})
    html = tables.styled(frame, {}, Text("en")).to_html()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>title" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_column_has_one_precision():
    """Issue 14, item 6: '¥97.24 | ¥102' must not happen."""
    assert fmt.column([97.24, 102.0, None], "CNY", "zh") == ["¥97", "¥102", "—"]
    assert fmt.column([97.24, 12.5], "CNY", "en") == ["¥97.24", "¥12.50"]
    assert fmt.column([13_400, 125_000, 900], "CNY", "zh") == ["¥1.3万", "¥12.5万", "¥900"]
    assert fmt.column([13_400, 125_000], "users", "en") == ["13K", "125K"]
    assert fmt.column([0.1234, 0.5], "fraction", "zh") == ["12.3%", "50.0%"]
    assert fmt.column([], "CNY", "zh") == []


def test_rates_change_in_points_counts_and_money_in_percent():
    assert fmt.change(0.012, "fraction", "zh") == "+1.2个百分点"
    assert fmt.change(-0.012, "fraction", "en") == "-1.2 pts"
    assert fmt.change(0.031, "CNY", "zh") == "+3.1%" and fmt.change(-0.2, "users", "en") == "-20.0%"


def test_one_date_style_per_context():
    from datetime import date, datetime

    d = date(2026, 11, 16)
    assert fmt.day_month(d, "zh") == "11月16日" and fmt.day_month(d, "en") == "16 Nov"
    assert fmt.day_span(d, date(2026, 11, 22), "zh") == "11月16日–22日"
    assert fmt.day_span(d, date(2026, 11, 22), "en") == "16–22 Nov"
    assert fmt.date_range(date(2026, 5, 27), date(2026, 11, 22), "zh") == "2026年5月27日–11月22日"
    assert fmt.date_range(date(2026, 5, 27), date(2026, 11, 22), "en") == "27 May–22 Nov 2026"
    assert fmt.date_range(date(2025, 12, 29), date(2026, 1, 4), "en") == "29 Dec 2025–4 Jan 2026"
    assert fmt.table_date(d) == "11-16" and fmt.table_date(d, with_year=True) == "2026-11-16"
    assert fmt.axis_date(d) == "11/16" and d.strftime(fmt.AXIS_DATE) == "11/16"
    assert fmt.timestamp(datetime(2026, 12, 2, 10, 2), "zh") == "2026年12月2日 10:02"
    assert fmt.timestamp(datetime(2026, 12, 2, 10, 2), "en") == "2 Dec 2026 10:02"


def test_rate_cards_show_points():
    from helpers.render.components import Kpi, kpi_cards

    html = kpi_cards([Kpi("read_rate", 0.047, -0.009), Kpi("gmv", 176_543.0, -0.098)], Text("zh"))
    assert "-0.9个百分点" in html and "-19.6%" not in html and "-9.8%" in html
