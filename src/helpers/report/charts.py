"""Charts shared by the notebooks (matplotlib, house style from `style.apply`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ..metrics.registry import METRICS
from . import fmt
from .style import NEUTRAL, PALETTE


def value_axis(ax: plt.Axes, unit: str, language: str) -> None:
    """Tick labels in the report's number style (万 / K, ¥, %)."""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt.value(x, unit, language)))


def kpi_trend(weekly: pd.DataFrame, keys: list[str], language: str) -> Figure:
    """Small multiples: each KPI per ISO week, the report week highlighted."""
    fig, axes = plt.subplots(1, len(keys), figsize=(2.6 * len(keys), 2.6), squeeze=False)
    labels = [f"W{d.isocalendar().week:02d}" for d in weekly["start"]]
    for ax, key in zip(axes[0], keys, strict=True):
        colors = [NEUTRAL] * (len(weekly) - 1) + [PALETTE[0]]
        ax.bar(labels, weekly[key].fillna(0), color=colors, width=0.7)
        ax.set_title(METRICS[key].label(language), fontsize=11)
        value_axis(ax, METRICS[key].unit, language)
        ax.tick_params(axis="x", labelsize=7)
    return fig


def week_over_week(daily: pd.DataFrame, previous: pd.DataFrame, keys: list[str], language: str
                   ) -> Figure:
    """KPIs by weekday: the report week against the week before, one panel per KPI."""
    days = [f"周{d}" for d in "一二三四五六日"] if language == "zh" else \
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    fig, axes = plt.subplots(1, len(keys), figsize=(4.5 * len(keys), 2.9), squeeze=False)
    for ax, key in zip(axes[0], keys, strict=True):
        ax.plot(days, previous[key].to_numpy(), color=NEUTRAL, marker="o", lw=1.5,
                label="上周" if language == "zh" else "previous week")
        ax.plot(days, daily[key].to_numpy(), color=PALETTE[0], marker="o", lw=2.2,
                label="本周" if language == "zh" else "this week")
        ax.set_title(METRICS[key].label(language), fontsize=11)
        value_axis(ax, METRICS[key].unit, language)
        ax.set_ylim(bottom=0)
        ax.legend(loc="lower left")
    return fig
