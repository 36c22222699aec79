"""Parameters of the user-analysis report (params/user_analysis.yaml)."""

from __future__ import annotations

from itertools import pairwise
from typing import Literal

from pydantic import Field, field_validator

from helpers.core.params import SharedParams
from helpers.users.funnel import DEFAULT_STEPS as DEFAULT_FUNNEL
from helpers.users.lifecycle import PyramidRules
from helpers.users.rfm import FREQUENCY_THRESHOLDS


class UserAnalysisParams(SharedParams):
    """Growth, activity, retention, lifecycle, value, portrait, funnel, referral."""

    chart_weeks: int = Field(8, ge=2, le=52, description="weeks shown in trend charts")
    cohort_weeks: int = Field(10, ge=2, le=52, description="weekly cohorts in the retention table")
    retention_mode: Literal["exact", "on_or_after"] = Field(
        "exact", description="exact: active on day k; on_or_after: on day k or any later day")
    churn_days: int = Field(3, ge=1, le=60, description="churn risk: no activity for this many days")
    heatmap_weeks: int = Field(4, ge=1, le=26, description="weeks averaged in the activity heatmap")
    funnel_steps: list[str] = Field(
        default_factory=lambda: list(DEFAULT_FUNNEL), min_length=2, max_length=10,
        description="event names, in order")
    funnel_window_hours: float = Field(24, gt=0, le=24 * 30,
                                       description="each user's conversion window from step 1")
    pyramid: PyramidRules = Field(default_factory=PyramidRules)
    rfm_window_days: int = Field(365, ge=30, le=1095, description="purchases scored by RFM")
    rfm_bins: int = Field(5, ge=3, le=10, description="score levels of R and M (percentile ranks)")
    rfm_frequency_thresholds: list[int] = Field(
        default_factory=lambda: list(FREQUENCY_THRESHOLDS), min_length=1, max_length=9,
        description="paid orders in the RFM window at which F rises a level; the default [2, 3] gives "
                    "F1 = 1 order, F2 = 2 orders, F3 = 3 or more")
    clv_horizon_days: int = Field(90, ge=7, le=730, description="CLV prediction horizon")
    clv_holdout_weeks: int = Field(8, ge=2, le=26, description="weeks held out to check the CLV model")
    top_referrers: int = Field(10, ge=0, le=50, description="referrers listed (by pseudonym only)")
    # WeChat's own statistics (tables mp_*) and the reconciliation with own tracking
    wechat_retention_days: int = Field(35, ge=7, le=90,
                                       description="daily cohorts shown in WeChat's retention table")
    top_pages: int = Field(10, ge=1, le=50, description="pages listed in the top pages tables")
    reconcile_weeks: int = Field(4, ge=1, le=26, description="weeks whose days set the typical gap")
    reconcile_tolerance: float = Field(
        0.15, gt=0, lt=1, description="a day is flagged when own/WeChat is off the window's typical ratio "
                                      "by more than this fraction")
    reconcile_min_count: int = Field(100, ge=1, description="days (pages) under this WeChat count are shown, "
                                                            "not judged")

    @field_validator("funnel_steps")
    @classmethod
    def _distinct_steps(cls, steps: list[str]) -> list[str]:
        if any(not s.strip() for s in steps) or len(set(steps)) != len(steps):
            raise ValueError("funnel steps must be distinct, non-empty event names")
        return steps

    @field_validator("rfm_frequency_thresholds")
    @classmethod
    def _rising_thresholds(cls, thresholds: list[int]) -> list[int]:
        if thresholds[0] < 2 or any(b <= a for a, b in pairwise(thresholds)):
            raise ValueError("F thresholds are order counts from 2 up, each above the one before, e.g. [2, 3]")
        return thresholds
