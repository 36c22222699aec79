"""Small hand-made datasets of the shapes that broke the user-analysis report (issue 11), as row
dicts for `conftest.write_source`. Each is a valid contract dataset ending on Sunday 2026-11-22."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

END = date(2026, 11, 22)  # a Sunday: the latest complete week is 2026-W47


def _at(day: date, seconds: int) -> str:
    return (datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)).isoformat(sep=" ")


def own_tracking(users: int = 60, weeks: int = 10, per_day: int = 12, seed: int = 1) -> dict[str, list[dict]]:
    """Issue 11, dataset 1: every user first seen on the data's first day; events are `launch`
    only, with no session id, page or scene; no orders."""
    rng = random.Random(seed)
    first = END - timedelta(days=7 * weeks - 1)
    ids = [f"u{i:03d}" for i in range(users)]
    table = [{"user_id": u, "first_seen_at": _at(first, 8 * 3600)} for u in ids]
    events = [{"user_id": u, "event_time": _at(first, 8 * 3600 + i), "event": "launch"}
              for i, u in enumerate(ids)]
    for d in range(1, 7 * weeks):
        day = first + timedelta(days=d)
        events += [{"user_id": rng.choice(ids), "event_time": _at(day, rng.randrange(86_400)),
                    "event": "launch"} for _ in range(per_day)]
    return {"users": table, "events": events}


def sparse_new_users(weeks: int = 12, seed: int = 2) -> dict[str, list[dict]]:
    """Issue 11, dataset 2 (a retail log): new users arrive in a few weeks only, most weeks bring
    none (the report week and the cohort weeks the retention finding compares among them);
    buyers order now and then, a few orders are refunded."""
    rng = random.Random(seed)
    first = END - timedelta(days=7 * weeks - 1)
    arrival_weeks = (0, 1, 5)  # no new users in the last weeks
    users, events, orders = [], [], []
    for w in arrival_weeks:
        for i in range(15):
            u = f"w{w}u{i}"
            seen = first + timedelta(days=7 * w + i % 7)
            users.append({"user_id": u, "first_seen_at": _at(seen, 9 * 3600),
                          "channel": "search" if i % 3 else "ads"})
            events.append({"user_id": u, "event_time": _at(seen, 9 * 3600), "event": "launch"})
    for d in range(7 * weeks):
        day = first + timedelta(days=d)
        for row in rng.sample(users, 4):
            if date.fromisoformat(row["first_seen_at"][:10]) > day:
                continue
            t = rng.randrange(10 * 3600, 20 * 3600)
            events += [{"user_id": row["user_id"], "event_time": _at(day, t), "event": "launch"},
                       {"user_id": row["user_id"], "event_time": _at(day, t + 60), "event": "pay"}]
            orders.append({"order_id": f"o{len(orders)}", "user_id": row["user_id"],
                           "paid_at": _at(day, t + 60), "amount": float(rng.randrange(10, 200)),
                           "status": "refunded" if rng.random() < 0.1 else "paid"})
    return {"users": users, "events": events, "orders": orders}

