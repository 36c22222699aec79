"""Every public metric function of helpers.users (and the findings and tables built on them) returns
without error on random valid datasets of every shape (tests/datasets.py), called as the report
calls them for the latest complete week; cheap sanity properties hold (shares in [0, 1], counts
>= 0, no inf). Crashes found here are fixed and kept as named cases in test_degenerate.py."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings

import datasets as ds
from helpers.core.warehouse import Warehouse, day_number, day_to_date
from helpers.render import privacy
from helpers.render.text import Text
from helpers.users import (
    activity,
    clv,
    findings,
    funnel,
    growth,
    headline,
    lifecycle,
    portrait,
    referral,
    retention,
    rfm,
    tables,
    value,
)
from helpers.users.lifecycle import PyramidRules

STEPS = ("launch", "page_view", "add_to_cart", "checkout", "pay")
TX = Text("en")


def _share(values) -> None:
    values = pd.Series(values, dtype="float64").dropna()
    assert ((values >= 0) & (values <= 1 + 1e-9)).all(), values.tolist()


def _count(values) -> None:
    assert (pd.Series(values, dtype="float64").fillna(0) >= 0).all()


def _finite_or_null(metrics: dict) -> None:
    bad = {k: v for k, v in metrics.items() if isinstance(v, float) and not math.isfinite(v)}
    assert not bad, bad


def _growth_and_activity(wh: Warehouse, lo: int, hi: int, metrics: dict) -> None:
    weekly = growth.weekly_new_users(wh, lo - 49, lo)
    assert len(weekly) == len(growth.complete_weeks(wh, lo - 49, lo)) and len(weekly) >= 1
    _count(weekly.to_numpy().ravel())
    findings.growth(weekly, TX)
    _count(growth.new_users(wh, lo, hi, "week", "source", TX)["new_users"])
    daily = activity.daily_active(wh, max(lo - 49, wh.meta["first_day"]), hi)
    _share(daily["stickiness"])
    sessions = activity.session_stats(wh, lo, hi)
    _share(sessions["bounce_rate"])
    _count(activity.session_stats(wh, lo, hi, by_day=True)["sessions"])
    activity.uses_session_ids(wh, lo, hi)
    grid = activity.hour_weekday(wh, max(hi - 27, wh.meta["first_day"]), hi)
    assert grid.shape == (24, 7) and np.isfinite(grid.to_numpy()).all()
    if metrics["wau"]:
        findings.activity(metrics, sessions.iloc[0], daily[daily["day"] >= lo], TX)


def _retention(wh: Warehouse, lo: int, hi: int) -> None:
    earlier, later = retention.compared_cohort_weeks(wh, hi, 7)
    assert later + 13 <= hi and (earlier is None or earlier >= wh.meta["first_day"])
    change = retention.cohort_change(wh, earlier, later)
    assert np.isfinite(change["rate_effect"].dropna()).all()
    findings.retention(change, day_to_date(later), 7, "channel", TX)
    for mode in ("exact", "on_or_after"):
        cohorts = retention.daily_cohorts(wh, hi - 27, hi, mode=mode)
        _share(cohorts.filter(like="d").drop(columns="date").to_numpy().ravel())
        _share(retention.pooled(wh, hi - 63, hi, (1, 7, 30), mode, "channel")["retention"])
    _share(retention.weekly_cohorts(wh, lo - 63, lo).filter(regex=r"^w\d").to_numpy().ravel())


def _lifecycle(wh: Warehouse, lo: int, hi: int) -> None:
    life = lifecycle.weekly_lifecycle(wh, lo - 49, lo)
    assert np.isfinite(life["quick_ratio"].dropna()).all()
    at_risk, back = lifecycle.win_back(wh, lo - 1, lo, hi, 3)
    assert 0 <= back <= at_risk
    findings.lifecycle(life.iloc[-1], lifecycle.churn_risk(wh, hi, 3), activity.distinct_active(wh, hi - 29, hi),
                       (at_risk, back), 3, TX)
    if wh.has("orders"):
        _count(lifecycle.pyramid(wh, hi, PyramidRules())["users"])


def _value(wh: Warehouse, lo: int, hi: int, metrics: dict) -> None:
    if not value.has_paid_orders(wh):
        assert all(metrics[k] is None for k in headline.BUYER_KEYS)
        return
    buyers = value.buyer_metrics(wh, lo - 7, hi - 7, activity.distinct_active(wh, lo - 7, hi - 7))
    _share([buyers["repurchase_rate"], buyers["returning_buyer_share"]])
    _count(value.ltv_curves(wh, lo - 182, lo - 1)["ltv"])
    scored = rfm.rfm_scores(rfm.rfm_frame(wh, hi, 365))
    segments = rfm.segment_sizes(scored, TX)
    _share(segments["share"])
    tables.rfm_segments(segments, 10, TX)
    before = rfm.rfm_scores(rfm.rfm_frame(wh, lo - 1, 365))
    privacy.suppress_matrix(rfm.segment_migration(before, scored), 10)
    result = clv.clv_estimate(wh, hi, 90, 8)
    clv.purchase_history(wh, hi)
    if result is not None:
        tables.clv_by_channel(result.customers, 10, TX)
    top = segments.loc[segments["customers"].idxmax()] if len(segments) else None
    findings.value(metrics, top, result, TX)


def _portrait_funnel_referral(wh: Warehouse, lo: int, hi: int, metrics: dict) -> None:
    frames = portrait.portrait_frames(wh, lo, hi, 1)
    for frame in frames.values():
        _share(frame["share"])
    findings.portrait(frames, TX)
    paths = funnel.funnel_paths(wh, lo, hi, STEPS, 86_400)
    steps = funnel.summarise(paths, STEPS)
    _share(steps[["step_conversion", "overall_conversion"]].to_numpy().ravel())
    channels = funnel.by_channel(paths, STEPS)
    _share(channels["conversion"])
    tables.funnel_by_channel(channels, 10, TX)
    funnel.missing_steps(wh, STEPS)
    if len(paths):
        findings.funnel(steps, funnel.biggest_drop(steps), channels, funnel.median_minutes_to_convert(paths, STEPS),
                        24, TX)
    invites = referral.invites(wh, lo, hi)
    depth = referral.depth_distribution(wh, lo, hi)
    k = referral.weekly_k(wh, lo - 49, lo)
    assert k["week"].iloc[-1] == day_to_date(lo)
    referral.top_referrers(invites, 5, "salt")
    findings.referral(metrics["referral_share"], referral.invite_summary(invites), k["k"].iloc[-1],
                      int(depth["depth"].max()) if len(depth) else None, TX)


@settings(derandomize=True, max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tables=ds.datasets())
def test_every_metric_function_returns_on_any_valid_dataset(tables):
    with ds.open_warehouse(tables) as wh:
        week = ds.latest_week(wh)
        lo, hi = day_number(week.start), day_number(week.end)
        metrics = headline.headline(wh, week, STEPS, 86_400)
        _finite_or_null(metrics)
        _share([metrics[k] for k in ("stickiness", "retention_d1", "retention_d7", "retention_d30",
                                     "referral_share", "funnel_conversion")])
        _growth_and_activity(wh, lo, hi, metrics)
        _retention(wh, lo, hi)
        _lifecycle(wh, lo, hi)
        _value(wh, lo, hi, metrics)
        _portrait_funnel_referral(wh, lo, hi, metrics)
