"""Numbers read the way each language writes them."""

from __future__ import annotations

import math

import pytest

from helpers.report import fmt


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
