"""Independent computations of the user-analysis metrics: plain Python loops over row dicts.

They share nothing with the SQL in helpers.users except the definitions, so agreement between
the two is evidence that both say what the definitions say.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta

EPOCH = date(1970, 1, 1)
EVENTS = ("launch", "page_view", "add_to_cart", "checkout", "pay", "share")


def day(ts: str | datetime) -> int:
    ts = datetime.fromisoformat(ts) if isinstance(ts, str) else ts
    return (ts.date() - EPOCH).days


def sec(ts: str) -> int:
    t = datetime.fromisoformat(ts)
    return day(t) * 86_400 + t.hour * 3600 + t.minute * 60 + t.second


def week_start(d: int) -> int:
    return d - (d + 3) % 7


def random_shop(seed: int, n_users: int = 30, start: date = date(2026, 9, 28), days: int = 56,
                with_session_ids: bool = False) -> dict[str, list[dict]]:
    """A small, messy shop: users arrive over the range, visit in bursts, sometimes buy, invite."""
    rng = random.Random(seed)
    users, events, orders = [], [], []
    t0 = datetime.combine(start, datetime.min.time())
    channels = ["search", "share", "referral", None]
    for i in range(n_users):
        seen = t0 + timedelta(minutes=rng.randrange(days * 24 * 60))
        referrer = f"u{rng.randrange(i)}" if i and rng.random() < 0.35 else None
        users.append({
            "user_id": f"u{i}", "first_seen_at": seen.isoformat(sep=" "),
            "channel": rng.choice(channels), "referrer_id": referrer,
            "gender": rng.choice(["female", "male", None]), "city": rng.choice(["上海", "北京"]),
            "consent": rng.random() > 0.2,
        })
        t = seen
        session = 0
        while t < t0 + timedelta(days=days) and rng.random() < 0.9:
            session += 1
            for _ in range(rng.randint(1, 5)):
                events.append({"user_id": f"u{i}", "event_time": t.isoformat(sep=" "),
                               "event": rng.choice(EVENTS),
                               "session_id": f"s{i}-{session}" if with_session_ids else None})
                t += timedelta(minutes=rng.choice([0, 1, 5, 20, 29, 31, 45]))
            if rng.random() < 0.3:
                orders.append({"order_id": f"o{len(orders)}", "user_id": f"u{i}",
                               "paid_at": t.isoformat(sep=" "), "amount": rng.randint(1, 300),
                               "status": rng.choice(["paid", "paid", "paid", "refunded", None])})
            t += timedelta(hours=rng.choice([1, 5, 20, 30, 50, 100, 200, 400]))
    # Anchor the data range to the whole window.
    events.append({"user_id": "u0", "event_time": t0.isoformat(sep=" "), "event": "launch",
                   "session_id": "anchor-a" if with_session_ids else None})
    end = (t0 + timedelta(days=days) - timedelta(seconds=1)).isoformat(sep=" ")
    events.append({"user_id": "u0", "event_time": end, "event": "launch",
                   "session_id": "anchor-b" if with_session_ids else None})
    if not with_session_ids:
        for e in events:
            e.pop("session_id")
    return {"users": users, "events": events, "orders": orders}


def bounds(shop: dict) -> tuple[int, int]:
    days = [day(e["event_time"]) for e in shop["events"]]
    return min(days), max(days)


def active_days(shop: dict) -> dict[str, set[int]]:
    out: dict[str, set[int]] = defaultdict(set)
    for e in shop["events"]:
        out[e["user_id"]].add(day(e["event_time"]))
    return out


def active_between(shop: dict, lo: int, hi: int) -> set[str]:
    return {e["user_id"] for e in shop["events"] if lo <= day(e["event_time"]) <= hi}


def daily_active(shop: dict, lo: int, hi: int) -> list[tuple[int, float, float]]:
    first, _ = bounds(shop)
    rows = []
    for d in range(lo, hi + 1):
        wau = len(active_between(shop, d - 6, d)) if d - 6 >= first else math.nan
        mau = len(active_between(shop, d - 29, d)) if d - 29 >= first else math.nan
        rows.append((len(active_between(shop, d, d)), wau, mau))
    return rows


def sessions(shop: dict, lo: int, hi: int, use_ids: bool) -> dict[str, float]:
    events = sorted((e for e in shop["events"] if lo <= day(e["event_time"]) <= hi),
                    key=lambda e: (e["user_id"], sec(e["event_time"])))
    found: dict[tuple, list[dict]] = defaultdict(list)
    last: dict[str, tuple[int, int]] = {}
    for e in events:
        if use_ids:
            key = (e["user_id"], e["session_id"])
        else:
            prev = last.get(e["user_id"])
            number = prev[1] if prev and sec(e["event_time"]) - prev[0] <= 1800 else (prev[1] + 1 if prev else 0)
            last[e["user_id"]] = (sec(e["event_time"]), number)
            key = (e["user_id"], number)
        found[key].append(e)
    lengths = [sec(v[-1]["event_time"]) - sec(v[0]["event_time"]) if not use_ids else
               max(sec(x["event_time"]) for x in v) - min(sec(x["event_time"]) for x in v)
               for v in found.values()]
    pages = [sum(x["event"] == "page_view" for x in v) for v in found.values()]
    users = {k[0] for k in found}
    with_pages = [p for p in pages if p >= 1]
    return {"sessions": len(found), "users": len(users), "opens_per_user": len(found) / len(users),
            "session_seconds": statistics.fmean(lengths), "pages_per_session": statistics.fmean(pages),
            "bounce_rate": sum(p == 1 for p in with_pages) / len(with_pages) if with_pages else math.nan}


def retention(shop: dict, lo: int, hi: int, k: int, exact: bool) -> tuple[int, int]:
    """(observable new users, retained) for cohorts first seen in [lo, hi]; day k is observable
    when it lies inside the days the events cover."""
    first, last = bounds(shop)
    seen = active_days(shop)
    size = kept = 0
    for u in shop["users"]:
        fs = day(u["first_seen_at"])
        if lo <= fs <= hi and first <= fs + k <= last:
            size += 1
            days = seen.get(u["user_id"], set())
            kept += (fs + k in days) if exact else any(d >= fs + k for d in days)
    return size, kept


def lifecycle(shop: dict, wk: int) -> dict[str, int]:
    first_week = {u["user_id"]: week_start(day(u["first_seen_at"])) for u in shop["users"]}
    now, before = active_between(shop, wk, wk + 6), active_between(shop, wk - 7, wk - 1)
    new = {u for u in now if first_week.get(u, -1) >= wk}
    old = now - new
    return {"new": len(new), "returning": len(old & before), "resurrecting": len(old - before),
            "dormant": -len(before - now)}


def churn_risk(shop: dict, asof: int, quiet: int) -> set[str]:
    seen = active_days(shop)
    out = set()
    for user, days in seen.items():
        recent = [d for d in days if asof - 29 <= d <= asof]
        if recent and max(recent) <= asof - quiet:
            out.add(user)
    return out


def paid(order: dict) -> bool:
    return (order.get("status") or "paid").lower() == "paid"


def buyers(shop: dict, lo: int, hi: int) -> dict[str, float]:
    count: dict[str, int] = defaultdict(int)
    gmv = 0.0
    for o in shop["orders"]:
        if paid(o) and lo <= day(o["paid_at"]) <= hi:
            count[o["user_id"]] += 1
            gmv += o["amount"]
    before = {o["user_id"] for o in shop["orders"] if paid(o) and day(o["paid_at"]) < lo}
    n = len(count)
    return {"buyers": n, "repeaters": sum(c >= 2 for c in count.values()),
            "returning": len(set(count) & before), "gmv": gmv}


def pyramid(shop: dict, asof: int, loyal_orders: int, loyal_days: int, new_days: int,
            active_days_: int) -> dict[str, int]:
    by_user: dict[str, list[int]] = defaultdict(list)
    for o in shop["orders"]:
        if paid(o) and day(o["paid_at"]) <= asof:
            by_user[o["user_id"]].append(day(o["paid_at"]))
    visitors = active_between(shop, asof - active_days_ + 1, asof)
    tiers = {"loyal": 0, "active": 0, "new": 0, "potential": 0}
    for user in set(by_user) | visitors:
        days = by_user.get(user, [])
        if sum(d > asof - loyal_days for d in days) >= loyal_orders:
            tiers["loyal"] += 1
        elif days and min(days) > asof - new_days:
            tiers["new"] += 1
        elif days and max(days) > asof - active_days_:
            tiers["active"] += 1
        elif user in visitors:
            tiers["potential"] += 1
    return tiers


def funnel(shop: dict, lo: int, hi: int, steps: list[str], window: int) -> list[list[int | None]]:
    """Per user starting in [lo, hi]: the time of each step (None when not reached)."""
    by_user: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for e in shop["events"]:
        by_user[e["user_id"]].append((sec(e["event_time"]), e["event"]))
    out = []
    for events in by_user.values():
        starts = [t for t, ev in events if ev == steps[0] and lo <= t // 86_400 <= hi]
        if not starts:
            continue
        t1 = min(starts)
        times: list[int | None] = [t1]
        prev = t1
        for step in steps[1:]:
            nxt = [t for t, ev in events if ev == step and prev <= t <= t1 + window] if prev is not None else []
            prev = min(nxt) if nxt else None
            times.append(prev)
        out.append(times)
    return out


def funnel_observed(shop: dict, times: list[list[int | None]], window: int) -> list[bool]:
    """Per funnel path: its window [t1, t1 + window] ends by the last second of the data."""
    _, last = bounds(shop)
    return [t[0] + window <= (last + 1) * 86_400 - 1 for t in times]


def churn(shop: dict, wk: int) -> tuple[int, int]:
    """(users active in the week before Monday `wk`, those of them not active in week wk)."""
    before, now = active_between(shop, wk - 7, wk - 1), active_between(shop, wk, wk + 6)
    return len(before), len(before - now)


def chain_depth(shop: dict) -> dict[str, int]:
    parent = {u["user_id"]: u["referrer_id"] for u in shop["users"] if u["referrer_id"]}
    depth = {}
    for user in parent:
        d, node = 0, user
        while node in parent and d < 50:
            d += 1
            node = parent[node]
        depth[user] = d
    return depth
