"""Privacy of the merchant figures: no hidden merchant's sales follow from the sums the report
shows (totals, top 10, top 20%, tiers, chain levels, Lorenz steps), on random weeks."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.merchants import concentration, privacy
from helpers.merchants import data as data_module
from helpers.merchants.data import MerchantData
from helpers.merchants.headline import merchant_items
from merchants.shop import W47

K = 5


def week_frame(rows: list[tuple[int, float]]) -> pd.DataFrame:
    ids = [f"m{i:02d}" for i in range(len(rows))]
    frame = pd.DataFrame({"merchant_id": ids, "gmv": [g for _, g in rows], "orders": [b for b, _ in rows],
                          "buyers": [float(b) for b, _ in rows]})
    for column in ("aov", "share", "gmv_wow", "gmv_prev", "orders_prev", "buyers_prev"):
        frame[column] = np.nan
    frame["tier"] = concentration.tiers(frame, 0.5, 0.3).reindex(ids).to_numpy()
    frame["tier_prev"] = None
    return frame


def protected_week(rows: list[tuple[int, float]]) -> MerchantData:
    data = MerchantData(W47, K)
    data.week = week_frame(rows)
    data.trend = pd.DataFrame({"wk": [data.lo], "top10_share": [np.nan]})
    data_module._protect(data)
    return data


weeks = st.lists(st.tuples(st.integers(1, 12), st.floats(1, 5000, allow_nan=False)), min_size=2, max_size=14)


@settings(max_examples=120, deadline=None)
@given(weeks)
def test_no_hidden_merchant_follows_from_the_sums_shown(rows):
    data = protected_week(rows)
    ids = data.week["merchant_id"].tolist()
    small = {m for m, b in zip(ids, data.week["buyers"], strict=True) if b < K}
    assert small <= data.hidden_now
    groups = list(data_module._named_groups(data).values())
    assert not privacy.exposed(ids, data.hidden_now, groups)
    assert not privacy.exposed(ids, data.hidden_now, groups + data.lorenz)  # the curve adds nothing
    assert sorted(m for step in data.lorenz for m in step) == sorted(ids)
    items = merchant_items_of(data)
    assert {i["id"] for i in items if i["gmv"] is None} == data.hidden_now


def merchant_items_of(data: MerchantData) -> list[dict]:
    data.statuses = pd.DataFrame({"merchant_id": data.week["merchant_id"], "first_day": 0, "last_day": data.hi,
                                  "status": "active", "turned": None})
    return merchant_items(data)


def test_a_large_merchant_with_few_buyers_keeps_the_top_shares_out():
    """One merchant of three buyers sells most: it alone is the top 20% and the head, so the top-20%
    share and the head's share would give it away; they are left out, and a partner is hidden."""
    data = protected_week([(3, 900.0), (6, 50.0), (7, 30.0), (8, 20.0)])
    assert "m00" in data.hidden_now and len(data.hidden_now) >= 2
    assert {"top:top20pct", "tier:head"} <= data.dropped
    assert not privacy.exposed(data.week["merchant_id"].tolist(), data.hidden_now,
                               list(data_module._named_groups(data).values()))


def test_nothing_is_hidden_when_every_merchant_has_enough_buyers():
    data = protected_week([(5, 100.0), (9, 50.0), (12, 10.0)])
    assert data.hidden_now == set() and data.dropped == set()
    assert data.lorenz == [["m02"], ["m01"], ["m00"]]
