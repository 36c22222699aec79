"""Tests comparing proportions.

Why: a page's exit rate rising from 20% to 25% means little on 40 views and a lot on 4,000; the
pooled two-proportion z-test says whether a rise is larger than sampling noise would give.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

ALTERNATIVES = ("larger", "smaller", "two-sided")


def two_proportion_p_value(x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike,
                           alternative: str = "larger") -> np.ndarray:
    """p-value of the pooled two-proportion z-test of x1 / n1 against x2 / n2, elementwise
    ("larger": the first proportion is higher; as statsmodels' `proportions_ztest`). NaN where a
    sample is empty or the pooled proportion is 0 or 1 (no variance to test against)."""
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {', '.join(ALTERNATIVES)}")
    x1, n1, x2, n2 = (np.asarray(v, dtype="float64") for v in (x1, n1, x2, n2))
    defined = (n1 > 0) & (n2 > 0) & (x1 + x2 > 0) & (x1 + x2 < n1 + n2)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
        z = (x1 / n1 - x2 / n2) / se
    p = {"larger": stats.norm.sf(z), "smaller": stats.norm.cdf(z),
         "two-sided": 2 * stats.norm.sf(np.abs(z))}[alternative]
    return np.where(defined, p, np.nan)


def chi_square_p_value(successes: ArrayLike, totals: ArrayLike) -> float:
    """p-value of Pearson's chi-square test that several groups share one proportion (the k x 2
    table of successes and failures, no continuity correction; as scipy's `chi2_contingency` with
    `correction=False`). NaN with fewer than two non-empty groups or when every group has the same
    all-or-nothing outcome (no variance to test against)."""
    x, n = np.asarray(successes, dtype="float64"), np.asarray(totals, dtype="float64")
    if x.shape != n.shape or (x < 0).any() or (x > n).any():
        raise ValueError("successes and totals must have one shape, with 0 <= successes <= totals")
    x, n = x[n > 0], n[n > 0]
    if len(n) < 2 or x.sum() in (0, n.sum()):
        return float("nan")
    pooled = x.sum() / n.sum()
    expected = np.stack([n * pooled, n * (1 - pooled)])
    observed = np.stack([x, n - x])
    statistic = float(((observed - expected) ** 2 / expected).sum())
    return float(stats.chi2.sf(statistic, len(n) - 1))
