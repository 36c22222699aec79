"""A randomized campaign's test: sample-ratio check, lifts (CUPED, delta method, Holm, sequential
while it runs), guardrails and power, from the users of `queries.experiment_users`; the
statistics are `stats.experiments`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import pandas as pd

from helpers.campaigns.params import CampaignEvaluationParams
from helpers.campaigns.queries import CONTROL, Campaign
from helpers.stats import experiments as ex

LEVEL = 0.95  # intervals are 95% (report-outputs); `alpha` is the significance level
CI_ALPHA = 1 - LEVEL

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
        """The lift row of a metric (of one variant, else the first)."""
        return next((r for r in self.rows if r.metric == metric
                     and (variant is None or r.variant == variant)), None)


def intended_shares(variants: list[str], holdout: float | None, split: dict[str, float]
                    ) -> dict[str, float]:
    """The planned split: the holdout share for control and the rest equally; else the parameter;
    else equal shares."""
    if split and set(split) == set(variants):
        return split
    if holdout is not None and 0 < holdout < 1:
        others = [v for v in variants if v.lower() != CONTROL]
        return {v: holdout if v.lower() == CONTROL else (1 - holdout) / len(others) for v in variants}
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
    names = sorted(users["variant"].unique(), key=lambda v: (v.lower() != CONTROL, v))
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
        # Power of the interval the report reads: the sequential one while the test runs.
        power = ex.power_analysis(_moments(control, column, None), _moments(arm, column, None),
                                  params.planned_lift_rel, days, params.alpha, params.power,
                                  params.sequential_tuning_users if running else None)
    return Experiment(variants, srm, rows, primary, power, running, days, params.covariate_days,
                      unfollows_tracked, float(counts[1]) if len(counts) > 1 else 0.0)

