"""The merchant report on random valid shops (tests/datasets.py, every degenerate feature of the
named shapes), with merchants drawn onto their orders and, sometimes, a merchants table with
distributor chains: every section completes or says why in one line, no missing value shows as
nan / None, the JSON has every contract key, and no hidden merchant follows from the sums shown."""

from __future__ import annotations

import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datasets import datasets, latest_week, open_warehouse
from helpers.merchants import data as data_module
from helpers.merchants import privacy
from helpers.merchants.headline import KEYS
from merchants import test_show

MISSING_WORDS = re.compile(r"\b(nan|NaN|None|NaT|inf)\b|<NA>")


def with_merchants(tables: dict, seed: int, n: int, listed: bool) -> dict:
    rng = random.Random(seed)
    ids = [f"M{i:02d}" for i in range(n)]
    for order in tables.get("orders", []):
        order["merchant_id"] = rng.choice([*ids, None]) if rng.random() < 0.8 else None
    if listed:
        parents = {m: (rng.choice(ids[:i]) if i and rng.random() < 0.5 else None) for i, m in enumerate(ids)}
        tables["merchants"] = [{"merchant_id": m, "kind": rng.choice(["store", "kol", "distributor"]),
                                "parent_id": parents[m]} for m in ids]
    return tables


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(tables=datasets(), seed=st.integers(0, 999), n=st.integers(1, 12), listed=st.booleans(),
       k=st.sampled_from([5, 10]))
def test_the_report_on_random_shops(tables, seed, n, listed, k, tmp_path_factory, monkeypatch):
    tables = with_merchants(tables, seed, n, listed)
    with open_warehouse(tables) as wh:
        monkeypatch.setattr(test_show, "W47", latest_week(wh))
        monkeypatch.setattr(test_show, "K", k)
        text, _, doc = test_show.render(wh, tmp_path_factory.mktemp("random"), monkeypatch, language="en")
        data = data_module.load(wh, latest_week(wh), test_show.MerchantPerformanceParams(min_cell_size=k))
    assert not MISSING_WORDS.findall(text)
    assert list(doc["metrics"]) == list(KEYS)
    for reason in doc["summary"]["sections_skipped"]:
        assert "\n" not in reason["reason"]
    if data.ok and data.week is not None:
        ids = data.week["merchant_id"].tolist()
        groups = list(data_module._named_groups(data).values())
        if len([g for g in groups if g]) and (data.week["gmv"] > 0).sum() >= 2:
            assert not privacy.exposed(ids, data.hidden_now, groups + data.lorenz)
        shown = {i["id"] for i in doc["metrics"]["merchants"] if i["gmv"] is not None and i["buyers"]}
        small = set(data.week.loc[(data.week["buyers"] > 0) & (data.week["buyers"] < k), "merchant_id"])
        assert not shown & small


def test_the_random_shops_get_merchants():
    tables = with_merchants({"orders": [{"order_id": f"o{i}"} for i in range(50)]}, 1, 3, True)
    assert {o["merchant_id"] for o in tables["orders"]} - {None} <= {"M00", "M01", "M02"}
    assert tables["merchants"][0]["parent_id"] is None
