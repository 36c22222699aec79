"""Full-size calibration of the forecast intervals (issue 13 items 4 and 8) on simulated
well-specified backtests with correlated errors: y_t = L_t + e_t, L a random walk (sd 0.2 a day),
e_t standard normal, forecasts of the last level seen with the right sd; 4 origins 14 days apart,
28 days ahead, scored on the next origin's days. `python -m benchmarks forecast_calibration`
(~1 min on one core).

Item 8: how often the intervals are recalibrated and what the published intervals then cover, for
model sds right (scale 1) and off (scale 0.7, 1.4, 2). Item 4: weekly-total coverage by week of
the horizon, the correlation estimated by lead (`rho_lead`) or pooled (the old behaviour).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from scipy import stats

from helpers.stats import calibration as cal
from helpers.stats import forecast as fc

STEP, H, ORIGINS, S = 14, 28, 4, 0.2
RUNS = 5000
SD = np.sqrt(np.arange(1, H + 1) * S**2 + 1)


def backtest_z(rng: np.random.Generator, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    n = STEP * ORIGINS + H
    level, noise = np.cumsum(rng.normal(0, S, n + 1)), rng.normal(0, 1, n + 1)
    k = np.arange(1, H + 1)
    z = np.array([(level[o + k - 1] - level[o - 1] + noise[o + k - 1]) / SD
                  for o in 1 + STEP * np.arange(ORIGINS + 1)])
    return scale * z[:ORIGINS], scale * z[ORIGINS]


def recalibration(scale: float) -> None:
    rng = np.random.default_rng(0)
    fired, covered, expected = np.zeros(2), np.zeros(2), np.zeros(2)
    for _ in range(RUNS):
        z, fresh = backtest_z(rng, scale)
        for i, level in enumerate(cal.LEVELS):
            c = cal.calibrate(z, level, 0.25, STEP)
            fired[i] += c.factor != 1.0
            covered[i] += np.mean(np.abs(fresh) <= stats.norm.ppf(0.5 + level / 2) * c.factor)
            expected[i] += c.expected
    for i, level in enumerate(cal.LEVELS):
        k = int(fired[i])
        ci = stats.binomtest(k, RUNS).proportion_ci()
        print(f"  scale {scale:3.1f} {level:.0%}: recalibrated {k / RUNS:6.1%} [{ci.low:.1%}, {ci.high:.1%}]"
              f"  covered {covered[i] / RUNS:6.1%}  expected {expected[i] / RUNS:6.1%}")


def weekly(by_lead: bool) -> None:
    rng = np.random.default_rng(1)
    calibration = {level: cal.Calibration(level, np.nan, 1.0, np.nan) for level in cal.LEVELS}
    hits = np.zeros((2, 4))
    for _ in range(RUNS):
        z, fresh = backtest_z(rng)
        f = fc.SeriesForecast(pd.date_range("2026-11-23", periods=H), np.zeros(H), {}, np.zeros(H), SD,
                              "structural", False, False, {}, calibration, cal.weekly_correlation(z), None,
                              rho_lead=tuple(cal.lead_correlations(z)) if by_lead else ())
        error = fresh * SD
        for w in range(4):
            for i, level in enumerate(cal.LEVELS):
                _, lo, hi = fc.rollup(f, slice(7 * w, 7 * w + 7), level)
                hits[i, w] += lo <= error[7 * w:7 * w + 7].sum() <= hi
    for i, level in enumerate(cal.LEVELS):
        weeks = "  ".join(f"{h / RUNS:6.1%}" for h in hits[i])
        print(f"  {'by lead' if by_lead else 'pooled '} {level:.0%}: weeks 1-4 {weeks}")


def main() -> int:
    start = time.perf_counter()
    print(f"forecast interval recalibration, {RUNS} runs each (item 8)")
    for scale in (1.0, 0.7, 1.4, 2.0):
        recalibration(scale)
    print(f"weekly totals, {RUNS} runs (item 4)")
    weekly(by_lead=False)
    weekly(by_lead=True)
    print(f"forecast_calibration: {time.perf_counter() - start:.0f}s")
    return 0
