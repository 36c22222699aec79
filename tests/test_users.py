"""User-analysis metrics against the plain-Python reference (tests/reference.py) on random shops,
hand-made edge cases, and the planted truths of the generated sample."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reference as ref
from helpers.metrics import activity, funnel, growth, lifecycle, portrait, referral, retention, users, value
from helpers.core.periods import Period
from helpers.sample import SampleSpec, write_sample
from helpers.core.warehouse import Warehouse, build_warehouse, day_number

from conftest import write_source

WEEK = Period.parse("2026-W47")
STEPS = ["launch", "page_view", "add_to_cart", "pay"]


def load(tmp_path, shop) -> Warehouse:
    tables = {k: v for k, v in shop.items() if v}
    return Warehouse(build_warehouse(write_source(tmp_path, tables)))


@pytest.fixture(scope="module", params=[1, 2, 3])
def shop(request, tmp_path_factory):
    data = ref.random_shop(request.param, n_users=40, days=63, start=pd.Timestamp("2026-09-21").date())
    return data, load(tmp_path_factory.mktemp(f"shop{request.param}"), data)


def span(wh: Warehouse) -> tuple[int, int]:
    return wh.meta["first_day"], wh.meta["last_day"]


def test_daily_active_users_with_rolling_windows(shop):
    data, wh = shop
    first, last = span(wh)
    got = activity.daily_active(wh, first, last)
    expected = ref.daily_active(data, first, last)
    for row, (dau, wau, mau) in zip(got.itertuples(), expected, strict=True):
        assert row.dau == dau
        assert (math.isnan(row.wau) and math.isnan(wau)) or row.wau == wau
        assert (math.isnan(row.mau) and math.isnan(mau)) or row.mau == mau


@pytest.mark.parametrize("use_ids", [False, True])
def test_sessions_by_id_or_30_minute_gap(tmp_path, use_ids):
    data = ref.random_shop(7, n_users=25, with_session_ids=use_ids)
    wh = load(tmp_path, data)
    first, last = span(wh)
    assert activity.uses_session_ids(wh, first, last) is use_ids
    got = activity.session_stats(wh, first + 7, last).iloc[0]
    expected = ref.sessions(data, first + 7, last, use_ids)
    for key, value_ in expected.items():
        assert got[key] == pytest.approx(value_), key


def test_thirty_minute_rule_boundaries(tmp_path):
    """A gap of exactly 30 minutes continues a session; 30 minutes and 1 second starts a new one."""
    events = [("2026-11-16 10:00:00", "launch"), ("2026-11-16 10:30:00", "page_view"),
              ("2026-11-16 11:00:01", "page_view"), ("2026-11-16 11:00:02", "page_view")]
    data = {"users": [{"user_id": "a", "first_seen_at": "2026-11-16 10:00:00"}],
            "events": [{"user_id": "a", "event_time": t, "event": e} for t, e in events]}
    wh = load(tmp_path, data)
    got = activity.session_stats(wh, span(wh)[0], span(wh)[1]).iloc[0]
    assert got.sessions == 2 and got.pages_per_session == 1.5 and got.bounce_rate == 0.5
    assert got.session_seconds == pytest.approx((1800 + 1) / 2)


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


@pytest.mark.parametrize("window_hours", [1, 24])
def test_funnel_is_ordered_and_windowed(shop, window_hours):
    data, wh = shop
    first, last = span(wh)
    paths = funnel.funnel_paths(wh, first, last, STEPS, window_hours * 3600)
    expected = ref.funnel(data, first, last, STEPS, window_hours * 3600)
    assert len(paths) == len(expected)
    summary = funnel.summarise(paths, STEPS)
    for i in range(len(STEPS)):
        assert summary["users"].iloc[i] == sum(t[i] is not None for t in expected)
    got_times = sorted(tuple(None if pd.isna(x) else int(x) for x in row)
                       for row in paths[[f"t{i}" for i in range(1, len(STEPS) + 1)]].itertuples(index=False))
    assert got_times == sorted(tuple(t) for t in expected)


def test_funnel_out_of_order_steps_do_not_count(tmp_path):
    events = [("10:00", "launch"), ("10:01", "pay"), ("10:02", "page_view"), ("10:03", "add_to_cart")]
    data = {"users": [{"user_id": "a", "first_seen_at": "2026-11-16 10:00:00"}],
            "events": [{"user_id": "a", "event_time": f"2026-11-16 {t}:00", "event": e} for t, e in events]}
    wh = load(tmp_path, data)
    steps = funnel.summarise(funnel.funnel_paths(wh, *span(wh), STEPS, 3600), STEPS)
    assert steps["users"].tolist() == [1, 1, 1, 0]
    assert funnel.biggest_drop(steps) == 3


def test_portrait_respects_consent(shop):
    data, wh = shop
    first, last = span(wh)
    got = portrait.portrait(wh, first, last, "gender", "new").set_index("value")["users"].to_dict()
    expected: dict[str, int] = {}
    for u in data["users"]:
        if u["consent"]:
            key = u["gender"] or "unknown"
            expected[key] = expected.get(key, 0) + 1
    assert got == expected


def test_referral_share_invites_depth_and_k(shop):
    data, wh = shop
    first, last = span(wh)
    new = [u for u in data["users"] if first <= ref.day(u["first_seen_at"]) <= last]
    assert referral.referral_share(wh, first, last) == pytest.approx(
        sum(bool(u["referrer_id"]) for u in new) / len(new))
    counts = referral.invites(wh, first, last).set_index("referrer_id")["invites"].to_dict()
    expected: dict[str, int] = {}
    for u in new:
        if u["referrer_id"]:
            expected[u["referrer_id"]] = expected.get(u["referrer_id"], 0) + 1
    assert counts == expected
    links = wh.query("SELECT user_id, referrer_id FROM users WHERE referrer_id IS NOT NULL")
    assert referral.chain_depth(links).to_dict() == ref.chain_depth(data)
    k = referral.weekly_k(wh, first, last - 6)
    for row in k.itertuples():
        wk = day_number(row.week)
        referred = sum(bool(u["referrer_id"]) and ref.week_start(ref.day(u["first_seen_at"])) == wk
                       for u in data["users"])
        assert row.referred == referred and row.active == len(ref.active_between(data, wk, wk + 6))


def test_chain_depth_survives_cycles():
    links = pd.DataFrame({"user_id": ["a", "b", "c"], "referrer_id": ["b", "a", "x"]})
    depth = referral.chain_depth(links)
    assert depth["c"] == 1 and depth["a"] == referral.MAX_DEPTH + 1


def test_pseudonyms_hide_ids_and_are_stable():
    counts = pd.DataFrame({"referrer_id": ["user-123", "user-456"], "invites": [3, 5]})
    top = referral.top_referrers(counts, 5, "salt")
    assert top["invites"].tolist() == [5, 3]
    assert not top["referrer"].str.contains("user").any()
    assert top["referrer"].tolist() == referral.top_referrers(counts, 5, "salt")["referrer"].tolist()
    assert referral.pseudonym("user-123", "other") != referral.pseudonym("user-123", "salt")


def test_quantile_scores_survive_ties():
    values = pd.Series([1, 1, 1, 1, 1, 1, 2, 2, 3, 10])
    scores = value.quantile_scores(values, 5)
    assert scores.nunique() >= 2 and scores.between(1, 5).all()
    assert scores[:6].nunique() == 1 and scores.iloc[9] == 5
    assert (scores.diff().dropna() >= 0).all()  # monotone in the value
    assert value.quantile_scores(pd.Series([4, 4, 4]), 5).tolist() == [3, 3, 3]
    recency = value.quantile_scores(pd.Series([1, 50, 300]), 5, higher_is_better=False)
    assert recency.tolist() == [5, 3, 1]


def test_rfm_segments_and_migration():
    r = pd.Series([5, 5, 3, 1, 4, 2])
    f = pd.Series([5, 1, 4, 5, 2, 1])
    assert value.rfm_segment(r, f).tolist() == ["champions", "new_customers", "loyal", "cannot_lose",
                                                "potential_loyalists", "hibernating"]
    before = pd.DataFrame({"user_id": ["a", "b", "c"], "segment": ["loyal", "loyal", "at_risk"]})
    now = pd.DataFrame({"user_id": ["a", "c", "d"], "segment": ["champions", "at_risk", "new_customers"]})
    matrix = value.segment_migration(before, now)
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
    history = value.purchase_history(wh, day_number(pd.Timestamp("2026-11-05").date()))
    row = history.set_index("user_id").loc["a"]
    assert list(history["user_id"]) == ["a"]  # b refused consent
    assert row.frequency == 2 and row.recency == pytest.approx(4) and row.t == pytest.approx(5)
    assert row.monetary == pytest.approx(25)  # repeat days only: (30 + 20) / 2


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
    m = users.headline(tiny_wh, WEEK, funnel.DEFAULT_STEPS, 86_400)
    assert tuple(m) == users.HEADLINE_KEYS
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


def test_new_users_by_channel_and_access_source(tmp_path):
    data = {"users": [
        {"user_id": "a", "first_seen_at": "2026-11-16 10:00:00", "channel": "search", "scene": 1089},
        {"user_id": "b", "first_seen_at": "2026-11-17 10:00:00", "channel": "search", "scene": 1121},
        {"user_id": "c", "first_seen_at": "2026-11-23 10:00:00", "channel": None, "scene": 9999}],
        "events": [{"user_id": "a", "event_time": "2026-11-16 10:00:00", "event": "launch"},
                   {"user_id": "c", "event_time": "2026-11-29 10:00:00", "event": "launch"}]}
    wh = load(tmp_path, data)
    first, last = span(wh)
    weekly = growth.new_users(wh, first, last, "week", "channel")
    assert weekly.to_dict("records") == [
        {"start": pd.Timestamp("2026-11-16").date(), "key": "search", "new_users": 2},
        {"start": pd.Timestamp("2026-11-23").date(), "key": "unknown", "new_users": 1}]
    sources = growth.new_users(wh, first, last, "week", "source", "zh")
    assert set(zip(sources["key"], sources["new_users"], strict=True)) == {
        ("任务栏-最近使用", 1), ("企业微信", 1), ("其他", 1)}
    assert growth.new_users(wh, first, last)["new_users"].sum() == 3


def test_wide_keeps_the_top_channels_and_sums_the_rest():
    long = pd.DataFrame({"start": [1, 1, 1, 1], "key": ["a", "b", "other", "c"], "new_users": [5, 4, 3, 2]})
    wide = growth.wide(long, top=2)
    assert list(wide.columns) == ["a", "b", "other"] and wide["other"].iloc[0] == 5


def test_hour_weekday_means_over_the_weeks(tmp_path):
    events = ["2026-11-16 09:10:00", "2026-11-16 09:50:00", "2026-11-23 09:05:00", "2026-11-22 23:59:00"]
    data = {"users": [{"user_id": "a", "first_seen_at": "2026-11-16 09:00:00"},
                      {"user_id": "b", "first_seen_at": "2026-11-16 09:00:00"}],
            "events": [{"user_id": "a", "event_time": t, "event": "launch"} for t in events]
            + [{"user_id": "b", "event_time": "2026-11-16 09:30:00", "event": "launch"}]}
    wh = load(tmp_path, data)
    grid = activity.hour_weekday(wh, day_number(pd.Timestamp("2026-11-16").date()),
                                 day_number(pd.Timestamp("2026-11-29").date()))
    assert grid.loc[9, 0] == pytest.approx((2 + 1) / 2)  # two Mondays: {a, b} then {a}
    assert grid.loc[23, 6] == pytest.approx(1 / 2)
    assert grid.to_numpy().sum() == pytest.approx(2.0)


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
