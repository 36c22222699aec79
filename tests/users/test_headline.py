"""The published headline of the user analysis: its keys and definitions, random shops against the
reference, and no user id in any output."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import datasets as ds
from helpers.core.periods import Period
from helpers.core.warehouse import day_number
from helpers.render.outputs import CONTRACTS
from helpers.render.text import Text
from helpers.users import activity, findings, funnel, headline, lifecycle, retention
from users import reference as ref
from users.notebook import NOT_A_VALUE
from users.shops import STEPS, WEEK, load, span

TX = Text("en")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), n_users=st.integers(1, 25))
def test_property_core_metrics_match_the_reference(tmp_path_factory, seed, n_users):
    data = ref.random_shop(seed, n_users=n_users, days=35)
    wh = load(tmp_path_factory.mktemp("prop"), data)
    first, last = span(wh)
    for row, (dau, wau, _) in zip(activity.daily_active(wh, first, last).itertuples(),
                                  ref.daily_active(data, first, last), strict=True):
        assert row.dau == dau and ((math.isnan(row.wau) and math.isnan(wau)) or row.wau == wau)
    for k in (1, 7):
        for mode in ("exact", "on_or_after"):
            got = retention.pooled(wh, first, last, (k,), mode).iloc[0]
            size, kept = ref.retention(data, first, last, k, mode == "exact")
            assert got.users == size and (size == 0 or got.retention == pytest.approx(kept / size))
    assert activity.session_stats(wh, first, last).iloc[0]["sessions"] == ref.sessions(
        data, first, last, False)["sessions"]
    paths = funnel.funnel_paths(wh, first, last, STEPS, 7200)
    expected = ref.funnel(data, first, last, STEPS, 7200)
    assert funnel.summarise(paths, STEPS)["users"].tolist() == [
        sum(t[i] is not None for t in expected) for i in range(len(STEPS))]
    wh.close()


def test_headline_keys_match_their_definitions(tiny_data, tiny_wh):
    """The JSON figures of the week, recomputed with pandas from the raw files."""
    m = headline.headline(tiny_wh, WEEK, funnel.DEFAULT_STEPS, 86_400)
    contract = CONTRACTS["user_analysis"].metrics
    assert tuple(m)[:len(contract)] == contract  # the v1 keys first, in their order, then the additions
    assert set(m) == set(contract)
    events = pd.read_parquet(tiny_data / "events.parquet")
    people = pd.read_parquet(tiny_data / "users.parquet")
    day = events.event_time.dt.normalize()
    week = events[(day >= "2026-11-16") & (day <= "2026-11-22")]
    assert m["wau"] == week.user_id.nunique()
    assert m["dau_mean"] == pytest.approx(week.groupby(week.event_time.dt.date).user_id.nunique().mean())
    month = events[(day >= "2026-10-24") & (day <= "2026-11-22")]
    assert m["mau"] == month.user_id.nunique()
    assert m["stickiness"] == pytest.approx(m["dau_mean"] / m["mau"])
    seen = people.first_seen_at.dt.normalize()
    new = people[(seen >= "2026-11-16") & (seen <= "2026-11-22")]
    assert m["new_users"] == len(new)
    assert m["referral_share"] == pytest.approx(new.referrer_id.notna().mean())
    active = set(zip(events.user_id, day, strict=True))
    observable = new[new.first_seen_at.dt.normalize() + pd.Timedelta(days=1) <= pd.Timestamp("2026-11-22")]
    back = [(u, s + pd.Timedelta(days=1)) in active
            for u, s in zip(observable.user_id, observable.first_seen_at.dt.normalize(), strict=True)]
    assert m["retention_d1"] == pytest.approx(sum(back) / len(back))
    assert m["retention_d7"] is None and m["retention_d30"] is None  # nobody observable yet


def test_added_keys_match_pandas_on_the_sample(tiny_data, tiny_wh):
    """Issue 12, items 10 and 11: retention_d<k>_latest, aov, churn_rate and follower_activity of
    2026-W47 recomputed with pandas from the raw files of the tiny sample (2026-10-12 .. 11-22)."""
    m = headline.headline(tiny_wh, WEEK, funnel.DEFAULT_STEPS, 86_400, min_cell_size=10)
    events = pd.read_parquet(tiny_data / "events.parquet")
    people = pd.read_parquet(tiny_data / "users.parquet")
    orders = pd.read_parquet(tiny_data / "orders.parquet")
    day = events.event_time.dt.normalize()
    active = set(zip(events.user_id, day, strict=True))

    def exact(first: str, last: str, k: int) -> float:
        seen = people.first_seen_at.dt.normalize()
        cohort = people[(seen >= first) & (seen <= last)]
        targets = cohort.first_seen_at.dt.normalize() + pd.Timedelta(days=k)
        assert targets.between(day.min(), day.max()).all()  # every one observable on this sample
        return sum((u, t) in active for u, t in zip(cohort.user_id, targets, strict=True)) / len(cohort)

    # W47 ends Sunday 11-22: day 1 and day 7 describe W46 (11-09 .. 11-15), day 30 W42 (10-12 .. 10-18)
    assert (m["retention_d1_latest_cohort"], m["retention_d7_latest_cohort"], m["retention_d30_latest_cohort"]) \
        == ("2026-W46", "2026-W46", "2026-W42")
    assert m["retention_d1_latest"] == pytest.approx(exact("2026-11-09", "2026-11-15", 1))
    assert m["retention_d7_latest"] == pytest.approx(exact("2026-11-09", "2026-11-15", 7))
    assert m["retention_d30_latest"] == pytest.approx(exact("2026-10-12", "2026-10-18", 30))
    paid = orders[orders.status.isna() | (orders.status.str.lower() == "paid")]
    paid = paid[(paid.paid_at.dt.normalize() >= "2026-11-16") & (paid.paid_at.dt.normalize() <= "2026-11-22")]
    assert m["aov"] == pytest.approx(paid.amount.sum() / len(paid))
    w46 = set(events.user_id[(day >= "2026-11-09") & (day <= "2026-11-15")])
    w47 = set(events.user_id[(day >= "2026-11-16") & (day <= "2026-11-22")])
    assert m["churn_rate"] == pytest.approx(len(w46 - w47) / len(w46))
    followers = people[people.is_follower & (people.first_seen_at.dt.normalize() <= "2026-11-22")]
    assert len(followers) >= 10 and followers.user_id.isin(w47).sum() >= 10
    assert m["follower_activity"] == pytest.approx(followers.user_id.isin(w47).mean())


def _churn_shop() -> dict:
    """W46 active: a, b, c, d; W47 active: a, e -> churn_rate 3 / 4. Followers first seen by 11-22:
    a, b, e (a and e active in W47 -> 2 / 3); f follows but arrives on 11-23, after the week.
    Paid orders of W47: 30.5 and 50 (a refund of 99 and a W46 order left out) -> aov 40.25."""
    users = [{"user_id": u, "first_seen_at": f"2026-11-{d} 08:00:00", "is_follower": u in "abef"}
             for u, d in (("a", "09"), ("b", "09"), ("c", "10"), ("d", "11"), ("e", "17"), ("f", "23"))]
    visits = [("a", "09"), ("b", "10"), ("c", "12"), ("d", "15"), ("a", "16"), ("e", "17"), ("e", "22"),
              ("f", "23")]
    orders = [("o1", "a", "2026-11-16 12:00:00", 30.5, "paid"), ("o2", "e", "2026-11-22 20:00:00", 50.0, None),
              ("o3", "e", "2026-11-22 21:00:00", 99.0, "refunded"), ("o4", "b", "2026-11-10 10:00:00", 10.0, "paid")]
    return {"users": users,
            "events": [{"user_id": u, "event_time": f"2026-11-{d} 09:00:00", "event": "launch"} for u, d in visits],
            "orders": [dict(zip(("order_id", "user_id", "paid_at", "amount", "status"), o, strict=True))
                       for o in orders]}


def test_churn_rate_aov_and_follower_activity_by_hand(tmp_path):
    shop = _churn_shop()
    wh = load(tmp_path, shop)
    m = headline.headline(wh, WEEK, ["launch", "pay"], 86_400, min_cell_size=1)
    assert m["churn_rate"] == pytest.approx(3 / 4)
    assert m["aov"] == pytest.approx((30.5 + 50) / 2)
    assert m["follower_activity"] == pytest.approx(2 / 3)
    wk = day_number(WEEK.start)
    previous_active, churned = ref.churn(shop, wk)
    assert m["churn_rate"] == pytest.approx(churned / previous_active)
    # the trend: W46's previous week (W45) is not in the data (events from 11-09): no rate
    trend = lifecycle.weekly_churn(wh, wk - 7, wk)
    assert math.isnan(trend["churn_rate"].iloc[0]) and trend["churn_rate"].iloc[1] == pytest.approx(0.75)
    assert trend[["previous_active", "churned"]].iloc[1].tolist() == [4, 3]
    # under the privacy threshold the share is not published
    assert headline.headline(wh, WEEK, ["launch", "pay"], 86_400, min_cell_size=5)["follower_activity"] is None


def test_follower_activity_is_null_without_the_column(tmp_path):
    shop = _churn_shop()
    for u in shop["users"]:
        del u["is_follower"]
    wh = load(tmp_path, shop)
    assert headline.headline(wh, WEEK, ["launch", "pay"], 86_400, min_cell_size=1)["follower_activity"] is None


@settings(derandomize=True, max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tables=ds.datasets())
def test_added_metrics_and_their_sentences_on_any_valid_dataset(tables):
    """Issue 12: the added keys are shares, money or ISO weeks (or null) on any valid dataset; the
    sentences showing them and the funnel on observed windows never fail and name no missing value."""
    with ds.open_warehouse(tables) as wh:
        week = ds.latest_week(wh)
        lo, hi = day_number(week.start), day_number(week.end)
        m = headline.headline(wh, week, STEPS, 86_400, min_cell_size=1)
        churn = lifecycle.weekly_churn(wh, lo - 49, lo)
        paths, censored = funnel.observed_paths(funnel.funnel_paths(wh, lo, hi, STEPS, 86_400))
        change = retention.cohort_change(wh, *retention.compared_cohort_weeks(wh, hi, 7))
    for key in ("retention_d1_latest", "retention_d7_latest", "retention_d30_latest", "churn_rate",
                "follower_activity", "funnel_conversion"):
        assert m[key] is None or 0 <= m[key] <= 1, key
    assert m["aov"] is None or m["aov"] >= 0
    assert all(Period.parse(m[f"retention_d{k}_latest_cohort"]).end + timedelta(days=k) <= week.end
               for k in (1, 7, 30))
    assert (m["churn_rate"] is None) == math.isnan(churn["churn_rate"].iloc[-1])
    assert censored >= 0 and paths["observed"].all()
    texts = [findings.retention_latest(m, TX), findings.lifecycle(pd.Series(
        {"new": 1.0, "returning": 0.0, "resurrecting": 0.0, "dormant": 0.0, "quick_ratio": float("nan")}), 0, 0,
        (0, 0), 3, TX, m["churn_rate"])]
    if len(paths):
        steps = funnel.summarise(paths, STEPS)
        texts.append(findings.funnel(steps, funnel.biggest_drop(steps), funnel.by_channel(paths, STEPS), None, 24,
                                     TX, censored, min_group=2))
    texts.append(findings.retention(change, date(2026, 1, 5), 7, "channel", TX, min_group=2) or "")
    assert not [t for t in texts if NOT_A_VALUE.search(t)]


def test_no_user_id_in_any_output(tiny_data, tmp_path):
    """Reports and JSON name no user: scan them for every id of the tiny sample."""
    import subprocess
    import sys
    from pathlib import Path

    out = tmp_path / "out"
    wxreport = str(Path(sys.executable).with_name("wxreport"))
    result = subprocess.run([wxreport, "run", "--data", str(tiny_data), "--out", str(out), "--only",
                             "user_analysis"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    ids = set(pd.read_parquet(tiny_data / "users.parquet", columns=["user_id"])["user_id"])
    for path in (out / "2026-W47").iterdir():
        text = path.read_text()
        leaked = [i for i in ids if i in text]
        assert not leaked, f"{path.name} shows user ids {leaked[:3]}"
