"""Behaviour: sessions, events, the A/B test's assignments and orders, with their planted truths
(the tracking outage, the A/B test's true effect, the no-control campaign's incremental orders)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from helpers.sample.acquisition import Users
from helpers.sample.orders import Orders, ab_truth, orders
from helpers.sample.sessions import Events, Funnel, Sessions, assign, events, funnel, sessions
from helpers.sample.world import (
    LIVE_CART_MULTIPLIER,
    OUTAGE_DATE,
    OUTAGE_HOURS,
    SECONDS_PER_DAY,
    World,
    timestamps,
)


def behaviour(w: World, users: Users, uid: np.ndarray, visit_user: np.ndarray, visit_day: np.ndarray,
              readable: np.ndarray, article_ids: list[str]
              ) -> tuple[pa.Table, pa.Table, pa.Table, dict[str, Any], pa.Table]:
    """The events, orders and assignments tables, the behaviour truths, and every event that
    happened inside the data (the events table before the tracking outage lost some: what WeChat's
    own statistics count, helpers.sample.platform)."""
    s = sessions(w, users, visit_user, visit_day, readable)
    a = assign(w, users, s)
    f = funnel(w, users, s, a)
    ev = events(w, s, a, f, article_ids)
    o = orders(w, users, uid, s, a, ev)
    events_table, lost, happened = _events_table(w, uid, s, ev)
    assignments = pa.table({
        "campaign_id": pa.array(np.full(len(a.users), "CAB"), pa.string()),
        "user_id": pa.array(uid[a.users], pa.string()),
        "variant": pa.array(np.where(a.treated_user[a.users], "treatment", "control"), pa.string()),
        "assigned_at": timestamps(s.start[a.first]),
    })
    truth: dict[str, Any] = {
        "outage": _outage_truth(w, lost),
        "ab_test": ab_truth(users, s.user, s.day, a.in_test, f.cart_p * f.checkout_p, f.pay_base,
                            f.pay_treat, w.orders, a.users) if len(a.users) else None,
        "no_control_campaign": _live_truth(w, s, f, o),
    }
    return events_table, o.table, assignments, truth, happened


def _events_table(w: World, uid: np.ndarray, s: Sessions, ev: Events
                  ) -> tuple[pa.Table, np.ndarray, pa.Table]:
    """The events table; the tracking outage loses events (not orders, which come from the payment
    backend). Also returns which events were lost, and the table of every event inside the data
    (lost ones included)."""
    e_day = s.day[ev.session]
    sec_in_day = ev.time - (w.day0 + e_day * SECONDS_PER_DAY)
    lost = (e_day == w.day_index(OUTAGE_DATE)) & (sec_in_day >= OUTAGE_HOURS[0] * 3600) & (
        sec_in_day < OUTAGE_HOURS[1] * 3600)
    inside = ev.time < w.end_sec
    session_ids = np.char.add(np.char.add(uid[s.user].astype(str), "-"), (np.arange(s.n) + 1).astype(str))
    happened = _rows(uid, s, ev, session_ids, inside)
    return _rows(uid, s, ev, session_ids, ~lost & inside), lost, happened


def _rows(uid: np.ndarray, s: Sessions, ev: Events, session_ids: np.ndarray, keep: np.ndarray) -> pa.Table:
    """The events table holding the events of `keep`."""
    kept = ev.session[keep]
    return pa.table({
        "user_id": pa.array(uid[s.user[kept]], pa.string()),
        "event_time": timestamps(ev.time[keep]),
        "event": pa.array(ev.kind[keep], pa.string()),
        "session_id": pa.array(session_ids[kept], pa.string()),
        "page": pa.array(ev.page[keep], pa.string()),
        "scene": pa.array(s.scene[kept], pa.int64()),
        "duration_s": pa.array(ev.duration[keep], pa.float64(), mask=np.isnan(ev.duration[keep])),
        "article_id": pa.array(ev.article[keep], pa.string()),
        "campaign_id": pa.array(ev.campaign[keep], pa.string()),
    })


def _outage_truth(w: World, lost: np.ndarray) -> dict[str, Any] | None:
    """The planted tracking outage, if its day is inside the data."""
    if not 0 <= w.day_index(OUTAGE_DATE) < w.n_days:
        return None
    return {"date": OUTAGE_DATE.isoformat(), "hours": list(OUTAGE_HOURS), "events_lost": int(lost.sum()),
            "kind": "tracking_outage", "affects": ["events"], "not_affected": ["orders"]}


def _live_truth(w: World, s: Sessions, f: Funnel, o: Orders) -> dict[str, Any] | None:
    """The live campaign's realised incremental paid orders (it has no control group)."""
    live_w = w.window("CLIVE")
    if not live_w:
        return None
    paid = np.zeros(s.n, bool)
    paid[o.session] = o.status == "paid"
    net = np.zeros(s.n)
    net[o.session] = o.net
    inc = f.incremental & paid
    days = [w.day_date(d) for d in range(live_w[0], live_w[1] + 1)]
    per_day = np.bincount(s.day[inc] - live_w[0], minlength=len(days))
    return {
        "campaign_id": "CLIVE", "metric": "orders",
        "cart_multiplier": LIVE_CART_MULTIPLIER,
        "incremental_paid_orders": int(inc.sum()),
        "incremental_paid_gmv": round(float(net[inc].sum()), 2),
        "incremental_paid_orders_by_day": {d.isoformat(): int(v) for d, v in zip(days, per_day, strict=True)},
        "note": "realised: paid orders that happened only because of the campaign (the same "
                "random draws with and without its effect)",
    }


