"""The sample shop's merchants (the small-B side of an S2B2C mall) and which merchant sold each order,
with their planted truths.

Drawn last, from a stream of their own (`np.random.default_rng([seed, MERCHANT_STREAM])`): only
`orders.merchant_id` is reassigned here. The draw in `orders._merchants` stays where it was in the
main stream, so every other table and column is byte-identical to what the sample was before
merchants had a table of their own.

About 60% of orders carry a merchant; a merchant's chance to sell an order on a day is its weight
(Pareto-distributed: a few merchants make most of the sales) while it is selling. Planted on top,
relative to the end of the last complete ISO week (`week_end`):
- a big store that stops selling 33 days before it (churned that week: dormant the week before);
- a group leader whose last sale is 17 days before it (turned dormant that week);
- a KOL silent from 30 days before the week until the week itself (reactivated that week);
- a KOL selling for the last 8 weeks whose weight grows by `GROWTH` a week;
- two group leaders who joined during the week and sold in it (new), one merchant who never sold;
- distributor chains three levels deep (`parent_id`), recruits selling from the day they joined;
- a KOL's name with quotes, `<`, `>` and `&`: data text the reports must escape.
The planted sales days are anchored: a paid order of that day is given to the merchant, so the
truths hold on a sample of any size. truth.json's "merchants" records what was generated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from helpers.core.periods import complete_weeks
from helpers.sample.world import CITIES, SECONDS_PER_DAY, epoch_seconds, probabilities, timestamps

MERCHANT_STREAM = 1017  # the merchants' stream: default_rng([seed, MERCHANT_STREAM])
MERCHANT_SHARE = 0.6  # share of orders sold by a merchant; the rest are the platform's own
PARETO_SHAPE = 1.2  # merchant weights: rng.pareto(shape) + 0.1
GROWTH, GROWTH_WEEKS = 0.35, 8  # the growing merchant: weight x 1.35 a week over its last 8 weeks
DORMANT_DAYS, CHURN_DAYS = 14, 30  # the statuses recorded in the truth (the report's defaults)
TIERS = {"A": 0.2, "B": 0.3, "C": 0.5}  # the business's own tiers (merchants joined 30+ days ago)
KIND_WORDS = {"store": "Store", "kol": "Studio", "group_leader": "Group", "distributor": "Partner",
              "other": "Shop"}
# kind of M001..M040
KINDS = ["store"] * 8 + ["kol"] * 6 + ["group_leader"] * 14 + ["distributor"] * 10 + ["other"] * 2
CHURNED, TURNED_DORMANT, REACTIVATED, GROWING = "M004", "M017", "M010", "M012"
NEW = {"M027": 6, "M028": 4}  # joined that many days before the week's end
NEVER_SOLD = "M040"
CHURN_GAP, DORMANT_GAP, SILENT = 33, 17, (30, 7)  # days before the week's end (silent: from, to)
# distributor chains: recruit -> recruiter, and when recruits joined (days before the week's end)
PARENTS = {"M030": "M029", "M031": "M029", "M032": "M030", "M033": "M030", "M034": "M031",
           "M036": "M035", "M037": "M035"}
JOINED_BEFORE_END = {"M029": 420, "M030": 300, "M031": 240, "M032": 100, "M033": 60, "M034": 20,
                     "M035": 260, "M036": 45, "M037": 25, "M038": 150, NEVER_SOLD: 10}
HOSTILE_NAME = GROWING, 'Mia\'s "Best" <Picks> & More'  # data text the reports must escape


@dataclass(frozen=True)
class Calendar:
    """The sample's days as indices (0 = its first day) and the last complete ISO week."""

    start: date
    n_days: int
    week_end: int  # day index of the last complete week's Sunday
    weeks: list[tuple[str, int]]  # (ISO week label, index of its Monday) of every complete week

    def index(self, d: date) -> int:
        return (d - self.start).days

    def day(self, index: int) -> date:
        return self.start + timedelta(days=int(index))


def _calendar(start: date, end: date) -> Calendar:
    first, last = complete_weeks(start, end)
    weeks, p = [], first
    while p <= last:
        weeks.append((p.label, (p.start - start).days))
        p = p.shift(1)
    return Calendar(start, (end - start).days + 1, (last.end - start).days, weeks)


