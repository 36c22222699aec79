"""Interval calibration from backtest errors, and the within-week error correlation of roll-ups.

The backtest's standardized errors give the interval coverage next to the nominal level and, when
the share of misses is off its nominal share by more than a tolerance, a scale factor that
recalibrates the intervals (coverage of the recalibrated intervals is estimated leaving each
origin out in turn, so the figure is not fitted to itself).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from helpers.stats.forecast_models import SEASON

LEVELS = (0.80, 0.95)


@dataclass(frozen=True)
class Calibration:
    """One interval level: backtest coverage of the model's own interval, the factor applied to
    its half-width, and the coverage expected of the published interval."""

    level: float
    raw: float
    factor: float
    expected: float


def _width_factor(abs_z: np.ndarray, level: float) -> float:
    """|z| quantile that covers `level` of new errors (split-conformal rank: the ceil((n+1)
    level)-th smallest of n), over the normal quantile the model's interval used."""
    n = len(abs_z)
    rank = min(n, math.ceil((n + 1) * level))
    return float(np.sort(abs_z)[rank - 1] / stats.norm.ppf(0.5 + level / 2))


def calibrate(z: np.ndarray, level: float, tolerance: float) -> Calibration:
    """Recalibrate a Gaussian interval from standardized backtest errors `z` (origins x days).

    When the share of backtest days outside the interval is within `tolerance` (relative) of
    its nominal share (at 0.25: 15-25% at 80%, 3.75-6.25% at 95%), nothing changes. Otherwise
    the half-width is multiplied by the factor that makes the backtest coverage nominal (a
    quantile of |z| over the normal quantile); the coverage to expect is estimated by leaving
    each origin out of the factor in turn, so that it is not fitted to itself, and the factor is
    kept only when that estimate is closer to nominal than the raw coverage (with few, unlike
    origins a factor can fit them and still not carry over).
    """
    q = stats.norm.ppf(0.5 + level / 2)
    a = np.abs(np.asarray(z, float))
    seen = np.isfinite(a)
    if not seen.any():
        return Calibration(level, float("nan"), 1.0, float("nan"))
    raw = float(np.mean(a[seen] <= q))
    if abs((1 - raw) / (1 - level) - 1) <= tolerance or a.shape[0] < 2:
        return Calibration(level, raw, 1.0, raw)
    factor = _width_factor(a[seen], level)
    inside = []
    for i in range(a.shape[0]):
        rest = np.delete(a, i, axis=0)
        f = _width_factor(rest[np.isfinite(rest)], level)
        row = a[i][np.isfinite(a[i])]
        inside.extend(row <= q * f)
    expected = float(np.mean(inside))
    if abs(expected - level) >= abs(raw - level):
        return Calibration(level, raw, 1.0, raw)
    return Calibration(level, raw, factor, expected)


def weekly_correlation(z: np.ndarray) -> float:
    """Average correlation of standardized errors within a week of the horizon, from the backtest:
    Var(mean of 7) = (1 + 6 rho) / 7 Var(z), clipped to [0, 1] (weekly roll-up intervals)."""
    z = np.asarray(z, float)
    weeks = z.shape[1] // SEASON
    if not weeks or not z.size:
        return 1.0
    blocks = z[:, :weeks * SEASON].reshape(z.shape[0], weeks, SEASON)
    full = np.isfinite(blocks).all(axis=2)
    if not full.any():
        return 1.0
    var = np.nanmean(z**2)
    if not np.isfinite(var) or var == 0:  # errors all zero (or overflowing): assume full correlation
        return 1.0
    block_var = np.mean(blocks[full].mean(axis=1) ** 2)
    return float(np.clip((SEASON * block_var / var - 1) / (SEASON - 1), 0.0, 1.0))


def intervals(mean: np.ndarray, sd: np.ndarray, calibration: dict[float, Calibration], log: bool
              ) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """Calibrated Gaussian intervals on the model scale, mapped back; a wider level never ends up
    narrower than a lower one."""
    out: dict[float, tuple[np.ndarray, np.ndarray]] = {}
    width = np.zeros_like(sd)
    for level in sorted(calibration):
        width = np.maximum(width, stats.norm.ppf(0.5 + level / 2) * calibration[level].factor * sd)
        lo, hi = mean - width, mean + width
        out[level] = (np.exp(lo), np.exp(hi)) if log else (lo, hi)
    return out

