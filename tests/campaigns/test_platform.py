"""campaign_evaluation on WeChat's statistics alone (issue 15): no users, no events. Campaigns are
evaluated without control on the daily totals (WeChat's visitors / new visitors of mp_visits day
rows; paid orders and GMV without a users table), randomized tests and whatever needs users say
so. The data: tests/content/platform.py (numbers by hand there)."""

from __future__ import annotations

import math
from datetime import date

import pytest

from content.inprocess import missing_words, run_notebook
from content.platform import CAMPAIGN, DAYS, platform_tables, visitors
from datasets import open_warehouse
from helpers.campaigns import evaluation as ca
from helpers.campaigns import series
from helpers.campaigns.params import CampaignEvaluationParams
from helpers.campaigns.queries import load_campaigns
from helpers.core.periods import Period
from helpers.core.warehouse import day_number
from helpers.render.outputs import CONTRACTS

W47 = Period.parse("2026-W47")
ITEM_KEYS = CONTRACTS["campaign_evaluation"].item_keys["campaigns"]
NOV16, NOV22 = day_number(date(2026, 11, 16)), day_number(date(2026, 11, 22))
PLANTED = 150  # new visitors a day the campaign adds (17-20 Nov): 600 in all


def params(**values: object) -> CampaignEvaluationParams:
    return CampaignEvaluationParams.model_validate({"placebos": 0, **values})


def test_daily_series_come_from_the_aggregates_without_events():
    """16-22 Nov: visitors 1,000 on weekdays + 7 x (days since 24 Aug mod 3), 1,300 on the weekend;
    84 days after 24 Aug is 16 Nov (84 mod 3 = 0): +0, +7, +14, +0, +7, +14 (Sat), +0 (Sun).
    Paid orders (no users table to join), day index i = 84..90: 20 + i mod 5 on weekdays (24, 20,
    21, 22, 23), 30 + i mod 4 at the weekend (31, 32); 173 orders of 50 yuan."""
    tables = platform_tables(orders=True)
    tables["mp_visits"] = [r for r in tables["mp_visits"] if r["date"] != "2026-11-18"]  # a day WeChat missed
    with open_warehouse(tables, fmt="csv") as wh:
        got = series.daily(wh, "active_users", NOV16, NOV22)
        assert got.name == "visitors"
        assert got.fillna(-1).tolist() == [1000, 1007, -1, 1000, 1007, 1314, 1300]  # missing, not 0
        assert series.daily(wh, "new_users", NOV16, NOV22).name == "new_visitors"
        assert series.daily(wh, "new_users", NOV16, NOV16).tolist() == [200]
        assert series.daily(wh, "orders", NOV16, NOV22).tolist() == [24, 20, 21, 22, 23, 31, 32]
        assert series.daily(wh, "gmv", NOV16, NOV22).sum() == 50 * 173
        assert series.first_day(wh, "new_users") == day_number(DAYS[0])
        with pytest.raises(ValueError, match="own tracking"):
            series.daily(wh, "orders", NOV16, NOV22, series.UserGroup("channel", ("search",)))
    assert visitors(date(2026, 11, 21)) == 1314


@pytest.mark.parametrize(("target", "orders", "metric"), [
    ("new_users", False, "new_visitors"),  # WeChat's new visitors stand for new users
    (None, False, "visitors"),  # counterfactual_metric orders, but no orders: WeChat's visitors
    (None, True, "orders"),
    ("gmv", True, "gmv"),
])
def test_the_metric_a_campaign_is_measured_on(target, orders, metric):
    tables = platform_tables(reads=False, campaigns=True, orders=orders)
    tables["campaigns"] = [CAMPAIGN | {"target_metric": target}]
    with open_warehouse(tables, fmt="csv") as wh:
        c = load_campaigns(wh)[0]
        assert ca.daily_metric(wh, c, params()) == (metric, None)


def test_without_visits_or_orders_a_campaign_says_why():
    """An official account's statistics only: no daily series for a campaign."""
    tables = platform_tables(campaigns=True)
    del tables["mp_visits"]
    with open_warehouse(tables, fmt="csv") as wh:
        (e,) = ca.evaluate_all(wh, W47, params())
    assert e.method == "none" and e.reason.key == "ce_reason_no_visits"
    assert e.item(0.4)["metric"] is None and e.card == {"cost": 3000.0, "impressions": None, "clicks": None}


