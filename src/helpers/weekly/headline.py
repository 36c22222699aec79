"""The `weekly_summary` JSON metrics of report-outputs.md: the KPIs of the week and their change,
then the v1.1 addition `aov`."""

from __future__ import annotations

import math

import pandas as pd

from helpers.core.kpis import KPIS, aov, relative_change

WHOLE_NUMBERS = ("active_users", "new_users", "orders")


def _value(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def headline(weekly: pd.DataFrame) -> dict[str, float | None]:
    """The report-outputs `weekly_summary` metrics from the last two rows of `kpi_series`."""
    this, previous = weekly.iloc[-1], weekly.iloc[-2]
    metrics: dict[str, float | None] = {}
    for kpi in KPIS:
        value = _value(this[kpi])
        metrics[kpi] = round(value, 2) if kpi == "gmv" and value is not None else value
        metrics[f"{kpi}_wow"] = relative_change(value, _value(previous[kpi]))
    for kpi in WHOLE_NUMBERS:
        if metrics[kpi] is not None:
            metrics[kpi] = int(metrics[kpi])
    metrics["aov"] = aov(_value(this["gmv"]), _value(this["orders"]))
    return metrics


def aov_card_values(weekly: pd.DataFrame) -> tuple[float | None, float | None, float | None]:
    """The AOV card: this week's aov, its relative change (aov_wow, shown, not published) and
    last week's aov (None when that week is not entirely in the data or had no paid order)."""
    this, previous = weekly.iloc[-1], weekly.iloc[-2]
    now = aov(_value(this["gmv"]), _value(this["orders"]))
    before = aov(_value(previous["gmv"]), _value(previous["orders"]))
    return now, relative_change(now, before), before


def shown_kpis(metrics: dict[str, float | None]) -> list[str]:
    """The KPIs the report week has a value for: orders and GMV need an orders table."""
    return [k for k in KPIS if metrics[k] is not None]
