"""The merchant findings' evidence rules: a merchant is said to grow, concentration to rise or fall,
and merchant customers to repeat more or less, only when the test finds it; hidden merchants are
never named with a figure; every sentence reads in both languages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.merchants import findings
from helpers.merchants.customers import Repeat
from helpers.merchants.data import MerchantData
from helpers.render.text import Text
from merchants.shop import W47
from merchants.test_privacy import week_frame


def week_data(hidden: set[str] = frozenset()) -> MerchantData:
    data = MerchantData(W47, 5)
    data.week = week_frame([(20, 600.0), (12, 300.0), (3, 100.0)])
    data.week["share"] = data.week["gmv"] / 1000
    data.split = {"merchant_gmv": 1000.0, "platform_gmv": 500.0}
    data.hidden_now = set(hidden)
    return data


def growth(p: float, merchant: str = "m01") -> pd.DataFrame:
    return pd.DataFrame({"merchant_id": [merchant], "weeks": [6], "growth": [0.25], "p_value": [p]})


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_merchant_grows_only_when_the_trend_test_says_so(language):
    tx = Text(language)
    said = findings.sales(week_data(), growth(0.01), tx)
    assert "m01" in said and "+25.0%" in said and "0.010" in said
    assert "+25.0%" not in findings.sales(week_data(), growth(0.2), tx)
    assert "+25.0%" not in findings.sales(week_data({"m01", "m02"}), growth(0.01), tx)  # hidden: not named
    top = findings.sales(week_data({"m02"}), growth(0.2), tx)
    assert "m00" in top and "¥600" in top


def test_the_largest_is_said_to_be_among_those_shown_when_some_are_hidden():
    tx = Text("en")
    assert "of the merchants whose figures can be shown" in findings.sales(week_data({"m02"}), growth(0.5), tx)
    assert "the largest merchant is m00" in findings.sales(week_data(), growth(0.5), tx)


@pytest.mark.parametrize(("p", "word"), [(0.01, "rose"), (0.5, "no trend")])
def test_concentration_moves_only_with_the_test(monkeypatch, p, word):
    data = week_data()
    data.trend = pd.DataFrame({"wk": range(6), "gini": [0.30, 0.32, 0.35, 0.36, 0.40, 0.41]})
    monkeypatch.setattr(findings, "trend_test", lambda values: p)
    said = findings.concentration({"top10_share": 1.0, "gini": 0.41}, data, Text("en"))
    assert word in said
    data.dropped = {"top:top10"}
    assert "top 10" not in findings.concentration({"top10_share": None, "gini": 0.41}, data, Text("en"))


def test_repeat_rates_are_compared_with_a_test_and_small_groups_not_given():
    tx = Text("en")
    new = pd.DataFrame({"merchant_id": ["M1", None], "new_buyers": [40, 30]})
    differs = Repeat(0, 1, 30, 400, 200, 400, 100)  # 50% against 25%: p far below 0.05
    assert "higher than" in findings.customers(new, differs, 10, tx)
    same = Repeat(0, 1, 30, 40, 11, 40, 10)
    assert "within chance" in findings.customers(new, same, 10, tx)
    small = Repeat(0, 1, 30, 4, 2, 400, 100)
    said = findings.customers(new, small, 10, tx)
    assert "not shown" in said and "50.0%" not in said
    few = pd.DataFrame({"merchant_id": ["M1", None], "new_buyers": [3, 30]})
    assert "33" in findings.customers(few, None, 10, tx) and " 3 " not in findings.customers(few, None, 10, tx)
    assert np.isclose(differs.merchant_rate, 0.5)
