"""Each campaign's evaluation: the method its data allows, the numbers it gives, its JSON item.

Method per campaign, in order: `randomized` when `assignments` holds a control and another
variant; `diff_in_diff` when a comparison group is named for it (parameter comparison_groups);
`counterfactual` when enough days precede it; otherwise `none`. Counts come from
`metrics.campaigns` (SQL), statistics from `stats.experiments` and `stats.causal`.

ROI and ROAS use incremental GMV, i.e. GMV the campaign caused by the method's estimate:
ROAS = incremental GMV / cost and ROI = (incremental GMV x gross margin - cost) / cost.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from helpers.core import calendar
from helpers.campaigns.params import CampaignEvaluationParams, ComparisonGroup
from helpers.metrics import campaigns as cm
from helpers.metrics.campaigns import Campaign
from helpers.core.periods import Period
from helpers.stats import causal
from helpers.stats import experiments as ex
from helpers.core.warehouse import Warehouse, day_number, day_to_date

Method = Literal["randomized", "counterfactual", "diff_in_diff", "none"]
LEVEL = 0.95  # intervals are 95% (report-outputs); `alpha` is the significance level
CI_ALPHA = 1 - LEVEL
PLACEBO_MIN_PRE_DAYS = 28
PLACEBO_MAX_DAYS = 14

# Test metrics: (key, estimator "mean" or "ratio", numerator column, denominator column, CUPED covariate)
TEST_METRICS: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    ("conversion", "mean", "converted", None, "pre_converted"),
    ("revenue_per_user", "mean", "revenue", None, "pre_revenue"),
    ("orders_per_user", "mean", "orders", None, "pre_orders"),
    ("aov", "ratio", "revenue", "orders", None),
)
_TEST = {m[0]: m for m in TEST_METRICS}
GUARDRAILS: dict[str, tuple[str, str, str | None, str | None]] = {
    "refund_rate": ("ratio", "refunded", "placed", None),
    "unfollow_rate": ("mean", "unfollowed", None, None),
}
TARGET_TO_TEST_METRIC = {"conversion": "conversion", "revenue_per_user": "revenue_per_user",
                         "gmv": "revenue_per_user", "orders_per_user": "orders_per_user",
                         "orders": "orders_per_user", "aov": "aov"}
DAILY_METRICS = ("orders", "gmv", "new_users")


# ---------------------------------------------------------------------------------------------
# Randomized
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LiftRow:
    metric: str
    kind: Literal["primary", "secondary", "guardrail"]
    variant: str
    fixed: ex.Lift  # fixed-horizon (valid at the planned end of the test)
    reported: ex.Lift  # sequential while the test runs, else the fixed one
    narrowing: float | None  # CUPED: how much narrower the interval got (None: not adjusted)
    p_holm: float | None = None  # Holm-adjusted over the primary and secondary rows


@dataclass
class Experiment:
    variants: pd.DataFrame  # variant, users, share, intended
    srm: ex.Srm
    rows: list[LiftRow]
    primary: str
    power: ex.Power | None
    running: bool
    days: int
    cuped_covariate_days: int
    unfollows_tracked: bool
    treated_users: float  # users in the first non-control variant

    def row(self, metric: str, variant: str | None = None) -> LiftRow | None:
        return next((r for r in self.rows if r.metric == metric
                     and (variant is None or r.variant == variant)), None)


def intended_shares(variants: list[str], holdout: float | None, split: dict[str, float]
                    ) -> dict[str, float]:
    """The planned split: the holdout share for control and the rest equally; else the parameter;
    else equal shares."""
    if split and set(split) == set(variants):
        return split
    if holdout is not None and 0 < holdout < 1:
        others = [v for v in variants if v.lower() != cm.CONTROL]
        return {v: holdout if v.lower() == cm.CONTROL else (1 - holdout) / len(others) for v in variants}
    return {v: 1 / len(variants) for v in variants}


def _moments(frame: pd.DataFrame, y: str, x: str | None) -> ex.Moments:
    return ex.Moments.of(frame[y].to_numpy(), None if x is None else frame[x].to_numpy())


def _lift_row(metric: str, kind: str, how: str, y: str, x: str | None, covariate: str | None,
              control: pd.DataFrame, arm: pd.DataFrame, variant: str, params: CampaignEvaluationParams,
              running: bool) -> LiftRow:
    if how == "ratio":
        fixed, narrowing = ex.ratio_difference(_moments(control, y, x), _moments(arm, y, x), CI_ALPHA), None
    elif covariate and params.cuped and control[covariate].var() + arm[covariate].var() > 0:
        adjusted = ex.cuped(_moments(control, y, covariate), _moments(arm, y, covariate), CI_ALPHA)
        fixed, narrowing = adjusted.lift, float(adjusted.narrowing)
    else:
        fixed, narrowing = ex.mean_difference(_moments(control, y, None), _moments(arm, y, None),
                                              CI_ALPHA), None
    reported = ex.sequential(fixed, params.sequential_tuning_users) if running else fixed
    return LiftRow(metric, kind, variant, fixed, reported, narrowing)


def analyse_experiment(users: pd.DataFrame, c: Campaign, as_of: int, params: CampaignEvaluationParams
                       ) -> Experiment:
    """SRM, lifts (CUPED, delta method, Holm, sequential while running), guardrails and power."""
    names = sorted(users["variant"].unique(), key=lambda v: (v.lower() != cm.CONTROL, v))
    counts = users["variant"].value_counts().reindex(names).to_numpy(float)
    intended = intended_shares(names, c.holdout, params.intended_split)
    srm = ex.sample_ratio_mismatch(counts, [intended[v] for v in names])
    variants = pd.DataFrame({"variant": names, "users": counts, "share": counts / counts.sum(),
                             "intended": [intended[v] for v in names]})
    control = users[users["variant"] == names[0]]
    running = c.running(as_of)
    primary = TARGET_TO_TEST_METRIC.get(c.target_metric or "", params.primary_metric)
    unfollows_tracked = bool(users["unfollowed"].notna().all())
    rows: list[LiftRow] = []
    for variant in names[1:]:
        arm = users[users["variant"] == variant]
        for metric, how, y, x, covariate in TEST_METRICS:
            kind = "primary" if metric == primary else "secondary"
            rows.append(_lift_row(metric, kind, how, y, x, covariate, control, arm, variant, params,
                                  running))
        for metric in params.guardrails:
            if metric == "unfollow_rate" and not unfollows_tracked:
                continue
            how, y, x, covariate = GUARDRAILS[metric]
            rows.append(_lift_row(metric, "guardrail", how, y, x, covariate, control, arm, variant,
                                  params, running))
    family = [i for i, r in enumerate(rows) if r.kind != "guardrail"]
    adjusted, _ = ex.holm([float(rows[i].reported.p_value) for i in family], params.alpha)
    for i, p in zip(family, adjusted, strict=True):
        rows[i] = replace(rows[i], p_holm=float(p))
    days = c.days(as_of)
    _, how, column, _, _ = _TEST[primary]
    power = None
    if len(names) > 1 and how == "mean":
        arm = users[users["variant"] == names[1]]
        power = ex.power_analysis(_moments(control, column, None), _moments(arm, column, None),
                                  params.planned_lift_rel, days, params.alpha, params.power)
    return Experiment(variants, srm, rows, primary, power, running, days, params.covariate_days,
                      unfollows_tracked, float(counts[1]) if len(counts) > 1 else 0.0)


# ---------------------------------------------------------------------------------------------
# Without control: counterfactual and difference-in-differences
# ---------------------------------------------------------------------------------------------

@dataclass
class CounterfactualAnalysis:
    metric: str
    fit: causal.Counterfactual
    history: pd.Series  # the metric over the pre-period and the window (for the chart)
    gmv: causal.Effect | None  # incremental GMV during the campaign
    placebos: pd.DataFrame


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
              cm.campaign_regressors(campaigns, c, dates)]
    for name in covariates:
        if name == "active_users":
            series = cm.daily(wh, "active_users", lo, hi)
        elif c.targets_channel and wh.has("users", "channel"):
            series = cm.daily(wh, metric, lo, hi, cm.UserGroup("channel", (c.channel,), exclude=True))
        else:
            continue
        frames.append(pd.DataFrame({f"covariate:{name}": np.log1p(series.to_numpy())}, index=dates))
    return pd.concat(frames, axis=1)


def analyse_counterfactual(wh: Warehouse, c: Campaign, campaigns: list[Campaign], as_of: int,
                           params: CampaignEvaluationParams, metric: str) -> CounterfactualAnalysis:
    """Fit on the pre-period, estimate during and after, GMV effect, placebos on earlier days."""
    first = day_number(wh.first_date)
    last, after = _window(c, as_of, params.post_period_days)
    lo = max(first, c.start_day - params.pre_period_days)
    exog = _regressors(wh, c, campaigns, metric, lo, after, params.covariates)
    y = cm.daily(wh, metric, lo, after)
    end = day_to_date(last)
    fit = causal.counterfactual(y, exog, c.start, end, CI_ALPHA)
    gmv = None
    if metric == "gmv":
        gmv = fit.during
    elif wh.has("orders"):
        gmv = causal.counterfactual(cm.daily(wh, "gmv", lo, after), exog, c.start, end, CI_ALPHA).during
    # Placebos: windows as long as the campaign (at most two weeks) on earlier days free of any
    # campaign or shopping festival, each fitted on its own pre-period.
    history_lo = max(first, c.start_day - params.pre_period_days - 7 * params.placebos - 28)
    history_x = _regressors(wh, c, campaigns, metric, history_lo, c.start_day - 1, params.covariates)
    quiet = history_x.filter(regex="^(campaign:|festival_|presale_)").sum(axis=1) == 0
    length = min(last - c.start_day + 1, PLACEBO_MAX_DAYS)
    windows = causal.placebo_windows(quiet, length, PLACEBO_MIN_PRE_DAYS, params.placebos)
    placebos = causal.placebos(cm.daily(wh, metric, history_lo, c.start_day - 1), history_x, windows,
                               params.pre_period_days, CI_ALPHA, log_scale=fit.log_scale)
    return CounterfactualAnalysis(metric, fit, y, gmv, placebos)


def analyse_did(wh: Warehouse, c: Campaign, as_of: int, params: CampaignEvaluationParams, metric: str
                ) -> DidAnalysis:
    group = params.comparison_groups[c.campaign_id]
    last, _ = _window(c, as_of, 0)
    window = last - c.start_day + 1
    lo = max(day_number(wh.first_date),
             c.start_day - max(params.pre_period_days, (causal.MIN_DID_WINDOWS + 1) * window))
    treated_group = cm.UserGroup(group.column, tuple(group.treated))
    comparison_group = cm.UserGroup(group.column, tuple(group.comparison))
    during = np.array([d >= c.start_day for d in range(lo, last + 1)])
    treated = cm.daily(wh, metric, lo, last, treated_group)
    comparison = cm.daily(wh, metric, lo, last, comparison_group)
    result = causal.diff_in_diff(treated, comparison, during, CI_ALPHA)
    gmv = None
    if metric == "gmv":
        gmv = result
    elif wh.has("orders"):
        gmv = causal.diff_in_diff(cm.daily(wh, "gmv", lo, last, treated_group),
                                  cm.daily(wh, "gmv", lo, last, comparison_group), during, CI_ALPHA)
    return DidAnalysis(metric, group, result, gmv, treated, comparison)


# ---------------------------------------------------------------------------------------------
# One campaign, all campaigns
# ---------------------------------------------------------------------------------------------

@dataclass
class Evaluation:
    campaign: Campaign
    as_of: int
    method: Method
    metric: str | None
    card: dict[str, float | None]
    previous: tuple[Campaign, dict[str, float | None]] | None
    experiment: Experiment | None = None
    counterfactual: CounterfactualAnalysis | None = None
    did: DidAnalysis | None = None
    reason: tuple[str, str] | None = None  # (zh, en): why a method could not be used

    @property
    def running(self) -> bool:
        return self.campaign.running(self.as_of)

    @property
    def cost(self) -> float | None:
        return self.card.get("cost")

    def _estimates(self) -> tuple[causal.Effect | causal.DiffInDiff | None, causal.Effect | causal.DiffInDiff | None]:
        """The method's effect on its metric and on GMV (counterfactual / difference-in-differences)."""
        if self.method == "diff_in_diff":
            return self.did.result, self.did.gmv
        if self.method == "counterfactual":
            return self.counterfactual.fit.during, self.counterfactual.gmv
        return None, None

    def lift(self) -> dict[str, float | None]:
        """The headline estimate: abs, rel, low, high (of abs, 95%), p."""
        empty = dict.fromkeys(("abs", "rel", "low", "high", "p"))
        if self.experiment is not None:
            row = self.experiment.row(self.experiment.primary)
            if row is None:
                return empty
            r = row.reported
            return {"abs": float(r.abs), "rel": float(r.rel), "low": float(r.abs_low),
                    "high": float(r.abs_high), "p": float(r.p_value)}
        estimate, _ = self._estimates()
        if estimate is None:
            return empty
        return {"abs": estimate.abs, "rel": estimate.rel, "low": estimate.abs_low,
                "high": estimate.abs_high, "p": estimate.p_value}

    def incremental_gmv(self) -> tuple[float, float, float] | None:
        """GMV caused by the campaign (estimate, low, high; 95%)."""
        if self.experiment is not None:
            row = self.experiment.row("revenue_per_user")
            if row is None:
                return None
            n, r = self.experiment.treated_users, row.reported
            return float(r.abs) * n, float(r.abs_low) * n, float(r.abs_high) * n
        _, gmv = self._estimates()
        return None if gmv is None else (gmv.abs, gmv.abs_low, gmv.abs_high)

    def roas_roi(self, gross_margin: float) -> tuple[float | None, float | None]:
        gmv, cost = self.incremental_gmv(), self.cost
        if gmv is None or not cost:
            return None, None
        return gmv[0] / cost, (gmv[0] * gross_margin - cost) / cost

    def item(self, gross_margin: float) -> dict[str, Any]:
        """The campaign's object in the JSON `campaigns` list (report-outputs.md)."""
        lift = self.lift()
        roas, roi = self.roas_roi(gross_margin)
        return {
            "campaign_id": self.campaign.campaign_id, "type": self.campaign.type,
            "method": self.method, "metric": self.metric,
            "lift_abs": lift["abs"], "lift_rel": lift["rel"], "ci_low": lift["low"],
            "ci_high": lift["high"], "p_value": lift["p"],
            "srm_p_value": float(self.experiment.srm.p_value) if self.experiment else None,
            "cost": self.cost, "roas": roas, "roi": roi,
        }


