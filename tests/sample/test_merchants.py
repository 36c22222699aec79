"""The sample's merchants: a table of their own, `orders.merchant_id` reassigned from a stream of
their own (every other table and column as before), and planted truths that the warehouse's data
recovers, each computed here again from the orders, independently of the generator's code."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import helpers.sample as sample
from helpers.core import contract
from helpers.core.warehouse import day_number
from helpers.sample import SampleSpec, generate

from conftest import TINY

SMALL = SampleSpec(seed=3, users=800, days=28)
PAID = "COALESCE(LOWER(status), 'paid') = 'paid'"


@pytest.fixture(scope="module")
def truth(tiny_data) -> dict:
    return json.loads((tiny_data / "truth.json").read_text(encoding="utf-8"))["merchants"]


@pytest.fixture(scope="module")
def sales(tiny_wh) -> pd.DataFrame:
    """Every paid order of the tiny sample: merchant (None: the platform's own), day, amount."""
    return tiny_wh.query(f"SELECT merchant_id, paid_day, amount FROM orders WHERE {PAID}")


def _without_merchants(monkeypatch, spec: SampleSpec) -> dict:
    """The sample as the generator made it before merchants had a table: the merchants step
    skipped (orders.merchant_id then is orders.py's own draw from the main stream)."""
    monkeypatch.setattr(sample, "merchant_sales", lambda seed, start, end, orders: (orders, None, None))
    return generate(spec)


@pytest.mark.parametrize("spec", [SMALL, SampleSpec(seed=9, users=400, days=60, end=date(2026, 9, 30))])
def test_only_orders_merchant_id_changes(monkeypatch, spec):
    after = generate(spec)
    before = _without_merchants(monkeypatch, spec)
    assert set(after) - set(before) == set() and before["merchants"] is None
    for name in (t for t in contract.TABLES if t in after and t not in ("orders", "merchants")):
        assert after[name].equals(before[name]), name
    assert after["orders"].drop_columns(["merchant_id"]).equals(before["orders"].drop_columns(["merchant_id"]))
    old, new = (pd.Series(t["orders"]["merchant_id"].to_pylist()) for t in (before, after))
    assert not old.equals(new)
    within = 3 * (0.6 * 0.4 / len(new)) ** 0.5  # three standard errors
    assert old.notna().mean() == pytest.approx(0.6, abs=within)  # orders.py's draw is still made
    assert new.notna().mean() == pytest.approx(0.6, abs=within)
    assert set(new.dropna()) <= set(after["merchants"]["merchant_id"].to_pylist())
    assert {k: v for k, v in after["truth"].items() if k != "merchants"} == \
        {k: v for k, v in before["truth"].items() if k != "merchants"}


def test_the_merchants_table(tiny_data, tiny_wh, sales):
    merchants = tiny_wh.query("SELECT * FROM merchants ORDER BY merchant_id")
    assert merchants["merchant_id"].tolist() == [f"M{i:03d}" for i in range(1, 41)]
    assert merchants["kind"].value_counts().to_dict() == {"group_leader": 14, "distributor": 10, "store": 8,
                                                          "kol": 6, "other": 2}
    assert merchants["region"].notna().all() and merchants["name"].notna().all()
    assert merchants["name"].str.contains("<").any()  # data text the reports must escape
    assert tiny_wh.quality().query("check_name == 'orders_unknown_merchant'").empty
    first_sale = sales.dropna().groupby("merchant_id")["paid_day"].min()
    joined = merchants.set_index("merchant_id")["joined_day"]
    assert (first_sale > joined[first_sale.index]).all()  # nobody sells before the day after joining
    recent = joined > tiny_wh.meta["last_day"] - 30
    assert merchants.set_index("merchant_id")["tier"][recent].isna().all()


def _week_end(truth: dict) -> int:
    return day_number(date.fromisoformat(truth["week_end"]))


def _days(sales: pd.DataFrame, merchant: str, e: int) -> np.ndarray:
    return np.sort(sales.loc[(sales.merchant_id == merchant) & (sales.paid_day <= e), "paid_day"].to_numpy())


def test_the_week_is_the_last_complete_iso_week(truth):
    assert (truth["week"], truth["week_start"], truth["week_end"]) == ("2026-W47", "2026-11-16", "2026-11-22")


def test_the_churned_merchant_stopped_long_before_the_week_end(truth, sales):
    e, churned = _week_end(truth), truth["churned"]
    last = _days(sales, churned["merchant_id"], e)[-1]
    assert churned["last_paid"] == (date(1970, 1, 1) + timedelta(days=int(last))).isoformat()
    assert e - last == churned["days_before_week_end"]
    assert 30 <= e - last < 37  # churned at the week's end, dormant (not churned) a week before
    assert churned["status"] == "churned"


def test_the_merchant_that_turned_dormant_in_the_week(truth, sales):
    e, fading = _week_end(truth), truth["turned_dormant"]
    gap = e - _days(sales, fading["merchant_id"], e)[-1]
    assert gap == fading["days_before_week_end"] and 14 <= gap < 21 and fading["status"] == "dormant"


def test_the_reactivated_merchant(truth, sales):
    e, back = _week_end(truth), truth["reactivated"]
    days = _days(sales, back["merchant_id"], e)
    in_week, before = days[days > e - 7], days[days <= e - 7]
    assert len(in_week) == back["paid_orders_in_week"] >= 1
    assert e - 7 - before[-1] == back["days_before_previous_week_end"] >= 14
    assert back["status"] == "reactivated"


def test_new_and_never_sold_merchants(truth, sales):
    e = _week_end(truth)
    first = sales.dropna().query("paid_day <= @e").groupby("merchant_id")["paid_day"].min()
    assert sorted(first[first > e - 7].index) == truth["new_in_week"]
    assert {"M027", "M028"} <= set(truth["new_in_week"])
    sellers = set(first.index)
    assert truth["never_sold"] == [f"M{i:03d}" for i in range(1, 41) if f"M{i:03d}" not in sellers]
    assert "M040" in truth["never_sold"]  # planted: in the table, never sells (a long tail too, on a tiny sample)


def test_statuses_match_an_independent_count(truth, sales):
    e = _week_end(truth)
    expected = {}
    for m in (f"M{i:03d}" for i in range(1, 41)):
        days = _days(sales, m, e)
        if not len(days):
            expected[m] = "none"
        elif days[-1] > e - 7:
            earlier = days[days <= e - 7]
            expected[m] = ("new" if not len(earlier) else "reactivated" if e - 7 - earlier[-1] >= 14
                           else "active")
        else:
            gap = e - days[-1]
            expected[m] = "churned" if gap >= 30 else "dormant" if gap >= 14 else "quiet"
    assert truth["statuses"] == expected
    counts = pd.Series(expected).value_counts()
    assert truth["last_week"]["merchants_dormant"] == counts.get("dormant", 0)
    assert truth["last_week"]["merchants_new"] == counts.get("new", 0)


def test_the_growing_merchant(truth, tiny_wh):
    grower = truth["growing"]
    weekly = tiny_wh.query(
        f"SELECT paid_day - ((paid_day + 3) % 7) AS monday, SUM(amount) AS gmv FROM orders "
        f"WHERE {PAID} AND merchant_id = :m GROUP BY 1 ORDER BY 1", {"m": grower["merchant_id"]})
    got = {date.fromordinal(date(1970, 1, 1).toordinal() + int(d)).strftime("%G-W%V"): round(g, 2)
           for d, g in zip(weekly.monday, weekly.gmv, strict=True)}
    assert {w: v for w, v in grower["weekly_gmv"].items() if v} == pytest.approx(
        {w: v for w, v in got.items() if w in grower["weekly_gmv"]}, abs=0.01)
    values = np.array([v for v in grower["weekly_gmv"].values()])
    slope = np.polyfit(np.arange(len(values))[values > 0], np.log(values[values > 0]), 1)[0]
    assert grower["fitted_weekly_growth"] == pytest.approx(np.exp(slope) - 1, abs=1e-4)
    assert grower["fitted_weekly_growth"] > 0.15  # planted: 0.35 a week in its share of merchant orders


def test_the_weeks_concentration(truth, sales):
    e = _week_end(truth)
    week = sales[(sales.paid_day > e - 7) & (sales.paid_day <= e)]
    gmv = week.dropna().groupby("merchant_id")["amount"].sum().sort_values(ascending=False)
    x = gmv.to_numpy()
    pairs = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())  # the definition
    got = truth["last_week"]
    assert got["merchants_active"] == len(gmv)
    assert got["merchant_gmv"] == pytest.approx(x.sum(), abs=0.01)
    assert got["platform_gmv"] == pytest.approx(week[week.merchant_id.isna()]["amount"].sum(), abs=0.01)
    assert got["merchant_gmv_share"] == pytest.approx(x.sum() / week["amount"].sum(), abs=1e-6)
    assert got["top10_share"] == pytest.approx(x[:10].sum() / x.sum(), abs=1e-6)
    assert got["gini"] == pytest.approx(pairs, abs=1e-6)
    assert 0.3 < got["gini"] < 0.95 and got["top10_share"] > 0.5  # a few merchants carry the sales


