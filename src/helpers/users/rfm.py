"""RFM: consenting buyers scored on recency, frequency and spend, grouped into segments, and how
customers move between segments from one period to the next."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.core.sql import paid
from helpers.core.warehouse import Warehouse
from helpers.render.text import Text
from helpers.users.value import CONSENTED


def rfm_frame(wh: Warehouse, as_of_day: int, window_days: int) -> pd.DataFrame:
    """Per consenting buyer in the window: recency_days, frequency (paid orders), monetary (CNY)."""
    return wh.query(f"""
        SELECT o.user_id, :asof - MAX(o.paid_day) AS recency_days, COUNT(*) AS frequency,
               SUM(o.amount) AS monetary
        FROM orders o JOIN users u ON u.user_id = o.user_id
        WHERE {paid('o')} AND o.paid_day BETWEEN :asof - :window + 1 AND :asof AND {CONSENTED}
        GROUP BY o.user_id""", {"asof": as_of_day, "window": window_days})


def quantile_scores(values: pd.Series, bins: int = 5, higher_is_better: bool = True) -> pd.Series:
    """Scores 1..bins from percentile ranks. Ties share a score (average rank), so heavily tied
    values (most buyers order once) never break the scoring the way quantile edges do."""
    ranks = values.rank(method="average", ascending=higher_is_better)
    pct = (ranks - 0.5) / len(values)
    return (np.floor(pct * bins) + 1).clip(1, bins).astype(int)


# Segments from R and F scores on 1-5 (the usual RFM grid); first match wins.
RFM_SEGMENTS: list[tuple[str, tuple[int, int], tuple[int, int]]] = [
    # key, R range, F range
    ("champions", (5, 5), (4, 5)),
    ("loyal", (3, 5), (4, 5)),
    ("cannot_lose", (1, 2), (5, 5)),
    ("at_risk", (1, 2), (3, 4)),
    ("potential_loyalists", (4, 5), (2, 3)),
    ("need_attention", (3, 3), (3, 3)),
    ("new_customers", (5, 5), (1, 1)),
    ("promising", (4, 4), (1, 1)),
    ("about_to_sleep", (3, 3), (1, 2)),
    ("hibernating", (1, 2), (1, 2)),
]
# Catalog words of the segments ('none' = not a buyer in the window).
SEGMENT_TEXT = {
    "champions": "ua_rfm_champions", "loyal": "ua_rfm_loyal", "cannot_lose": "ua_rfm_cannot_lose",
    "at_risk": "ua_rfm_at_risk", "potential_loyalists": "ua_rfm_potential_loyalists",
    "need_attention": "ua_rfm_need_attention", "new_customers": "ua_rfm_new_customers",
    "promising": "ua_rfm_promising", "about_to_sleep": "ua_rfm_about_to_sleep",
    "hibernating": "ua_rfm_hibernating", "none": "ua_rfm_none",
}


def rfm_segment(r: pd.Series, f: pd.Series) -> pd.Series:
    """Segment key per customer from R and F scores (1-5)."""
    out = pd.Series("hibernating", index=r.index, dtype=object)
    assigned = pd.Series(False, index=r.index)
    for key, (r_lo, r_hi), (f_lo, f_hi) in RFM_SEGMENTS:
        hit = ~assigned & r.between(r_lo, r_hi) & f.between(f_lo, f_hi)
        out[hit] = key
        assigned |= hit
    return out


def rfm_scores(frame: pd.DataFrame, bins: int = 5) -> pd.DataFrame:
    """Adds r, f, m scores (1..bins) and the segment; R and F are rescaled to 1-5 for the grid."""
    out = frame.copy()
    out["r"] = quantile_scores(out["recency_days"], bins, higher_is_better=False)
    out["f"] = quantile_scores(out["frequency"], bins)
    out["m"] = quantile_scores(out["monetary"], bins)
    to5 = (lambda s: np.ceil(s * 5 / bins).astype(int)) if bins != 5 else (lambda s: s)
    out["segment"] = rfm_segment(to5(out["r"]), to5(out["f"]))
    return out


def segment_label(key: str, tx: Text) -> str:
    """A segment's name in the report language ('none' = not a buyer in the window)."""
    return tx(SEGMENT_TEXT[key])


def segment_sizes(scored: pd.DataFrame, tx: Text) -> pd.DataFrame:
    """Customers, share, mean recency/frequency/spend per segment, in the grid's order."""
    table = scored.groupby("segment").agg(customers=("user_id", "count"),
                                          recency_days=("recency_days", "mean"),
                                          frequency=("frequency", "mean"),
                                          monetary=("monetary", "mean"))
    table = table.reindex([k for k, *_ in RFM_SEGMENTS]).dropna(how="all")
    table["share"] = table["customers"] / table["customers"].sum()
    table.insert(0, "segment_label", [segment_label(k, tx) for k in table.index])
    return table.reset_index()


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
