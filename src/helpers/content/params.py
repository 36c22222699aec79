"""Parameters of the content-performance report (params/content_performance.yaml)."""

from __future__ import annotations

from pydantic import Field, field_validator

from helpers.core.params import SharedParams


class ContentPerformanceParams(SharedParams):
    """Official-account articles, followers, publishing time and mini-program pages."""

    compare_days: int = Field(1, ge=1, le=30, description="articles are ranked and compared on "
                              "their first N days after publishing (day 1 = publish day)")
    same_age_days: list[int] = Field(default_factory=lambda: [1, 7], min_length=1, max_length=4,
                                     description="ages (days) of the read rates in the article table")
    history_weeks: int = Field(26, ge=4, le=104, description="weeks of articles behind the column "
                               "priors, what-works, timing and outlier comparisons")
    target_pushes_per_week: list[int] = Field(
        default_factory=lambda: [3, 5], min_length=2, max_length=2,
        description="the account's target band of pushes (group sends) per week: [min, max]")
    conversion_window_hours: int = Field(72, ge=1, le=24 * 30, description="each order paid in the "
                                         "week is credited to the article its buyer last opened the "
                                         "mini-program from, at most this many hours before paying")
    unfollow_spike_ratio: float = Field(2.0, gt=1, le=100, description="flag a push when unfollows "
                                        "within 48 hours reach this multiple of the usual level")
    outlier_z: float = Field(2.5, gt=0, le=10, description="flag articles this many residual "
                             "standard deviations above or below their expected readers")
    exit_rate_jump: float = Field(0.05, gt=0, le=1, description="flag pages whose exit rate rose "
                                  "by at least this much (0.05 = 5 points) week on week")
    top_n: int = Field(5, ge=1, le=50, description="top and bottom articles shown when a week has "
                       "more than twice as many")
    follower_weeks: int = Field(4, ge=1, le=26, description="weeks of daily follower flow charted")
    min_articles_per_group: int = Field(10, ge=2, le=1000, description=(
        "a column, format, position, publish hour or push gap needs this many articles of the last "
        "history_weeks weeks before a sentence ranks or compares it (articles, not readers, are "
        "the units of those comparisons; below about 10 their intervals and tests are unreliable)"))

    @field_validator("same_age_days")
    @classmethod
    def _ages(cls, ages: list[int]) -> list[int]:
        if any(not 1 <= a <= 30 for a in ages) or len(set(ages)) != len(ages):
            raise ValueError("ages must be distinct whole days from 1 to 30 (article stats cover "
                             "30 days)")
        return sorted(ages)

    @field_validator("target_pushes_per_week")
    @classmethod
    def _band(cls, band: list[int]) -> list[int]:
        if not 0 <= band[0] <= band[1] <= 100:
            raise ValueError("expected [min, max] pushes per week with 0 <= min <= max")
        return band
