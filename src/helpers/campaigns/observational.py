"""Campaigns without a randomized control: a counterfactual model of the daily metric fitted on
the days before the campaign (with placebo windows), or difference-in-differences against a named
comparison group. The statistics are `stats.causal`; the series come from `campaigns.series`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.campaigns import series
from helpers.campaigns.experiment import CI_ALPHA
from helpers.campaigns.params import CampaignEvaluationParams, ComparisonGroup
from helpers.campaigns.queries import Campaign
from helpers.core import calendar
from helpers.core.warehouse import Warehouse, day_number, day_to_date
from helpers.stats import causal

PLACEBO_MIN_PRE_DAYS = 28
PLACEBO_MAX_DAYS = 14
PLACEBO_MAX_WINDOWS = 52  # how far back placebo windows are looked for (params.placebos <= 52)


class MissingDays(ValueError):
    """Days of a campaign (or of the days after it) without the metric's value: WeChat's daily
    statistics may lack a day; its total cannot be compared with the model's."""

    def __init__(self, days: int):
        super().__init__(f"{days} day(s) of the campaign without a value")
        self.days = days


@dataclass
class CounterfactualAnalysis:
    metric: str
    fit: causal.Counterfactual
    history: pd.Series  # the metric over the pre-period and the window (for the chart)
    gmv: causal.Effect | None  # incremental GMV during the campaign
    placebos: pd.DataFrame
    scale: float = 1.0  # how much the placebos widened the intervals (causal.placebo_scale)


@dataclass
class DidAnalysis:
    metric: str
    group: ComparisonGroup
    result: causal.DiffInDiff
    gmv: causal.DiffInDiff | None
    treated: pd.Series
    comparison: pd.Series


def _window(c: Campaign, as_of: int, post_days: int) -> tuple[int, int]:
    """Last campaign day analysed and last after-period day (both <= as_of)."""
    last = c.last_day(as_of)
    after = min(as_of, last + post_days) if not c.running(as_of) else last
    return last, after


def _regressors(wh: Warehouse, c: Campaign, campaigns: list[Campaign], metric: str, lo: int, hi: int,
                covariates: list[str]) -> pd.DataFrame:
    """Calendar (helpers.core.calendar), other campaigns and the chosen covariates, per day; a covariate
    enters as log(1 + value). `other_channels` needs a campaign naming one channel."""
    dates = pd.Index([day_to_date(d) for d in range(lo, hi + 1)])
    frames = [calendar.regressors(dates[0], dates[-1]).set_axis(dates),
              series.campaign_regressors(campaigns, c, dates)]
    for name in covariates:
        if name == "active_users":
            if not series.available(wh, name) or series.source_metric(wh, name) == metric:
                continue  # on WeChat's statistics alone, visitors: not a covariate of themselves
            values = series.daily(wh, "active_users", lo, hi)
        elif c.targets_channel and wh.has("users", "channel"):
            values = series.daily(wh, metric, lo, hi, series.UserGroup("channel", (c.channel,), exclude=True))
        else:
            continue
        frames.append(pd.DataFrame({f"covariate:{name}": np.log1p(values.to_numpy())}, index=dates))
    return pd.concat(frames, axis=1)


def analyse_counterfactual(wh: Warehouse, c: Campaign, campaigns: list[Campaign], as_of: int,
                           params: CampaignEvaluationParams, metric: str) -> CounterfactualAnalysis:
    """Fit on the pre-period, estimate during and after, GMV effect, placebos on earlier days."""
    first = series.first_day(wh, metric)
    last, after = _window(c, as_of, params.post_period_days)
    lo = max(first, c.start_day - params.pre_period_days)
    exog = _regressors(wh, c, campaigns, metric, lo, after, params.covariates)
    y = series.daily(wh, metric, lo, after)
    unseen = int(sum(pd.isna(v) for d, v in y.items() if d >= c.start))
    if unseen:  # WeChat's figures of campaign days are missing: no total to compare
        raise MissingDays(unseen)
    end = day_to_date(last)
    fit = causal.counterfactual(y, exog, c.start, end, CI_ALPHA)
    # Placebos: windows as long as the campaign (at most two weeks) on earlier days free of any
    # other campaign, each fitted on its own pre-period. Windows do not overlap (each is a separate
    # trial; the search slides day by day past other campaigns) and may hold holidays and
    # festivals, where the model is most likely to go wrong; those never seen in their own
    # pre-period are left out by causal.placebos.
    length = min(last - c.start_day + 1, PLACEBO_MAX_DAYS)
    step = 7 * -(-length // 7)
    history_lo = max(first, c.start_day - params.pre_period_days - step * PLACEBO_MAX_WINDOWS - length)
    history_x = _regressors(wh, c, campaigns, metric, history_lo, c.start_day - 1, params.covariates)
    history_y = series.daily(wh, metric, history_lo, c.start_day - 1)
    quiet = (history_x.filter(regex="^campaign:").sum(axis=1) == 0) & history_y.notna().to_numpy()
    windows = causal.placebo_windows(quiet, length, PLACEBO_MIN_PRE_DAYS, params.placebos, step, 1)
    placebos = causal.placebos(history_y, history_x, windows, params.pre_period_days, CI_ALPHA,
                               log_scale=fit.log_scale)
    # The placebos are the model's errors on this series at this length: where they exceed their
    # intervals, every interval of the campaign is widened to match. GMV moves with the metric
    # (orders x basket), so its interval takes the metric's factor rather than a second set of fits.
    scale = causal.placebo_scale(placebos, CI_ALPHA)
    fit = causal.widen(fit, scale)
    if metric == "gmv":
        gmv = fit.during
    else:
        gmv = _gmv_effect(wh, exog, c, lo, after, end)
        gmv = None if gmv is None else causal.widened(gmv, scale)
    return CounterfactualAnalysis(metric, fit, y, gmv, placebos, scale)


def _gmv_effect(wh: Warehouse, exog: pd.DataFrame, c: Campaign, lo: int, after: int, end: object
                ) -> causal.Effect | None:
    """The campaign's effect on daily GMV; None without orders or when GMV never varied before it."""
    if not wh.has("orders"):
        return None
    try:
        return causal.counterfactual(series.daily(wh, "gmv", lo, after), exog, c.start, end, CI_ALPHA).during
    except causal.Unmodelable:
        return None


def analyse_did(wh: Warehouse, c: Campaign, as_of: int, params: CampaignEvaluationParams, metric: str
                ) -> DidAnalysis:
    """Treated against comparison group (parameter comparison_groups) on the metric and on GMV."""
    group = params.comparison_groups[c.campaign_id]
    last, _ = _window(c, as_of, 0)
    window = last - c.start_day + 1
    lo = max(day_number(wh.first_date),
             c.start_day - max(params.pre_period_days, (causal.MIN_DID_WINDOWS + 1) * window))
    treated_group = series.UserGroup(group.column, tuple(group.treated))
    comparison_group = series.UserGroup(group.column, tuple(group.comparison))
    during = np.array([d >= c.start_day for d in range(lo, last + 1)])
    treated = series.daily(wh, metric, lo, last, treated_group)
    comparison = series.daily(wh, metric, lo, last, comparison_group)
    result = causal.diff_in_diff(treated, comparison, during, CI_ALPHA)
    gmv = None
    if metric == "gmv":
        gmv = result
    elif wh.has("orders"):
        gmv = causal.diff_in_diff(series.daily(wh, "gmv", lo, last, treated_group),
                                  series.daily(wh, "gmv", lo, last, comparison_group), during, CI_ALPHA)
    return DidAnalysis(metric, group, result, gmv, treated, comparison)

