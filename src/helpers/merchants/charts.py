"""Charts of the merchant report (matplotlib, house style from `style.apply`): drawn 360 units wide
for a phone, every word from the catalog, each chart recording the registry metrics it draws.
No chart draws a merchant whose figures privacy hides: the Lorenz curve bends only at the ends of
privacy-safe steps (`concentration.lorenz_groups`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, MaxNLocator, PercentFormatter

from helpers.core.warehouse import day_to_date
from helpers.render.charts import category_ticks, legend_below, value_axis
from helpers.render.style import BAD, NEUTRAL, PALETTE, figure_size
from helpers.render.text import Text


def _weeks(days: pd.Series | list[int]) -> list[str]:
    return [f"{d.month}/{d.day}" for d in (day_to_date(int(v)) for v in days)]


def sales_split(frame: pd.DataFrame, tx: Text) -> Figure:
    """Weekly paid GMV with a merchant and the platform's own, stacked (frame: wk, merchant_gmv,
    platform_gmv)."""
    tx.shows("merchant_gmv", "platform_gmv")
    fig, ax = plt.subplots(figsize=figure_size(250))
    x = _weeks(frame["wk"])
    ax.bar(x, frame["merchant_gmv"], color=PALETTE[0], width=0.7, label=tx.label("merchant_gmv"))
    ax.bar(x, frame["platform_gmv"], bottom=frame["merchant_gmv"], color=NEUTRAL, alpha=0.6, width=0.7,
           label=tx.label("platform_gmv"))
    ax.set_title(tx("mc_chart_split"))
    value_axis(ax, "CNY", tx.language)
    category_ticks(ax, x)
    legend_below(ax, 2)
    return fig


def lorenz(people: np.ndarray, share: np.ndarray, tx: Text) -> Figure:
    """The week's Lorenz curve of merchant GMV against the line of equal sales."""
    tx.shows("gini")
    fig, ax = plt.subplots(figsize=figure_size(280))
    ax.plot([0, 1], [0, 1], color=NEUTRAL, lw=1, ls="--", label=tx("mc_chart_equal"))
    ax.plot(people, share, color=PALETTE[0], lw=2, marker="o", ms=3, label=tx("mc_chart_lorenz"))
    ax.fill_between(people, share, people, color=PALETTE[0], alpha=0.12)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        axis.set_major_locator(MaxNLocator(5))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(tx("mc_chart_lorenz_x"))
    ax.set_ylabel(tx("mc_chart_lorenz_y"))
    ax.grid(axis="x", color="#e6e6e6")
    ax.set_title(tx("mc_chart_lorenz_title"))
    legend_below(ax, 2)
    return fig


def concentration_trend(trend: pd.DataFrame, tx: Text) -> Figure:
    """Weekly Gini coefficient and top-10 share."""
    tx.shows("gini", "top10_share")
    fig, ax = plt.subplots(figsize=figure_size(250))
    x = _weeks(trend["wk"])
    ax.plot(x, trend["gini"], color=PALETTE[0], marker="o", ms=4, label=tx.label("gini"))
    ax.plot(x, trend["top10_share"], color=PALETTE[1], marker="s", ms=4, label=tx.label("top10_share"))
    # one 0-1 axis for both: a Gini coefficient is not a percentage, so neither axis label says "%"
    ax.yaxis.set_major_formatter(FormatStrFormatter("%.1f"))
    ax.set_ylim(0, 1.02)
    ax.set_title(tx("mc_chart_concentration"))
    category_ticks(ax, x)
    legend_below(ax, 2)
    return fig


def lifecycle(counts: pd.DataFrame, tx: Text) -> Figure:
    """Per week: active merchants (line), new and reactivated ones up, those turning dormant and
    churned down."""
    tx.shows("merchants_active", "merchants_new", "merchants_reactivated", "merchants_turned_dormant",
             "merchants_churned")
    fig, ax = plt.subplots(figsize=figure_size(290))
    x = _weeks(counts["wk"])
    ax.bar(x, counts["new"], color=PALETTE[2], width=0.7, label=tx.label("merchants_new"))
    ax.bar(x, counts["reactivated"], bottom=counts["new"], color=PALETTE[1], width=0.7,
           label=tx.label("merchants_reactivated"))
    ax.bar(x, -counts["turned_dormant"], color=BAD, alpha=0.55, width=0.7, label=tx.label("merchants_turned_dormant"))
    ax.bar(x, -counts["turned_churned"], bottom=-counts["turned_dormant"], color=BAD, width=0.7,
           label=tx.label("merchants_churned"))
    ax.plot(x, counts["active"], color=PALETTE[0], marker="o", ms=4, label=tx.label("merchants_active"))
    ax.axhline(0, color="#444", lw=0.8)
    ax.yaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.yaxis.set_major_formatter(lambda v, _: f"{abs(int(v))}")
    ax.set_title(tx("mc_chart_lifecycle"))
    category_ticks(ax, x)
    legend_below(ax, 2)
    return fig
