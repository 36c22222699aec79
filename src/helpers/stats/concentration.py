"""How concentrated a total is among its contributors: Gini, the Lorenz curve, top-k shares and
head / waist / tail tiers.

Why: "the top ten merchants make 70% of merchant sales" says how much a shop depends on a few
sellers; the Gini coefficient summarises the whole distribution in one number (0: every merchant
sells the same; (n - 1) / n: one merchant sells everything), and the Lorenz curve draws it. Tiers
(头部 / 腰部 / 尾部) cut the merchants, largest first, at cumulative shares of the total.

Every function takes the values (one per contributor, e.g. a merchant's GMV in a week), which must
be finite and non-negative; a total of 0 has no shares (NaN).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

TIERS = ("head", "waist", "tail")
_TOL = 1e-9  # relative: a cumulative share this close to a tier's line counts as on it


def _values(values: ArrayLike) -> np.ndarray:
    x = np.asarray(values, dtype="float64").ravel()
    if not np.all(np.isfinite(x)) or (x < 0).any():
        raise ValueError("values must be finite and non-negative")
    return x


def gini(values: ArrayLike) -> float:
    """The Gini coefficient: the mean absolute difference of all ordered pairs divided by twice the
    mean, sum_ij |x_i - x_j| / (2 n^2 mean), computed from the ascending order as
    2 sum_i i x_(i) / (n sum x) - (n + 1) / n. 0 for one value; NaN without values or total."""
    x = np.sort(_values(values))
    n, total = len(x), float(x.sum())
    if n == 0 or total <= 0:
        return float("nan")
    ranks = np.arange(1, n + 1, dtype="float64")
    return float(max(0.0, 2.0 * np.dot(ranks, x) / (n * total) - (n + 1) / n))


def lorenz(values: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The Lorenz curve's vertices: (share of contributors, share of the total they make), smallest
    contributors first, from (0, 0) to (1, 1); n + 1 points. Empty arrays without values or total."""
    x = np.sort(_values(values))
    total = float(x.sum())
    if len(x) == 0 or total <= 0:
        return np.array([]), np.array([])
    people = np.arange(len(x) + 1, dtype="float64") / len(x)
    share = np.concatenate([[0.0], np.cumsum(x) / total])
    share[-1] = 1.0
    return people, share


def top_k_share(values: ArrayLike, k: int) -> float:
    """The share of the total made by the k largest values (all of it when k >= n); NaN without a
    total."""
    if k < 0:
        raise ValueError("k must be a non-negative whole number")
    x = np.sort(_values(values))[::-1]
    total = float(x.sum())
    if total <= 0:
        return float("nan")
    return float(x[:k].sum() / total)


def top_fraction_count(n: int, fraction: float) -> int:
    """How many contributors are the top `fraction` of n: ceil(fraction * n), at least one when
    n > 0 (the top 20% of 7 merchants are 2)."""
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    return 0 if n <= 0 else max(1, math.ceil(fraction * n - _TOL))


def top_fraction_share(values: ArrayLike, fraction: float = 0.2) -> float:
    """The share of the total made by the largest `top_fraction_count(n, fraction)` values."""
    x = _values(values)
    return top_k_share(x, top_fraction_count(len(x), fraction))


def tiers(values: ArrayLike, head: float = 0.5, waist: float = 0.3) -> np.ndarray:
    """Each value's tier, in the input's order: sorted largest first (ties in input order), a value
    is `head` when the values before it make less than `head` of the total (so the one crossing
    the line belongs to the head: the head is the fewest largest values making at least `head`),
    `waist` when they make less than `head + waist`, else `tail`. None for every value when the
    total is 0."""
    if not (0 < head < 1 and 0 < waist < 1 and head + waist < 1):
        raise ValueError("head and waist must be in (0, 1) with head + waist < 1")
    x = _values(values)
    out = np.full(len(x), None, dtype=object)
    total = float(x.sum())
    if total <= 0:
        return out
    order = np.argsort(-x, kind="stable")
    before = np.concatenate([[0.0], np.cumsum(x[order])[:-1]]) / total
    labels = np.where(before < head - _TOL, TIERS[0], np.where(before < head + waist - _TOL, TIERS[1], TIERS[2]))
    out[order] = labels
    return out
