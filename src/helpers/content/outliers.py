"""Outlying articles: same-age readers against the readers expected from the article's column,
position and recipients."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.content.history import History, divide
from helpers.stats.regression import ols, treatment_design

MIN_ARTICLES = 10  # observed articles below which no expected readers are fitted
MIN_RESIDUAL_DF = 5


def expected_readers(hist: History, z: float) -> pd.DataFrame | None:
    """Observed articles with their expected same-age readers given column, position and
    recipients: a regression of log((readers + 0.5) / recipients) on column and position (rates
    vary multiplicatively, hence the log scale). `z` = residual / residual standard deviation;
    |z| >= `z` is flagged. None when there are too few articles to fit."""
    obs = hist.observed.copy()
    if len(obs) < MIN_ARTICLES:
        return None
    factors = [c for c in ("column_name", "position_key") if obs[c].nunique() > 1]
    log_rate = np.log((obs["readers_c"] + 0.5) / obs["recipients"])
    fit = ols(treatment_design(obs, factors), log_rate)
    if fit.df_resid < MIN_RESIDUAL_DF:
        return None
    obs["expected_readers"] = obs["recipients"] * np.exp(fit.fitted) - 0.5
    obs["vs_expected"] = divide(obs["readers_c"], obs["expected_readers"])
    obs["z"] = fit.standardized_residuals()
    obs["flagged"] = obs["z"].abs() >= z
    return obs