def test_tests_and_groups_of_users_need_own_tracking():
    """Assignments without users are not analysed as a test; a named comparison group cannot be
    formed; the counterfactual on the totals still runs."""
    tables = platform_tables(reads=False, campaigns=True)
    tables["assignments"] = [{"campaign_id": "CWX", "user_id": f"u{i}", "variant": v}
                             for i, v in enumerate(["control", "treatment"] * 10)]
    groups = {"CWX": {"column": "channel", "treated": ["search"], "comparison": ["share"]}}
    with open_warehouse(tables, fmt="csv") as wh:
        (e,) = ca.evaluate_all(wh, W47, params(comparison_groups=groups))
    assert e.experiment is None and e.test_reason is None
    assert e.method == "counterfactual" and e.metric == "new_visitors"
    assert e.reason.key == "ce_reason_did_needs_events"


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """The notebook once: campaign CWX (17-20 Nov, target new users) adds 150 new visitors a day;
    paid orders without users; English."""
    tables = platform_tables(reads=False, campaigns=True, orders=True)
    for row in tables["mp_visits"]:
        if row["period"] == "day" and "2026-11-17" <= row["date"] <= "2026-11-20":
            row["new_visitors"] += PLANTED
    monkeypatch = pytest.MonkeyPatch()
    try:
        yield run_notebook("campaign_evaluation", tables, tmp_path_factory.mktemp("ce-wx"), monkeypatch,
                           fmt="csv", language="en", placebos=0)
    finally:
        monkeypatch.undo()


def test_platform_only_report_finds_the_planted_lift_on_the_totals(planted):
    assert missing_words(planted) == []
    (item,) = planted.doc["metrics"]["campaigns"]
    assert tuple(item) == ITEM_KEYS
    assert (item["campaign_id"], item["method"], item["metric"]) == ("CWX", "counterfactual", "new_visitors")
    assert item["ci_low"] <= 4 * PLANTED <= item["ci_high"] and item["ci_low"] > 0
    assert item["lift_abs"] == pytest.approx(4 * PLANTED, rel=0.05)
    assert item["srm_p_value"] is None and item["cost"] == 3000.0
    assert not math.isnan(item["roi_low"])  # incremental GMV from the daily paid orders


def test_platform_only_report_says_what_needs_user_level_data(planted):
    assert len(planted.skipped) == 3
    assert all("user-level data" in r for r in planted.skipped)
    assert "daily totals" in planted.text
    scorecards = planted.text.split("Scorecards")[1].split("Randomized tests")[0]
    assert "Cost" in scorecards and "Reach" not in scorecards  # no count of people without users


def test_a_day_wechat_missed_is_left_out_not_counted_as_zero():
    """A missing day before the campaign is only a gap in the fit (and no placebo window holds
    it); a missing campaign day leaves no total to compare: said, not estimated as if 0."""
    tables = platform_tables(reads=False, campaigns=True)
    days = tables["mp_visits"]
    tables["mp_visits"] = [r for r in days if (r["period"], r["date"]) != ("day", "2026-10-20")]
    with open_warehouse(tables, fmt="csv") as wh:
        (e,) = ca.evaluate_all(wh, W47, params(placebos=8))
    assert e.method == "counterfactual" and e.item(0.4)["lift_abs"] is not None
    placebos = e.counterfactual.placebos
    assert len(placebos) and not ((placebos["start"] <= date(2026, 10, 20))
                                  & (placebos["end"] >= date(2026, 10, 20))).any()
    tables["mp_visits"] = [r for r in days if (r["period"], r["date"]) != ("day", "2026-11-18")]
    with open_warehouse(tables, fmt="csv") as wh:
        (e,) = ca.evaluate_all(wh, W47, params())
    assert e.method == "none" and e.reason.key == "ce_reason_missing_days" and e.reason.values == {"days": 1}
    assert e.item(0.4)["p_value"] is None
