"""Ordinary least squares with what judging residuals needs.

Why: "unusual" only means something against an expectation. A least-squares fit gives the expected
value of each item from its attributes (an article's readers from its column and position, a
day's unfollows from the articles pushed), and the residual standard deviation turns each miss
into a standardized residual comparable across items.
"""

from __future__ import annotations

import warnings
import zlib
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


# ---------------------------------------------------------------------------------------------
# A linear trend in an autocorrelated series (difference-in-differences' pre-trend test)
# ---------------------------------------------------------------------------------------------

def _prais_winsten_t(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of `y` (draws x days): the t statistic of the slope of a line fitted by Prais-Winsten
    (AR(1) GLS with phi estimated from the OLS residuals), and that phi."""
    n = y.shape[1]
    days = np.arange(n, dtype=float)
    x = np.column_stack([np.ones(n), days])
    e = y - y @ (x @ np.linalg.pinv(x)).T
    phi = np.clip((e[:, 1:] * e[:, :-1]).sum(1) / (e * e).sum(1), -0.99, 0.99)

    def transform(a: np.ndarray) -> np.ndarray:
        a = np.broadcast_to(a, y.shape)
        out = np.empty_like(y)
        out[:, 0] = np.sqrt(1 - phi**2) * a[:, 0]
        out[:, 1:] = a[:, 1:] - phi[:, None] * a[:, :-1]
        return out

    z, x0, x1 = transform(y), transform(np.ones(n)), transform(days)
    s00, s01, s11 = (x0 * x0).sum(1), (x0 * x1).sum(1), (x1 * x1).sum(1)
    r0, r1 = (x0 * z).sum(1), (x1 * z).sum(1)
    det = s00 * s11 - s01**2
    b0, b1 = (s11 * r0 - s01 * r1) / det, (s00 * r1 - s01 * r0) / det
    resid = z - b0[:, None] * x0 - b1[:, None] * x1
    se = np.sqrt((resid * resid).sum(1) / (n - 2) * s00 / det)
    return b1 / se, phi


def trend_test(y: ArrayLike, draws: int = 999, seed: int = 0) -> float:
    """Two-sided p-value of a linear trend in a daily series whose noise is autocorrelated.

    Why: an OLS slope with Newey-West errors rejects a flat series far too often when the days are
    autocorrelated and the series is short (84 days: 11% at nominal 5% with AR(1) phi 0.3, 20% at
    phi 0.8), because the HAC variance is biased down in small samples. Here the statistic is the
    slope's Prais-Winsten (AR(1) GLS) t, nearly pivotal, and its null distribution is simulated:
    `draws` flat AR(1) series with the residuals' phi, corrected for its small-sample bias
    (+(2 + 4 phi) / n for a detrended series, Shaman and Stine 1988), each put through the same
    estimation; p = (1 + #{|t*| >= |t|}) / (draws + 1). The draws are seeded by `seed` and the data:
    the same series always gets the same p.
    tests/stats/test_regression.py checks the size by simulation. NaN for fewer than 5 days."""
    y = np.asarray(y, dtype="float64")
    n = len(y)
    if n < 5:
        return float("nan")
    x = np.column_stack([np.ones(n), np.arange(n, dtype=float)])
    fit = ols(x, y)
    if not np.any(np.abs(fit.residuals) > 1e-12 * max(1.0, float(np.abs(y).max()))):
        return 1.0 if abs(fit.coefficients[1]) < 1e-12 else 0.0  # an exact line: flat or not
    t, phi = _prais_winsten_t(y[None, :])
    phi_null = float(np.clip(phi[0] + (2 + 4 * phi[0]) / n, -0.9, 0.95))
    rng = np.random.default_rng([seed, zlib.crc32(y.tobytes())])  # fresh draws per series, reproducible
    shocks = rng.standard_normal((draws, n))
    sim = np.empty_like(shocks)
    sim[:, 0] = shocks[:, 0] / np.sqrt(1 - phi_null**2)  # the stationary start
    for i in range(1, n):
        sim[:, i] = phi_null * sim[:, i - 1] + shocks[:, i]
    t_null, _ = _prais_winsten_t(sim)
    return float((1 + np.sum(np.abs(t_null) >= abs(t[0]))) / (draws + 1))
