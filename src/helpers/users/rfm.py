"""RFM: consenting buyers scored on recency, frequency and spend, grouped into segments and value
tiers, and how customers move between segments from one period to the next.

R and M are quantile scores (1..bins by percentile rank; ties share a score). F is not: most
buyers of most shops order once, and no percentile can split a tie that large, so F counts paid
orders against fixed thresholds (default 1 / 2 / 3+ orders). Segments come from R and F (the
lifecycle of the relationship); value tiers from M (high / middle / low spend), as operators' RFM
guides describe them.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

from helpers.core.sql import paid
from helpers.core.warehouse import Warehouse
from helpers.render import privacy
from helpers.render.text import Text
from helpers.users.value import CONSENTED

FREQUENCY_THRESHOLDS = (2, 3)  # paid orders at which F reaches 2, 3: 1 order = F1, 2 = F2, 3+ = F3


def rfm_frame(wh: Warehouse, as_of_day: int, window_days: int) -> pd.DataFrame:
    """Per consenting buyer in the window: recency_days, frequency (paid orders), monetary (CNY)."""
    return wh.query(f"""
        SELECT o.user_id, :asof - MAX(o.paid_day) AS recency_days, COUNT(*) AS frequency,
               SUM(o.amount) AS monetary
        FROM orders o JOIN users u ON u.user_id = o.user_id
        WHERE {paid('o')} AND o.paid_day BETWEEN :asof - :window + 1 AND :asof AND {CONSENTED}
        GROUP BY o.user_id""", {"asof": as_of_day, "window": window_days})


def quantile_scores(values: pd.Series, bins: int = 5, higher_is_better: bool = True) -> pd.Series:
    """Scores 1..bins from mid-rank percentiles: equal values always share a score (the one at
    the middle of their tie), better values never score lower, and untied values fill the scores
    evenly (n / bins each)."""
    ranks = values.rank(method="average", ascending=higher_is_better)
    pct = (ranks - 0.5) / len(values)
    return (np.floor(pct * bins) + 1).clip(1, bins).astype(int)


def frequency_levels(orders: pd.Series, thresholds: Sequence[int] = FREQUENCY_THRESHOLDS) -> pd.Series:
    """F level per customer: 1 + the number of thresholds their paid orders reach (1..len+1)."""
    return pd.Series(np.searchsorted(np.asarray(thresholds), orders.to_numpy(), side="right") + 1,
                     index=orders.index)


def frequency_level_text(thresholds: Sequence[int] = FREQUENCY_THRESHOLDS) -> str:
    """The paid orders of each F level, e.g. '1 / 2 / 3+' or '1 / 2-3 / 4+'."""
    bounds = [1, *thresholds]
    parts = [str(lo) if hi - 1 == lo else f"{lo}-{hi - 1}" for lo, hi in pairwise(bounds)]
    return " / ".join([*parts, f"{bounds[-1]}+"])


# Segments on the R score (rescaled to 1-5) and the F band: 'one' = the lowest F level (one order
# by default), 'top' = the highest (3+ orders), 'mid' = those between. Every (R, band) cell belongs
# to exactly one segment; the order is the table's.
RFM_SEGMENTS: list[tuple[str, tuple[int, int], str]] = [
    # key, R range, F band
    ("champions", (4, 5), "top"),
    ("loyal", (3, 3), "top"),
    ("potential_loyalists", (4, 5), "mid"),
    ("new_customers", (5, 5), "one"),
    ("promising", (4, 4), "one"),
    ("need_attention", (3, 3), "mid"),
    ("about_to_sleep", (3, 3), "one"),
    ("cannot_lose", (1, 2), "top"),
    ("at_risk", (1, 2), "mid"),
    ("hibernating", (1, 2), "one"),
]
# Value tiers on spend in fifths (a 5-level quantile score of M, whatever rfm_bins is): high = the
# top fifth of spenders, middle = the next two fifths, low = the rest.
VALUE_TIERS: list[tuple[str, tuple[int, int]]] = [("high", (5, 5)), ("middle", (3, 4)), ("low", (1, 2))]
# Catalog words of the segments ('none' = not a buyer in the window) and tiers.
SEGMENT_TEXT = {
    "champions": "ua_rfm_champions", "loyal": "ua_rfm_loyal", "cannot_lose": "ua_rfm_cannot_lose",
    "at_risk": "ua_rfm_at_risk", "potential_loyalists": "ua_rfm_potential_loyalists",
    "need_attention": "ua_rfm_need_attention", "new_customers": "ua_rfm_new_customers",
    "promising": "ua_rfm_promising", "about_to_sleep": "ua_rfm_about_to_sleep",
    "hibernating": "ua_rfm_hibernating", "none": "ua_rfm_none",
}
TIER_TEXT = {"high": "ua_tier_high", "middle": "ua_tier_middle", "low": "ua_tier_low"}


def frequency_band(levels: pd.Series, top_level: int) -> pd.Series:
    """'one' (level 1), 'top' (the highest level) or 'mid' per customer."""
    return pd.Series(np.where(levels <= 1, "one", np.where(levels >= top_level, "top", "mid")),
                     index=levels.index)


def rfm_segment(r: pd.Series, band: pd.Series) -> pd.Series:
    """Segment key per customer from the R score (1-5) and the F band."""
    out = pd.Series("hibernating", index=r.index, dtype=object)
    for key, (r_lo, r_hi), f_band in RFM_SEGMENTS:
        out[r.between(r_lo, r_hi) & (band == f_band)] = key
    return out


def value_tier(monetary: pd.Series) -> pd.Series:
    """Value tier per customer from spend in the window (fifths by mid-rank percentile)."""
    fifths = quantile_scores(monetary, 5)
    out = pd.Series("low", index=monetary.index, dtype=object)
    for key, (lo, hi) in VALUE_TIERS:
        out[fifths.between(lo, hi)] = key
    return out


def rfm_scores(frame: pd.DataFrame, bins: int = 5,
               frequency_thresholds: Sequence[int] = FREQUENCY_THRESHOLDS) -> pd.DataFrame:
    """Adds r and m (quantile scores 1..bins), f (the F level), the segment and the value tier."""
    out = frame.copy()
    out["r"] = quantile_scores(out["recency_days"], bins, higher_is_better=False)
    out["f"] = frequency_levels(out["frequency"], frequency_thresholds)
    out["m"] = quantile_scores(out["monetary"], bins)
    to5 = (lambda s: np.ceil(s * 5 / bins).astype(int)) if bins != 5 else (lambda s: s)
    out["segment"] = rfm_segment(to5(out["r"]), frequency_band(out["f"], len(frequency_thresholds) + 1))
    out["tier"] = value_tier(out["monetary"])
    return out


def segment_label(key: str, tx: Text) -> str:
    """A segment's name in the report language ('none' = not a buyer in the window)."""
    return tx(SEGMENT_TEXT[key])


