"""Small-cell suppression: no breakdown cell describes fewer than k users.

Counts below k become missing and are shown as "<k"; rates in the same row are derived from those
counts, so they are suppressed with them.
"""

from __future__ import annotations

import pandas as pd


def suppress(frame: pd.DataFrame, users_column: str, k: int, also: list[str] | None = None
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows whose `users_column` is below `k` lose that count and the `also` columns.

    Returns the suppressed frame and a boolean mask (same shape) of the cells that were hidden,
    so tables can show "<k" instead of a dash.
    """
    columns = [users_column, *(also or [])]
    small = frame[users_column].notna() & (frame[users_column] < k) & (frame[users_column] > 0)
    out = frame.copy()
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for c in columns:
        out[c] = out[c].astype("float64").mask(small)
        mask[c] = small
    return out, mask


def suppress_matrix(counts: pd.DataFrame, k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every cell of a user-count matrix (crosstab, migration matrix) below k is hidden."""
    small = counts.notna() & (counts < k) & (counts > 0)
    return counts.astype("float64").mask(small), small


def large_only(frame: pd.DataFrame, users_column: str, k: int) -> tuple[pd.DataFrame, int]:
    """For charts, where a hidden cell cannot be drawn: the rows with at least k users, and how
    many rows were left out."""
    keep = frame[users_column] >= k
    return frame[keep], int((~keep).sum())
