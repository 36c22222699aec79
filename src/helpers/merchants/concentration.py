"""How concentrated merchant sales are: the week's top-10 and top-20% shares, Gini and Lorenz curve
over the week's active merchants (`stats.concentration`), their weekly trend, and the head / waist
/ tail tiers with their movement week on week. Pure functions of the weekly sales frame
(`queries.weekly_sales`: merchant_id, wk, gmv, orders, buyers, last_day)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.stats import concentration as conc

TOP_K = 10
TOP_FRACTION = 0.2
NOT_ACTIVE = "none"  # the tier of a merchant without merchant GMV in the week
TIER_ORDER = (*conc.TIERS, NOT_ACTIVE)


def ranked(week: pd.DataFrame) -> pd.DataFrame:
    """The week's merchants with GMV, largest first (ties by id): the order of every ranking."""
    active = week[week["gmv"] > 0]
    return active.sort_values(["gmv", "merchant_id"], ascending=[False, True], ignore_index=True)


def summary(week: pd.DataFrame) -> dict[str, float | int | None]:
    """top10_share, top20pct_share, gini and the number of merchants with GMV (None without GMV)."""
    gmv = ranked(week)["gmv"].to_numpy()
    if not len(gmv) or gmv.sum() <= 0:
        return {"top10_share": None, "top20pct_share": None, "gini": None, "merchants": len(gmv)}
    return {"top10_share": conc.top_k_share(gmv, TOP_K), "top20pct_share": conc.top_fraction_share(gmv, TOP_FRACTION),
            "gini": conc.gini(gmv), "merchants": len(gmv)}


def top_groups(week: pd.DataFrame) -> dict[str, list[str]]:
    """The merchants whose GMV adds up to each share the report shows: all, top 10, top 20%."""
    order = ranked(week)["merchant_id"].tolist()
    return {"all": order, "top10": order[:TOP_K],
            "top20pct": order[:conc.top_fraction_count(len(order), TOP_FRACTION)]}


def trend(weekly: pd.DataFrame, week_starts: list[int]) -> pd.DataFrame:
    """Per week: merchant GMV, merchants with GMV, top-10 share, top-20% share and Gini."""
    rows = []
    for wk in week_starts:
        week = weekly[weekly["wk"] == wk]
        rows.append({"wk": wk, "merchant_gmv": float(week["gmv"].sum()), **summary(week)})
    frame = pd.DataFrame(rows, columns=["wk", "merchant_gmv", "top10_share", "top20pct_share", "gini", "merchants"])
    return frame.astype({"top10_share": "float64", "top20pct_share": "float64", "gini": "float64"})


def tiers(week: pd.DataFrame, head: float, waist: float) -> pd.Series:
    """Each merchant of `week` (index merchant_id): head / waist / tail, `none` without GMV."""
    order = ranked(week)
    labels = pd.Series(conc.tiers(order["gmv"].to_numpy(), head, waist), index=order["merchant_id"], dtype=object)
    out = pd.Series(NOT_ACTIVE, index=week["merchant_id"].to_numpy(), dtype=object)
    out.loc[labels.index] = labels.fillna(NOT_ACTIVE)
    return out


def tier_table(this: pd.DataFrame, last: pd.DataFrame | None, head: float, waist: float) -> pd.DataFrame:
    """Per tier (head, waist, tail): merchants and their share of merchant GMV this week, and
    merchants last week (NaN without a complete previous week)."""
    now = tiers(this, head, waist)
    gmv = this.set_index("merchant_id")["gmv"]
    total = float(gmv.sum())
    rows = []
    for tier in conc.TIERS:
        ids = now.index[now == tier]
        rows.append({"tier": tier, "merchants": len(ids),
                     "gmv_share": float(gmv.reindex(ids).sum()) / total if total > 0 else np.nan,
                     "merchants_last": float((tiers(last, head, waist) == tier).sum()) if last is not None
                     else np.nan})
    return pd.DataFrame(rows)


def movement(this: pd.DataFrame, last: pd.DataFrame, head: float, waist: float) -> pd.DataFrame:
    """Merchants by last week's tier (rows) and this week's (columns), `none` for a week without
    GMV; only merchants with GMV in one of the two weeks."""
    now, before = tiers(this, head, waist), tiers(last, head, waist)
    ids = sorted(set(now.index[now != NOT_ACTIVE]) | set(before.index[before != NOT_ACTIVE]))
    pairs = pd.DataFrame({"last": before.reindex(ids).fillna(NOT_ACTIVE).to_numpy(),
                          "this": now.reindex(ids).fillna(NOT_ACTIVE).to_numpy()})
    table = pd.crosstab(pairs["last"], pairs["this"]).reindex(index=list(TIER_ORDER), columns=list(TIER_ORDER),
                                                              fill_value=0)
    return table.astype("int64")


def lorenz_groups(week: pd.DataFrame, hidden: set[str]) -> list[list[str]]:
    """The merchants of each step of the Lorenz curve as the chart draws it, smallest first: one
    merchant per step, except that the merchants from the smallest to the largest whose figures
    are hidden make one step together. That step's GMV is the hidden merchants' together (known
    from the total less the merchants shown) plus shown ones: the curve reveals nothing the
    tables do not. (A lone hidden merchant takes a neighbour into its step.)"""
    ids = ranked(week)["merchant_id"].tolist()[::-1]
    at = [i for i, m in enumerate(ids) if m in hidden]
    if not at:
        return [[m] for m in ids]
    first, last = min(at), max(at)
    if first == last and len(ids) > 1:
        last, first = (last + 1, first) if last + 1 < len(ids) else (last, first - 1)
    return [*([m] for m in ids[:first]), ids[first:last + 1], *([m] for m in ids[last + 1:])]


def lorenz_points(week: pd.DataFrame, groups: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """The Lorenz curve through the ends of `groups` (as `lorenz_groups` gives them): share of
    merchants, share of merchant GMV; from (0, 0) to (1, 1)."""
    gmv = week.set_index("merchant_id")["gmv"]
    total = float(gmv[gmv > 0].sum())
    n = sum(len(g) for g in groups)
    if not n or total <= 0:
        return np.array([]), np.array([])
    sizes = np.cumsum([0, *(len(g) for g in groups)]) / n
    sums = np.cumsum([0.0, *(float(gmv.reindex(g).sum()) for g in groups)]) / total
    sums[-1] = 1.0
    return sizes, sums