def _groups(scored: pd.DataFrame, by: str, order: list[str]) -> pd.DataFrame:
    """Customers, share, mean recency/frequency/spend and share of spend per group, in `order`."""
    table = scored.groupby(by).agg(customers=("user_id", "count"), recency_days=("recency_days", "mean"),
                                   frequency=("frequency", "mean"), monetary=("monetary", "mean"),
                                   spend=("monetary", "sum"))
    table = table.reindex(order).dropna(how="all")
    table["share"] = table["customers"] / table["customers"].sum()
    table["rfm_spend_share"] = table.pop("spend") / scored["monetary"].sum()
    return table


def segment_sizes(scored: pd.DataFrame, tx: Text) -> pd.DataFrame:
    """Customers, share, mean recency/frequency/spend and share of spend per segment, in the
    grid's order (segments nobody is in are left out)."""
    table = _groups(scored, "segment", [k for k, *_ in RFM_SEGMENTS])
    table.insert(0, "segment_label", [segment_label(k, tx) for k in table.index])
    return table.rename_axis("segment").reset_index()


def tier_sizes(scored: pd.DataFrame, tx: Text) -> pd.DataFrame:
    """Customers, share, mean recency/frequency/spend and share of spend per value tier."""
    table = _groups(scored, "tier", [k for k, _ in VALUE_TIERS])
    table.insert(0, "tier_label", [tx(TIER_TEXT[k]) for k in table.index])
    return table.rename_axis("tier").reset_index()


def largest_segment(segments: pd.DataFrame, k: int, min_size: int = 0) -> pd.Series | None:
    """The segment with most customers among those the segment table shows (privacy: a hidden
    segment is never named; the first in the grid's order on a tie), or None when none is shown
    or the largest has fewer than `min_size` customers (too small to be called the largest)."""
    shown, _ = privacy.suppress(segments, "customers", k, total=True)
    shown = shown[shown["customers"].notna()]
    if not len(shown) or shown["customers"].max() < min_size:
        return None
    return segments.loc[shown["customers"].idxmax()]


def high_value_tier(tiers: pd.DataFrame, k: int) -> pd.Series | None:
    """The high-value tier's row of `tier_sizes`, or None when it is empty or the tier table
    hides it (privacy)."""
    shown, _ = privacy.suppress(tiers, "customers", k, total=True)
    high = shown.index[(shown["tier"] == "high") & shown["customers"].notna()]
    return tiers.loc[high[0]] if len(high) else None


def segment_migration(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Customers moving from each segment (rows, previous period) to each segment (columns, this
    period); 'none' = not a buyer in that window."""
    joined = previous[["user_id", "segment"]].merge(current[["user_id", "segment"]], on="user_id",
                                                    how="outer", suffixes=("_before", "_now"))
    joined = joined.fillna({"segment_before": "none", "segment_now": "none"})
    order = [k for k, *_ in RFM_SEGMENTS] + ["none"]
    matrix = pd.crosstab(joined["segment_before"], joined["segment_now"])
    used = [k for k in order if k in matrix.index or k in matrix.columns]
    return matrix.reindex(index=used, columns=used, fill_value=0)