def evaluate(wh: Warehouse, c: Campaign, campaigns: list[Campaign], as_of: int,
             params: CampaignEvaluationParams) -> Evaluation:
    randomized = cm.is_randomized(wh, c) and wh.has("orders")
    card = cm.scorecard(wh, c, as_of, randomized)
    prev = cm.previous_of_type(campaigns, c)
    previous = (prev, cm.scorecard(wh, prev, as_of, cm.is_randomized(wh, prev))) if prev else None
    e = Evaluation(c, as_of, "none", None, card, previous)
    if randomized:
        e.experiment = analyse_experiment(cm.experiment_users(wh, c, as_of, params.covariate_days),
                                          c, as_of, params)
        e.method, e.metric = "randomized", e.experiment.primary
        return e
    metric = c.target_metric if c.target_metric in DAILY_METRICS else params.counterfactual_metric
    if metric in ("orders", "gmv") and not wh.has("orders"):
        e.reason = ("数据源没有订单表", "the data source has no orders table")
        return e
    if c.campaign_id in params.comparison_groups:
        try:
            e.did = analyse_did(wh, c, as_of, params, metric)
            e.method, e.metric = "diff_in_diff", metric
        except ValueError as exc:
            e.reason = ("双重差分所需的活动前数据不足", f"difference-in-differences: {exc}")
    pre_days = c.start_day - max(day_number(wh.first_date), c.start_day - params.pre_period_days)
    if pre_days >= causal.MIN_PRE_DAYS:
        e.counterfactual = analyse_counterfactual(wh, c, campaigns, as_of, params, metric)
        if e.method == "none":
            e.method, e.metric = "counterfactual", metric
    elif e.method == "none":
        days = max(pre_days, 0)
        e.reason = (f"活动开始前只有 {days} 天数据（至少需要 {causal.MIN_PRE_DAYS} 天）",
                    f"only {days} days of data before the campaign (at least {causal.MIN_PRE_DAYS} needed)")
    return e


