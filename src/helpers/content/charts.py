"""Charts of the content_performance report (matplotlib, house style from `style.apply`).

Titles and other free text are drawn as plain text (the house style turns mathtext off, so `$` is
just a character), and long titles are shortened to keep labels from overlapping.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from helpers.content.history import History
from helpers.content.labels import DIMENSION_TEXT, group_label, same_age_label, title
from helpers.render import fmt
from helpers.render.charts import category_ticks, date_axis, legend_below, value_axis
from helpers.render.style import BAD, GOOD, NEUTRAL, PALETTE, figure_size, rows_height
from helpers.render.text import Text


def plain(text: object, width: int = 16) -> str:
    """Free text for a chart: shortened to `width` characters."""
    value = str(text)
    if len(value) > width:
        value = value[: width - 1] + "…"
    return value


def _percent_axis(ax: plt.Axes, axis: str = "x") -> None:
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(PercentFormatter(1.0, decimals=1))


def shrinkage(hist: History, shown: pd.DataFrame, tx: Text) -> Figure:
    """Each shown article's raw same-age read rate (hollow), shrunk rate (filled) with its 95%
    posterior interval, and its column's average (grey tick): how far shrinkage moved it."""
    rows = shown.dropna(subset=["read_shrunk"]).iloc[::-1]
    fig, ax = plt.subplots(figsize=figure_size(rows_height(len(rows), 90) * 1.15))
    y = np.arange(len(rows))
    ax.hlines(y, rows["read_lo"], rows["read_hi"], color=PALETTE[0], lw=2, alpha=0.35)
    ax.scatter(rows["read_prior"], y, marker="|", s=220, color=NEUTRAL, zorder=3,
               label=tx("cp_chart_column_average"))
    ax.scatter(rows["read_rate_c"], y, facecolors="none", edgecolors=PALETTE[1], s=46, zorder=4,
               label=tx("cp_chart_raw"))
    ax.scatter(rows["read_shrunk"], y, color=PALETTE[0], s=40, zorder=5,
               label=tx("cp_chart_shrunk"))
    ax.set_yticks(y, [f"{int(r)}. {plain(title(row), 11)}" for r, (_, row) in
                      zip(rows["rank"], rows.iterrows(), strict=True)])
    _percent_axis(ax)
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.grid(axis="x", color="#e6e6e6")
    ax.grid(axis="y", visible=False)
    ax.set_title(same_age_label(tx, "article_read_rate_days", hist.compare_days))
    legend_below(ax, 3)
    return fig


def _bars(ax: plt.Axes, frame: pd.DataFrame, dim: str, rate: str, lo: str, hi: str, color: str,
          tx: Text) -> None:
    data = frame.dropna(subset=[rate]).iloc[::-1]
    labels = [plain(group_label(dim, v, tx), 10) for v in data[dim]]
    err = np.vstack([(data[rate] - data[lo]).clip(lower=0).fillna(0),
                     (data[hi] - data[rate]).clip(lower=0).fillna(0)])
    ax.barh(labels, data[rate], xerr=err, color=color, alpha=0.85, height=0.6,
            error_kw={"ecolor": "#555", "lw": 1, "capsize": 2})
    _percent_axis(ax)
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.grid(axis="x", color="#e6e6e6")
    ax.grid(axis="y", visible=False)


def what_works(parts: dict[str, pd.DataFrame], compare_days: int, tx: Text) -> list[tuple[Figure, str]]:
    """Per dimension, position-adjusted read rate (raw for positions) and share rate, bars with 95%
    intervals: one panel (figure, alt text) each, for `rep.charts`."""
    panels = []
    for dim, frame in parts.items():
        read = ("read_rate", "read_lo", "read_hi") if dim == "position_key" else \
            ("read_adjusted", "adjusted_lo", "adjusted_hi")
        name = tx(DIMENSION_TEXT[dim])
        read_label = same_age_label(tx, "content_read_rate" if dim == "position_key"
                                    else "content_read_rate_adjusted", compare_days)
        share_label = same_age_label(tx, "content_share_rate", compare_days)
        for (rate, lo, hi), color, label in ((read, PALETTE[0], read_label),
                                             (("share_rate", "share_lo", "share_hi"), PALETTE[2], share_label)):
            rows = int(frame[rate].notna().sum())
            fig, ax = plt.subplots(figsize=figure_size(rows_height(rows, 70)))
            _bars(ax, frame, dim, rate, lo, hi, color, tx)
            title = tx("cp_chart_panel", dimension=name, metric=label)
            ax.set_title(title, fontsize=11)
            panels.append((fig, tx("cp_alt_what_works", title=title)))
    return panels


