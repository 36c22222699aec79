"""Backtest origins know nothing of their future (issue 13 item 7): the log scale and the yearly
profile are decided from the days before each origin only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.stats import backtest as bk
from helpers.stats import forecast_models as models

WEEK = np.array([1.0, 0.95, 0.97, 1.02, 1.1, 1.25, 1.18])


def positive_series(n: int, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=n, freq="D")
    season = 1 + 0.2 * np.sin(2 * np.pi * np.arange(n) / 365.25)
    return pd.Series(100 * season * WEEK[dates.day_of_week] * np.exp(rng.normal(0, 0.05, n)), index=dates)


def test_a_zero_after_an_origin_does_not_change_that_origins_scale():
    """Tiny repro: 120 positive days, then day 110 is 0. Origins (horizon 14, step 7) 85, 92, 99,
    106: the whole series is no longer positive, so the old backtest modelled every origin
    additively; origins 85 and 92 (horizons end on days 98 and 105) saw only positive days and
    must forecast on the log scale exactly as if day 110 were still positive."""
    settings = models.Settings(horizon=14, origins=4, step=7, models=("seasonal_naive", "ets_damped"))
    clean = positive_series(120)
    zeroed = clean.copy()
    zeroed.iloc[110] = 0.0
    a = bk.backtest(models.prepare(clean, None, settings), [85, 92, 99, 106], 14)
    b = bk.backtest(models.prepare(zeroed, None, settings), [85, 92, 99, 106], 14)
    assert not models.prepare(zeroed, None, settings).log
    for model in settings.models:
        np.testing.assert_allclose(b.mean[model][:2], a.mean[model][:2])
        np.testing.assert_allclose(b.z[model][:2], a.z[model][:2])
    # origin 99's horizon holds the zero: a log-scale interval never covers it (an infinite error)
    assert np.isneginf(b.z["seasonal_naive"][2, 110 - 99])


def test_the_yearly_profile_is_used_only_at_origins_with_two_years_behind_them():
    """762 days (span >= 730: yearly profile on for the whole series); origin 692 has 692 days
    behind it, less than two years, so its forecast must equal the one made from the series cut at
    day 720 (span 720: no yearly profile), which ends with origin 692's horizon."""
    settings = models.Settings(horizon=28, origins=1, step=14, models=("seasonal_naive", "ets_damped"))
    y = positive_series(762, seed=3)
    full = models.prepare(y, None, settings)
    cut = models.prepare(y.iloc[:720], None, settings)
    assert full.yearly and not cut.yearly
    a, b = bk.backtest(full, [692], 28), bk.backtest(cut, [692], 28)
    np.testing.assert_allclose(a.mean["ets_damped"], b.mean["ets_damped"])
    np.testing.assert_allclose(a.z["ets_damped"], b.z["ets_damped"])
