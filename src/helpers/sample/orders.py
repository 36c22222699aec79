"""Orders (one per pay event), their coupons, groups, attribution and merchants, the A/B test's
true effect, and the campaigns table."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

import numpy as np
import pyarrow as pa
from scipy.special import ndtr

from helpers.sample.acquisition import Users
from helpers.sample.sessions import Assignment, Events, Sessions
from helpers.sample.world import (
    AB_COUPON_THRESHOLD,
    AB_COUPON_VALUE,
    AB_PAY_MULTIPLIER,
    CHANNELS,
    ORDER_VALUE_SIGMA,
    SCENE_CHANNEL,
    STATUS_PROBS,
    World,
    probabilities,
    sequential_ids,
    timestamps,
)


@dataclass
class Orders:
    """The orders table and, per order, what the truths need."""

    table: pa.Table
    session: np.ndarray
    status: np.ndarray
    net: np.ndarray  # gross minus discount


def orders(w: World, users: Users, uid: np.ndarray, s: Sessions, a: Assignment, ev: Events) -> Orders:
    """Orders: one per pay event inside the data window."""
    rng = w.rng
    pay_event = (ev.kind == "pay") & (ev.time < w.end_sec)
    o_sess = ev.session[pay_event]
    n_o = len(o_sess)
    o_user, o_day = s.user[o_sess], s.day[o_sess]
    gross_mean = order_value(users.spend[o_user], w.orders[o_day])
    gross = np.round(gross_mean / math.exp(ORDER_VALUE_SIGMA**2 / 2)
                     * rng.lognormal(0, ORDER_VALUE_SIGMA, n_o), 2)
    statuses, sp = probabilities(STATUS_PROBS)
    status = np.array(statuses)[rng.choice(len(statuses), size=n_o, p=sp)]
    discount, coupon_id = _coupons(rng, gross, a.treated[o_sess], a.in_test[o_sess])
    group_share = np.where(w.in_window("CGRP", o_day), 0.3, 0.08)
    group_id = _group_ids(rng, np.flatnonzero(rng.random(n_o) < group_share), o_day, n_o)
    o_campaign = np.select(
        [a.in_test[o_sess], ev.live_view[o_sess], w.in_window("C618", o_day),
         w.in_window("C1111", o_day), w.in_window("CGRP", o_day) & (group_id != None)],  # noqa: E711
        ["CAB", "CLIVE", "C618", "C1111", "CGRP"], None)
    touch = np.array([SCENE_CHANNEL.get(int(x)) for x in s.scene[o_sess]], dtype=object)
    o_channel = np.where(touch == None, np.array(list(CHANNELS))[users.channel[o_user]], touch)  # noqa: E711
    table = pa.table({
        "order_id": sequential_ids("O", n_o, 7),
        "user_id": pa.array(uid[o_user], pa.string()),
        "paid_at": timestamps(ev.time[pay_event]),
        "amount": pa.array(np.round(gross - discount, 2), pa.float64()),
        "status": pa.array(status, pa.string()),
        "discount": pa.array(discount, pa.float64()),
        "coupon_id": pa.array(coupon_id, pa.string()),
        "campaign_id": pa.array(o_campaign, pa.string()),
        "channel": pa.array(o_channel, pa.string()),
        "group_id": pa.array(group_id, pa.string()),
        "merchant_id": pa.array(_merchants(rng, n_o), pa.string()),
    })
    return Orders(table, o_sess, status, gross - discount)


def _coupons(rng: np.random.Generator, gross: np.ndarray, treated: np.ndarray, in_test: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Discount and coupon id per order: the A/B coupon for treated orders above its threshold,
    a general coupon on some orders outside the test."""
    ab_coupon = treated & (gross >= AB_COUPON_THRESHOLD)
    other_coupon = ~in_test & (rng.random(len(gross)) < 0.12)
    discount = np.select([ab_coupon, other_coupon],
                         [AB_COUPON_VALUE, np.round(np.minimum(gross * 0.1, 20.0), 2)], 0.0)
    coupon_id = np.select([ab_coupon, other_coupon], ["CP-AB-10", "CP-GENERAL"], None)
    return discount, coupon_id


def _merchants(rng: np.random.Generator, n: int) -> np.ndarray:
    """Merchant per order (60% of orders; a few merchants take most of them), None otherwise."""
    merchants = np.array([f"M{i:03d}" for i in range(1, 41)])
    mw = rng.pareto(1.2, 40) + 0.1
    return np.where(rng.random(n) < 0.6, merchants[rng.choice(40, size=n, p=mw / mw.sum())], None)


