"""The planted campaign truths of the default-size sample (truth.json) recovered within the
reported intervals: the A/B test's lift and the no-control live campaign's incremental orders."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from helpers.campaigns import evaluation as ca
from helpers.campaigns.experiment import analyse_experiment
from helpers.campaigns.params import CampaignEvaluationParams
from helpers.campaigns.queries import experiment_users, load_campaigns
from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, build_warehouse, day_number
from helpers.sample import SampleSpec, write_sample

pytestmark = pytest.mark.xdist_group("campaign_sample")  # one worker builds the sample once
W47 = Period.parse("2026-W47")


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> tuple[Warehouse, dict]:
    """The default sample (50,000 users, 2026-05-27..2026-11-22), generated privately."""
    folder = tmp_path_factory.mktemp("campaign-sample") / "shop"
    truth = write_sample(folder, SampleSpec())
    wh = Warehouse(build_warehouse(folder))
    yield wh, truth
    wh.close()


@pytest.fixture(scope="module")
def week47(shop) -> dict[str, ca.Evaluation]:
    wh, _ = shop
    return {e.campaign.campaign_id: e for e in ca.evaluate_all(wh, W47, CampaignEvaluationParams())}


def test_the_campaigns_running_in_w47_are_evaluated_by_the_right_method(week47):
    assert {cid: e.method for cid, e in week47.items()} == {"CAB": "randomized", "CLIVE": "counterfactual"}
    assert week47["CAB"].running and not week47["CLIVE"].running


def test_ab_lift_recovered_within_the_reported_intervals(week47, shop):
    truth = shop[1]["ab_test"]
    e = week47["CAB"]
    x = e.experiment
    assert not x.srm.flagged and x.primary == "conversion"
    row = x.row("conversion")
    item = e.item(0.4)
    assert item["metric"] == "conversion" and item["lift_abs"] == pytest.approx(float(row.reported.abs))
    # the published (sequential, the test still runs) and the fixed-horizon intervals
    assert item["ci_low"] <= truth["true_lift_abs"] <= item["ci_high"]
    assert row.fixed.abs_low <= truth["true_lift_abs"] <= row.fixed.abs_high
    assert row.reported.rel_low <= truth["true_lift_rel"] <= row.reported.rel_high
    assert item["ci_low"] > 0  # and the coupon's lift is found
    revenue = x.row("revenue_per_user").reported
    planted = truth["true_revenue_per_user_treatment"] - truth["true_revenue_per_user_control"]
    assert revenue.abs_low <= planted <= revenue.abs_high
    assert float(row.fixed.control) == pytest.approx(truth["true_conversion_control"], abs=0.01)
    assert x.variants["users"].sum() == truth["assigned"]


def test_srm_is_flagged_when_a_slice_of_one_arm_goes_missing(shop):
    wh, _ = shop
    c = next(c for c in load_campaigns(wh) if c.campaign_id == "CAB")
    users = experiment_users(wh, c, day_number(W47.end), 28)
    treated = users.index[users["variant"] == "treatment"]
    lost = np.random.default_rng(0).choice(treated, size=int(0.04 * len(treated)), replace=False)
    broken = analyse_experiment(users.drop(lost), c, day_number(W47.end), CampaignEvaluationParams())
    intact = analyse_experiment(users, c, day_number(W47.end), CampaignEvaluationParams())
    assert broken.srm.flagged and broken.srm.p_value < 0.001
    assert not intact.srm.flagged


def test_no_control_campaign_effect_recovered_with_a_clean_placebo_check(week47, shop):
    truth = shop[1]["no_control_campaign"]
    e = week47["CLIVE"]
    fit = e.counterfactual.fit
    item = e.item(0.4)
    assert item["metric"] == "orders" and item["srm_p_value"] is None
    assert item["ci_low"] <= truth["incremental_paid_orders"] <= item["ci_high"]
    gmv = e.counterfactual.gmv
    assert gmv.abs_low <= truth["incremental_paid_gmv"] <= gmv.abs_high
    during = fit.daily[fit.daily["phase"] == "during"].set_index("date")
    inside = [during.loc[date.fromisoformat(d), "actual"] - during.loc[date.fromisoformat(d), "high"] <= v
              <= during.loc[date.fromisoformat(d), "actual"] - during.loc[date.fromisoformat(d), "low"]
              for d, v in truth["incremental_paid_orders_by_day"].items()]
    assert sum(inside) >= 3
    assert fit.after.days == 2 and fit.after.abs_low <= 0 <= fit.after.abs_high  # no lasting effect
    placebos = e.counterfactual.placebos
    assert len(placebos) >= 6 and placebos["excludes_zero"].sum() <= 1
    assert fit.unseen == [] and "campaign:CAB" in fit.regressors  # the A/B test runs alongside


def test_older_campaigns_get_type_details_and_honest_caveats(shop):
    wh, _ = shop
    params = CampaignEvaluationParams(campaigns=["C618", "CFIS", "CGRP", "CKOL", "C1111"])
    evals = {e.campaign.campaign_id: e for e in ca.evaluate_all(wh, W47, params)}
    assert evals["C618"].method == "none"  # it starts five days after the data
    kol = evals["CKOL"]
    assert kol.metric == "new_users" and kol.lift()["low"] > 0  # the KOL week brought users
    assert set(evals["C1111"].counterfactual.fit.unseen) >= {"festival_double_11", "presale_double_11"}
    group = ca.specifics(wh, evals["CGRP"], params).group_buy
    assert group["groups"] > 100 and 0.6 < group["completion_rate"] < 0.95 and 2 <= group["group_size"] <= 3
    referral = ca.specifics(wh, evals["CFIS"], params).referral
    assert referral["joins"] > 1000 and referral["k_factor"] == pytest.approx(
        referral["joins"] / referral["inviters"])
    assert evals["CKOL"].previous is None and evals["C1111"].previous[0].campaign_id == "C618"
    json.dumps([e.item(0.4) for e in evals.values()])  # JSON-safe
