"""Empirical-Bayes beta-binomial shrinkage of rates, and intervals for rates.

Why: an article read by 30 people can show a 20% share rate by luck, so ranking by raw rates puts
small samples on top. Fitting a beta prior to the rates of comparable items (e.g. the articles of
one column) and ranking by each item's posterior mean pulls small-sample rates toward the group
average while leaving well-measured rates almost unchanged: the estimate is
(successes + alpha) / (trials + alpha + beta), i.e. the prior counts as `alpha + beta` extra trials.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize, special, stats

# Bounds on the prior strength (alpha + beta, in pseudo-trials): near 0 the prior carries no
# information; at the top, items differ no more than binomial noise and are pooled completely.
MIN_STRENGTH, MAX_STRENGTH = 1e-6, 1e7
# The maximum-likelihood fit searches strengths in FIT_STRENGTH, starting from the best of this
# grid of 41 log-strengths (neighbours a factor of 1.8 apart).
FIT_STRENGTH = (1e-3, MAX_STRENGTH)
_LOG_STRENGTH_GRID = np.linspace(np.log(FIT_STRENGTH[0]), np.log(FIT_STRENGTH[1]), 41)


@dataclass(frozen=True)
class BetaPrior:
    """Beta(alpha, beta) prior of a rate; `strength` = alpha + beta pseudo-trials."""

    alpha: float
    beta: float

    @classmethod
    def from_mean(cls, mean: float, strength: float) -> BetaPrior:
        """A prior by its mean rate and its weight in pseudo-trials (both kept inside the bounds)."""
        mean = float(np.clip(mean, 1e-9, 1 - 1e-9))
        strength = float(np.clip(strength, MIN_STRENGTH, MAX_STRENGTH))
        return cls(mean * strength, (1 - mean) * strength)

    @property
    def mean(self) -> float:
        """The prior's average rate: the estimate of an item without data."""
        return self.alpha / (self.alpha + self.beta)

    @property
    def strength(self) -> float:
        """alpha + beta: how many trials of its own an item needs to outweigh the prior."""
        return self.alpha + self.beta

    def shrink(self, successes: ArrayLike, trials: ArrayLike) -> np.ndarray:
        """Posterior means: between the raw rate and the prior mean; the prior mean when trials = 0."""
        x, n = _counts(successes, trials)
        return (x + self.alpha) / (n + self.strength)

    def weight(self, trials: ArrayLike) -> np.ndarray:
        """Share of each estimate that comes from the item's own data: n / (n + strength)."""
        n = np.asarray(trials, dtype=float)
        return n / (n + self.strength)

    def interval(self, successes: ArrayLike, trials: ArrayLike, level: float = 0.95
                 ) -> tuple[np.ndarray, np.ndarray]:
        """Equal-tailed posterior interval of each rate."""
        x, n = _counts(successes, trials)
        a, b = x + self.alpha, n - x + self.beta
        tail = (1 - level) / 2
        return stats.beta.ppf(tail, a, b), stats.beta.ppf(1 - tail, a, b)


