"""Full-size calibration of the counterfactual model (issue 13): no-effect campaigns over a holiday
seen once before (item 1) and under short AR(1) shocks (item 2), with their false-alarm rates and
binomial 95% intervals, for the model's own intervals and for those widened by placebo windows on
the pre-period (item 2). `python -m benchmarks causal_calibration` (~15 min on one core)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy import stats

from helpers.stats import causal

WEEKLY = np.array([0.0, 0.02, 0.03, 0.05, 0.1, 0.15, 0.08])


def national_day(rng: np.random.Generator, effect: float) -> tuple[pd.Series, pd.DataFrame, date, date]:
    """84 pre-period days with one holiday (25 Sep), then all of 1-7 Oct 2026 on holiday."""
    start, pre = date(2026, 10, 1), 84
    dates = [start + timedelta(days=i - pre) for i in range(pre + 7)]
    holiday = np.zeros(pre + 7)
    holiday[pre:] = holiday[pre - 6] = 1
    level = np.log(200) + np.cumsum(rng.normal(0, 0.005, pre + 7))
    mu = np.exp(level + WEEKLY[[d.weekday() for d in dates]] + effect * holiday)
    return (pd.Series(rng.poisson(mu), index=dates, dtype=float),
            pd.DataFrame({"holiday": holiday}, index=dates), start, dates[-1])


def ar_shocks(rng: np.random.Generator, days: int, level: float = 200.0, phi: float = 0.6,
              sd: float = 0.05) -> tuple[pd.Series, None, date, date]:
    """84 pre-period days, log-scale AR(1) deviations (innovation sd `sd`), Poisson counts."""
    n, start = 84 + days, date(2026, 1, 5)
    dates = [start + timedelta(days=i) for i in range(n)]
    shock = np.zeros(n)
    for t in range(1, n):
        shock[t] = phi * shock[t - 1] + rng.normal(0, sd)
    mu = np.exp(np.log(level) + np.cumsum(rng.normal(0, 0.005, n)) + WEEKLY[np.arange(n) % 7] + shock)
    return pd.Series(rng.poisson(mu), index=dates, dtype=float), None, dates[84], dates[-1]


def alarms(y: pd.Series, x: pd.DataFrame | None, start: date, end: date, i: int) -> tuple[bool, bool]:
    """Whether the model's 95% interval, and the interval widened by placebos on the pre-period
    (as campaigns.observational does: windows of the campaign's length a week apart), exclude 0."""
    fit = causal.counterfactual(y, x, start, end, n_paths=400, seed=i)
    pre = y.index < start
    windows = causal.placebo_windows(pd.Series(True, index=y.index[pre]), fit.during.days, 28, 40, 7, 1)
    placebos = causal.placebos(y[pre], None if x is None else x[pre], windows, 84, n_paths=200,
                               log_scale=fit.log_scale)
    model, widened = fit.during, causal.widened(fit.during, causal.placebo_scale(placebos))
    return (not model.abs_low <= 0 <= model.abs_high), (not widened.abs_low <= 0 <= widened.abs_high)


def rate(make, runs: int, seed: int) -> str:
    rng = np.random.default_rng(seed)
    counts = np.zeros(2, int)
    for i in range(runs):
        counts += alarms(*make(rng, i), i)

    def share(k: int) -> str:
        ci = stats.binomtest(int(k), runs).proportion_ci(0.95)
        return f"{k}/{runs} = {k / runs:.1%} [{ci.low:.1%}, {ci.high:.1%}]"

    return f"model {share(counts[0])}; widened by placebos {share(counts[1])} (nominal 5%)"


def main() -> int:
    cases = {
        "National Day, holiday +/-30%": lambda rng, i: national_day(rng, 0.3 if i % 2 else -0.3),
        "AR(1) phi 0.6 sd 0.05, 4-day, level 200": lambda rng, i: ar_shocks(rng, 4),
        "AR(1) phi 0.6 sd 0.05, 7-day, level 200": lambda rng, i: ar_shocks(rng, 7),
        "AR(1) phi 0.6 sd 0.05, 4-day, level 1000": lambda rng, i: ar_shocks(rng, 4, 1000.0),
    }
    for k, (name, make) in enumerate(cases.items()):
        print(f"{name}: {rate(make, 600, 100 + k)}", flush=True)
    return 0