def timing_heatmap(rate: pd.DataFrame, count: pd.DataFrame, compare_days: int, tx: Text) -> Figure:
    """Headline read rate by publish hour x weekday; each cell shows the rate and the number of
    headlines behind it; blank cells had no push."""
    # Seven columns of "rate (n)" cells need more than a phone's width: drawn wide, it scrolls
    # sideways on a phone at its drawn size.
    fig, ax = plt.subplots(figsize=figure_size(rows_height(len(rate), 80) * 1.4, wide=True))
    values = rate.to_numpy(dtype=float)
    image = ax.imshow(np.ma.masked_invalid(values), cmap="Blues", aspect="auto")
    ax.set_xticks(range(7), tx.weekdays())
    ax.set_yticks(range(len(rate)), [group_label("hour", h, tx) for h in rate.index])
    finite = values[np.isfinite(values)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(j, i, tx("cp_chart_cell", rate=fmt.percent(v), n=int(count.iat[i, j])),
                    ha="center", va="center", color="white" if v > middle else "#1f2430")
    ax.grid(False)
    ax.set_title(same_age_label(tx, "headline_read_rate", compare_days))
    bar = fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02)
    bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    return fig


def publishing(frequency: pd.DataFrame, gaps: pd.DataFrame, band: Sequence[int],
               compare_days: int, tx: Text) -> list[tuple[Figure, str]]:
    """Two panels (figure, alt text) for `rep.charts`: pushes per ISO week against the target band
    (this week highlighted); headline read rate by days since the previous push, with 95%
    intervals."""
    left_fig, left = plt.subplots(figsize=figure_size(250))
    labels = [f"W{d.isocalendar().week:02d}" for d in frequency["week_start"]]
    colors = [GOOD if ok else BAD for ok in frequency["in_band"]]
    left.axhspan(band[0] - 0.5, band[1] + 0.5, color=GOOD, alpha=0.1,
                 label=tx("cp_chart_target", lo=band[0], hi=band[1]))
    bars = left.bar(range(len(labels)), frequency["pushes"], color=colors, alpha=0.75, width=0.7)
    if len(bars):
        bars[-1].set_alpha(1.0)
        bars[-1].set_edgecolor("#1f2430")
    category_ticks(left, labels)
    left.set_title(tx.label("pushes_per_week"))
    left.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
    legend_below(left, 1)
    right_fig, right = plt.subplots(figsize=figure_size(250))
    data = gaps.dropna(subset=["read_rate"])
    err = np.vstack([(data["read_rate"] - data["read_lo"]).clip(lower=0).fillna(0),
                     (data["read_hi"] - data["read_rate"]).clip(lower=0).fillna(0)])
    right.bar(data["gap"], data["read_rate"], yerr=err, color=PALETTE[0], alpha=0.85, width=0.6,
              error_kw={"ecolor": "#555", "lw": 1, "capsize": 3})
    right.set_xlabel(tx.label("days_since_push"))
    right.set_title(same_age_label(tx, "headline_read_rate", compare_days), fontsize=11)
    _percent_axis(right, "y")
    return [(left_fig, tx("cp_alt_pushes_per_week", lo=band[0], hi=band[1])),
            (right_fig, tx("cp_alt_gap_effect"))]