def _counts(successes: ArrayLike, trials: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    if np.any(x < 0) or np.any(x > n):
        raise ValueError("successes must lie between 0 and trials")
    return x, n


def _usable(successes: ArrayLike, trials: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x, n = _counts(successes, trials)
    keep = np.isfinite(x) & np.isfinite(n) & (n > 0)
    return x[keep], n[keep]


def fit_beta_moments(successes: ArrayLike, trials: ArrayLike) -> BetaPrior:
    """Method of moments: the between-item variance is the variance of the raw rates minus the
    binomial noise expected at each item's number of trials."""
    x, n = _usable(successes, trials)
    if len(x) == 0:
        return BetaPrior.from_mean(0.5, MIN_STRENGTH)
    rates = x / n
    mean = float(x.sum() / n.sum())
    if len(x) < 2:
        return BetaPrior.from_mean(mean, MIN_STRENGTH)
    noise = mean * (1 - mean) * float(np.mean(1 / n))
    between = float(np.var(rates, ddof=1)) - noise
    if between <= 0:
        return BetaPrior.from_mean(mean, MAX_STRENGTH)
    return BetaPrior.from_mean(mean, mean * (1 - mean) / between - 1)


def _nll(x: np.ndarray, n: np.ndarray, logit_mean: float, log_strength: float) -> float:
    """Negative log marginal likelihood of the counts under Beta(mean, strength), without the
    binomial coefficients (which do not depend on the prior)."""
    mean, strength = special.expit(logit_mean), np.exp(log_strength)
    a, b = mean * strength, (1 - mean) * strength
    return -float(np.sum(special.betaln(x + a, n - x + b) - special.betaln(a, b)))


def _profile(x: np.ndarray, n: np.ndarray) -> Callable[[float], tuple[float, float]]:
    """The likelihood profiled over the mean: log strength -> (lowest NLL, its logit mean). The
    best mean is a weighted average of the rates, so it is searched between the lowest and the
    highest rate (with a margin)."""
    rates = special.logit(np.clip(x / n, 1e-6, 1 - 1e-6))
    bounds = (float(rates.min()) - 1.0, float(rates.max()) + 1.0)

    def best(log_strength: float) -> tuple[float, float]:
        found = optimize.minimize_scalar(lambda m: _nll(x, n, m, log_strength), bounds=bounds,
                                         method="bounded", options={"xatol": 1e-10})
        return float(found.fun), float(found.x)

    return best


def fit_beta_prior(successes: ArrayLike, trials: ArrayLike) -> BetaPrior:
    """Maximum marginal likelihood of the beta-binomial model; with fewer than two items there is
    nothing to learn and the prior carries no weight.

    The likelihood is flat in the strength far from its optimum (at 1e6 or 1e7 pseudo-trials every
    item is pooled completely either way) and nearly flat close to it, so a gradient search stalls:
    started from the moments fit, which sits at the upper bound whenever the raw rates vary less
    than binomial noise predicts, it stayed there even when the likelihood peaks at a few hundred.
    Instead the likelihood, profiled over the mean, is evaluated on a grid of log strengths over
    the whole range, and a bounded 1-D search refines the best grid point between its neighbours."""
    x, n = _usable(successes, trials)
    if len(x) < 2:
        return fit_beta_moments(x, n)
    profile = _profile(x, n)
    values = [profile(s)[0] for s in _LOG_STRENGTH_GRID]
    i = int(np.argmin(values))
    bracket = (_LOG_STRENGTH_GRID[max(i - 1, 0)], _LOG_STRENGTH_GRID[min(i + 1, len(values) - 1)])
    found = optimize.minimize_scalar(lambda s: profile(s)[0], bounds=bracket, method="bounded",
                                     options={"xatol": 1e-6})
    log_strength = float(found.x) if found.fun <= values[i] else float(_LOG_STRENGTH_GRID[i])
    logit_mean = profile(log_strength)[1]
    return BetaPrior.from_mean(float(special.expit(logit_mean)), float(np.exp(log_strength)))


def priors_by_group(successes: ArrayLike, trials: ArrayLike, groups: ArrayLike,
                    min_items: int = 5) -> tuple[dict[Hashable, BetaPrior], BetaPrior]:
    """A prior per group (e.g. per column), and the pooled prior that groups with fewer than
    `min_items` usable items fall back to (too few items to estimate their spread)."""
    x, n = _counts(successes, trials)
    g = pd.Series(np.asarray(groups, dtype=object))
    pooled = fit_beta_prior(x, n)
    priors: dict[Hashable, BetaPrior] = {}
    for key, index in g.groupby(g, dropna=False).indices.items():
        usable = int(np.sum(n[index] > 0))
        priors[key] = fit_beta_prior(x[index], n[index]) if usable >= min_items else pooled
    return priors, pooled


def wilson_interval(successes: ArrayLike, trials: ArrayLike, level: float = 0.95
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion (NaN where trials = 0)."""
    x, n = _counts(successes, trials)
    z = stats.norm.ppf(1 - (1 - level) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def ratio_interval(numerators: ArrayLike, denominators: ArrayLike, level: float = 0.95
                   ) -> tuple[float, float, float]:
    """Ratio of sums over items (e.g. readers / recipients over a column's articles) with a
    t-interval that treats items, not individual readers, as the units (the delta method for a
    ratio estimator). Article-to-article variation dwarfs binomial noise, so a binomial interval
    on the pooled counts would be far too narrow. NaN bounds with fewer than two items."""
    y, d = np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float)
    keep = np.isfinite(y) & np.isfinite(d)
    y, d = y[keep], d[keep]
    total = d.sum()
    if total <= 0:
        return np.nan, np.nan, np.nan
    ratio = float(y.sum() / total)
    k = len(y)
    if k < 2:
        return ratio, np.nan, np.nan
    residuals = y - ratio * d
    se = float(np.sqrt(k / (k - 1) * np.sum(residuals**2)) / total)
    half = float(stats.t.ppf(1 - (1 - level) / 2, k - 1)) * se
    return ratio, max(ratio - half, 0.0), ratio + half
