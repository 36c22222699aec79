"""Charts of the weekly summary: the KPI trend and the week day by day against the one before."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from helpers.core.metrics import METRICS
from helpers.render.charts import value_axis
from helpers.render.style import NEUTRAL, PALETTE
from helpers.render.text import Text


def kpi_trend(weekly: pd.DataFrame, keys: list[str], tx: Text) -> Figure:
    """Small multiples: each KPI per ISO week, the report week highlighted (a week not entirely in
    the data has no bar)."""
    fig, axes = plt.subplots(1, len(keys), figsize=(2.6 * len(keys), 2.6), squeeze=False)
    labels = [f"W{d.isocalendar().week:02d}" for d in weekly["start"]]
    for ax, key in zip(axes[0], keys, strict=True):
        colors = [NEUTRAL] * (len(weekly) - 1) + [PALETTE[0]]
        ax.bar(labels, weekly[key].fillna(0), color=colors, width=0.7)
        ax.set_title(tx.label(key), fontsize=11)
        value_axis(ax, METRICS[key].unit, tx.language)
        ax.tick_params(axis="x", labelsize=7)
    return fig


def week_over_week(daily: pd.DataFrame, previous: pd.DataFrame | None, keys: list[str], tx: Text) -> Figure:
    """KPIs by weekday: the report week against the week before (when given), one panel per KPI."""
    days = tx.weekdays()
    fig, axes = plt.subplots(1, len(keys), figsize=(4.5 * len(keys), 2.9), squeeze=False)
    for ax, key in zip(axes[0], keys, strict=True):
        if previous is not None:
            ax.plot(days, previous[key].to_numpy(), color=NEUTRAL, marker="o", lw=1.5,
                    label=tx("ws_previous_week"))
        ax.plot(days, daily[key].to_numpy(), color=PALETTE[0], marker="o", lw=2.2,
                label=tx("ws_this_week"))
        ax.set_title(tx.label(key), fontsize=11)
        value_axis(ax, METRICS[key].unit, tx.language)
        ax.set_ylim(bottom=0)
        ax.legend(loc="lower left")
    return fig
