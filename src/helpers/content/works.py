"""What works and when to publish: same-age read and share rates per column, format, position
and publish hour with intervals over articles, and the tests behind any sentence that ranks them;
headline read rate by hour x weekday, pushes per week against the target band, and the effect of
the gap since the previous push."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from helpers.content.history import History, divide, push_table
from helpers.core.warehouse import Warehouse, day_number, day_to_date
from helpers.stats.experiments import Moments, ratio_difference
from helpers.stats.shrinkage import ratio_interval

ALPHA = 0.05  # a difference is called significant below this (Bonferroni-adjusted) p-value
# Each rate as a ratio of per-article sums: the articles are the units of every comparison.
RATIOS = {"read_rate": ("readers_c", "recipients"), "read_adjusted": ("readers_c", "expected_c"),
          "share_rate": ("sharers_c", "readers_c")}

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


@dataclass(frozen=True)
class Comparison:
    """The articles of `group` against other articles: each side's rate (a ratio of sums) and a
    two-sided test of their difference with articles as the units (delta method,
    `stats.experiments.ratio_difference`). When the group was picked as the highest of `groups`
    groups, the p-value is Bonferroni-adjusted for them (times `groups`, at most 1)."""

    group: Any
    rate: float
    articles: int
    other: float
    other_articles: int
    p_value: float
    groups: int = 2

    @property
    def significant(self) -> bool:
        return bool(self.p_value < ALPHA)


def compare(a: pd.DataFrame, b: pd.DataFrame, rate: str, group: Any = None, groups: int = 2,
            scale: float = 1.0) -> Comparison:
    """Articles `a` against articles `b` on `rate` (a key of RATIOS), rates multiplied by
    `scale` (the account's read rate, for the position-adjusted rate)."""
    num, den = RATIOS[rate]
    diff = ratio_difference(Moments.of(b[num].to_numpy(float), b[den].to_numpy(float)),
                            Moments.of(a[num].to_numpy(float), a[den].to_numpy(float)), ALPHA)
    p = float(diff.p_value)
    return Comparison(group, scale * float(diff.treatment), len(a), scale * float(diff.control), len(b),
                      min(1.0, p * groups) if groups > 2 else p, groups)


def lead(observed: pd.DataFrame, by: str, rate: str, min_articles: int) -> Comparison | None:
    """The group of `by` with the highest `rate` among the groups of at least `min_articles`
    articles, against all other observed articles together; None when fewer than two groups
    have that many (smaller groups are never ranked)."""
    num, den = RATIOS[rate]
    grouped = observed.groupby(by, sort=True)
    sums, sizes = grouped[[num, den]].sum(), grouped.size()
    eligible = sums[(sizes >= min_articles) & (sums[den] > 0)]
    if len(eligible) < 2:
        return None
    top = (eligible[num] / eligible[den]).idxmax()
    inside = (observed[by] == top).to_numpy()
    scale = divide(observed["readers_c"].sum(), observed["recipients"].sum()) \
        if rate == "read_adjusted" else 1.0
    return compare(observed[inside], observed[~inside], rate, top, len(eligible), scale)


def slots(observed: pd.DataFrame, min_articles: int) -> Comparison | None:
    """Headline (position 1) against secondary read rate; None when either has fewer than
    `min_articles` articles."""
    heads = (observed["position_key"] == 1).to_numpy()
    a, b = observed[heads], observed[~heads]
    if min(len(a), len(b)) < min_articles:
        return None
    return compare(a, b, "read_rate", "headline")


def gap_contrast(hist: History, min_articles: int) -> Comparison | None:
    """Headlines pushed the day after the previous push against those after a longer pause (read
    rate); None when either has fewer than `min_articles` headlines."""
    heads = _headlines(hist).dropna(subset=["gap_days"])
    a, b = heads[heads["gap_days"] == 1], heads[heads["gap_days"] >= 2]
    if min(len(a), len(b)) < min_articles:
        return None
    return compare(a, b, "read_rate", 1)
