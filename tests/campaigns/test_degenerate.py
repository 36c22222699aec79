"""Regression cases of issue 11 for campaign_evaluation: campaigns, assignments, orders and spend
in the degenerate shapes a user may bring run the whole notebook in-process, which must complete,
say why in one line where a section or method cannot be shown, keep unknown JSON values null and
never print nan / None / inf."""

from __future__ import annotations

import pytest

from content.inprocess import missing_words, run_notebook
from datasets import Spec, Tables, build, open_warehouse
from helpers.campaigns import evaluation as ca
from helpers.campaigns.params import CampaignEvaluationParams
from helpers.core.periods import Period
from helpers.render.outputs import CONTRACTS

W47 = Period.parse("2026-W47")  # the report week (data end on 2026-11-22)
NOTEBOOK = "campaign_evaluation"
ITEM_KEYS = CONTRACTS[NOTEBOOK].item_keys["campaigns"]
FAST = {"placebos": 0}  # placebo fits are tested in tests/stats; not needed here


def campaign(cid: str = "C1", start: str = "2026-11-17", end: str | None = "2026-11-20",
             kind: str = "coupon", **extra: object) -> dict:
    return {"campaign_id": cid, "name": f"Campaign {cid}", "type": kind,
            "start_at": f"{start} 00:00:00", "end_at": None if end is None else f"{end} 23:00:00", **extra}


SHOP = Spec(users=40, seed=5)


def shop(spec: Spec = SHOP, **tables: list[dict]) -> Tables:
    base = build(spec)
    base.update(tables)
    return base


def assign(tables: Tables, variant_of, assigned_at=lambda i: None) -> list[dict]:
    """One assignment per user of campaign C1: variant_of(i) (None: not assigned)."""
    rows = [{"campaign_id": "C1", "user_id": u["user_id"], "variant": variant_of(i), "assigned_at": assigned_at(i)}
            for i, u in enumerate(tables["users"])]
    return [r for r in rows if r["variant"] is not None]


def run(tables: Tables, tmp_path, monkeypatch, **params: object):
    result = run_notebook(NOTEBOOK, tables, tmp_path, monkeypatch, language="en", **FAST, **params)
    assert missing_words(result) == [], result.text
    for item in result.doc["metrics"]["campaigns"]:
        assert tuple(item) == ITEM_KEYS
    return result


def item(result) -> dict:
    (only,) = result.doc["metrics"]["campaigns"]
    return only


def test_randomized_control_without_users_yet(tmp_path, monkeypatch):
    """Before: AttributeError 'NoneType' object has no attribute 'reported' (the test took the
    treatment arm for its control)."""
    tables = shop(campaigns=[campaign()])
    tables["assignments"] = assign(tables, lambda i: "control" if i % 2 else "treatment",
                                   lambda i: "2026-11-25 10:00:00" if i % 2 else "2026-11-17 10:00:00")
    result = run(tables, tmp_path, monkeypatch)
    assert item(result)["method"] == "counterfactual" and item(result)["srm_p_value"] is None
    assert ("Not shown this week: the randomized test of Campaign C1 cannot be analysed: as of the end of "
            "the week, the control group or the other variants have no assigned users.") in result.skipped


def test_relative_lift_over_a_control_without_buyers_is_null(tmp_path, monkeypatch):
    """Before: lift_rel = inf, and writing the JSON raised 'Out of range float values'."""
    tables = shop(Spec(users=40, orders=None, seed=5), campaigns=[campaign(target_metric="conversion")])
    tables["assignments"] = assign(tables, lambda i: "control" if i % 2 else "treatment")
    tables["orders"] = [{"order_id": f"o{i}", "user_id": u["user_id"], "paid_at": "2026-11-18 12:00:00",
                         "amount": 20.0} for i, u in enumerate(tables["users"]) if i % 2 == 0 and i < 20]
    result = run(tables, tmp_path, monkeypatch)
    got = item(result)
    assert got["method"] == "randomized" and got["lift_abs"] == pytest.approx(10 / 20)
    assert got["lift_rel"] is None
    assert "inf" not in result.text


def test_only_refunded_orders_leave_the_model_unfitted(tmp_path, monkeypatch):
    """Before: a model fitted to a series of zeros reported '-100.0% relative' on 0 orders."""
    result = run(shop(Spec(users=40, orders="refunded", seed=5), campaigns=[campaign()]), tmp_path,
                 monkeypatch)
    got = item(result)
    assert got["method"] == "none" and got["lift_abs"] is None and got["lift_rel"] is None
    assert ("Not shown this week: the metric was the same on every day before the campaign, so there "
            "is no variation to model.") in result.skipped
    assert "Not shown this week: there are no paid orders this week to credit." in result.skipped


