"""The tiny sample's planted merchant truths (truth.json "merchants", written by the generator from
what it drew) recovered by the report's computations."""

from __future__ import annotations

import json

import pytest

from helpers.core.periods import Period
from helpers.merchants import chains
from helpers.merchants.concentration import summary
from helpers.merchants.data import load
from helpers.merchants.growth import weekly_growth
from helpers.merchants.headline import headline
from helpers.merchants.params import MerchantPerformanceParams

PARAMS = MerchantPerformanceParams()


@pytest.fixture(scope="module")
def truth(tiny_data):
    return json.loads((tiny_data / "truth.json").read_text(encoding="utf-8"))["merchants"]


@pytest.fixture(scope="module")
def sample(tiny_wh, truth):
    return load(tiny_wh, Period.parse(truth["week"]), PARAMS)


def test_the_weeks_headline_is_the_generated_one(sample, truth):
    m, planted = headline(sample), truth["last_week"]
    assert m["merchant_gmv"] == pytest.approx(planted["merchant_gmv"], abs=0.01)
    assert sample.split["platform_gmv"] == pytest.approx(planted["platform_gmv"], abs=0.01)
    assert m["merchant_gmv_share"] == pytest.approx(planted["merchant_gmv_share"], abs=1e-6)
    for key in ("merchants_active", "merchants_new", "merchants_dormant"):
        assert m[key] == planted[key], key
    assert m["gini"] == pytest.approx(planted["gini"], abs=1e-6)
    # computed as planted; published unless it would give a merchant of few buyers away (the tiny
    # sample's merchants mostly have fewer than 10 buyers a week: then it is null)
    assert summary(sample.week)["top10_share"] == pytest.approx(planted["top10_share"], abs=1e-6)
    assert m["top10_share"] in (None, summary(sample.week)["top10_share"])
    assert (m["top10_share"] is None) == ("top:top10" in sample.dropped)


def test_every_status_is_the_planted_one(sample, truth):
    ours = dict(zip(sample.statuses["merchant_id"], sample.statuses["status"], strict=True))
    planted = {m: s for m, s in truth["statuses"].items() if s != "none"}
    assert ours == planted
    assert set(truth["never_sold"]).isdisjoint(ours)
    assert sorted(m for m, s in ours.items() if s == "new") == sorted(truth["new_in_week"])


def test_the_planted_churn_dormancy_and_return_are_found(sample, truth):
    s = sample.statuses.set_index("merchant_id")
    churned, dormant, back = truth["churned"]["merchant_id"], truth["turned_dormant"]["merchant_id"], \
        truth["reactivated"]["merchant_id"]
    assert (s.loc[churned, "status"], s.loc[churned, "turned"]) == ("churned", "churned")
    assert (s.loc[dormant, "status"], s.loc[dormant, "turned"]) == ("dormant", "dormant")
    assert s.loc[dormant, "last_day"] == sample.hi - truth["turned_dormant"]["days_before_week_end"]
    assert s.loc[back, "status"] == "reactivated"
    listed = {i["id"]: i["status"] for i in headline(sample)["merchants"]}
    assert listed[churned] == "churned" and listed[dormant] == "dormant" and listed[back] == "reactivated"


def test_the_growing_merchant_grows(sample, truth):
    planted = truth["growing"]
    growth = weekly_growth(sample.weekly, sample.week_starts).set_index("merchant_id")
    row = growth.loc[planted["merchant_id"]]
    assert row["growth"] == pytest.approx(planted["fitted_weekly_growth"], abs=0.002)
    assert row["growth"] > 0.2 and row["weeks"] >= 5
    # five noisy weeks on the tiny sample: the trend test decides whether a sentence may say it grows
    assert 0 < row["p_value"] <= 1


def test_the_chain_levels(tiny_wh, truth):
    levels = chains.levels(tiny_wh).set_index("merchant_id")["level"]
    planted = truth["chain"]["levels"]
    assert {m: int(levels[m]) for m in planted} == planted
    assert int(levels.max()) == truth["chain"]["depth"]
