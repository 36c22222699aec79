"""Tail probabilities of counts.

Why: a day with twice the usual unfollows is alarming when the usual is 200 but ordinary when it is
2; asking how likely that many (or more) are as Poisson noise around the expected count separates
a real spike from the scatter of small numbers.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats


def poisson_upper_tail(observed: ArrayLike, expected: ArrayLike) -> np.ndarray:
    """P(X >= observed) for X ~ Poisson(expected), elementwise (NaN where a count is missing)."""
    x = np.asarray(observed, dtype="float64")
    return np.asarray(stats.poisson.sf(x - 1, expected), dtype="float64")
