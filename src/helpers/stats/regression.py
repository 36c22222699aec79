"""Ordinary least squares with what judging residuals needs.

Why: "unusual" only means something against an expectation. A least-squares fit gives the expected
value of each item from its attributes (an article's readers from its column and position, a
day's unfollows from the articles pushed), and the residual standard deviation turns each miss
into a standardized residual comparable across items.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from numpy.typing import ArrayLike
from statsmodels.tools.sm_exceptions import SingularMatrixWarning


@dataclass(frozen=True)
class OlsFit:
    """Coefficients, fitted values and residuals of a least-squares fit."""

    coefficients: np.ndarray
    fitted: np.ndarray
    residuals: np.ndarray
    df_resid: float

    @property
    def residual_sd(self) -> float:
        """sqrt(residual sum of squares / residual degrees of freedom); NaN without any."""
        if self.df_resid <= 0:
            return float("nan")
        return float(np.sqrt(self.residuals @ self.residuals / self.df_resid))

    def standardized_residuals(self) -> np.ndarray:
        """Residuals / residual standard deviation (0 when the fit is exact)."""
        sd = self.residual_sd
        return self.residuals / sd if sd > 0 else np.zeros_like(self.residuals)

    def predict(self, design: ArrayLike) -> np.ndarray:
        """Fitted values for other rows of the same design (e.g. the rows left out of the fit)."""
        return np.asarray(design, dtype="float64") @ self.coefficients


def ols(design: ArrayLike, y: ArrayLike) -> OlsFit:
    """Least squares of `y` on the columns of `design` (include a constant column for an
    intercept); rank-deficient designs get the minimum-norm solution."""
    with warnings.catch_warnings():  # rank deficiency is expected (e.g. one column only)
        warnings.simplefilter("ignore", SingularMatrixWarning)
        result = sm.OLS(np.asarray(y, dtype="float64"), np.asarray(design, dtype="float64")).fit()
    return OlsFit(np.asarray(result.params), np.asarray(result.fittedvalues),
                  np.asarray(result.resid), float(result.df_resid))


def treatment_design(frame: pd.DataFrame, factors: Sequence[str]) -> np.ndarray:
    """A constant column and one 0/1 column per level of each categorical factor but its first
    (levels sorted): the design of "y ~ C(a) + C(b)" in treatment coding."""
    columns = [np.ones(len(frame))]
    for factor in factors:
        dummies = pd.get_dummies(frame[factor], drop_first=True, dtype="float64")
        columns += [dummies[c].to_numpy() for c in dummies.columns]
    return np.column_stack(columns)
