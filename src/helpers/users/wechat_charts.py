"""Charts of WeChat's own statistics and of the reconciliation (house style, words from the
catalog; each chart records the registry metrics it draws)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from helpers.render import fmt
from helpers.render.charts import date_axis, legend_below, value_axis
from helpers.render.style import BAD, NEUTRAL, PALETTE, figure_size, rows_height
from helpers.render.text import Text
from helpers.users import charts
from helpers.users.wechat_stats import COLUMN_PREFIX, OFFSETS


def visit_trend(days: pd.DataFrame, tx: Text) -> Figure:
    """WeChat's daily visitors and new visitors (lines) and opens (bars, scale on the right)."""
    tx.shows("wx_visitors", "wx_new_visitors", "wx_opens")
    fig, ax = plt.subplots(figsize=figure_size(280))
    dates = pd.to_datetime(days["date"])
    right = ax.twinx()
    right.bar(dates, days["sessions"], color=NEUTRAL, alpha=0.25, width=0.8, label=tx("ua_wx_legend_opens"))
    right.set_ylim(bottom=0)
    right.grid(False)
    value_axis(right, "count", tx.language)
    right.yaxis.set_major_locator(MaxNLocator(4))
    ax.set_zorder(right.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.plot(dates, days["visitors"], color=PALETTE[0], lw=2, label=tx("ua_wx_legend_visitors"))
    ax.plot(dates, days["new_visitors"], color=PALETTE[2], lw=1.8, label=tx("ua_wx_legend_new"))
    ax.set_ylim(bottom=0)
    value_axis(ax, "users", tx.language)
    ax.yaxis.set_major_locator(MaxNLocator(4))
    ax.set_title(tx("ua_wx_visit_trend"))
    date_axis(ax)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    fig.legend(handles, [h.get_label() for h in handles], loc="outside lower left", ncols=3)
    return fig


def retention_heatmap(table: pd.DataFrame, period: str, title: str, tx: Text) -> Figure:
    """WeChat's retention shares, one row per cohort labelled with its first day and size
    (`wechat_stats.retention_table`, cohorts under k left out); blank cells are not observable."""
    tx.shows("wx_retention")
    prefix = COLUMN_PREFIX[period]
    label = "%Y-%m" if period == "month" else "%m-%d"
    rows = [f"{d:{label}} ({fmt.number(n, tx.language)})" for d, n in zip(table["date"], table["size"], strict=True)]
    return charts._cohort_heatmap(table, [f"{prefix}{k}" for k in OFFSETS[period]], rows, title)


def share_bars(frame: pd.DataFrame, metric: str, title: str, tx: Text) -> Figure:
    """Shares of opens per bucket or source, in the frame's order, top to bottom
    (frame: label (text), share)."""
    tx.shows(metric)
    fig, ax = plt.subplots(figsize=figure_size(rows_height(len(frame), 60)))
    y = np.arange(len(frame))
    ax.barh(y, frame["share"], color=PALETTE[0])
    for i, v in enumerate(frame["share"]):
        ax.text(v, i, " " + fmt.value(v, "fraction", tx.language), va="center")
    ax.set_yticks(y, list(frame["label"]))
    ax.invert_yaxis()
    ax.margins(x=0.2)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_title(title)
    return fig


def reconciliation(frame: pd.DataFrame, typical: float | None, tolerance: float, tx: Text) -> Figure:
    """Daily gap of own active users against WeChat's visitors over the window, the band the
    tolerance allows around the typical gap, and the flagged days marked (frame: `reconcile.daily`
    rows of the active measure)."""
    tx.shows("tracking_gap_active")
    fig, ax = plt.subplots(figsize=figure_size(250))
    dates = pd.to_datetime(frame["date"])
    ax.plot(dates, frame["gap"], color=PALETTE[0], lw=1.8, marker="o", ms=3, label=tx("ua_rc_legend_gap"))
    if typical is not None:
        ratio = 1 + typical
        low, high = ratio * (1 - tolerance) - 1, ratio * (1 + tolerance) - 1
        ax.axhspan(low, high, color=NEUTRAL, alpha=0.15, label=tx("ua_rc_legend_band"))
        ax.axhline(typical, color=NEUTRAL, lw=1, ls="--")
    flagged = frame["flag"] != ""
    if flagged.any():
        ax.scatter(dates[flagged], frame.loc[flagged, "gap"], color=BAD, zorder=3, s=28,
                   label=tx("ua_rc_legend_flagged"))
    ax.axhline(0, color="#444", lw=0.8)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.set_title(tx("ua_rc_chart"))
    date_axis(ax)
    legend_below(ax, 3)
    return fig
