"""The merchant computations against plain-Python counts on random shops (several seeds): weekly
sales per merchant, statuses at several week ends, new buyers by the merchant of their first order,
repeat purchase, and month cohorts."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

import pytest

from helpers.core.periods import Period
from helpers.core.warehouse import day_number
from helpers.merchants import cohorts, customers, queries
from helpers.merchants.lifecycle import Rules, statuses
from merchants.shop import END, HI, Shop, reference_statuses


def random_shop(seed: int) -> Shop:
    rng = random.Random(seed)
    shop = Shop(span_days=120)
    merchants = [f"M{i}" for i in range(12)] + [None]
    for _ in range(260):
        m = rng.choice(merchants)
        d = rng.randrange(0, 119)
        buyer = f"u{rng.randrange(60)}"
        status = rng.choice(["paid"] * 9 + ["refunded"])
        shop.sell(m, d, [buyer], rng.choice([9.9, 25.0, 58.5, 120.0]), status, minute=rng.randrange(60))
    return shop


@pytest.fixture(scope="module", params=[1, 2, 3])
def shop(request, tmp_path_factory):
    s = random_shop(request.param)
    wh = s.warehouse(tmp_path_factory.mktemp(f"random{request.param}"))
    yield s, wh
    wh.close()


def paid(shop: Shop) -> list[dict]:
    return [o for o in shop.orders if o["status"] == "paid"]


def day_of(o: dict) -> int:
    return day_number(date.fromisoformat(o["paid_at"][:10]))


def test_weekly_sales(shop):
    s, wh = shop
    lo = HI - 6 - 7 * 5
    got = queries.weekly_sales(wh, lo, HI)
    expected: dict[tuple, list] = defaultdict(lambda: [0.0, 0, set(), 0])
    for o in paid(s):
        d = day_of(o)
        if o["merchant_id"] and lo <= d <= HI:
            wk = d - (d + 3) % 7
            e = expected[(o["merchant_id"], wk)]
            e[0] += o["amount"]
            e[1] += 1
            e[2].add(o["user_id"])
            e[3] = max(e[3], d)
    assert len(got) == len(expected)
    for r in got.itertuples():
        gmv, orders, buyers, last = expected[(r.merchant_id, r.wk)]
        assert (r.gmv, r.orders, r.buyers, r.last_day) == (pytest.approx(gmv), orders, len(buyers), last)


@pytest.mark.parametrize("weeks_back", [0, 1, 3])
def test_statuses_at_week_ends(shop, weeks_back):
    s, wh = shop
    end = HI - 7 * weeks_back
    window = end - 6 - 7 * 2
    got = statuses(queries.merchant_history(wh, window, end), queries.weekly_sales(wh, window, end), end, Rules())
    assert {r.merchant_id: (r.status, r.turned) for r in got.itertuples()} == reference_statuses(s.orders, end)


def test_new_buyers_and_repeat_purchase(shop):
    s, wh = shop
    first: dict[str, tuple] = {}
    for o in sorted(paid(s), key=lambda o: (o["paid_at"], o["order_id"])):  # ties: by order id, as text
        first.setdefault(o["user_id"], (day_of(o), o["merchant_id"]))
    new = customers.new_buyers(wh, HI - 6, HI)
    expected: dict = defaultdict(int)
    for d, m in first.values():
        if HI - 6 <= d <= HI:
            expected[m] += 1
    assert {(None if r.merchant_id != r.merchant_id else r.merchant_id): r.new_buyers
            for r in new.itertuples()} == dict(expected)
    days, weeks = 30, 8
    repeat = customers.repeat_purchase(wh, HI, days, weeks, HI - 119)
    lo, hi = max(HI - days - 7 * weeks + 1, HI - 119), HI - days
    counts = {True: [0, 0], False: [0, 0]}
    for user, (d0, m) in first.items():
        if lo <= d0 <= hi:
            later = [o for o in paid(s) if o["user_id"] == user and day_of(o) <= d0 + days]
            counts[m is not None][0] += 1
            counts[m is not None][1] += len(later) >= 2
    assert (repeat.merchant_customers, repeat.merchant_repeaters) == tuple(counts[True])
    assert (repeat.platform_customers, repeat.platform_repeaters) == tuple(counts[False])


def test_month_cohorts(shop):
    s, wh = shop
    months: dict[str, set] = defaultdict(set)
    for o in paid(s):
        if o["merchant_id"]:
            d = date.fromisoformat(o["paid_at"][:10])
            months[o["merchant_id"]].add(d.year * 12 + d.month - 1)
    got = cohorts.cohort_counts(wh, HI)
    expected: dict = defaultdict(int)
    for sold in months.values():
        for m in sold:
            expected[(min(sold), m - min(sold))] += 1
    assert {(r.cohort, r.age): r.merchants for r in got.itertuples()} == dict(expected)
    assert Period.containing(END).label == "2026-W47"
