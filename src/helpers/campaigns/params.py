"""Parameters of the campaign-evaluation report (params/campaign_evaluation.yaml)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from helpers.core.params import ParamsModel, SharedParams


class ComparisonGroup(ParamsModel):
    """Difference-in-differences groups: users whose `column` is one of `treated` against users
    whose `column` is one of `comparison` (values compared as text, e.g. 'true' for is_follower)."""

    column: Literal["channel", "scene", "gender", "age_band", "province", "city", "platform",
                    "is_follower"]
    treated: list[str] = Field(min_length=1)
    comparison: list[str] = Field(min_length=1)

    @field_validator("comparison")
    @classmethod
    def _disjoint(cls, comparison: list[str], info: Any) -> list[str]:
        if set(comparison) & set(info.data.get("treated", [])):
            raise ValueError("a value cannot be in both the treated and the comparison group")
        return comparison


class CampaignEvaluationParams(SharedParams):
    """Campaign scorecards, randomized tests, campaigns without control, channels."""

    campaigns: list[str] = Field(default_factory=list, description="campaign_ids to evaluate; "
                                 "empty = every campaign running during the period")
    gross_margin: float = Field(0.4, gt=0, le=1, description="gross margin on GMV used by ROI")
    alpha: float = Field(0.05, gt=0, le=0.2, description="significance level (intervals are 95%)")
    power: float = Field(0.8, ge=0.5, lt=1, description="power for the minimum detectable effect")
    planned_lift_rel: float = Field(0.1, gt=0, le=10, description="relative lift a test is planned "
                                    "to detect (days still needed)")
    primary_metric: Literal["conversion", "revenue_per_user", "orders_per_user"] = Field(
        "conversion", description="a test's primary metric when its target_metric is not one")
    cuped: bool = Field(True, description="adjust test metrics for their pre-period value (CUPED)")
    covariate_days: int = Field(28, ge=7, le=365, description="pre-period of the CUPED covariate")
    sequential_tuning_users: int = Field(10_000, ge=100, le=100_000_000, description="users at "
                                         "which the sequential interval of a running test is tightest")
    guardrails: list[Literal["refund_rate", "unfollow_rate"]] = Field(
        default_factory=lambda: ["refund_rate", "unfollow_rate"], description="guardrail metrics")
    intended_split: dict[str, float] = Field(default_factory=dict, description="variant -> share "
                                             "when the campaign has no holdout; default equal")
    counterfactual_metric: Literal["orders", "gmv", "new_users"] = Field(
        "orders", description="daily metric of a campaign without control when its target_metric "
        "is not one")
    pre_period_days: int = Field(84, ge=28, le=730, description="days before a campaign the "
                                 "counterfactual model is fitted on")
    post_period_days: int = Field(7, ge=0, le=60, description="days after a campaign checked for "
                                  "lasting effects")
    covariates: list[Literal["active_users", "other_channels"]] = Field(
        default_factory=list, description="extra regressors of the counterfactual model")
    placebos: int = Field(40, ge=0, le=52, description=(
        "placebo windows before the campaign (at least 19 to rule out a 15% false-alarm rate)"))
    comparison_groups: dict[str, ComparisonGroup] = Field(
        default_factory=dict, description="campaign_id -> difference-in-differences groups")
    repeat_days: int = Field(30, ge=7, le=180, description="repeat purchase window (days)")
    group_min_size: int = Field(2, ge=2, le=100, description="paid orders that complete a group-buy")

    @field_validator("intended_split")
    @classmethod
    def _shares(cls, split: dict[str, float]) -> dict[str, float]:
        if split and (any(v <= 0 for v in split.values()) or abs(sum(split.values()) - 1) > 1e-6):
            raise ValueError("shares must be positive and add up to 1")
        return split