def test_the_distributor_chain(truth, tiny_wh):
    levels = tiny_wh.query("""
        WITH RECURSIVE chain(merchant_id, level) AS (
            SELECT merchant_id, 1 FROM merchants WHERE parent_id IS NULL AND kind = 'distributor'
            UNION ALL
            SELECT m.merchant_id, c.level + 1 FROM merchants m JOIN chain c ON m.parent_id = c.merchant_id)
        SELECT merchant_id, level FROM chain ORDER BY merchant_id""")
    assert dict(zip(levels.merchant_id, levels.level.astype(int), strict=True)) == truth["chain"]["levels"]
    assert truth["chain"]["depth"] == 3 and truth["chain"]["roots"] == ["M029", "M035", "M038"]
    recruits = tiny_wh.query("SELECT parent_id, merchant_id FROM merchants WHERE parent_id IS NOT NULL")
    assert recruits.groupby("parent_id")["merchant_id"].apply(sorted).to_dict() == \
        {k: sorted(v) for k, v in truth["chain"]["recruits"].items()}


def test_a_half_year_sample_plants_the_same_merchants():
    """180 days as the bundled sample (fewer users): the same planted merchants, far from every
    boundary."""
    merchants = generate(SampleSpec(users=3000))["truth"]["merchants"]
    assert merchants["churned"]["days_before_week_end"] == 33
    assert merchants["turned_dormant"]["days_before_week_end"] == 17
    assert merchants["growing"]["fitted_weekly_growth"] > 0.15
    assert merchants["week"] == "2026-W47" and TINY.end == SampleSpec().end


def test_the_merchants_table_follows_the_contract():
    table = generate(SMALL)["merchants"]
    assert table.schema.names == [c.name for c in contract.TABLES["merchants"].columns]
    assert table.schema.field("joined_at").type == pa.timestamp("s")