def select(wh: Warehouse, period: Period, params: CampaignEvaluationParams) -> list[Campaign]:
    """The campaigns to evaluate: those named by the parameter, else those running in the period."""
    every = cm.load_campaigns(wh)
    if params.campaigns:
        known = {c.campaign_id: c for c in every}
        unknown = [cid for cid in params.campaigns if cid not in known]
        if unknown:
            raise ValueError(f"campaigns {', '.join(unknown)} are not in the campaigns table "
                             f"(known: {', '.join(known) or 'none'})")
        return [known[cid] for cid in params.campaigns if known[cid].start_day <= day_number(period.end)]
    return cm.active(every, day_number(period.start), day_number(period.end))


def evaluate_all(wh: Warehouse, period: Period, params: CampaignEvaluationParams) -> list[Evaluation]:
    """Evaluations of the selected campaigns, as of the period's last day."""
    every = cm.load_campaigns(wh)
    as_of = day_number(min(period.end, wh.last_date))
    return [evaluate(wh, c, every, as_of, params) for c in select(wh, period, params)]


@dataclass
class Specifics:
    """Campaign-type details: tagged events, and coupon / group-buy / referral figures when the
    campaign is of that kind; repeat purchase of the users it brought in."""

    tagged: pd.DataFrame
    coupon: dict[str, float | None] | None
    group_buy: dict[str, float | None] | None
    referral: dict[str, float | None] | None
    repeat: pd.DataFrame


