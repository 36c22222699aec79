"""Which per-merchant figures may be shown (`render.privacy`).

A merchant's figures of a week (GMV, orders, buyers, AOV, share, week on week) are statistics of
its buyers: with fewer than `min_cell_size` of them they are hidden ("<k" in tables, null in the
JSON, left out of sentences and charts). The merchant still counts in every total, share and tier.
The report shows sums over groups of merchants (all of them, the top 10, the top 20%, each tier,
each chain level), so a hidden merchant could be worked out by subtraction;
`render.privacy.protect` hides more merchants (the fewest buyers first) until no hidden figure
follows from the sums shown. The Lorenz curve is drawn around the hidden merchants
(`concentration.lorenz_groups`). Tables, charts, sentences and the JSON use the one mask
computed here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from helpers.render.privacy import complementary, protect, recoverable, small, suppress_counts

# The columns of the week's sales frame each count of buyers reveals.
THIS_WEEK = ("buyers", "gmv", "orders", "aov", "share", "gmv_wow")
LAST_WEEK = ("buyers_prev", "gmv_prev", "orders_prev", "gmv_wow")
CHAIN_CELLS = ("buyers", "gmv", "gmv_share", "orders")  # what a level's buyers reveal


def _totals(ids: list[str], groups: Iterable[Sequence[str]]) -> np.ndarray:
    """One row per group of merchants whose summed figure is shown: 1 for its merchants."""
    position = {m: j for j, m in enumerate(ids)}
    rows = [g for g in groups if g]
    totals = np.zeros((len(rows), len(ids)))
    for r, group in enumerate(rows):
        totals[r, [position[m] for m in group if m in position]] = 1.0
    return totals


def protected(ids: Sequence[str], buyers: Sequence[float], k: int, groups: Iterable[Sequence[str]],
              public: set[str] = frozenset()) -> set[str]:
    """The merchants of `ids` whose figures are hidden: those with 1 to k-1 buyers, widened until
    none can be recovered from the sums over `groups` (lists of merchant ids) where hiding more
    merchants can prevent it. Merchants in `public` (alone in a group: their sum is shown) are
    never hidden as partners: it would hide nothing."""
    ids = list(ids)
    counts = pd.Series(np.asarray(buyers, dtype="float64"), index=ids).fillna(0.0)
    start = small(counts, k).to_numpy()
    totals = _totals(ids, groups)
    if not len(totals) or not start.any():
        return {m for m, h in zip(ids, start, strict=True) if h}
    candidates = counts.to_numpy().copy()
    candidates[[m in public and not h for m, h in zip(ids, start, strict=True)]] = np.nan
    widened = protect(candidates, start, totals)
    return {m for m, h in zip(ids, widened, strict=True) if h}


def exposed(ids: Sequence[str], hidden: set[str], groups: Iterable[Sequence[str]]) -> set[str]:
    """The hidden merchants whose figures still follow from the sums over `groups` (a group whose
    shown merchants cannot be hidden, e.g. a chain level of one merchant: its row must go)."""
    ids = list(ids)
    mask = np.array([m in hidden for m in ids], dtype=bool)
    totals = _totals(ids, groups)
    if not mask.any() or not len(totals):
        return set()
    return {m for m, r in zip(ids, recoverable(totals, mask), strict=True) if r}


def mask(frame: pd.DataFrame, hidden_now: set[str], hidden_prev: set[str]) -> pd.DataFrame:
    """The boolean mask of the sales frame's hidden cells."""
    out = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    now = frame["merchant_id"].isin(hidden_now).to_numpy()
    prev = frame["merchant_id"].isin(hidden_prev).to_numpy()
    for column in THIS_WEEK:
        if column in out:
            out[column] |= now
    for column in LAST_WEEK:
        if column in out:
            out[column] |= prev
    return out


def apply(frame: pd.DataFrame, hidden: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its hidden cells missing."""
    out = frame.copy()
    for column in hidden.columns[hidden.any()]:
        out[column] = out[column].astype("float64").mask(hidden[column])
    return out


def new_buyers(frame: pd.DataFrame, k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """New buyers per merchant (`customers.new_buyers_by_merchant`): counts of 1 to k-1 people
    hidden with their share, and a partner when the total is shown."""
    return suppress_counts(frame, k, {"new_buyers": ["share"]}, ["new_buyers"])


def recent(frame: pd.DataFrame, k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What merchants turning dormant sold before they stopped: hidden under k buyers (no total)."""
    return suppress_counts(frame, k, {"buyers": ["gmv", "orders"]})


def chain(frame: pd.DataFrame, k: int, force: np.ndarray | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The chain levels' table (`chains.chain_table`) as it may be shown: a level's sales drawn
    from 1 to k-1 buyers hidden (and the levels in `force`: one whose figures would give a hidden
    merchant away), with a partner, since the levels' GMV adds up to the merchant GMV shown."""
    buyers = frame["buyers"]
    hidden = small(buyers, k) | pd.Series(force if force is not None else False, index=frame.index, dtype=bool)
    hidden = complementary(hidden, buyers)
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    out = frame.copy()
    for column in CHAIN_CELLS:
        mask[column] = hidden
        out[column] = out[column].astype("float64").mask(hidden)
    return out, mask