def merchant_sales(seed: int, start: date, end: date, orders: pa.Table
                   ) -> tuple[pa.Table, pa.Table, dict[str, Any]]:
    """The orders with `merchant_id` reassigned, the merchants table, and the truth."""
    rng = np.random.default_rng([seed, MERCHANT_STREAM])
    cal = _calendar(start, end)
    ids = [f"M{i:03d}" for i in range(1, len(KINDS) + 1)]
    joined = _joined(rng, cal, ids)
    weights = _weights(rng, cal, ids, joined)
    day = (np.asarray(orders["paid_at"].cast(pa.int64()).to_numpy()) - epoch_seconds(start)) // SECONDS_PER_DAY
    paid = np.asarray(orders["status"].to_numpy(zero_copy_only=False)) == "paid"
    who = _draw(rng, weights, day)
    _anchor(rng, cal, ids, who, day, paid, joined)
    merchant = np.where(who >= 0, np.array(ids, dtype=object)[who], None)
    column = orders.schema.get_field_index("merchant_id")
    orders = orders.set_column(column, "merchant_id", pa.array(merchant, pa.string()))
    table = _table(rng, cal, ids, joined)
    amount = np.asarray(orders["amount"].to_numpy())
    truth = _truth(seed, cal, ids, who, day, paid, amount)
    return orders, table, truth


def _joined(rng: np.random.Generator, cal: Calendar, ids: list[str]) -> np.ndarray:
    """Day index each merchant joined (negative: before the data)."""
    joined = -rng.integers(20, 700, size=len(ids))
    for i, m in enumerate(ids):
        if m in JOINED_BEFORE_END:
            joined[i] = cal.week_end - JOINED_BEFORE_END[m]
        elif m in NEW:
            joined[i] = cal.week_end - NEW[m]
        elif m == GROWING:
            joined[i] = cal.week_end - 7 * GROWTH_WEEKS - 2
    return joined


def _weights(rng: np.random.Generator, cal: Calendar, ids: list[str], joined: np.ndarray) -> np.ndarray:
    """Each merchant's weight on each day (days x merchants): 0 until the day after it joined and
    while it is not selling."""
    base = rng.pareto(PARETO_SHAPE, len(ids)) + 0.1
    ranked = np.sort(base)
    k = {m: i for i, m in enumerate(ids)}
    base[k[CHURNED]] = ranked[-3]  # one of the largest stores
    for m in (TURNED_DORMANT, REACTIVATED, *NEW):
        base[k[m]] = np.quantile(ranked, 0.7)
    for m in {*PARENTS, *PARENTS.values()}:  # the chains sell (at least as a median merchant)
        base[k[m]] = max(base[k[m]], float(np.median(ranked)))
    days = np.arange(cal.n_days)[:, None]
    w = np.where(days > joined[None, :], base[None, :], 0.0)  # from the day after joining
    e = cal.week_end
    w[max(0, e - CHURN_GAP + 1):, k[CHURNED]] = 0.0
    w[max(0, e - DORMANT_GAP + 1):, k[TURNED_DORMANT]] = 0.0
    w[max(0, e - SILENT[0] + 1):max(0, e - SILENT[1] + 1), k[REACTIVATED]] = 0.0
    grow_from = joined[k[GROWING]] + 2
    weeks_in = np.clip((np.arange(cal.n_days) - grow_from) / 7, 0, None)
    w[:, k[GROWING]] = np.where(np.arange(cal.n_days) >= grow_from,
                                ranked[-2] * (1 + GROWTH) ** (weeks_in - GROWTH_WEEKS), 0.0)
    w[:, k[NEVER_SOLD]] = 0.0
    return w


