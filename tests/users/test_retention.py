"""New-user retention (daily and weekly cohorts, pooled curves, the week-on-week decomposition)
against the reference and the sample's planted truths."""

from __future__ import annotations

import json
import math
from datetime import date

import pandas as pd
import pytest

from helpers.core.warehouse import Warehouse, build_warehouse, day_number
from helpers.sample import SampleSpec, write_sample
from helpers.users import referral, retention
from users import reference as ref
from users.shops import WEEK, load, span


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


# -- issue 12, item 4: cells before the events start are blank, not 0 ---------------------------

def _late_events_shop() -> dict:
    """a and b first seen Monday 11-09 but events only from Thursday 11-12 (a back on 11-12 = day 3,
    b on 11-13 = day 4); c first seen 11-12, back on 11-13 (day 1) and 11-22; data ends 11-22."""
    users = [{"user_id": u, "first_seen_at": f"2026-11-{d} 09:00:00", "channel": "search"}
             for u, d in (("a", "09"), ("b", "09"), ("c", "12"))]
    events = [{"user_id": u, "event_time": f"2026-11-{d} 10:00:00", "event": "launch"}
              for u, d in (("a", "12"), ("b", "13"), ("c", "12"), ("c", "13"), ("c", "22"))]
    return {"users": users, "events": events}


def _pandas_exact_retention(shop: dict, cohort_days: list[str], k: int) -> float | None:
    """Independent: users first seen on those days whose day k lies between the first and the last
    event day, share active on exactly day k."""
    users = pd.DataFrame(shop["users"]).assign(day=lambda f: pd.to_datetime(f["first_seen_at"]).dt.normalize())
    events = pd.DataFrame(shop["events"]).assign(day=lambda f: pd.to_datetime(f["event_time"]).dt.normalize())
    target = users[users["day"].isin(pd.to_datetime(cohort_days))].assign(
        target=lambda f: f["day"] + pd.Timedelta(days=k))
    target = target[target["target"].between(events["day"].min(), events["day"].max())]
    if not len(target):
        return None
    active = set(zip(events["user_id"], events["day"], strict=True))
    return sum((u, t) in active for u, t in zip(target["user_id"], target["target"], strict=True)) / len(target)


def test_cells_before_the_events_start_are_blank_not_zero(tmp_path):
    shop = _late_events_shop()
    wh = load(tmp_path, shop)
    nov9 = day_number(date(2026, 11, 9))
    row = retention.daily_cohorts(wh, nov9, nov9).iloc[0]
    # days 1 and 2 (11-10, 11-11) precede the events: unknown, not 0 (the old code said 0.0);
    # day 3 = 11-12: a back (1 of 2); day 14 = 11-23 is after the data
    assert math.isnan(row.d1) and math.isnan(row.d2)
    assert row.d3 == pytest.approx(0.5) and row.d4 == pytest.approx(0.5) and row.d7 == 0
    assert math.isnan(row.d14)
    for k in (1, 2, 3, 4, 7, 14):
        expected = _pandas_exact_retention(shop, ["2026-11-09"], k)
        got = getattr(row, f"d{k}")
        assert (expected is None and math.isnan(got)) or got == pytest.approx(expected)
    # pooled over 11-09 .. 11-15: day 1 only observable for c (first seen 11-12, back 11-13)
    pooled = retention.pooled(wh, nov9, nov9 + 6, (1,)).iloc[0]
    assert (pooled.users, pooled.retention) == (1, 1.0)
    assert pooled.retention == _pandas_exact_retention(shop, [f"2026-11-{d}" for d in range(9, 16)], 1)
    # the period's published retention_d1 of W46 counts c only
    assert retention.period_retention(wh, nov9, nov9 + 6)["retention_d1"] == 1.0
    # week 0 of the W46 cohort (11-09 .. 11-15) is partly before the events: blank; week 1 observable
    weekly = retention.weekly_cohorts(wh, nov9, nov9, weeks=2).iloc[0]
    assert math.isnan(weekly.w0) and weekly.w1 == pytest.approx(1 / 3) and math.isnan(weekly.w2)


def test_cohort_change_counts_only_observable_cohort_days(tmp_path):
    wh = load(tmp_path, _late_events_shop())
    nov9 = day_number(date(2026, 11, 9))
    table = retention.cohort_change(wh, None, nov9, k=1).set_index("channel")
    # a and b (day 1 = 11-10, before the events) are left out; c returned on day 1
    assert table.loc["*", "size_later"] == 1 and table.loc["*", "rate_later"] == 1.0


