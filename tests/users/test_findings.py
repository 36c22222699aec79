"""The section findings: one logic, worded in either language from the catalog, and every metric
they state recorded as shown (so the report's notes define it)."""

from __future__ import annotations

from datetime import date

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers.render.text import Text
from helpers.users import charts, findings


def weekly_new() -> pd.DataFrame:
    return pd.DataFrame({"referral": [300, 272], "search": [358, 300]},
                        index=[date(2026, 11, 9), date(2026, 11, 16)])


@pytest.mark.parametrize(("language", "expected"), [
    ("zh", "本周新增用户 572（周环比 -13.1%），最大来源是搜索（52.4%）；变化最大的是搜索（-58 人）。"),
    ("en", "572 new users this week (-13.1% week on week); the largest channel is Search (52.4%); the "
           "biggest change is Search (-58 users)."),
])
def test_growth_is_worded_from_the_catalog(language, expected):
    tx = Text(language)
    assert findings.growth(weekly_new(), tx) == expected
    assert tx.shown == ["new_users"]


@pytest.mark.parametrize(("language", "expected"), [
    ("zh", "本周新增 1,393、持续活跃 4,671、回流 5,947、流失 8,340，Quick ratio 0.88（活跃用户在减少）。3 天以上"
           "未访问的流失风险用户 2.54万（占 30 日活跃用户 81.0%）；上周的风险用户本周召回 25.3%。"),
    ("en", "This week 1,393 new, 4,671 returning, 5,947 resurrecting and 8,340 dormant users: quick ratio 0.88 "
           "(the active base shrinks). 25.4K users have not been back for 3+ days (81.0% of the 30-day active "
           "users); 25.3% of last week's at-risk users came back."),
])
def test_lifecycle_states_its_metrics(language, expected):
    week = pd.Series({"new": 1393.0, "returning": 4671.0, "resurrecting": 5947.0, "dormant": -8340.0,
                      "quick_ratio": (1393 + 5947) / 8340})
    tx = Text(language)
    assert findings.lifecycle(week, 25_380, 31_333, (1000, 253), 3, tx) == expected
    assert {"lifecycle_new", "lifecycle_dormant", "quick_ratio", "churn_risk_users",
            "win_back_rate"} <= set(tx.shown)


def test_portrait_without_enough_users_says_so():
    empty = pd.DataFrame(columns=["value", "population", "users", "share"])
    frames = dict.fromkeys(("gender", "age_band", "city"), empty)
    assert findings.portrait(frames, Text("en")).startswith("No portrait summary")


def test_charts_record_the_metrics_they_draw():
    tx = Text("en")
    tiers = pd.DataFrame({"tier": ["loyal", "active", "new", "potential"], "users": [5, 10, 20, 40]})
    plt.close(charts.pyramid(tiers, tx))
    plt.close(charts.new_users_by_channel(weekly_new(), tx))
    assert tx.shown == ["pyramid_users", "new_users"]
