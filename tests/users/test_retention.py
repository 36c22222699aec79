"""New-user retention (daily and weekly cohorts, pooled curves, the week-on-week decomposition)
against the reference and the sample's planted truths."""

from __future__ import annotations

import json
import math

import pytest

from helpers.core.warehouse import Warehouse, build_warehouse, day_number
from helpers.sample import SampleSpec, write_sample
from helpers.users import referral, retention
from users import reference as ref
from users.shops import span


@pytest.mark.parametrize("k", [1, 2, 7, 14, 30])
@pytest.mark.parametrize("mode", ["exact", "on_or_after"])
def test_retention_pooled_over_observable_cohorts(shop, k, mode):
    data, wh = shop
    first, last = span(wh)
    got = retention.pooled(wh, first, last, days=(k,), mode=mode).iloc[0]
    size, kept = ref.retention(data, first, last, k, exact=mode == "exact")
    assert got.users == size
    assert (size == 0 and math.isnan(got.retention)) or got.retention == pytest.approx(kept / size)


def test_daily_cohorts_mask_what_cannot_be_observed(shop):
    data, wh = shop
    _, last = span(wh)
    table = retention.daily_cohorts(wh, last - 10, last)
    for row in table.itertuples():
        d = day_number(row.date)
        assert math.isnan(row.d7) == (d + 7 > last)
        assert math.isnan(row.d1) == (d + 1 > last)
        if d + 1 <= last:
            size, kept = ref.retention(data, d, d, 1, exact=True)
            assert row.size == size and row.d1 == pytest.approx(kept / size)
    assert not (table[["d1", "d7", "d30"]] == 0).any().any() or table["size"].gt(0).all()


def test_weekly_cohorts(shop):
    data, wh = shop
    first, last = span(wh)
    table = retention.weekly_cohorts(wh, first, last - 6, weeks=3)
    seen = ref.active_days(data)
    for row in table.itertuples():
        wk = day_number(row.week)
        members = [u["user_id"] for u in data["users"] if ref.week_start(ref.day(u["first_seen_at"])) == wk]
        assert row.size == len(members)
        for j in range(4):
            share = getattr(row, f"w{j}")
            if wk + 7 * j + 6 > last:
                assert math.isnan(share)
            else:
                active = sum(any(wk + 7 * j <= d <= wk + 7 * j + 6 for d in seen.get(u, ())) for u in members)
                assert share == pytest.approx(active / len(members))


def test_cohort_change_decomposes_the_week_on_week_move(shop):
    _, wh = shop
    later = retention.latest_complete_cohort_week(wh.meta["last_day"], 7)
    table = retention.cohort_change(wh, later - 7, later, k=7).set_index("channel")
    overall = table.loc["*"]
    for name, start in (("earlier", later - 7), ("later", later)):
        pooled = retention.pooled(wh, start, start + 6, (7,)).iloc[0]
        assert overall[f"size_{name}"] == pooled.users
        if pooled.users:
            assert overall[f"rate_{name}"] == pytest.approx(pooled.retention)


def test_planted_retention_and_referral_share_are_recovered(tmp_path_factory):
    """On a 20,000-user sample: day 1/7/30 retention within 2 points of the planted curve and the
    referral share within 1 point of the planted probability."""
    path = tmp_path_factory.mktemp("truth") / "shop"
    truth = write_sample(path, SampleSpec(seed=21, users=20_000, days=120))
    wh = Warehouse(build_warehouse(path))
    first, last = span(wh)
    curve = retention.pooled(wh, first, last, (1, 7, 30)).set_index("k")["retention"]
    for k in (1, 7, 30):
        assert curve[k] == pytest.approx(truth["retention"]["expected_exact_day"][f"d{k}"], abs=0.02)
    assert referral.referral_share(wh, first, last) == pytest.approx(truth["referral_share"]["expected"],
                                                                     abs=0.01)
    json.dumps(truth)  # the truth file is plain JSON
