"""Interval calibration from backtest errors, and the within-week error correlation of roll-ups.

The backtest's standardized errors give the interval coverage next to the nominal level and, when
the share of misses is off its nominal share by more than a tolerance and by more than the
effective sample of these correlated errors explains (overlapping origins, days of one origin
sharing its level error), a scale factor that recalibrates the intervals (coverage of the
recalibrated intervals is estimated leaving each origin and those overlapping it out in turn, so
the figure is not fitted to itself). Weekly roll-ups use the error correlation the backtest shows
for a week starting as far ahead (`lead_correlations`).
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


ALPHA = 0.10  # a backtest's miss share is off nominal when a binomial test rejects at this level


def effective_size(z: np.ndarray, step: int | None = None) -> float:
    """How many independent errors the backtest's standardized errors `z` (origins x days ahead)
    are worth when judging a miss share.

    Errors of one origin share its level error: their average correlation rho is estimated from
    the spread of the origin means (Var(mean of m) = (1 + (m - 1) rho) / m under a right model, as
    in `weekly_correlation`), and each origin's m days count as m / (1 + (m - 1) rho). Origins
    `step` days apart with a longer horizon forecast some of the same days: only the distinct
    days count (origins x m shrinks to m + (origins - 1) step).
    """
    z = np.asarray(z, float)
    seen = np.isfinite(z)
    rows, m = z.shape
    if not seen.any():
        return 0.0
    var = float(np.mean(z[seen] ** 2))
    counts = seen.sum(axis=1)
    used = counts >= 2
    rho = 1.0
    if var > 0 and used.any():
        means = np.array([z[i][seen[i]].mean() for i in np.flatnonzero(used)])
        ratio = float(np.mean(counts[used] * means**2)) / var
        rho = float(np.clip((ratio - 1) / (max(counts[used].mean(), 2) - 1), 0.0, 1.0))
    days = m + (rows - 1) * step if step is not None and step < m else rows * m
    share = seen.sum() / z.size
    return float(days * share / (1 + (m - 1) * rho**2))


def off_nominal(raw: float, level: float, n_eff: float) -> bool:
    """Whether a miss share 1 - `raw` is further from 1 - `level` than `n_eff` independent
    errors explain (two-sided exact binomial test at ALPHA, on the rounded effective counts)."""
    n = max(1, round(n_eff))
    return bool(stats.binomtest(round((1 - raw) * n), n, 1 - level).pvalue < ALPHA)


def calibrate(z: np.ndarray, level: float, tolerance: float, step: int | None = None) -> Calibration:
    """Recalibrate a Gaussian interval from standardized backtest errors `z` (origins x days),
    the origins `step` days apart (None: they share no day).

    Nothing changes unless the share of backtest days outside the interval is off its nominal
    share both by more than `tolerance` (relative; at 0.25: outside 15-25% at 80%, 3.75-6.25% at
    95%) and by more than the effective sample of these correlated errors explains
    (`effective_size`, `off_nominal`). Otherwise the half-width is multiplied by the factor that
    makes the backtest coverage nominal (a quantile of |z| over the normal quantile); the
    coverage to expect is estimated by leaving each origin out of the factor in turn, with the
    origins sharing days with it, so that it is not fitted to itself, and the factor is kept only
    when that estimate is closer to nominal than the raw coverage (with few, unlike origins a
    factor can fit them and still not carry over).
    """
    q = stats.norm.ppf(0.5 + level / 2)
    a = np.abs(np.asarray(z, float))
    seen = np.isfinite(a)
    if not seen.any():
        return Calibration(level, float("nan"), 1.0, float("nan"))
    raw = float(np.mean(a[seen] <= q))
    if abs((1 - raw) / (1 - level) - 1) <= tolerance or a.shape[0] < 2 \
            or not off_nominal(raw, level, effective_size(z, step)):
        return Calibration(level, raw, 1.0, raw)
    factor = _width_factor(a[seen], level)
    near = math.ceil(a.shape[1] / step) - 1 if step is not None and step < a.shape[1] else 0
    inside = []
    for i in range(a.shape[0]):
        rest = np.delete(a, [j for j in range(a.shape[0]) if abs(i - j) <= near], axis=0)
        if not np.isfinite(rest).any():
            continue
        f = _width_factor(rest[np.isfinite(rest)], level)
        row = a[i][np.isfinite(a[i])]
        inside.extend(row <= q * f)
    if not inside:
        return Calibration(level, raw, 1.0, raw)
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


def lead_correlations(z: np.ndarray) -> np.ndarray:
    """Average correlation of standardized errors within the week that starts each day ahead
    (one value per first day 0 .. horizon - 7), from the backtest: errors share more of the level
    error the further ahead, so a week late in the horizon is more correlated than the first.

    For the week starting at lead j, Var(sum of 7) / sum of the 7 variances = 1 + 6 rho_j over the
    origins observing all 7 days; few origins make each ratio noisy, so a straight line in j is
    fitted to them (least squares) and clipped to [0, 1]. Too few errors: the pooled
    `weekly_correlation` for every week.
    """
    z = np.asarray(z, float)
    starts = z.shape[1] - SEASON + 1 if z.ndim == 2 else 0
    if starts < 1 or not z.size:
        return np.full(max(starts, 0), 1.0)
    lead, ratio = [], []
    for j in range(starts):
        block = z[:, j:j + SEASON]
        block = block[np.isfinite(block).all(axis=1)]
        squares = float(np.sum(block**2))
        if len(block) and squares > 0:
            lead.append(j)
            ratio.append(float(np.sum(block.sum(axis=1) ** 2)) / squares)
    if len(lead) < 2:
        return np.full(starts, weekly_correlation(z))
    slope, intercept = np.polyfit(lead, ratio, 1)
    return np.clip((intercept + slope * np.arange(starts) - 1) / (SEASON - 1), 0.0, 1.0)


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

