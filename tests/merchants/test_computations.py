"""The merchant computations on the hand-made shop of `canonical` (answers worked out by hand there):
sales, statuses, concentration, tiers, privacy, the JSON, cohorts, customers and chains."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.core.params import ParamError, validate
from helpers.merchants import chains, cohorts, concentration, customers, queries
from helpers.merchants.data import load
from helpers.merchants.headline import KEYS, headline
from helpers.merchants.params import MerchantPerformanceParams
from merchants.canonical import CHAIN, STATUSES, K, canonical
from merchants.shop import HI, W47, reference_statuses

PARAMS = MerchantPerformanceParams(min_cell_size=K)


@pytest.fixture(scope="module")
def shop_wh(tmp_path_factory):
    wh = canonical().warehouse(tmp_path_factory.mktemp("canonical"))
    yield wh
    wh.close()


@pytest.fixture(scope="module")
def chain_wh(tmp_path_factory):
    wh = canonical(CHAIN).warehouse(tmp_path_factory.mktemp("canonical_chain"))
    yield wh
    wh.close()


@pytest.fixture(scope="module")
def data(shop_wh):
    return load(shop_wh, W47, PARAMS)


def test_sales_of_the_week_by_hand(shop_wh, data):
    assert data.ok
    assert queries.sales_split(shop_wh, HI - 6, HI) == {"merchant_gmv": 1000.0, "platform_gmv": 1000.0,
                                                         "merchant_orders": 18.0, "platform_orders": 10.0}
    week = data.week.set_index("merchant_id")
    assert sorted(week.index) == ["A", "B", "H", "I", "J"]  # this week's sellers and last week's
    assert week.loc["A", ["gmv", "orders", "buyers"]].tolist() == [500.0, 5.0, 5.0]
    assert week.loc["H", "aov"] == pytest.approx(50.0)
    assert week.loc["H", "share"] == pytest.approx(0.3)
    assert week.loc["A", "gmv_prev"] == 10.0 and week.loc["A", "gmv_wow"] == pytest.approx(49.0)
    assert week.loc["I", "gmv"] == 0 and week.loc["I", "gmv_prev"] == 40.0
    assert np.isnan(week.loc["H", "gmv_wow"])  # nothing last week: no change to state


def test_statuses_by_hand_and_by_the_reference(data):
    got = {r.merchant_id: (r.status, r.turned) for r in data.statuses.itertuples()}
    assert got == STATUSES
    assert got == reference_statuses(canonical().orders, HI)
    assert data.statuses.set_index("merchant_id").loc["C", "last_day"] == HI - 20


def test_weekly_counts_of_the_report_week(data):
    row = data.counts.set_index("wk").loc[HI - 6]
    assert row.to_dict() == {"active": 4, "new": 1, "reactivated": 1, "dormant": 2, "turned_dormant": 1,
                             "churned": 2, "turned_churned": 1}


def test_headline_by_hand(data):
    m = headline(data)
    assert list(m) == list(KEYS)
    assert {k: m[k] for k in KEYS[:-1]} == {
        "merchants_active": 4, "merchants_new": 1, "merchants_dormant": 2, "merchant_gmv": 1000.0,
        "merchant_gmv_share": 0.5, "top10_share": 1.0, "gini": pytest.approx(0.35)}
    assert m["merchants"] == [
        {"id": "A", "gmv": 500.0, "orders": 5, "buyers": 5, "status": "active"},
        {"id": "H", "gmv": 300.0, "orders": 6, "buyers": 6, "status": "reactivated"},
        {"id": "B", "gmv": None, "orders": None, "buyers": None, "status": "new"},
        {"id": "J", "gmv": None, "orders": None, "buyers": None, "status": "active"},
        {"id": "C", "gmv": 0.0, "orders": 0, "buyers": 0, "status": "dormant"},
        {"id": "F", "gmv": 0.0, "orders": 0, "buyers": 0, "status": "churned"},
    ]


def test_concentration_and_tiers_by_hand(data):
    top = concentration.summary(data.week)
    assert top == {"top10_share": 1.0, "top20pct_share": 0.5, "gini": pytest.approx(0.35), "merchants": 4}
    assert data.week.set_index("merchant_id")["tier"].to_dict() == {
        "A": "head", "B": "tail", "H": "waist", "I": "none", "J": "tail"}
    assert data.week.set_index("merchant_id")["tier_prev"].to_dict() == {
        "A": "tail", "B": "none", "H": "none", "I": "head", "J": "waist"}
    this = data.week[["merchant_id", "gmv"]]
    last = data.week.assign(gmv=data.week["gmv_prev"])[["merchant_id", "gmv"]]
    table = concentration.tier_table(this, last, 0.5, 0.3).set_index("tier")
    assert table["merchants"].tolist() == [1, 1, 2]
    assert table["gmv_share"].tolist() == pytest.approx([0.5, 0.3, 0.2])
    assert table["merchants_last"].tolist() == [1, 1, 1]
    moves = concentration.movement(this, last, 0.5, 0.3)
    assert moves.loc["head", "none"] == 1 and moves.loc["waist", "tail"] == 1 and moves.loc["tail", "head"] == 1
    assert moves.loc["none", "tail"] == 1 and moves.loc["none", "waist"] == 1 and moves.to_numpy().sum() == 5
    trend = data.trend.set_index("wk")
    assert trend.loc[HI - 6, "gini"] == pytest.approx(0.35)
    assert trend.loc[HI - 13, "top10_share"] == 1.0 and trend.loc[HI - 13, "merchant_gmv"] == 70.0


def test_privacy_hides_the_small_merchant_and_its_partner(data):
    assert data.hidden_now == {"B", "J"}
    assert data.hidden_prev == {"A", "I", "J"}  # one buyer each last week
    shown, mask = data.shown_week()
    row = shown.set_index("merchant_id").loc["B"]
    assert np.isnan(row["gmv"]) and np.isnan(row["share"]) and np.isnan(row["buyers"])
    assert mask.set_index(shown["merchant_id"]).loc["A", "gmv_wow"]  # last week's 1 buyer of A
    assert data.lorenz == [["J", "B"], ["H"], ["A"]]
    people, share = concentration.lorenz_points(data.week, data.lorenz)
    assert people.tolist() == pytest.approx([0, 0.5, 0.75, 1])
    assert share.tolist() == pytest.approx([0, 0.2, 0.5, 1])


def test_cohorts_by_hand(shop_wh):
    table = cohorts.retention_table(cohorts.cohort_counts(shop_wh, HI), HI, 3)
    assert [d.isoformat() for d in table.index] == ["2026-09-01", "2026-10-01", "2026-11-01"]
    assert table["size"].tolist() == [1, 5, 3]
    cells = table[[0, 1, 2]].to_numpy()
    assert np.array_equal(cells, [[1.0, 1.0, np.nan], [1.0, np.nan, np.nan], [1.0, np.nan, np.nan]], equal_nan=True)
    # November has not ended by 22 Nov: unobservable, never 0
    # six months back: the empty months before September are left out
    assert len(cohorts.retention_table(cohorts.cohort_counts(shop_wh, HI), HI, 6)) == 3
    # as of 2026-12-31 November is observable: 2 of October's 5 (H, C) sold in November
    assert cohorts.retention_table(cohorts.cohort_counts(shop_wh, HI), HI + 39, 4).iloc[1][1] == pytest.approx(0.4)


def test_customers_by_hand(shop_wh):
    new = customers.new_buyers(shop_wh, HI - 6, HI)
    by = dict(zip(new["merchant_id"].fillna("platform"), new["new_buyers"], strict=True))
    assert by == {"A": 4, "B": 2, "H": 6, "J": 5, "platform": 10}  # a0 bought before
    ranked = customers.new_buyers_by_merchant(new)
    assert ranked["merchant_id"].tolist() == ["H", "J", "A", "B"]
    assert ranked["share"].tolist() == pytest.approx([6 / 17, 5 / 17, 4 / 17, 2 / 17])
    repeat = customers.repeat_purchase(shop_wh, HI, 30, 8, HI - 69)
    # first orders in days 69..30 before END: a0 (again 7 days later), h_old, c_a, f_a, g_a
    assert (repeat.merchant_customers, repeat.merchant_repeaters) == (5, 1)
    assert (repeat.platform_customers, repeat.platform_repeaters) == (0, 0)
    assert repeat.platform_rate is None and repeat.merchant_rate == pytest.approx(0.2)
    assert customers.repeat_purchase(shop_wh, HI, 30, 8, HI - 20) is None  # window before the data


def test_chains_by_hand(chain_wh):
    levels = chains.levels(chain_wh).set_index("merchant_id")
    assert levels.loc[["A", "H", "J", "B"], "level"].tolist() == [1, 2, 3, 1]
    table = chains.chain_table(chains.levels(chain_wh), chains.level_sales(chain_wh, HI - 6, HI), HI - 6, HI)
    assert table["level"].tolist() == [1.0, 2.0, 3.0]
    assert table["merchants"].tolist() == [7, 1, 1]
    assert table["gmv"].tolist() == [600.0, 300.0, 100.0]
    assert table["buyers"].tolist() == [7.0, 6.0, 5.0]
    assert table["recruited"].tolist() == [1, 1, 0]
    assert table["joined"].tolist() == [1.0, 0.0, 1.0]  # B and J joined in the week
    assert table["recruited_week"].tolist() == [0.0, 1.0, 0.0]


def test_chain_rows_that_would_give_a_hidden_merchant_away_are_hidden(chain_wh):
    data = load(chain_wh, W47, PARAMS)
    assert data.hidden_now == {"B", "J"}
    # level 1 (A, shown alone as the head, and B) would give B away: it is hidden, with level 3
    # (J alone, fewest buyers) as its partner; level 2 (H) stays
    assert data.chain_hidden["gmv"].tolist() == [True, False, True]


def test_without_merchant_id_or_merchant_sales(tmp_path):
    wh = canonical().warehouse(tmp_path / "no_id", with_merchant_id=False)
    data = load(wh, W47, PARAMS)
    assert data.missing == "mc_missing_merchant_id"
    m = headline(data)
    assert m["merchants"] == [] and all(m[k] is None for k in KEYS[:-1])
    wh.close()
    shop = canonical()
    for o in shop.orders:
        o["merchant_id"] = None
    wh = shop.warehouse(tmp_path / "no_sales")
    data = load(wh, W47, PARAMS)
    assert data.why == "mc_why_no_merchant_sales"
    m = headline(data)
    assert (m["merchant_gmv"], m["merchant_gmv_share"], m["merchants_active"], m["gini"]) == (0.0, 0.0, 0, None)
    wh.close()


def test_parameters_are_checked():
    with pytest.raises(ParamError, match=r"churn_days.*more than dormant_days"):
        validate(MerchantPerformanceParams, {"dormant_days": 30, "churn_days": 30})
    with pytest.raises(ParamError, match=r"waist_share.*below 1"):
        validate(MerchantPerformanceParams, {"head_share": 0.7, "waist_share": 0.3})
    with pytest.raises(ParamError, match="head_share"):
        validate(MerchantPerformanceParams, {"head_share": 1.2})
    assert validate(MerchantPerformanceParams, {"dormant_days": 7, "churn_days": 8}).churn_days == 8


def test_turning_points_at_the_boundaries(tmp_path):
    """Last orders exactly dormant_days and churn_days before the end, and a day short of each."""
    from merchants.shop import Shop

    shop = Shop()
    for m, d in (("d14", 14), ("d13", 13), ("d30", 30), ("d29", 29), ("d20", 20), ("d36", 36), ("d37", 37)):
        shop.sell(m, d, ["u" + m], 10)
    wh = shop.warehouse(tmp_path)
    data = load(wh, W47, PARAMS)
    got = {r.merchant_id: (r.status, r.turned) for r in data.statuses.itertuples()}
    assert got == reference_statuses(shop.orders, HI)
    assert got["d14"] == ("dormant", "dormant") and got["d13"] == ("quiet", None)
    assert got["d30"] == ("churned", "churned") and got["d29"] == ("dormant", None)
    assert got["d20"] == ("dormant", "dormant") and got["d36"] == ("churned", "churned")
    assert got["d37"] == ("churned", None)
    wh.close()


def test_frames_come_back_sorted_and_typed(data):
    assert data.weekly.equals(data.weekly.sort_values(["wk", "merchant_id"], ignore_index=True))
    assert pd.api.types.is_float_dtype(data.week["gmv"])


def test_every_query_translates_to_spark(tmp_path):
    """The family's SQL is written once for DuckDB; sqlglot must take every query to Spark SQL
    (tests/spark runs the report on Spark itself)."""
    from helpers.core.spark_sql import to_spark

    wh = canonical(CHAIN).warehouse(tmp_path)
    seen: list[str] = []
    original = wh.query
    wh.query = lambda sql, params=None: (seen.append(sql), original(sql, params))[1]
    try:
        load(wh, W47, PARAMS)
        cohorts.cohort_counts(wh, HI)
        customers.new_buyers(wh, HI - 6, HI)
        customers.repeat_purchase(wh, HI, 30, 8, HI - 69)
        queries.recent_sales(wh, ["C"], 28, HI)
        queries.weekly_split(wh, HI - 20, HI)
    finally:
        wh.close()
    assert len(seen) >= 12
    for sql in seen:
        assert to_spark(sql)


def test_what_a_merchant_sold_before_it_stopped(shop_wh):
    """C's last paid order is 20 days before END; its 28 days up to it hold both its orders."""
    got = queries.recent_sales(shop_wh, ["C", "D"], 28, HI).set_index("merchant_id")
    assert got.loc["C"].tolist() == [60.0, 2, 2] and got.loc["D"].tolist() == [30.0, 1, 1]
    assert queries.recent_sales(shop_wh, [], 28, HI).empty