def specifics(wh: Warehouse, e: Evaluation, params: CampaignEvaluationParams) -> Specifics:
    c, as_of = e.campaign, e.as_of
    tagged = cm.tagged_events(wh, c, as_of)
    is_coupon = c.type == "coupon" or "coupon_claim" in set(tagged["event"])
    group_buy = cm.group_buy_stats(wh, c, as_of, params.group_min_size) if c.type == "group_buy" else None
    referral = cm.referral_stats(wh, c, as_of, e.cost) if c.type in ("fission", "referral") else None
    randomized = e.method == "randomized"
    coupon = cm.coupon_stats(wh, c, as_of, randomized) if is_coupon else None
    repeat = cm.repeat_purchase(wh, c, as_of, params.repeat_days, randomized)
    return Specifics(tagged, coupon, group_buy or None, referral, repeat)


DEFINITIONS = {
    "campaigns": (
        "one object per campaign evaluated (by default every campaign running during the period), "
        "as of the period's last day. method: randomized (assignments with a control variant: "
        "treatment - control), diff_in_diff (a comparison group named in the parameters), "
        "counterfactual (a model of the daily metric fitted on the days before the campaign: "
        "actual - predicted over the campaign days), none (not enough data). metric: the metric "
        "of lift_abs: conversion (share of assigned users with a paid order from assignment to "
        "the end of the test or period; lift_abs in fractions, i.e. points / 100), "
        "revenue_per_user (CNY), orders_per_user, or, for counterfactual and diff_in_diff, orders "
        "(paid orders), gmv (CNY) or new_users summed over the campaign days. lift_rel = lift_abs "
        "/ control (or counterfactual), a relative change. ci_low, ci_high: 95% interval of "
        "lift_abs; for randomized campaigns still running, an always-valid sequential interval "
        "(asymptotic confidence sequence) that stays valid at every weekly look, and p_value "
        "is the matching always-valid p-value; counterfactual intervals and p-values come from "
        "simulated paths of the model. srm_p_value: chi-square test of users per variant "
        "against the intended split (randomized only; < 0.001 means the split is broken). cost: "
        "spend rows tagged with the campaign, else campaigns.cost (pro rata to the days elapsed "
        "while running), CNY. roas = incremental GMV / cost; roi = (incremental GMV x "
        "gross_margin - cost) / cost, with incremental GMV the GMV the method attributes to the "
        "campaign (randomized: revenue-per-user lift x treated users); null when not computable."),
}