def test_no_orders_table_with_a_randomized_campaign(tmp_path, monkeypatch):
    """Before: 'None of the campaigns evaluated has a randomized control group' for a test with a
    control, and a repeat-purchase line about buyers that cannot exist."""
    tables = shop(Spec(users=40, orders=None, seed=5), campaigns=[campaign()])
    tables["assignments"] = assign(tables, lambda i: "control" if i % 2 else "treatment")
    result = run(tables, tmp_path, monkeypatch)
    assert item(result)["method"] == "none"
    assert "randomized control group" not in result.text and "Repeat purchase" not in result.text
    assert result.skipped.count("Section skipped: the data source has no orders table.") == 2


def test_pre_period_shorter_than_the_model_needs(tmp_path, monkeypatch):
    result = run(shop(Spec(users=40, days=14, seed=5), campaigns=[campaign()]), tmp_path, monkeypatch)
    assert item(result)["method"] == "none"
    assert ("Not shown this week: only 8 days of data before the campaign (at least 21 needed)."
            in result.skipped)


def test_campaigns_outside_the_report_week(tmp_path, monkeypatch):
    tables = shop(campaigns=[campaign("OLD", "2026-10-20", "2026-10-25"),
                             campaign("NEXT", "2026-11-30", "2026-12-24")])
    result = run(tables, tmp_path, monkeypatch)
    assert result.doc["metrics"]["campaigns"] == []
    assert "No campaign ran this week." in result.text


def test_spend_without_campaigns(tmp_path, monkeypatch):
    spend = [{"date": f"2026-11-{d}", "channel": "search", "cost": 10.0} for d in range(16, 23)]
    result = run(shop(spend=spend), tmp_path, monkeypatch)
    assert result.doc["metrics"]["campaigns"] == []
    assert result.skipped == ["Section skipped: the data source has no campaigns table."]


def test_one_channel(tmp_path, monkeypatch):
    spend = [{"date": f"2026-11-{d}", "channel": "search", "cost": 10.0} for d in range(16, 23)]
    tables = shop(Spec(users=40, channels=("search",), seed=5), spend=spend,
                  campaigns=[campaign(kind="kol", channel="search")])
    result = run(tables, tmp_path, monkeypatch)
    assert "Not shown this week: there is only one channel this week (Search), nothing to compare." \
        in result.skipped


def test_campaign_without_participants(tmp_path, monkeypatch):
    result = run(shop(campaigns=[campaign()]), tmp_path, monkeypatch)
    with open_warehouse(shop(campaigns=[campaign()])) as wh:
        (e,) = ca.evaluate_all(wh, W47, CampaignEvaluationParams(placebos=0))
    assert e.card["participants"] == 0 and e.card["cac"] is None
    assert item(result)["method"] == "counterfactual"


def test_previous_campaign_before_the_data_is_not_compared(tmp_path, monkeypatch):
    """A coupon campaign that began before the data is counted in part: no 'versus' table."""
    tables = shop(campaigns=[campaign("OLD", "2026-10-01", "2026-10-14"), campaign()])
    result = run(tables, tmp_path, monkeypatch)
    assert "The previous Coupon campaign, Campaign OLD, is not compared" in result.text.replace("coupon", "Coupon")
    assert "Compared with the previous" not in result.text


def test_previous_campaign_inside_the_data_is_compared(tmp_path, monkeypatch):
    tables = shop(campaigns=[campaign("OLD", "2026-10-20", "2026-10-25"), campaign()])
    result = run(tables, tmp_path, monkeypatch)
    assert "Compared with the previous" in result.text


def test_randomized_campaign_with_one_variant(tmp_path, monkeypatch):
    tables = shop(campaigns=[campaign()])
    tables["assignments"] = assign(tables, lambda i: "treatment")
    result = run(tables, tmp_path, monkeypatch)
    assert item(result)["method"] == "counterfactual"
    assert "No campaign evaluated has a randomized control group." in result.text


def test_open_ended_campaign(tmp_path, monkeypatch):
    """Before: TypeError int() of pandas' NA (a campaign without end_at, found by test_property)."""
    result = run(shop(campaigns=[campaign(end=None)]), tmp_path, monkeypatch)
    assert item(result)["method"] == "counterfactual"
    assert "Campaign C1 (coupon, from 17 Nov, running)" in result.text
