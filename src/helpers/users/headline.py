"""The `user_analysis` headline figures of report-outputs.md, each computed as defined there: the
v1 contract's keys first, in its order, then the v1.1 additions."""

from __future__ import annotations

from typing import Any

from helpers.core import kpis
from helpers.core.metrics import METRICS
from helpers.core.periods import Period
from helpers.core.sql import PAID
from helpers.core.warehouse import Warehouse, day_number
from helpers.render.outputs import CONTRACTS
from helpers.users import activity, funnel, lifecycle, referral, retention, value, wechat_stats

BUYER_KEYS = ("buyers", "repurchase_rate", "returning_buyer_share", "arpu", "arppu")
KEYS = CONTRACTS["user_analysis"].metrics  # v1 and the v1.1 additions of report-outputs.md
# Platform-only data (report-outputs.md, additions): these keys come from WeChat's visits, defined so.
PLATFORM_KEYS = {"wau": "wx_weekly_visitors", "new_users": "wx_new_visitors", "dau_mean": "wx_visitors"}


def headline(wh: Warehouse, period: Period, funnel_steps: list[str] | tuple[str, ...],
             funnel_window_seconds: int, min_cell_size: int = 10) -> dict[str, Any]:
    """The published metrics of the period (`KEYS`). `follower_activity` is null when it would
    describe fewer than `min_cell_size` followers or active followers (privacy)."""
    lo, hi = day_number(period.start), day_number(period.end)
    daily = activity.daily_active(wh, lo, hi)
    dau_mean = float(daily["dau"].mean())
    wau = activity.distinct_active(wh, lo, hi)
    mau = activity.distinct_active(wh, hi - 29, hi) if hi - 29 >= wh.meta["first_day"] else None
    new_users = int(wh.scalar("SELECT COUNT(*) FROM users WHERE first_seen_day BETWEEN :lo AND :hi",
                              {"lo": lo, "hi": hi}) or 0)
    # no orders table, or none paid (every order refunded): the value section is not shown
    buyers = value.buyer_metrics(wh, lo, hi, wau) if value.has_paid_orders(wh) else dict.fromkeys(BUYER_KEYS)
    metrics: dict[str, Any] = {
        "dau_mean": dau_mean,
        "wau": wau,
        "mau": mau,
        "stickiness": dau_mean / mau if mau else None,
        "new_users": new_users,
        **retention.period_retention(wh, lo, hi),
        **{k: buyers[k] for k in BUYER_KEYS},
        "referral_share": referral.referral_share(wh, lo, hi) if wh.has("users", "referrer_id") else None,
        "funnel_conversion": funnel_conversion(wh, lo, hi, funnel_steps, funnel_window_seconds),
        **retention.latest_retention(wh, hi),
        "aov": week_aov(wh, period),
        "churn_rate": _value(lifecycle.weekly_churn(wh, lo, lo)["churn_rate"].iloc[-1]),
        "follower_activity": lifecycle.follower_activity(lifecycle.followers_active(wh, lo, hi), min_cell_size),
    }
    return {k: metrics[k] for k in KEYS}


def week_aov(wh: Warehouse, period: Period) -> float | None:
    """aov of an ISO week, as the weekly summary computes it (`core.kpis`): GMV / paid orders."""
    week = kpis.kpi_series(wh, period, period).iloc[0]
    return kpis.aov(week["gmv"], week["orders"])


def funnel_conversion(wh: Warehouse, lo: int, hi: int, steps: list[str] | tuple[str, ...],
                      window_seconds: int) -> float | None:
    """Share of the period's starters whose window is fully observed that reach the last step;
    None when the steps are not all in the data or no starter's window is observed."""
    if funnel.missing_steps(wh, steps):
        return None
    observed, _ = funnel.observed_paths(funnel.funnel_paths(wh, lo, hi, steps, window_seconds))
    if not len(observed):
        return None
    return float(funnel.summarise(observed, steps)["overall_conversion"].iloc[-1])


def _value(x: float) -> float | None:
    return None if x != x else float(x)  # NaN (not observable) is published as null


def platform_headline(wh: Warehouse, period: Period) -> dict[str, Any]:
    """The published metrics on platform-only data (WeChat's statistics, no events): wau = the
    week's WeChat visit_uv, new_users = the sum of the days' visit_uv_new, dau_mean = the mean of the
    days' visit_uv (each null when WeChat's rows lack it); the buyer figures and aov from the orders
    table when it holds paid orders (they need orders, not events; arpu divides by that wau);
    every key needing user-level events null."""
    lo, hi = day_number(period.start), day_number(period.end)
    metrics: dict[str, Any] = dict.fromkeys(KEYS)
    metrics.update(wechat_stats.platform_headline(wh, lo))
    if value.has_paid_orders(wh):
        buyers = value.buyer_metrics(wh, lo, hi, metrics["wau"])
        metrics.update({k: buyers[k] for k in BUYER_KEYS}, aov=orders_aov(wh, lo, hi))
    return metrics


def platform_definitions() -> dict[str, str]:
    """The JSON definitions of the keys platform-only data takes from WeChat's visits (and of
    arpu, which divides by one of them)."""
    return {**{key: METRICS[wx].definition for key, wx in PLATFORM_KEYS.items()},
            "arpu": f"{METRICS['arpu'].definition}, wau being WeChat's visit_uv of the ISO week (WeChat's "
                    "statistics only, no events table)"}


def orders_aov(wh: Warehouse, lo: int, hi: int) -> float | None:
    """GMV / paid orders of the days, from the orders table alone (as the weekly summary's aov)."""
    row = wh.query(f"SELECT COUNT(*) AS orders, SUM(amount) AS gmv FROM orders WHERE {PAID} AND paid_day "
                   "BETWEEN :lo AND :hi", {"lo": lo, "hi": hi}).iloc[0]
    return kpis.aov(_value(row.gmv), float(row.orders))
