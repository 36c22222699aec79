"""The `user_analysis` headline figures of report-outputs.md, each computed as defined there."""

from __future__ import annotations

from typing import Any

from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, day_number
from helpers.render.outputs import CONTRACTS
from helpers.users import activity, funnel, referral, retention, value

BUYER_KEYS = ("buyers", "repurchase_rate", "returning_buyer_share", "arpu", "arppu")


def headline(wh: Warehouse, period: Period, funnel_steps: list[str] | tuple[str, ...],
             funnel_window_seconds: int) -> dict[str, Any]:
    """The contract's metrics of the period (`CONTRACTS["user_analysis"]`), in its order."""
    lo, hi = day_number(period.start), day_number(period.end)
    daily = activity.daily_active(wh, lo, hi)
    dau_mean = float(daily["dau"].mean())
    wau = activity.distinct_active(wh, lo, hi)
    mau = activity.distinct_active(wh, hi - 29, hi) if hi - 29 >= wh.meta["first_day"] else None
    new_users = int(wh.scalar("SELECT COUNT(*) FROM users WHERE first_seen_day BETWEEN :lo AND :hi",
                              {"lo": lo, "hi": hi}) or 0)
    # no orders table, or none paid (every order refunded): the value section is not shown
    buyers = value.buyer_metrics(wh, lo, hi, wau) if value.has_paid_orders(wh) else dict.fromkeys(BUYER_KEYS)
    steps = funnel.summarise(funnel.funnel_paths(wh, lo, hi, funnel_steps, funnel_window_seconds),
                             funnel_steps)
    starters = steps["users"].iloc[0]
    metrics: dict[str, Any] = {
        "dau_mean": dau_mean,
        "wau": wau,
        "mau": mau,
        "stickiness": dau_mean / mau if mau else None,
        "new_users": new_users,
        **retention.period_retention(wh, lo, hi),
        **{k: buyers[k] for k in BUYER_KEYS},
        "referral_share": referral.referral_share(wh, lo, hi) if wh.has("users", "referrer_id") else None,
        "funnel_conversion": (float(steps["overall_conversion"].iloc[-1])
                              if starters and not funnel.missing_steps(wh, funnel_steps) else None),
    }
    return {k: metrics[k] for k in CONTRACTS["user_analysis"].metrics}
