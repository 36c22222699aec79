"""Lifecycle (weekly states, churn risk, win-back, pyramid) and value (buyers, LTV, RFM, CLV
purchase history) against the reference and hand-made cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.core.warehouse import day_number
from helpers.render.text import Text
from helpers.users import clv, lifecycle, rfm, tables, value
from users import reference as ref
from users.shops import load, span


def test_weekly_lifecycle(shop):
    data, wh = shop
    first, last = span(wh)
    weeks = lifecycle.weekly_lifecycle(wh, first + 7, last - 6)
    for row in weeks.itertuples():
        expected = ref.lifecycle(data, day_number(row.week))
        assert (row.new, row.returning, row.resurrecting, row.dormant) == (
            expected["new"], expected["returning"], expected["resurrecting"], expected["dormant"])


def test_churn_risk_and_win_back(shop):
    data, wh = shop
    _, last = span(wh)
    assert lifecycle.churn_risk(wh, last, 3) == len(ref.churn_risk(data, last, 3))
    at_risk = ref.churn_risk(data, last - 7, 3)
    back = at_risk & ref.active_between(data, last - 6, last)
    assert lifecycle.win_back(wh, last - 7, last - 6, last, 3) == (len(at_risk), len(back))


def test_pyramid(shop):
    data, wh = shop
    _, last = span(wh)
    rules = lifecycle.PyramidRules(loyal_orders=2, loyal_days=40, new_days=14, active_days=21)
    got = lifecycle.pyramid(wh, last, rules).set_index("tier")["users"].to_dict()
    assert got == ref.pyramid(data, last, 2, 40, 14, 21)


def test_buyer_metrics(shop):
    data, wh = shop
    _, last = span(wh)
    lo = last - 13
    active = len(ref.active_between(data, lo, last))
    got = value.buyer_metrics(wh, lo, last, active)
    expected = ref.buyers(data, lo, last)
    assert got["buyers"] == expected["buyers"]
    assert got["gmv"] == pytest.approx(expected["gmv"])
    if expected["buyers"]:
        assert got["repurchase_rate"] == pytest.approx(expected["repeaters"] / expected["buyers"])
        assert got["returning_buyer_share"] == pytest.approx(expected["returning"] / expected["buyers"])
        assert got["arppu"] == pytest.approx(expected["gmv"] / expected["buyers"])
        assert got["arpu"] == pytest.approx(expected["gmv"] / active)


def test_ltv_curves_accumulate_paid_revenue_of_observable_cohorts(tmp_path):
    users_ = [{"user_id": "a", "first_seen_at": "2026-10-05 10:00:00", "channel": "search"},
              {"user_id": "b", "first_seen_at": "2026-10-07 10:00:00", "channel": "search"}]
    orders = [("a", "2026-10-05 11:00:00", 10, "paid"), ("a", "2026-10-13 11:00:00", 20, "paid"),
              ("b", "2026-10-08 11:00:00", 99, "refunded"), ("b", "2026-10-20 11:00:00", 30, "paid")]
    data = {"users": users_,
            "events": [{"user_id": "a", "event_time": "2026-10-05 10:00:00", "event": "launch"},
                       {"user_id": "a", "event_time": "2026-10-31 10:00:00", "event": "launch"}],
            "orders": [{"order_id": f"o{i}", "user_id": u, "paid_at": t, "amount": a, "status": s}
                       for i, (u, t, a, s) in enumerate(orders)]}
    wh = load(tmp_path, data)
    first = day_number(pd.Timestamp("2026-10-05").date())
    curves = value.ltv_curves(wh, first, first + 6, max_weeks=4).set_index("age_week")
    # week 1: a 10; week 2: a 20 (day 8) -> 30; b's paid order is on its day 13 (week 2) -> 60 total
    assert curves.loc[1, "ltv"] == pytest.approx(10 / 2)
    assert curves.loc[2, "ltv"] == pytest.approx(60 / 2)
    assert 4 not in curves.index  # the cohort's youngest user has not reached 4 weeks by 10-31


def test_quantile_scores_survive_ties():
    values = pd.Series([1, 1, 1, 1, 1, 1, 2, 2, 3, 10])
    scores = rfm.quantile_scores(values, 5)
    assert scores.nunique() >= 2 and scores.between(1, 5).all()
    assert scores[:6].nunique() == 1 and scores.iloc[9] == 5
    assert (scores.diff().dropna() >= 0).all()  # monotone in the value
    assert rfm.quantile_scores(pd.Series([4, 4, 4]), 5).tolist() == [3, 3, 3]
    recency = rfm.quantile_scores(pd.Series([1, 50, 300]), 5, higher_is_better=False)
    assert recency.tolist() == [5, 3, 1]
    # untied values fill the scores evenly
    assert rfm.quantile_scores(pd.Series(range(20)), 5).value_counts().tolist() == [4] * 5


def test_frequency_levels_are_fixed_order_thresholds():
    orders = pd.Series([1, 1, 2, 3, 7, 1])
    assert rfm.frequency_levels(orders).tolist() == [1, 1, 2, 3, 3, 1]  # 1 / 2 / 3+
    assert rfm.frequency_levels(orders, [2, 4]).tolist() == [1, 1, 2, 2, 3, 1]  # 1 / 2-3 / 4+
    assert rfm.frequency_level_text() == "1 / 2 / 3+"
    assert rfm.frequency_level_text([2, 4, 8]) == "1 / 2-3 / 4-7 / 8+"


# Issue 12, item 5: ten customers with last orders 0..9 days ago. R by mid-rank percentile, worked
# by hand: recency r has rank 10 - r among 10 (largest recency = rank 1), percentile (9.5 - r) / 10,
# score floor(5 * percentile) + 1: r = 0, 1 -> 5; 2, 3 -> 4; 4, 5 -> 3; 6, 7 -> 2; 8, 9 -> 1.
# Old F (tied average ranks): at 60% one-time buyers six tied 1s had rank 3.5, percentile 0.3, F = 2
# (nobody F = 1, New customers and Promising empty); at 80% eight tied 1s had rank 4.5, F = 3, and
# every old one-time buyer (R 1-2) was "At risk". Now F is 1 / 2 / 3+ orders.
ONE_TIME_CASES = {
    0.6: ([1, 1, 1, 1, 1, 2, 3, 2, 1, 5],
          ["new_customers", "new_customers", "promising", "promising", "about_to_sleep", "need_attention",
           "cannot_lose", "at_risk", "hibernating", "cannot_lose"]),
    0.8: ([1, 1, 1, 1, 1, 1, 1, 1, 2, 3],
          ["new_customers", "new_customers", "promising", "promising", "about_to_sleep", "about_to_sleep",
           "hibernating", "hibernating", "at_risk", "cannot_lose"]),
}


@pytest.mark.parametrize("one_time", sorted(ONE_TIME_CASES))
def test_rfm_segments_when_most_buyers_order_once(one_time):
    frequency, expected = ONE_TIME_CASES[one_time]
    frame = pd.DataFrame({"user_id": [f"c{i}" for i in range(10)], "recency_days": range(10),
                          "frequency": frequency, "monetary": [10.0 * (i + 1) for i in range(10)]})
    assert (frame["frequency"] == 1).mean() == one_time
    scored = rfm.rfm_scores(frame)
    assert scored["r"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert scored["segment"].tolist() == expected
    once = scored[scored["frequency"] == 1]
    assert (once["f"] == 1).all()
    assert not once["segment"].isin(["at_risk", "cannot_lose"]).any()
    assert {"new_customers", "promising"} <= set(scored["segment"])


def test_every_rfm_cell_has_one_segment_whose_figures_fit_its_name():
    r = pd.Series([5, 4, 3, 2, 1] * 3)
    band = pd.Series(["one"] * 5 + ["mid"] * 5 + ["top"] * 5)
    segments = rfm.rfm_segment(r, band)
    grid = dict(zip(zip(r, band, strict=True), segments, strict=True))
    assert grid == {
        (5, "one"): "new_customers", (4, "one"): "promising", (3, "one"): "about_to_sleep",
        (2, "one"): "hibernating", (1, "one"): "hibernating",
        (5, "mid"): "potential_loyalists", (4, "mid"): "potential_loyalists", (3, "mid"): "need_attention",
        (2, "mid"): "at_risk", (1, "mid"): "at_risk",
        (5, "top"): "champions", (4, "top"): "champions", (3, "top"): "loyal",
        (2, "top"): "cannot_lose", (1, "top"): "cannot_lose"}
    assert rfm.frequency_band(pd.Series([1, 2, 3, 4]), 4).tolist() == ["one", "mid", "mid", "top"]


def _independent_rfm(data: dict, asof: int, window: int, bins: int = 5) -> pd.DataFrame:
    """Plain pandas from the row dicts: R, F, M per consenting buyer, then scores and the segment
    by explicit percentile counting and a written-out grid."""
    consent = {u["user_id"]: u["consent"] is not False for u in data["users"]}
    orders = pd.DataFrame(data["orders"])
    orders["day"] = [ref.day(t) for t in orders["paid_at"]]
    keep = orders["status"].fillna("paid").str.lower().eq("paid") & orders["day"].between(asof - window + 1, asof)
    keep &= orders["user_id"].map(consent).fillna(True).astype(bool)
    per = orders[keep].groupby("user_id").agg(last=("day", "max"), frequency=("day", "size"),
                                              monetary=("amount", "sum"))
    per["recency_days"] = asof - per.pop("last")

    def score(values: pd.Series, higher: bool) -> pd.Series:
        v = values.to_numpy() if higher else -values.to_numpy()
        below = (v[None, :] < v[:, None]).sum(axis=1) + (v[None, :] == v[:, None]).sum(axis=1) / 2
        return pd.Series(np.minimum(np.floor(below / len(v) * bins) + 1, bins).astype(int), index=values.index)

    per["r"], per["m"] = score(per["recency_days"], False), score(per["monetary"], True)
    per["f"] = per["frequency"].clip(upper=3)
    band = per["f"].map({1: "one", 2: "mid", 3: "top"})
    names = {"one": ["hibernating", "hibernating", "about_to_sleep", "promising", "new_customers"],
             "mid": ["at_risk", "at_risk", "need_attention", "potential_loyalists", "potential_loyalists"],
             "top": ["cannot_lose", "cannot_lose", "loyal", "champions", "champions"]}
    per["segment"] = [names[b][r - 1] for b, r in zip(band, per["r"], strict=True)]
    fifths = score(per["monetary"], True)
    per["tier"] = np.where(fifths == 5, "high", np.where(fifths >= 3, "middle", "low"))
    return per


def test_rfm_matches_an_independent_pandas_computation(shop):
    data, wh = shop
    _, last = span(wh)
    got = rfm.rfm_scores(rfm.rfm_frame(wh, last, 40)).set_index("user_id").sort_index()
    expected = _independent_rfm(data, last, 40).sort_index()
    assert got.index.tolist() == expected.index.tolist()
    for column in ("recency_days", "frequency", "r", "f", "m", "segment", "tier"):
        assert got[column].tolist() == expected[column].tolist(), column
    assert got["monetary"].to_numpy() == pytest.approx(expected["monetary"].to_numpy())


def test_segment_and_tier_tables():
    frame = pd.DataFrame({"user_id": [f"c{i}" for i in range(10)], "recency_days": range(10),
                          "frequency": ONE_TIME_CASES[0.6][0], "monetary": [10.0 * (i + 1) for i in range(10)]})
    scored = rfm.rfm_scores(frame)
    tx = Text("en")
    sizes = rfm.segment_sizes(scored, tx).set_index("segment")
    # cannot_lose: c6 (3 orders, 6 days, 70.0) and c9 (5 orders, 9 days, 100.0); all spend 550
    assert sizes.loc["cannot_lose", ["customers", "frequency", "recency_days", "monetary"]].tolist() == [2, 4, 7.5, 85]
    assert sizes.loc["cannot_lose", "rfm_spend_share"] == pytest.approx(170 / 550)
    assert sizes["share"].sum() == pytest.approx(1)
    tiers = rfm.tier_sizes(scored, tx).set_index("tier")
    # spend 10..100 untied: the top fifth (90, 100) is high, 50-80 middle, 10-40 low
    assert tiers["customers"].to_dict() == {"high": 2, "middle": 4, "low": 4}
    assert tiers.loc["high", "rfm_spend_share"] == pytest.approx(190 / 550)


def test_segment_migration():
    before = pd.DataFrame({"user_id": ["a", "b", "c"], "segment": ["loyal", "loyal", "at_risk"]})
    now = pd.DataFrame({"user_id": ["a", "c", "d"], "segment": ["champions", "at_risk", "new_customers"]})
    matrix = rfm.segment_migration(before, now)
    assert matrix.loc["loyal", "champions"] == 1 and matrix.loc["loyal", "none"] == 1
    assert matrix.loc["none", "new_customers"] == 1 and matrix.to_numpy().sum() == 4


def test_purchase_history_for_clv(tmp_path):
    orders = [("2026-10-01 10:00", 10), ("2026-10-01 18:00", 5), ("2026-10-15 10:00", 30),
              ("2026-10-29 10:00", 20)]
    data = {"users": [{"user_id": "a", "first_seen_at": "2026-09-30 10:00:00"},
                      {"user_id": "b", "first_seen_at": "2026-09-30 10:00:00", "consent": False}],
            "events": [{"user_id": "a", "event_time": "2026-09-30 10:00:00", "event": "launch"}],
            "orders": [{"order_id": f"o{i}", "user_id": "a", "paid_at": f"{t}:00", "amount": a}
                       for i, (t, a) in enumerate(orders)]
            + [{"order_id": "x", "user_id": "b", "paid_at": "2026-10-01 10:00:00", "amount": 1}]}
    wh = load(tmp_path, data)
    history = clv.purchase_history(wh, day_number(pd.Timestamp("2026-11-05").date()))
    row = history.set_index("user_id").loc["a"]
    assert list(history["user_id"]) == ["a"]  # b refused consent
    assert row.frequency == 2 and row.recency == pytest.approx(4) and row.t == pytest.approx(5)
    assert row.monetary == pytest.approx(25)  # repeat days only: (30 + 20) / 2


def test_clv_table_hides_small_channels_and_their_complement():
    customers = pd.DataFrame({"channel": ["search"] * 50 + ["kol"] * 3 + ["share"] * 20 + ["ads"] * 30,
                              "clv": [60.0] * 50 + [900.0] * 3 + [40.0] * 20 + [55.0] * 30,
                              "p_alive": [0.9] * 103})
    table, _, small = tables.clv_by_channel(customers, 10, Text("en"))
    # kol (3 customers, mean 900) loses every figure ("<k"); share (20), the next-smallest, goes with
    # it ("—"), since the channels add up to all customers, whose mean value the finding states
    figures = ["customers", "clv", "p_alive"]
    assert table.set_index("channel")[figures].isna().all(axis=1).to_dict() == {
        "ads": False, "KOL": True, "Search": False, "Share": True}
    assert small.set_index(table["channel"])[figures].all(axis=1).to_dict() == {
        "ads": False, "KOL": True, "Search": False, "Share": False}
    assert 900.0 not in set(table["clv"])


def test_holdout_chart_folds_the_thin_top_buckets():
    holdout = pd.DataFrame({"bucket": range(7), "customers": [300, 80, 30, 12, 6, 3, 2],
                            "predicted": [0.1, 0.3, 0.5, 0.7, 0.8, 1.0, 1.5],
                            "actual": [0.1, 0.2, 0.6, 0.6, 1.0, 2.0, 0.5]})
    shown = clv.holdout_shown(holdout, 10)
    # buckets 4, 5, 6 (6 + 3 + 2 = 11 customers) become "4+": predicted (6 x 0.8 + 3 x 1.0 + 2 x 1.5) / 11
    # = 10.8 / 11, actual (6 x 1.0 + 3 x 2.0 + 2 x 0.5) / 11 = 13 / 11
    assert shown["bucket"].tolist() == [0, 1, 2, 3, 4] and shown["customers"].tolist() == [300, 80, 30, 12, 11]
    assert shown["predicted"].iloc[-1] == pytest.approx(10.8 / 11)
    assert shown["actual"].iloc[-1] == pytest.approx(13 / 11)
    assert clv.holdout_shown(holdout, 1)["customers"].tolist() == holdout["customers"].tolist()
