"""Each campaign's evaluation: the method its data allows, the numbers it gives, its JSON item.

Method per campaign, in order: `randomized` when `assignments` holds a control and another
variant; `diff_in_diff` when a comparison group is named for it (parameter comparison_groups);
`counterfactual` when enough days precede it; otherwise `none`. Counts come from the family's
SQL modules (`queries`, `type_queries`), the analyses from `experiment` and `observational`.

ROI and ROAS use incremental GMV, i.e. GMV the campaign caused by the method's estimate:
ROAS = incremental GMV / cost and ROI = (incremental GMV x gross margin - cost) / cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from helpers.campaigns import queries as cq
from helpers.campaigns import series
from helpers.campaigns import type_queries as tq
from helpers.campaigns.experiment import Experiment, analyse_experiment
from helpers.campaigns.observational import (
    CounterfactualAnalysis,
    DidAnalysis,
    MissingDays,
    analyse_counterfactual,
    analyse_did,
)
from helpers.campaigns.params import CampaignEvaluationParams
from helpers.campaigns.queries import Campaign
from helpers.core.kpis import platform_only
from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, day_number
from helpers.stats import causal


def finite(x: float | None) -> float | None:
    """A number for the JSON: None when unknown or not finite (a relative lift over zero)."""
    return None if x is None or not math.isfinite(x) else x


Method = Literal["randomized", "counterfactual", "diff_in_diff", "none"]
DAILY_METRICS = ("orders", "gmv", "new_users")


# ---------------------------------------------------------------------------------------------
# One campaign, all campaigns
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reason:
    """Why a method could not be used: a catalog key (ce_reason_...) and its values."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


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
    reason: Reason | None = None  # why a method could not be used
    uncompared: Campaign | None = None  # the previous campaign of the type, when not comparable
    test_reason: Reason | None = None  # why the randomized test its assignments hold cannot be analysed

    @property
    def running(self) -> bool:
        """Still running after the period's last day."""
        return self.campaign.running(self.as_of)

    @property
    def split_broken(self) -> bool:
        """A randomized test whose sample-ratio check failed: its lift (and the return computed
        from it) is not trustworthy until the split is explained, and no verdict is given."""
        return self.experiment is not None and bool(self.experiment.srm.flagged)

    @property
    def cost(self) -> float | None:
        """Cost to date (CNY), None when unknown."""
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
        """Incremental ROAS and ROI (None without incremental GMV or cost)."""
        gmv, cost = self.incremental_gmv(), self.cost
        if gmv is None or not cost:
            return None, None
        return gmv[0] / cost, (gmv[0] * gross_margin - cost) / cost

    def roi_interval(self, gross_margin: float) -> tuple[float | None, float | None]:
        """ROI's 95% interval from the incremental-GMV interval (ROI is increasing in GMV, so the
        interval's ends map to ROI's ends); None without incremental GMV or cost."""
        gmv, cost = self.incremental_gmv(), self.cost
        if gmv is None or not cost:
            return None, None
        return (gmv[1] * gross_margin - cost) / cost, (gmv[2] * gross_margin - cost) / cost

    def item(self, gross_margin: float) -> dict[str, Any]:
        """The campaign's object in the JSON `campaigns` list (report-outputs.md)."""
        lift = {k: finite(v) for k, v in self.lift().items()}
        roas, roi = self.roas_roi(gross_margin)
        roi_low, roi_high = self.roi_interval(gross_margin)
        return {
            "campaign_id": self.campaign.campaign_id, "type": self.campaign.type,
            "method": self.method, "metric": self.metric,
            "lift_abs": lift["abs"], "lift_rel": lift["rel"], "ci_low": lift["low"],
            "ci_high": lift["high"], "p_value": lift["p"],
            "srm_p_value": float(self.experiment.srm.p_value) if self.experiment else None,
            "cost": self.cost, "roas": finite(roas), "roi": finite(roi),
            "roi_low": finite(roi_low), "roi_high": finite(roi_high),
        }


def comparable(wh: Warehouse, prev: Campaign, as_of: int, randomized: bool
               ) -> tuple[Campaign, dict[str, float | None]] | None:
    """An earlier campaign with its scorecard, when it compares with one whose randomization is
    `randomized`: it lies entirely inside the data (one that began before the data would be
    counted in part) and reach means the same for both (assigned users of a randomized test,
    else active users)."""
    prev_randomized = cq.is_randomized(wh, prev) and wh.has("orders") and not platform_only(wh)
    if prev.start_day < day_number(wh.first_date) or prev_randomized != randomized:
        return None
    return prev, cq.scorecard(wh, prev, as_of, prev_randomized)


def evaluate(wh: Warehouse, c: Campaign, campaigns: list[Campaign], as_of: int,
             params: CampaignEvaluationParams) -> Evaluation:
    """One campaign by the strongest method its data allows (see the module docstring)."""
    # A randomized test compares the users of its variants: it needs own tracking.
    randomized = cq.is_randomized(wh, c) and wh.has("orders") and not platform_only(wh)
    card = cq.scorecard(wh, c, as_of, randomized)
    prev = cq.previous_of_type(campaigns, c)
    previous = comparable(wh, prev, as_of, randomized) if prev else None
    e = Evaluation(c, as_of, "none", None, card, previous, uncompared=prev if previous is None else None)
    if randomized:
        users = cq.experiment_users(wh, c, as_of, params.covariate_days)
        control = users["variant"].str.lower() == cq.CONTROL
        if control.any() and (~control).any():
            e.experiment = analyse_experiment(users, c, as_of, params)
            e.method, e.metric = "randomized", e.experiment.primary
            return e
        e.test_reason = Reason("ce_reason_empty_arm")
    return _without_control(wh, e, campaigns, params)


