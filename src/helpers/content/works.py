"""What works and when to publish: same-age read and share rates per column, format, position
and publish hour with intervals over articles; headline read rate by hour x weekday, pushes per
week against the target band, and the effect of the gap since the previous push."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.content.history import History, divide, push_table
from helpers.core.warehouse import Warehouse, day_number, day_to_date
from helpers.stats.shrinkage import ratio_interval

GAP_BUCKETS = ((1, "1"), (2, "2"), (3, "3"), (4, "4–6"), (7, "7+"))
BREAKDOWN_COLUMNS = ["articles", "recipients", "readers", "sharers", "read_rate", "read_lo",
                     "read_hi", "read_adjusted", "adjusted_lo", "adjusted_hi", "share_rate",
                     "share_lo", "share_hi"]


def breakdown(observed: pd.DataFrame, by: str) -> pd.DataFrame:
    """Same-age read and share rates per group of observed articles (`History.observed`), with
    95% intervals that treat articles as the units. `read_adjusted` is the group's read rate had
    it the account's position mix: the account's rate x readers / (recipients x the read rate of
    each article's position)."""
    overall = divide(observed["readers_c"].sum(), observed["recipients"].sum())
    rows = []
    for key, g in observed.groupby(by, sort=True, dropna=False):
        read = ratio_interval(g["readers_c"], g["recipients"])
        index = ratio_interval(g["readers_c"], g["expected_c"])
        share = ratio_interval(g["sharers_c"], g["readers_c"])
        rows.append([key, len(g), g["recipients"].sum(), g["readers_c"].sum(), g["sharers_c"].sum(),
                     *read, *(overall * v for v in index), *share])
    return pd.DataFrame(rows, columns=[by, *BREAKDOWN_COLUMNS])


def headline_vs_secondary(observed: pd.DataFrame) -> pd.DataFrame:
    """Headline (position 1) against all other positions."""
    slot = np.where(observed["position_key"] == 1, "headline", "secondary")
    return breakdown(observed.assign(slot=slot), "slot")


def _headlines(hist: History) -> pd.DataFrame:
    """Headline articles (one per push): position is held fixed. Without positions, all."""
    obs = hist.observed
    return obs[obs["position_key"] == 1] if (obs["position_key"] == 1).any() else obs


def timing_heatmap(hist: History) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Headline same-age read rate by publish hour (rows) x weekday (0 = Monday), and the
    number of headlines in each cell."""
    heads = _headlines(hist)
    if heads.empty:
        empty = pd.DataFrame(columns=range(7))
        return empty, empty
    grouped = heads.groupby(["hour", "weekday"])
    rate = (grouped["readers_c"].sum() / grouped["recipients"].sum()).unstack("weekday")
    count = grouped.size().unstack("weekday")
    columns = range(7)
    return rate.reindex(columns=columns), count.reindex(columns=columns).fillna(0).astype(int)


def push_frequency(wh: Warehouse, hist: History, band: Sequence[int]) -> pd.DataFrame:
    """Pushes and articles per ISO week over the history window (from the first push on), and
    whether each week lies inside the target band of pushes per week."""
    pushes = push_table(wh, hist.as_of)
    if pushes.empty:
        return pd.DataFrame(columns=["week_start", "pushes", "articles", "in_band"])
    first = max(hist.first_day, int(pushes["published_day"].min()))
    first -= (first + 3) % 7  # Monday
    weeks = pd.DataFrame({"week_day": range(first, day_number(hist.period.start) + 1, 7)})
    pushes["week_day"] = pushes["published_day"] - (pushes["published_day"] + 3) % 7
    per_week = pushes.groupby("week_day").agg(pushes=("published_sec", "size"),
                                              articles=("articles", "sum"))
    out = weeks.merge(per_week, on="week_day", how="left").fillna(0)
    out[["pushes", "articles"]] = out[["pushes", "articles"]].astype(int)
    out["in_band"] = out["pushes"].between(*band)
    out.insert(0, "week_start", [day_to_date(d) for d in out.pop("week_day")])
    return out


def gap_effect(hist: History) -> pd.DataFrame:
    """Headline same-age read rate by days since the previous push (pushes as units)."""
    heads = _headlines(hist).dropna(subset=["gap_days"])
    edges = [lo for lo, _ in GAP_BUCKETS]
    labels = [label for _, label in GAP_BUCKETS]
    bucket = pd.cut(heads["gap_days"], [*edges, np.inf], right=False, labels=labels)
    rows = []
    for label in labels:
        g = heads[bucket == label]
        rate, lo, hi = ratio_interval(g["readers_c"], g["recipients"])
        if len(g):
            rows.append({"gap": label, "pushes": len(g), "read_rate": rate, "read_lo": lo,
                         "read_hi": hi})
    return pd.DataFrame(rows, columns=["gap", "pushes", "read_rate", "read_lo", "read_hi"])