def followers(daily: pd.DataFrame, pushes: pd.DataFrame | None, tx: Text) -> Figure:
    """Top: daily new followers (up), unfollows (down) and net (line), with pushes as thin grey
    lines and flagged pushes as red dashed lines. Bottom (when the source has it): total
    followers."""
    cumulative = daily["cumulative"].notna().any()
    fig, axes = plt.subplots(2 if cumulative else 1, 1, figsize=figure_size(400 if cumulative else 290),
                             sharex=True, squeeze=False, height_ratios=[3, 1.2] if cumulative else [1])
    ax = axes[0, 0]
    x = pd.to_datetime(daily["date"])
    if pushes is not None and len(pushes):
        for day, flagged in zip(pushes["published"].dt.normalize(), pushes["flagged"], strict=True):
            ax.axvline(day, color=BAD if flagged else NEUTRAL, lw=1.4 if flagged else 0.8,
                       ls="--" if flagged else "-", alpha=0.9 if flagged else 0.35, zorder=0)
        ax.plot([], [], color=NEUTRAL, lw=0.8, alpha=0.5, label=tx("cp_chart_push"))
        if pushes["flagged"].any():
            ax.plot([], [], color=BAD, lw=1.4, ls="--", label=tx("cp_chart_flagged_push"))
    ax.bar(x, daily["new_followers"], color=GOOD, alpha=0.75, width=0.8,
           label=tx.label("new_followers"))
    ax.bar(x, -daily["unfollows"], color=BAD, alpha=0.75, width=0.8,
           label=tx.label("unfollows"))
    ax.plot(x, daily["net_followers"], color="#1f2430", lw=1.6, marker="o", ms=3,
            label=tx.label("net_followers"))
    ax.axhline(0, color="#999", lw=0.8)
    value_axis(ax, "users", tx.language)
    legend_below(ax, 2)
    if cumulative:
        low = axes[1, 0]
        low.plot(x, daily["cumulative"], color=PALETTE[4], lw=1.8)
        low.set_title(tx.label("followers_cumulative"), fontsize=11)
        value_axis(low, "users", tx.language)
        low.yaxis.set_major_locator(MaxNLocator(3))
    date_axis(axes[-1, 0])
    return fig


def outliers(frame: pd.DataFrame, compare_days: int, tx: Text) -> Figure:
    """Actual against expected same-age readers (log scales): grey = earlier weeks, blue = this
    week, red = flagged this week (labelled)."""
    fig, ax = plt.subplots(figsize=figure_size(340))
    old, new = frame[~frame["in_period"]], frame[frame["in_period"]]
    ax.scatter(old["expected_readers"], old["readers_c"], s=14, color=NEUTRAL, alpha=0.45,
               label=tx("cp_chart_earlier_weeks"))
    ax.scatter(new["expected_readers"], new["readers_c"], s=36, color=PALETTE[0],
               label=tx("cp_chart_this_week"))
    flagged = new[new["flagged"]]
    ax.scatter(flagged["expected_readers"], flagged["readers_c"], s=70, facecolors="none",
               edgecolors=BAD, lw=1.8, label=tx("cp_chart_flagged"))
    for _, row in flagged.iterrows():
        ax.annotate(plain(title(row), 8), (row["expected_readers"], row["readers_c"]),
                    xytext=(6, 4), textcoords="offset points", color=BAD)
    positive = frame[(frame["expected_readers"] > 0) & (frame["readers_c"] > 0)]
    if len(positive):
        lo = min(positive["expected_readers"].min(), positive["readers_c"].min()) * 0.8
        hi = max(positive["expected_readers"].max(), positive["readers_c"].max()) * 1.25
        ax.plot([lo, hi], [lo, hi], color="#999", lw=1, ls="--")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(FuncFormatter(lambda v, _: fmt.number(v, tx.language)))
    ax.set_xlabel(tx.label("article_expected_readers"))
    ax.set_ylabel(same_age_label(tx, "article_readers_days", compare_days))
    ax.grid(axis="x", color="#e6e6e6")
    legend_below(ax, 3)
    return fig
