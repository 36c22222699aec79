"""Parameters of the weekly summary (params/weekly_summary.yaml)."""

from __future__ import annotations

from pydantic import Field

from helpers.core.kpis import KpiKey
from helpers.core.params import SharedParams


class WeeklySummaryParams(SharedParams):
    """The one-page manager summary."""

    trend_weeks: int = Field(8, ge=2, le=52, description="weeks shown in the KPI trend")
    targets: dict[KpiKey, float] = Field(default_factory=dict,
                                         description="weekly targets per KPI, e.g. {gmv: 150000}")
