"""Randomized experiments: sample-ratio check, lifts with intervals, CUPED, Holm, sequential, power.

Modelled on GrowthBook's gbstats: each arm is summarised by sums (`Moments`: n, Σy, Σy² and, for
ratio and CUPED metrics, Σx, Σx², Σxy), and each method is one pure function from those sums to a
result. Every field may be a numpy array, so the same functions evaluate one experiment or, in
the calibration tests, thousands of simulated experiments at once.

Conventions: `control` is the reference arm; `abs` = treatment - control in the metric's unit
(percentage points for rates); `rel` = treatment / control - 1, a relative change; intervals are
two-sided at level 1 - alpha.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import optimize, stats
from statsmodels.stats.power import NormalIndPower

Array = np.ndarray | float
SRM_ALPHA = 0.001  # a sample-ratio mismatch is flagged below this p-value (as GrowthBook does)


def _f(x: object) -> np.ndarray:
    return np.asarray(x, dtype=float)


@dataclass(frozen=True)
class Moments:
    """Sums over the users of one arm: y is the metric; x is a ratio metric's denominator or the
    pre-period covariate of CUPED (zero when unused)."""

    n: Array
    sum_y: Array
    sum_y2: Array
    sum_x: Array = 0.0
    sum_x2: Array = 0.0
    sum_xy: Array = 0.0

    @classmethod
    def of(cls, y: object, x: object | None = None) -> Moments:
        """Sums along the last axis of per-user values (shape (..., users))."""
        y = _f(y)
        x = np.zeros_like(y) if x is None else _f(x)
        return cls(np.full(y.shape[:-1], y.shape[-1], dtype=float) if y.ndim > 1 else float(y.shape[-1]),
                   y.sum(-1), (y * y).sum(-1), x.sum(-1), (x * x).sum(-1), (x * y).sum(-1))

    def __add__(self, other: Moments) -> Moments:
        return Moments(*(_f(getattr(self, k)) + _f(getattr(other, k)) for k in self.__dataclass_fields__))

    # Arms of one user have no variance: those properties are NaN, quietly.
    @property
    def mean_y(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return _f(self.sum_y) / self.n

    @property
    def mean_x(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return _f(self.sum_x) / self.n

    @property
    def var_y(self) -> np.ndarray:
        """Sample variance (n - 1 in the denominator)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return (_f(self.sum_y2) - _f(self.sum_y) ** 2 / self.n) / (_f(self.n) - 1)

    @property
    def var_x(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (_f(self.sum_x2) - _f(self.sum_x) ** 2 / self.n) / (_f(self.n) - 1)

    @property
    def cov_xy(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (_f(self.sum_xy) - _f(self.sum_x) * _f(self.sum_y) / self.n) / (_f(self.n) - 1)


@dataclass(frozen=True)
class Lift:
    """Treatment against control for one metric (fields are arrays when the inputs were)."""

    control: np.ndarray  # the metric in each arm (mean, rate or ratio)
    treatment: np.ndarray
    abs: np.ndarray  # treatment - control
    abs_se: np.ndarray
    abs_low: np.ndarray
    abs_high: np.ndarray
    rel: np.ndarray  # treatment / control - 1 (relative)
    rel_se: np.ndarray
    rel_low: np.ndarray
    rel_high: np.ndarray
    p_value: np.ndarray
    n: np.ndarray  # users in both arms
    alpha: float = 0.05
    sequential: bool = False
    var_control: np.ndarray | float = np.nan  # variance of each arm's estimate (for Fieller intervals)
    var_treatment: np.ndarray | float = np.nan


def fieller(mean_c: object, var_c: object, mean_t: object, var_t: object, crit: object
            ) -> tuple[np.ndarray, np.ndarray]:
    """Fieller's interval for the relative change t/c - 1 of two independent estimates.

    The set of ratios θ with |t - θc| / sqrt(Var t + θ² Var c) <= crit: at θ = 1 this is the test of
    the difference, so the interval excludes 0 exactly when that test (same critical value) rejects,
    and on skewed data it is asymmetric where the symmetric delta-method interval was not (issue
    13 #6). Solving (c² - k²Vc)θ² - 2tcθ + t² - k²Vt = 0: bounded when a = c² - k²Vc > 0 (the control
    is surely away from 0), roots (tc ± k·sqrt(t²Vc + a·Vt)) / a. Otherwise the set is unbounded (the
    whole line, or two rays) and the relative lift undetermined: (-inf, +inf); only then can the
    interval hold 0 while the test rejects, and the absolute lift is the one to read. Over a
    control of exactly 0 the ratio is undefined: NaN.
    """
    c, t, vc, vt, k = _f(mean_c), _f(mean_t), _f(var_c), _f(var_t), _f(crit)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = c**2 - k**2 * vc
        root = k * np.sqrt(t**2 * vc + a * vt)
        one, two = (t * c - root) / a - 1, (t * c + root) / a - 1
        bounded = a > 0
        # over a control of exactly 0 the relative lift is undefined, as `rel` is: NaN, not unbounded
        low = np.where(c == 0, np.nan, np.where(bounded, np.minimum(one, two), -np.inf))
        high = np.where(c == 0, np.nan, np.where(bounded, np.maximum(one, two), np.inf))
        return low, high


def _lift(mean_c: np.ndarray, var_mean_c: np.ndarray, mean_t: np.ndarray, var_mean_t: np.ndarray,
          n: np.ndarray, alpha: float, df: np.ndarray | float = np.inf) -> Lift:
    """Absolute and relative lift from two independent arm estimates and their variances.

    The absolute interval uses Student's t with `df` (Welch-Satterthwaite, or normal when inf);
    the relative one is Fieller's with the same critical value, so it excludes 0 exactly when the
    p-value is below alpha. `rel_se` is the delta-method standard error of the ratio,
    Var(t/c) ≈ Var(t)/c² + t²·Var(c)/c⁴, for reference only.
    """
    diff = mean_t - mean_c
    se = np.sqrt(var_mean_c + var_mean_t)
    crit = stats.t.ppf(1 - alpha / 2, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = diff / se
        p = 2 * stats.t.sf(np.abs(z), df)
        # A relative lift over a control of 0 is undefined (not infinite): NaN.
        rel = np.where(mean_c != 0, mean_t / mean_c - 1, np.nan)
        rel_se = np.where(mean_c != 0, np.sqrt(var_mean_t / mean_c**2 + mean_t**2 * var_mean_c / mean_c**4),
                          np.nan)
    rel_low, rel_high = fieller(mean_c, var_mean_c, mean_t, var_mean_t, crit)
    return Lift(mean_c, mean_t, diff, se, diff - crit * se, diff + crit * se, rel, rel_se,
                rel_low, rel_high, p, _f(n), alpha, False, var_mean_c, var_mean_t)


def mean_difference(control: Moments, treatment: Moments, alpha: float = 0.05) -> Lift:
    """Difference in means (or in proportions, for 0/1 metrics) with a Welch t interval."""
    vc, vt = control.var_y / control.n, treatment.var_y / treatment.n
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (vc + vt) ** 2 / (vc**2 / (_f(control.n) - 1) + vt**2 / (_f(treatment.n) - 1))
    return _lift(control.mean_y, vc, treatment.mean_y, vt, _f(control.n) + treatment.n, alpha, df)


def proportion_difference(control_n: float, control_k: float, treatment_n: float, treatment_k: float,
                          alpha: float = 0.05) -> Lift:
    """Difference of two proportions given as counts (k of n), e.g. repeat buyers among buyers of
    two groups: a 0/1 outcome has Σy = Σy² = k, so this is `mean_difference` on those sums."""
    return mean_difference(Moments(float(control_n), float(control_k), float(control_k)),
                           Moments(float(treatment_n), float(treatment_k), float(treatment_k)), alpha)


@dataclass(frozen=True)
class Deadweight:
    """Share of the treated converters who would have converted anyway, with its interval."""

    share: float
    low: float
    high: float


def deadweight(conversion: Lift) -> Deadweight:
    """control / treatment conversion = 1 / (1 + relative lift), capped at 100%; the interval maps
    the relative lift's interval (its upper end is 100% unless the lift is surely positive)."""
    rel, rel_low, rel_high = float(conversion.rel), float(conversion.rel_low), float(conversion.rel_high)
    high = 1 / (1 + rel_low) if rel_low > 0 else 1.0
    return Deadweight(min(1 / (1 + rel), 1.0), 1 / (1 + rel_high), high)


def ratio_variance(arm: Moments) -> np.ndarray:
    """Delta-method variance of Σy/Σx over users (e.g. revenue per order, refunds per order):
    Var(ȳ/x̄) ≈ (σy² - 2r·σxy + r²·σx²) / (n·x̄²) with r = ȳ/x̄."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = _f(arm.sum_y) / _f(arm.sum_x)
        return (arm.var_y - 2 * r * arm.cov_xy + r**2 * arm.var_x) / (_f(arm.n) * arm.mean_x**2)


def ratio_difference(control: Moments, treatment: Moments, alpha: float = 0.05) -> Lift:
    """Difference of two ratio metrics Σy/Σx (y = numerator, x = denominator per user)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rc = _f(control.sum_y) / _f(control.sum_x)
        rt = _f(treatment.sum_y) / _f(treatment.sum_x)
    return _lift(rc, ratio_variance(control), rt, ratio_variance(treatment),
                 _f(control.n) + treatment.n, alpha)


@dataclass(frozen=True)
class Cuped:
    lift: Lift  # adjusted for the pre-period covariate
    unadjusted: Lift
    theta: np.ndarray
    narrowing: np.ndarray  # 1 - adjusted width / unadjusted width (0.12 = 12% narrower)


def cuped(control: Moments, treatment: Moments, alpha: float = 0.05) -> Cuped:
    """CUPED (Deng et al. 2013): y - θ(x - x̄) with x the pre-period covariate and θ = cov(x,y)/var(x)
    pooled over both arms; randomization makes x̄ equal in expectation, so the lift is unbiased and
    its variance shrinks by the squared correlation of x and y."""
    pooled = control + treatment
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.where(pooled.var_x > 0, pooled.cov_xy / pooled.var_x, 0.0)
    x_bar = pooled.mean_x

    def adjusted(arm: Moments) -> tuple[np.ndarray, np.ndarray]:
        mean = arm.mean_y - theta * (arm.mean_x - x_bar)
        var = arm.var_y + theta**2 * arm.var_x - 2 * theta * arm.cov_xy
        return mean, np.maximum(var, 0.0) / arm.n

    (mc, vc), (mt, vt) = adjusted(control), adjusted(treatment)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (vc + vt) ** 2 / (vc**2 / (_f(control.n) - 1) + vt**2 / (_f(treatment.n) - 1))
    lift = _lift(mc, vc, mt, vt, _f(control.n) + treatment.n, alpha, df)
    raw = mean_difference(control, treatment, alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        narrowing = 1 - lift.abs_se / raw.abs_se
    return Cuped(lift, raw, theta, narrowing)


# ---------------------------------------------------------------------------------------------
# Checks and corrections
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Srm:
    chi2: np.ndarray
    p_value: np.ndarray
    flagged: np.ndarray  # p < SRM_ALPHA: the split is not what was intended; results are unreliable
    observed_shares: np.ndarray


def sample_ratio_mismatch(counts: object, intended_shares: object, threshold: float = SRM_ALPHA) -> Srm:
    """Chi-square goodness of fit of the users per variant (last axis) against the intended split."""
    counts = _f(counts)
    shares = _f(intended_shares) / np.sum(intended_shares)
    total = counts.sum(-1, keepdims=True)
    chi2, p = stats.chisquare(counts, total * shares, axis=-1)
    return Srm(chi2, p, p < threshold, counts / total)


def holm(p_values: object, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Holm's step-down correction over a family of metrics (last axis; NaN = not tested):
    (adjusted p-values, rejected at `alpha`). Sorted ascending, p_(i) is scaled by m - i + 1 and
    made monotone. Vectorised so that calibration tests can correct thousands of families at
    once; tests check it against statsmodels' multipletests."""
    p = _f(p_values)
    order = np.argsort(p, axis=-1)  # NaN sorts last
    ranked = np.take_along_axis(p, order, axis=-1)
    m = np.sum(~np.isnan(p), axis=-1, keepdims=True)
    scaled = np.minimum(1.0, (m - np.arange(p.shape[-1])) * ranked)
    adjusted = np.empty_like(p)
    np.put_along_axis(adjusted, order, np.fmax.accumulate(scaled, axis=-1), axis=-1)
    adjusted[np.isnan(p)] = np.nan
    return adjusted, np.nan_to_num(adjusted, nan=1.0) <= alpha


# ---------------------------------------------------------------------------------------------
# Sequential: intervals that stay valid however often the results are looked at
# ---------------------------------------------------------------------------------------------

def sequential_rho(alpha: float, tuning_n: float) -> float:
    """Mixing scale of the normal mixture, chosen so the boundary is tightest at `tuning_n` users
    (Howard et al. 2021, eq. 3.12; GrowthBook's `sequential_tuning_parameter`)."""
    return float(np.sqrt((-2 * np.log(alpha) + np.log(-2 * np.log(alpha) + 1)) / tuning_n))


def sequential_multiplier(n: object, alpha: float, tuning_n: float) -> np.ndarray:
    """Half-width of the asymptotic confidence sequence in standard errors at n users.

    Waudby-Smith et al. (2023), "Time-uniform central limit theory and asymptotic confidence
    sequences": with ρ from `sequential_rho`, the interval estimate ± se·m(n) with
    m(n) = sqrt(2(nρ²+1)/(nρ²) · log(sqrt(nρ²+1)/α)) covers the truth at every n simultaneously
    with probability ≥ 1 - α (asymptotically), so a weekly look at a running test is always valid.
    """
    n_rho2 = _f(n) * sequential_rho(alpha, tuning_n) ** 2
    return np.sqrt(2 * (n_rho2 + 1) / n_rho2 * np.log(np.sqrt(n_rho2 + 1) / alpha))


def sequential(lift: Lift, tuning_n: float) -> Lift:
    """The lift with always-valid intervals and p-value (the smallest α whose sequence excludes 0)."""
    m = sequential_multiplier(lift.n, lift.alpha, tuning_n)
    n_rho2 = lift.n * sequential_rho(lift.alpha, tuning_n) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        z2 = (lift.abs / lift.abs_se) ** 2
    p = np.minimum(1.0, np.sqrt(n_rho2 + 1) * np.exp(-z2 * n_rho2 / (2 * (n_rho2 + 1))))
    rel_low, rel_high = fieller(lift.control, lift.var_control, lift.treatment, lift.var_treatment, m)
    return replace(lift, abs_low=lift.abs - m * lift.abs_se, abs_high=lift.abs + m * lift.abs_se,
                   rel_low=rel_low, rel_high=rel_high, p_value=p, sequential=True)


# ---------------------------------------------------------------------------------------------
# Power
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Power:
    mde_abs: float  # smallest absolute lift detectable with `power` at the current sample size
    mde_rel: float  # the same relative to the control metric
    users_needed: float  # total users (both arms) for the planned effect
    days_needed: float | None  # more days at the current daily intake; 0 when already enough
    power: float
    sequential: bool = False  # for the sequential interval read while the test runs


def sequential_power(effect_se: object, n: object, alpha: float, tuning_n: float) -> np.ndarray:
    """Chance that the always-valid interval read at n users (`sequential`) excludes 0 when the true
    lift is `effect_se` standard errors: Φ(δ/se - m(n)) + Φ(-δ/se - m(n)), m the sequential multiplier.
    Looks before n can only add to it; the report reads the interval at the current look."""
    m = sequential_multiplier(n, alpha, tuning_n)
    d = np.abs(_f(effect_se))
    return stats.norm.cdf(d - m) + stats.norm.cdf(-d - m)


def _sequential_users_needed(effect: float, sd: float, ratio: float, alpha: float, power: float,
                             tuning_n: float) -> float:
    """Total users (both arms, treatment/control = ratio) at which the sequential interval detects
    `effect` with `power`: effect / se(N) = m(N) + z(power), solved on a grid then by bisection."""
    z = stats.norm.ppf(power)

    def gap(total: float) -> float:
        se = sd * np.sqrt((1 + ratio) / total + (1 + ratio) / (ratio * total))
        return float(effect / se - sequential_multiplier(total, alpha, tuning_n) - z)

    grid = np.geomspace(4.0, 1e10, 200)
    above = [g >= 0 for g in map(gap, grid)]
    if not any(above):
        return np.nan
    i = above.index(True)
    return grid[0] if i == 0 else float(optimize.brentq(gap, grid[i - 1], grid[i]))


def power_analysis(control: Moments, treatment: Moments, planned_rel: float, days_so_far: float,
                   alpha: float = 0.05, power: float = 0.8, tuning_n: float | None = None) -> Power:
    """Minimum detectable effect now, and the days still needed to detect `planned_rel`, for the
    interval the report reads: fixed-horizon two-sample normal power (statsmodels NormalIndPower)
    once the test has ended; with `tuning_n` (a running test, read sequentially) the always-valid
    interval's: MDE = (m(n) + z(power))·se, m the sequential multiplier at the users so far.
    The standard deviation is pooled; the intake rate is the users assigned per day so far.
    """
    nc, nt = float(control.n), float(treatment.n)
    sd = float(np.sqrt((control + treatment).var_y))
    base = float(control.mean_y)
    solver = NormalIndPower()
    if tuning_n is None:
        mde = float(solver.solve_power(effect_size=None, nobs1=nc, alpha=alpha, power=power, ratio=nt / nc)) * sd
    else:
        m = float(sequential_multiplier(nc + nt, alpha, tuning_n))
        mde = (m + float(stats.norm.ppf(power))) * sd * float(np.sqrt(1 / nc + 1 / nt))
    planned_abs = abs(planned_rel * base)
    if sd == 0 or planned_abs == 0:
        return Power(mde, mde / base if base else np.nan, np.nan, None, power, tuning_n is not None)
    if tuning_n is None:
        needed = float(solver.solve_power(effect_size=planned_abs / sd, nobs1=None, alpha=alpha, power=power,
                                          ratio=nt / nc)) * (1 + nt / nc)
    else:
        needed = _sequential_users_needed(planned_abs, sd, nt / nc, alpha, power, tuning_n)
    per_day = (nc + nt) / days_so_far if days_so_far > 0 else 0.0
    days = None if per_day <= 0 or np.isnan(needed) else max(0.0, needed - nc - nt) / per_day
    return Power(mde, mde / base if base else np.nan, needed, days, power, tuning_n is not None)