def daily_metric(wh: Warehouse, c: Campaign, params: CampaignEvaluationParams) -> tuple[str | None, Reason | None]:
    """The daily series a campaign without control is evaluated on: its target_metric when it is
    one of DAILY_METRICS (on WeChat's statistics alone also active users or WeChat's visitors and
    new visitors), else the parameter counterfactual_metric, measured on `series.source_metric`.
    On WeChat's statistics alone without orders, paid orders and GMV give way to WeChat's daily
    visitors (the one series every mini-program has); None and why when the data lacks the series."""
    platform = platform_only(wh)
    known = (*DAILY_METRICS, "active_users", *series.AGGREGATES) if platform else DAILY_METRICS
    metric = series.source_metric(wh, c.target_metric if c.target_metric in known else params.counterfactual_metric)
    if metric in ("orders", "gmv") and not wh.has("orders"):
        if not platform:
            return None, Reason("ce_reason_no_orders")
        metric = "visitors"
    return (metric, None) if series.available(wh, metric) else (None, Reason("ce_reason_no_visits"))


def _without_control(wh: Warehouse, e: Evaluation, campaigns: list[Campaign],
                     params: CampaignEvaluationParams) -> Evaluation:
    """Difference-in-differences when a comparison group is named, and the counterfactual model
    when enough days precede the campaign and the metric varies before it."""
    c = e.campaign
    metric, e.reason = daily_metric(wh, c, params)
    if metric is None:
        return e
    if c.campaign_id in params.comparison_groups and platform_only(wh):
        e.reason = Reason("ce_reason_did_needs_events")
    elif c.campaign_id in params.comparison_groups:
        try:
            e.did = analyse_did(wh, c, e.as_of, params, metric)
            e.method, e.metric = "diff_in_diff", metric
        except ValueError as exc:
            e.reason = Reason("ce_reason_did", {"error": str(exc)})
    pre_days = c.start_day - max(series.first_day(wh, metric), c.start_day - params.pre_period_days)
    if pre_days < causal.MIN_PRE_DAYS:
        if e.method == "none":
            e.reason = Reason("ce_reason_short_history", {"days": max(pre_days, 0),
                                                          "needed": causal.MIN_PRE_DAYS})
        return e
    try:
        e.counterfactual = analyse_counterfactual(wh, c, campaigns, e.as_of, params, metric)
    except causal.Unmodelable:
        e.reason = Reason("ce_reason_constant")
        return e
    except MissingDays as gap:
        e.reason = Reason("ce_reason_missing_days", {"days": gap.days})
        return e
    if e.method == "none":
        e.method, e.metric = "counterfactual", metric
    return e


def select(wh: Warehouse, period: Period, params: CampaignEvaluationParams) -> list[Campaign]:
    """The campaigns to evaluate: those named by the parameter, else those running in the period."""
    every = cq.load_campaigns(wh)
    if params.campaigns:
        known = {c.campaign_id: c for c in every}
        unknown = [cid for cid in params.campaigns if cid not in known]
        if unknown:
            raise ValueError(f"campaigns {', '.join(unknown)} are not in the campaigns table "
                             f"(known: {', '.join(known) or 'none'})")
        return [known[cid] for cid in params.campaigns if known[cid].start_day <= day_number(period.end)]
    return cq.active(every, day_number(period.start), day_number(period.end))


def evaluate_all(wh: Warehouse, period: Period, params: CampaignEvaluationParams) -> list[Evaluation]:
    """Evaluations of the selected campaigns, as of the period's last day."""
    every = cq.load_campaigns(wh)
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
    """The figures the campaign's type calls for (a coupon's redemption, a group-buy's groups...)."""
    c, as_of = e.campaign, e.as_of
    tagged = tq.tagged_events(wh, c, as_of)
    is_coupon = c.type == "coupon" or "coupon_claim" in set(tagged["event"])
    group_buy = tq.group_buy_stats(wh, c, as_of, params.group_min_size) if c.type == "group_buy" else None
    referral = tq.referral_stats(wh, c, as_of, e.cost) if c.type in ("fission", "referral") else None
    randomized = e.method == "randomized"
    coupon = tq.coupon_stats(wh, c, as_of, randomized) if is_coupon else None
    repeat = tq.repeat_purchase(wh, c, as_of, params.repeat_days, randomized)
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
        "(paid orders), gmv (CNY) or new_users summed over the campaign days; on WeChat's "
        "statistics without user-level events, the counterfactual is fitted on the daily totals and "
        "metric is visitors or new_visitors (WeChat's daily visit_uv or visit_uv_new of the whole "
        "mini-program, summed over the campaign days), orders or gmv (every paid order). "
        "lift_rel = lift_abs "
        "/ control (or counterfactual), a relative change. ci_low, ci_high: 95% interval of "
        "lift_abs; for randomized campaigns still running, an always-valid sequential interval "
        "(asymptotic confidence sequence) that stays valid at every weekly look, and p_value "
        "is the matching always-valid p-value; counterfactual intervals and p-values come from "
        "simulated paths of the model, widened when the same model's errors on earlier placebo "
        "windows of the campaign's length exceed their own intervals. srm_p_value: chi-square "
        "test of users per variant against the intended split (randomized only; < 0.001 means "
        "the split is broken). cost: "
        "spend rows tagged with the campaign, else campaigns.cost (pro rata to the days elapsed "
        "while running), CNY. roas = incremental GMV / cost; roi = (incremental GMV x "
        "gross_margin - cost) / cost, with incremental GMV the GMV the method attributes to the "
        "campaign (randomized: revenue-per-user lift x treated users); null when not computable. "
        "roi_low, roi_high: 95% interval of roi, the same formula applied to the ends of the "
        "incremental-GMV interval; an interval holding 0 means the return is not determined."),
}
