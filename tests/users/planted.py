"""A shop with small cells planted in every breakdown of the user-analysis report, and a check that
no hidden cell can be recovered by subtraction. Reusable by any privacy test of the users family.

`planted_shop()` is a valid contract dataset ending on Sunday 2026-11-22 (report week 2026-W47):
about 400 ordinary users (channels search / share / official_account, cities 上海 / 北京, one or two
paid orders of whole yuan each) plus, each fewer than K users:
- CANNOT_LOSE: two customers with four orders each two months ago, the only buyers with three or
  more orders, so the RFM segment 'cannot_lose' is theirs alone; they spend 81.07 and 150.77
  (mean ¥115.92, the issue's repro), amounts no one else pays;
- PROBE_CHANNEL / PROBE_CITY: three new users of the report week from their own channel and city,
  who go through the funnel, two of them paying PROBE_AMOUNT;
- FEW_CONVERTERS: a channel of 15 starters in the week of whom 3 convert (converter cell < K);
- REFUSED_REFERRER: a referrer with consent = false who invites the three probe users;
- DEEP_CHAIN: one user at depth 3 of an invitation chain (one user at depth 2 above it).
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

import numpy as np

K = 10  # min_cell_size the tests use (the default of params/defaults.yaml)
END = date(2026, 11, 22)
FIRST = END - timedelta(days=69)
WEEK_TUESDAY = date(2026, 11, 17)
CANNOT_LOSE = ("pcl0", "pcl1")
CANNOT_LOSE_SPEND = (81.07, 150.77)
PROBE_CHANNEL = "probe_channel"
PROBE_CITY = "探针市"
PROBES = ("probe0", "probe1", "probe2")
PROBE_AMOUNT = 3141.59
FEW_CONVERTERS = "kol"
REFUSED_REFERRER = "ref_refused"
DEEP_CHAIN = ("chain1", "chain2", "chain3")  # chain1 invited by ref_ok, chain2 by chain1, chain3 by chain2
STEPS = ("launch", "page_view", "add_to_cart", "checkout", "pay")


def _at(day: date, seconds: int) -> str:
    return (datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)).isoformat(sep=" ")


class _Shop:
    def __init__(self) -> None:
        self.users: list[dict] = []
        self.events: list[dict] = []
        self.orders: list[dict] = []

    def user(self, user_id: str, seen: date, channel: str, city: str = "上海", consent: bool = True,
             referrer: str | None = None, gender: str = "female") -> None:
        self.users.append({"user_id": user_id, "first_seen_at": _at(seen, 8 * 3600), "channel": channel,
                           "referrer_id": referrer, "gender": gender, "age_band": "25-34", "province": "上海",
                           "city": city, "platform": "ios", "consent": consent})
        self.events.append({"user_id": user_id, "event_time": _at(seen, 8 * 3600), "event": "launch"})

    def visit(self, user_id: str, day: date, seconds: int, steps: Sequence[str] = STEPS[:2]) -> None:
        self.events += [{"user_id": user_id, "event_time": _at(day, seconds + 60 * i), "event": e}
                        for i, e in enumerate(steps)]

    def order(self, user_id: str, day: date, seconds: int, amount: float) -> None:
        self.visit(user_id, day, seconds, STEPS)
        self.orders.append({"order_id": f"o{len(self.orders)}", "user_id": user_id,
                            "paid_at": _at(day, seconds + 60 * (len(STEPS) - 1)), "amount": amount,
                            "status": "paid"})


def _ordinary(shop: _Shop, rng: random.Random, n: int) -> None:
    """Ordinary users: large cells everywhere, whole-yuan orders, at most two each."""
    for i in range(n):
        u = f"u{i:03d}"
        seen = FIRST + timedelta(days=rng.randrange(70))
        shop.user(u, seen, rng.choice(["search", "share", "official_account"]), rng.choice(["上海", "北京"]),
                  consent=rng.random() > 0.05, gender=rng.choice(["female", "male"]),
                  referrer="ref_ok" if i % 40 == 0 else None)
        for _ in range(rng.randrange(4)):
            day = seen + timedelta(days=rng.randrange((END - seen).days + 1))
            shop.visit(u, day, rng.randrange(9 * 3600, 20 * 3600))
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            day = seen + timedelta(days=rng.randrange((END - seen).days + 1))
            shop.order(u, day, rng.randrange(9 * 3600, 20 * 3600), float(rng.randrange(20, 300)))


def _planted(shop: _Shop) -> None:
    shop.user("ref_ok", FIRST, "search")
    shop.user(REFUSED_REFERRER, FIRST, "search", consent=False)
    for u, spend in zip(CANNOT_LOSE, CANNOT_LOSE_SPEND, strict=True):
        shop.user(u, FIRST, "search")
        parts = [round(spend / 4, 2)] * 3
        for d, amount in enumerate([*parts, round(spend - sum(parts), 2)]):
            shop.order(u, FIRST + timedelta(days=2 + d), 10 * 3600, amount)
    for i, u in enumerate(PROBES):
        shop.user(u, WEEK_TUESDAY, PROBE_CHANNEL, PROBE_CITY, referrer=REFUSED_REFERRER)
        if i < 2:
            shop.order(u, WEEK_TUESDAY, 9 * 3600, PROBE_AMOUNT)
        else:
            shop.visit(u, WEEK_TUESDAY, 9 * 3600, STEPS[:3])
    for i in range(15):
        u = f"kol{i:02d}"
        shop.user(u, WEEK_TUESDAY, FEW_CONVERTERS)
        if i < 3:
            shop.order(u, WEEK_TUESDAY, 11 * 3600, float(40 + i))
        else:
            shop.visit(u, WEEK_TUESDAY, 11 * 3600, STEPS[:2])
    for u, referrer in zip(DEEP_CHAIN, ("ref_ok", *DEEP_CHAIN[:2]), strict=True):
        shop.user(u, WEEK_TUESDAY + timedelta(days=1), "share", referrer=referrer)


def planted_shop(seed: int = 7, ordinary: int = 400) -> dict[str, list[dict]]:
    """The shop described in the module docstring, as row dicts for `conftest.write_source`."""
    rng = random.Random(seed)
    shop = _Shop()
    _ordinary(shop, rng, ordinary)
    _planted(shop)
    shop.visit("u000", END, 23 * 3600)  # the data ends on the report week's Sunday
    return {"users": shop.users, "events": shop.events, "orders": shop.orders}


def recoverable(values: Sequence[float], hidden: Sequence[bool],
                totals: Iterable[Sequence[int] | Mapping[int, float]]) -> list[int]:
    """Hidden cells a reader can work out exactly from the shown cells and the known totals.

    values: every cell (flattened, plus any unknown a total involves, e.g. a sum another table
    hides); totals: for each known total, the positions of the cells adding up to it, or a mapping
    position -> coefficient (sum(coefficient x cell) is known). A hidden cell is determined when
    its unit vector lies in the row space of the totals restricted to the hidden cells (linear
    algebra, independent of how the report chose what to hide)."""
    positions = [i for i, h in enumerate(hidden) if h]
    if not positions:
        return []
    rows = []
    for total in totals:
        weights = dict(total) if isinstance(total, Mapping) else dict.fromkeys(total, 1.0)
        rows.append([weights.get(p, 0.0) for p in positions])
    a = np.array(rows, dtype=float).reshape(-1, len(positions))
    rank = np.linalg.matrix_rank(a) if a.size else 0
    found = []
    for j, position in enumerate(positions):
        unit = np.zeros((1, len(positions)))
        unit[0, j] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.append(position)
    del values  # which cells are hidden decides, not their values
    return found


def matrix_totals(shape: tuple[int, int], hidden_rows: Collection[int] = (),
                  hidden_columns: Collection[int] = ()) -> list[dict[int, float]]:
    """What a reader knows of a crosstab (cells row-major): every row and column sum, except those
    another table hides; each hidden sum is an unknown placed after the cells (rows first, then
    columns, in order), and the hidden sums of each kind are known together (a grand total less
    the shown sums)."""
    n_rows, n_cols = shape
    extra = {("r", r): n_rows * n_cols + i for i, r in enumerate(sorted(hidden_rows))}
    extra |= {("c", c): n_rows * n_cols + len(extra) + i for i, c in enumerate(sorted(hidden_columns))}
    lines = [(("r", r), [r * n_cols + c for c in range(n_cols)]) for r in range(n_rows)]
    lines += [(("c", c), [r * n_cols + c for r in range(n_rows)]) for c in range(n_cols)]
    totals = []
    for key, cells in lines:
        total = dict.fromkeys(cells, 1.0)
        if key in extra:
            total[extra[key]] = -1.0
        totals.append(total)
    for kind in ("r", "c"):
        totals.append({v: 1.0 for (k, _), v in extra.items() if k == kind})
    return totals