# -- issue 12, item 10: the newest cohort each day k can describe, stable on rerun ---------------

def _cohorts_shop(until: str) -> dict:
    """Events from Monday 10-12 (W42) to `until`. Cohorts: W42 (x1, x2: x1 back on day 30),
    W46 (n1..n4: n1, n2 back on day 1, n1 on day 7; n3 back on day 8, after the report week
    W47 ends for the Sunday user n4 too)."""
    users = [{"user_id": u, "first_seen_at": f"{d} 09:00:00", "channel": "search"} for u, d in (
        ("x1", "2026-10-12"), ("x2", "2026-10-13"), ("n1", "2026-11-09"), ("n2", "2026-11-10"),
        ("n3", "2026-11-11"), ("n4", "2026-11-15"))]
    visits = [("x1", "2026-10-12"), ("x2", "2026-10-13"), ("x1", "2026-11-11"), ("n1", "2026-11-09"),
              ("n1", "2026-11-10"), ("n1", "2026-11-16"), ("n2", "2026-11-10"), ("n2", "2026-11-11"),
              ("n3", "2026-11-11"), ("n3", "2026-11-19"), ("n4", "2026-11-15"), ("n4", "2026-11-22"),
              ("n4", "2026-11-23"), ("n2", "2026-11-17"), ("x2", "2026-11-29")]
    events = [{"user_id": u, "event_time": f"{d} 12:00:00", "event": "launch"} for u, d in visits if d <= until]
    return {"users": users, "events": events}


@pytest.mark.parametrize("until", ["2026-11-22", "2026-11-29"])
def test_latest_cohort_retention_of_the_report_week(tmp_path, until):
    """W47 (11-16 .. 11-22): D1 and D7 describe the W46 cohort (Sunday 11-15 + 7 = 11-22), D30
    the W42 cohort (Sunday 10-18 + 30 = 11-17). W46: day 1 back n1, n2 of 4 = 0.5; day 7 back
    n1 (11-16), n2 (11-17), n4 (11-22) of 4 = 0.75. W42: x1 back on day 30 (11-11), x2 not = 0.5.
    The same when the data runs a week past the report week (a rerun later)."""
    shop = _cohorts_shop(until)
    wh = load(tmp_path, shop)
    got = retention.latest_retention(wh, day_number(WEEK.end))
    assert got == {"retention_d1_latest": 0.5, "retention_d7_latest": 0.75, "retention_d30_latest": 0.5,
                   "retention_d1_latest_cohort": "2026-W46", "retention_d7_latest_cohort": "2026-W46",
                   "retention_d30_latest_cohort": "2026-W42"}
    w46 = [f"2026-11-{d:02d}" for d in range(9, 16)]
    w42 = [f"2026-10-{d:02d}" for d in range(12, 19)]
    for k, days in ((1, w46), (7, w46), (30, w42)):
        assert got[f"retention_d{k}_latest"] == pytest.approx(_pandas_exact_retention(shop, days, k))
    # the retention finding describes the same cohort with the same rate
    change = retention.cohort_change(wh, *retention.compared_cohort_weeks(wh, day_number(WEEK.end), 7))
    assert change.set_index("channel").loc["*", "rate_later"] == got["retention_d7_latest"]


def test_latest_cohort_before_the_events_is_null(tmp_path):
    shop = _cohorts_shop("2026-11-22")
    shop["events"] = [e for e in shop["events"] if e["event_time"] >= "2026-11-12"]
    shop["events"].append({"user_id": "n3", "event_time": "2026-11-12 08:00:00", "event": "launch"})
    wh = load(tmp_path, shop)
    got = retention.latest_retention(wh, day_number(WEEK.end))
    # events from 11-12: x1's day 30 (11-11) precedes them, so only x2 (first seen 10-13, day 30 =
    # 11-12) is observable, and was not back (the old rule would have counted x1 as lost: 0 of 2)
    assert got["retention_d30_latest"] == 0.0
    assert got["retention_d30_latest"] == _pandas_exact_retention(shop, [f"2026-10-{d}" for d in range(12, 19)], 30)
    shop["events"] = [e for e in shop["events"] if e["event_time"] >= "2026-11-13"]  # from 11-15 on
    got = retention.latest_retention(load(tmp_path / "later", shop), day_number(WEEK.end))
    assert got["retention_d30_latest"] is None and got["retention_d30_latest_cohort"] == "2026-W42"
