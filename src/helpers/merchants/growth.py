"""Which merchants are growing: weekly GMV over the trend weeks, a log-linear fit for the weekly
growth rate, and a trend test (`stats.regression.trend_test`, robust to autocorrelated weeks) before
any sentence says a merchant grows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.stats.regression import ols, trend_test

MIN_WEEKS = 5  # the trend test needs five points
ALPHA = 0.05
COLUMNS = ["merchant_id", "weeks", "growth", "p_value"]


def weekly_growth(weekly: pd.DataFrame, week_starts: list[int], min_weeks: int = MIN_WEEKS) -> pd.DataFrame:
    """Per merchant selling in each of the last `min_weeks` or more trend weeks (every week from
    its first sale in the window on): weeks, growth = exp(slope of ln GMV on the week) - 1, and the
    two-sided p-value of a linear trend in ln GMV. Fastest growth first (ties by id)."""
    wide = (weekly[weekly["wk"].isin(week_starts)].pivot_table(index="merchant_id", columns="wk", values="gmv",
                                                                 aggfunc="sum")
            .reindex(columns=week_starts).fillna(0.0))
    rows = []
    for merchant, series in wide.iterrows():
        values = series.to_numpy(dtype="float64")
        selling = np.flatnonzero(values > 0)
        if not len(selling):
            continue
        run = values[selling[0]:]
        if len(run) < min_weeks or (run <= 0).any():
            continue
        y = np.log(run)
        fit = ols(np.column_stack([np.ones(len(y)), np.arange(len(y), dtype="float64")]), y)
        rows.append({"merchant_id": merchant, "weeks": len(run), "growth": float(np.exp(fit.coefficients[1]) - 1),
                     "p_value": trend_test(y)})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["growth", "merchant_id"], ascending=[False, True], ignore_index=True)


def fastest(growth: pd.DataFrame, hidden: set[str], alpha: float = ALPHA) -> pd.Series | None:
    """The fastest-growing merchant whose upward trend the test finds (p < alpha) and whose figures
    are shown; None when there is none."""
    found = growth[(growth["growth"] > 0) & (growth["p_value"] < alpha) & ~growth["merchant_id"].isin(hidden)]
    return found.iloc[0] if len(found) else None