def _draw(rng: np.random.Generator, weights: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Merchant index per order (-1: the platform's own), by the day's weights."""
    has = rng.random(len(day)) < MERCHANT_SHARE
    u = rng.random(len(day))
    cum = np.cumsum(weights, axis=1)
    cum = cum / np.where(cum[:, -1:] > 0, cum[:, -1:], 1.0)
    pick = np.minimum((cum[day] < u[:, None]).sum(axis=1), weights.shape[1] - 1)
    return np.where(has & (weights[day, pick] > 0), pick, -1)


def _anchor(rng: np.random.Generator, cal: Calendar, ids: list[str], who: np.ndarray, day: np.ndarray,
            paid: np.ndarray, joined: np.ndarray) -> None:
    """Gives the planted merchants a paid order on their planted days (the nearest day with a paid
    order of another merchant, searching away from the boundaries), in place."""
    k = {m: i for i, m in enumerate(ids)}
    planted = {k[m] for m in (CHURNED, TURNED_DORMANT, REACTIVATED, GROWING, *NEW)}
    e = cal.week_end
    wanted = [(CHURNED, range(e - CHURN_GAP, e - CHURN_GAP - 7, -1)),
              (TURNED_DORMANT, [e - DORMANT_GAP + d for d in (0, -1, 1, -2, 2, -3)]),
              (REACTIVATED, range(e - SILENT[0] - 1, e - SILENT[0] - 15, -1)),
              (REACTIVATED, range(e - 3, e - 7, -1)),
              *((m, range(joined[k[m]] + 1, e + 1)) for m in NEW)]
    for m, days in wanted:
        for d in days:
            free = np.flatnonzero((day == d) & paid & ~np.isin(who, list(planted)))
            if len(free):
                mine = who[free] >= 0  # a merchant's order if there is one, else the platform's
                who[rng.choice(free[mine] if mine.any() else free)] = k[m]
                break


def _table(rng: np.random.Generator, cal: Calendar, ids: list[str], joined: np.ndarray) -> pa.Table:
    """The merchants table."""
    places, p = probabilities(CITIES)
    at = rng.choice(len(places), size=len(ids), p=p)
    seconds = rng.integers(9 * 3600, 21 * 3600, size=len(ids))
    tier_names, tier_p = probabilities(TIERS)
    tier = np.array(tier_names, dtype=object)[rng.choice(len(tier_names), size=len(ids), p=tier_p)]
    tier = np.where(joined <= cal.week_end - 30, tier, None)
    names = [f"{places[at[i]][1]} {KIND_WORDS[kind]} {i + 1:02d}" for i, kind in enumerate(KINDS)]
    names[ids.index(HOSTILE_NAME[0])] = HOSTILE_NAME[1]
    return pa.table({
        "merchant_id": pa.array(ids, pa.string()),
        "name": pa.array(names, pa.string()),
        "kind": pa.array(KINDS, pa.string()),
        "joined_at": timestamps(epoch_seconds(cal.start) + joined * SECONDS_PER_DAY + seconds),
        "tier": pa.array(tier, pa.string()),
        "region": pa.array([places[i][0] for i in at], pa.string()),
        "parent_id": pa.array([PARENTS.get(m) for m in ids], pa.string()),
    })


def _truth(seed: int, cal: Calendar, ids: list[str], who: np.ndarray, day: np.ndarray, paid: np.ndarray,
           amount: np.ndarray) -> dict[str, Any]:
    """What was generated, as of the end of the last complete week (later orders left out)."""
    e = cal.week_end
    sold = paid & (who >= 0) & (day <= e)
    days = [np.sort(day[sold & (who == i)]) for i in range(len(ids))]
    first = {m: cal.day(d[0]).isoformat() if len(d) else None for m, d in zip(ids, days, strict=True)}
    last = {m: cal.day(d[-1]).isoformat() if len(d) else None for m, d in zip(ids, days, strict=True)}
    statuses = {m: _status(d, e) for m, d in zip(ids, days, strict=True)}
    k = {m: i for i, m in enumerate(ids)}
    previous = days[k[REACTIVATED]][days[k[REACTIVATED]] < e - 6]
    return {
        "stream": [seed, MERCHANT_STREAM],
        "definition": "paid order: status paid or empty; GMV: sum of amount of paid orders (yuan); "
                      "week: the last complete ISO week; gap: days from a merchant's last paid order "
                      f"to the week's Sunday; dormant: {DORMANT_DAYS} <= gap < {CHURN_DAYS}, churned: "
                      f"gap >= {CHURN_DAYS}; new: first paid order in the week; reactivated: a paid "
                      f"order in the week, the one before it >= {DORMANT_DAYS} days before the previous "
                      "week's Sunday; quiet: 7 <= gap < 14; none: never sold. Gini: population Gini of "
                      "the week's GMV per merchant with a paid order in it",
        "count": len(ids),
        "order_share": round(float((who >= 0).mean()), 4) if len(who) else None,
        "week": cal.weeks[-1][0],
        "week_start": cal.day(e - 6).isoformat(),
        "week_end": cal.day(e).isoformat(),
        "last_week": _week_truth(who, day, paid, amount, e, statuses),
        "churned": {"merchant_id": CHURNED, "last_paid": last[CHURNED], "days_before_week_end":
                    _gap(days[k[CHURNED]], e), "status": statuses[CHURNED]},
        "turned_dormant": {"merchant_id": TURNED_DORMANT, "last_paid": last[TURNED_DORMANT],
                           "days_before_week_end": _gap(days[k[TURNED_DORMANT]], e),
                           "status": statuses[TURNED_DORMANT]},
        "reactivated": {"merchant_id": REACTIVATED,
                        "last_paid_before_week": cal.day(previous[-1]).isoformat() if len(previous) else None,
                        "days_before_previous_week_end": int(e - 7 - previous[-1]) if len(previous) else None,
                        "paid_orders_in_week": int((days[k[REACTIVATED]] > e - 7).sum()),
                        "status": statuses[REACTIVATED]},
        "growing": _growth_truth(cal, who == k[GROWING], day, paid, amount),
        "new_in_week": [m for m in ids if statuses[m] == "new"],
        "never_sold": [m for m in ids if statuses[m] == "none"],
        "chain": _chain_truth(ids),
        "first_paid": first,
        "last_paid": last,
        "statuses": statuses,
    }


def _gap(days: np.ndarray, e: int) -> int | None:
    return int(e - days[-1]) if len(days) else None


def _status(days: np.ndarray, e: int) -> str:
    """A merchant's status at the week's end from its paid days (sorted, none after the week)."""
    if not len(days):
        return "none"
    in_week = days > e - 7
    if in_week.any():
        before = days[~in_week]
        if not len(before):
            return "new"
        return "reactivated" if e - 7 - before[-1] >= DORMANT_DAYS else "active"
    gap = e - days[-1]
    return "churned" if gap >= CHURN_DAYS else "dormant" if gap >= DORMANT_DAYS else "quiet"


def _week_truth(who: np.ndarray, day: np.ndarray, paid: np.ndarray, amount: np.ndarray, e: int,
                statuses: dict[str, str]) -> dict[str, Any]:
    """The week's headline numbers (the report's JSON keys) as generated."""
    week = paid & (day > e - 7) & (day <= e)
    n = len(statuses)
    gmv = np.bincount(who[week & (who >= 0)], weights=amount[week & (who >= 0)], minlength=n)
    orders = np.bincount(who[week & (who >= 0)], minlength=n)
    active = np.sort(gmv[orders > 0])
    merchant_gmv, platform_gmv = float(gmv.sum()), float(amount[week & (who < 0)].sum())
    total = merchant_gmv + platform_gmv
    ranks = np.arange(1, len(active) + 1)
    gini = (2 * float(np.dot(ranks, active)) / (len(active) * merchant_gmv) - (len(active) + 1) / len(active)
            if merchant_gmv > 0 else None)
    return {
        "merchant_gmv": round(merchant_gmv, 2),
        "platform_gmv": round(platform_gmv, 2),
        "merchant_gmv_share": round(merchant_gmv / total, 6) if total else None,
        "merchants_active": int((orders > 0).sum()),
        "merchants_new": sum(s == "new" for s in statuses.values()),
        "merchants_dormant": sum(s == "dormant" for s in statuses.values()),
        "top10_share": round(float(active[::-1][:10].sum()) / merchant_gmv, 6) if merchant_gmv > 0 else None,
        "gini": round(gini, 6) if gini is not None else None,
    }


def _growth_truth(cal: Calendar, mine: np.ndarray, day: np.ndarray, paid: np.ndarray, amount: np.ndarray
                  ) -> dict[str, Any]:
    """The growing merchant's GMV per complete week, and the growth a log-linear fit gives."""
    weekly = {label: round(float(amount[mine & paid & (day >= monday) & (day < monday + 7)].sum()), 2)
              for label, monday in cal.weeks}
    values = np.array(list(weekly.values()))
    x = np.flatnonzero(values > 0)
    fitted = float(np.exp(np.polyfit(x, np.log(values[x]), 1)[0]) - 1) if len(x) >= 2 else None
    return {"merchant_id": GROWING, "planted_weekly_growth": GROWTH, "weekly_gmv": weekly,
            "fitted_weekly_growth": round(fitted, 4) if fitted is not None else None,
            "note": "its weight among the merchants grows by planted_weekly_growth a week over its last "
                    f"{GROWTH_WEEKS} weeks; GMV also follows the shop's own ups and downs"}


def _chain_truth(ids: list[str]) -> dict[str, Any]:
    """The distributor chains: roots, each distributor's level (1 = a root), recruits."""
    distributors = [m for m, kind in zip(ids, KINDS, strict=True) if kind == "distributor"]
    levels = {}
    for m in distributors:
        level, node = 1, m
        while node in PARENTS:
            level, node = level + 1, PARENTS[node]
        levels[m] = level
    recruits: dict[str, list[str]] = {}
    for child, parent in PARENTS.items():
        recruits.setdefault(parent, []).append(child)
    return {"roots": [m for m in distributors if m not in PARENTS], "levels": levels,
            "depth": max(levels.values()), "recruits": recruits}