def order_value(spend: np.ndarray, order_multiplier: np.ndarray) -> np.ndarray:
    """Expected gross order value (CNY): bigger spenders and festival baskets are larger."""
    return (55.0 * np.sqrt(spend) + 25.0) * np.where(order_multiplier > 1.5, 1.15, 1.0)


def ab_truth(users: Users, s_user: np.ndarray, s_day: np.ndarray, in_test: np.ndarray,
             p_checkout: np.ndarray, pay_control: np.ndarray, pay_treatment: np.ndarray,
             order_multiplier: np.ndarray, assigned: np.ndarray) -> dict[str, Any]:
    """Expected conversion and revenue per assigned user under each arm (both potential outcomes)."""
    p_paid = STATUS_PROBS["paid"]
    mean_gross = order_value(users.spend[s_user], order_multiplier[s_day])
    z = np.log(AB_COUPON_THRESHOLD / mean_gross) / ORDER_VALUE_SIGMA + ORDER_VALUE_SIGMA / 2
    p_coupon = 1 - ndtr(z)  # P(gross >= threshold) for a lognormal with that mean
    out: dict[str, float] = {}
    for arm, pay, discount in (("control", pay_control, 0.0),
                               ("treatment", pay_treatment, AB_COUPON_VALUE * p_coupon)):
        p_order = np.where(in_test, p_checkout * pay * p_paid, 0.0)
        log_none = np.bincount(s_user, weights=np.log1p(-p_order), minlength=users.n)
        revenue = np.bincount(s_user, weights=p_order * (mean_gross - discount), minlength=users.n)
        out[f"conversion_{arm}"] = float((1 - np.exp(log_none[assigned])).mean())
        out[f"revenue_{arm}"] = float(revenue[assigned].mean())
    c, t = out["conversion_control"], out["conversion_treatment"]
    return {
        "campaign_id": "CAB", "metric": "conversion",
        "definition": "share of assigned users with at least one paid order from assignment to the "
                      "end of the test or of the data",
        "intended_split": {"control": 0.5, "treatment": 0.5},
        "assigned": len(assigned),
        "true_conversion_control": round(c, 5),
        "true_conversion_treatment": round(t, 5),
        "true_lift_abs": round(t - c, 5),
        "true_lift_rel": round(t / c - 1, 4),
        "true_revenue_per_user_control": round(out["revenue_control"], 3),
        "true_revenue_per_user_treatment": round(out["revenue_treatment"], 3),
        "pay_multiplier": AB_PAY_MULTIPLIER,
        "note": "expected values over the assigned users under each arm (both potential outcomes), "
                "i.e. the sample's true average treatment effect",
    }


def _group_ids(rng: np.random.Generator, members: np.ndarray, day: np.ndarray, n: int) -> np.ndarray:
    """Group-buy groups of 1-3 orders from the same day (a group of one never completed)."""
    out = np.full(n, None, dtype=object)
    members = members[np.argsort(day[members], kind="stable")]
    sizes = rng.choice([1, 2, 3], size=len(members), p=[0.2, 0.5, 0.3])
    group, i, g = [], 0, 0
    while i < len(members):
        g += 1
        size = int(sizes[g - 1])
        chunk = members[i:i + size]
        chunk = chunk[day[chunk] == day[chunk[0]]]
        group.append((chunk, f"G{g:06d}"))
        i += len(chunk)
    for chunk, gid in group:
        out[chunk] = gid
    return out


def campaigns_table(w: World) -> pa.Table:
    """The campaigns that overlap the data window."""
    cols = list(zip(*w.campaigns, strict=True)) if w.campaigns else [[] for _ in range(11)]
    return pa.table({
        "campaign_id": pa.array(cols[0], pa.string()),
        "name": pa.array(cols[1], pa.string()),
        "type": pa.array(cols[2], pa.string()),
        "channel": pa.array(cols[3], pa.string()),
        "start_at": pa.array([datetime.combine(d, time(0)) for d in cols[4]], pa.timestamp("s")),
        "end_at": pa.array([datetime.combine(d, time(23, 59, 59)) for d in cols[5]], pa.timestamp("s")),
        "cost": pa.array(cols[6], pa.float64()),
        "budget": pa.array(cols[7], pa.float64()),
        "target_metric": pa.array(cols[8], pa.string()),
        "target_value": pa.array(cols[9], pa.float64()),
        "holdout": pa.array(cols[10], pa.float64()),
    })
