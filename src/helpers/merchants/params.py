"""Parameters of the merchant-performance report (params/merchant_performance.yaml)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from helpers.core.params import SharedParams


class MerchantPerformanceParams(SharedParams):
    """Sales by merchant, concentration, lifecycle, retention cohorts, customers, distributor chains."""

    dormant_days: int = Field(14, ge=7, le=365, description=(
        "a merchant is dormant when its last paid order is this many days (or more, but fewer than "
        "churn_days) before the week's end; at least 7, so that a dormant merchant sold nothing in "
        "the week"))
    churn_days: int = Field(30, ge=8, le=730, description=(
        "a merchant has churned when it has had no paid order for this many days"))
    head_share: float = Field(0.5, gt=0, lt=1, description=(
        "head tier: the largest merchants making this share of the week's merchant GMV"))
    waist_share: float = Field(0.3, gt=0, lt=1, description=(
        "waist tier: the next merchants making this share; the tail makes the rest"))
    show_merchant_names: bool = Field(False, description=(
        "show merchants.name next to the merchant's id in tables and lists (never in the JSON); "
        "group leaders and KOLs are often private persons"))
    top_n: int = Field(10, ge=1, le=100, description="merchants listed in the sales table, largest first")
    trend_weeks: int = Field(8, ge=2, le=52, description="weeks in the trend charts")
    cohort_months: int = Field(6, ge=2, le=24, description=(
        "monthly cohorts of first sale shown, and months since first sale followed"))
    repeat_days: int = Field(30, ge=7, le=180, description=(
        "customers: a repeat purchase is a second paid order within this many days of the first"))
    acquisition_weeks: int = Field(8, ge=1, le=52, description=(
        "customers: buyers whose first paid order falls in these weeks, ending repeat_days before "
        "the week's end, are compared"))
    dormant_list: int = Field(20, ge=1, le=200, description=(
        "merchants that turned dormant this week listed for follow-up, at most"))

    @field_validator("churn_days")
    @classmethod
    def _after_dormant(cls, value: int, info: Any) -> int:
        dormant = info.data.get("dormant_days")
        if dormant is not None and value <= dormant:
            raise ValueError(f"must be more than dormant_days ({dormant}): a merchant turns dormant "
                             f"before it churns")
        return value

    @field_validator("waist_share")
    @classmethod
    def _room_for_a_tail(cls, value: float, info: Any) -> float:
        head = info.data.get("head_share")
        if head is not None and head + value >= 1:
            raise ValueError(f"head_share + waist_share ({head} + {value}) must be below 1, so that "
                             f"the tail makes the rest")
        return value
