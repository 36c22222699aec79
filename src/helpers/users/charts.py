"""Charts of the user-analysis report (matplotlib/seaborn in the house style).

Every word comes from the catalog through `tx`; each chart records the registry metrics it draws
(`tx.shows`), so the report's notes define them."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from helpers.core.metrics import METRICS
from helpers.render import fmt
from helpers.render.charts import category_ticks, date_axis, legend_below, value_axis
from helpers.render.style import BAD, NEUTRAL, PALETTE, figure_size, rows_height
from helpers.render.text import Text
from helpers.users.rfm import segment_label


def _week_labels(dates: pd.Series | list) -> list[str]:
    return [f"{d.month}/{d.day}" for d in dates]


def new_users_by_channel(wide: pd.DataFrame, tx: Text) -> Figure:
    """Stacked weekly new users per acquisition channel (wide: index week start, column channel)."""
    tx.shows("new_users")
    fig, ax = plt.subplots(figsize=figure_size(280))
    bottom = np.zeros(len(wide))
    x = _week_labels(wide.index)
    for i, column in enumerate(wide.columns):
        ax.bar(x, wide[column], bottom=bottom, color=PALETTE[i % len(PALETTE)], width=0.7,
               label=tx.data(column))
        bottom += wide[column].to_numpy()
    ax.set_title(tx("ua_new_users_by_channel"))
    value_axis(ax, "users", tx.language)
    category_ticks(ax, x)
    legend_below(ax, 3)
    return fig


def top_bars(values: pd.Series, metric: str, title: str, tx: Text, color: str = PALETTE[0]) -> Figure:
    """Horizontal bars of a few labelled values of `metric`, largest on top."""
    tx.shows(metric)
    unit = METRICS[metric].unit
    values = values.sort_values()
    fig, ax = plt.subplots(figsize=figure_size(rows_height(len(values), 60)))
    ax.barh([str(i) for i in values.index], values.to_numpy(), color=color)
    for y, v in enumerate(values.to_numpy()):
        ax.text(v, y, " " + fmt.value(v, unit, tx.language), va="center")
    ax.margins(x=0.22)  # room for the value after the longest bar
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt.value(x, unit, tx.language)))
    ax.xaxis.set_major_locator(MaxNLocator(4))
    return fig


def active_users(daily: pd.DataFrame, tx: Text) -> Figure:
    """DAU bars with rolling WAU and MAU lines, and stickiness below."""
    tx.shows("dau", "wau_rolling", "mau_rolling", "stickiness")
    fig, (top, bottom) = plt.subplots(2, 1, figsize=figure_size(380), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 1.3]})
    dates = pd.to_datetime(daily["date"])
    top.bar(dates, daily["dau"], color=PALETTE[0], alpha=0.55, width=0.8, label=tx("ua_legend_dau"))
    for column, color, name in (("wau", PALETTE[1], tx("ua_legend_wau")), ("mau", PALETTE[2], tx("ua_legend_mau"))):
        top.plot(dates, daily[column], color=color, lw=2, label=name)
    top.set_title(tx("ua_active_users"))
    value_axis(top, "users", tx.language)
    legend_below(top, 3)
    bottom.plot(dates, daily["stickiness"], color=PALETTE[4], lw=1.8)
    bottom.set_title(tx("ua_stickiness"), fontsize=11)
    bottom.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    bottom.yaxis.set_major_locator(MaxNLocator(3))
    bottom.set_ylim(bottom=0)
    date_axis(bottom)
    return fig


def hour_weekday_heatmap(grid: pd.DataFrame, tx: Text) -> Figure:
    """Mean active users by hour (rows) and weekday (columns)."""
    fig, ax = plt.subplots(figsize=figure_size(rows_height(len(grid), 90) * 0.75))
    table = grid.copy()
    table.columns = tx.weekdays()
    sns.heatmap(table, cmap="Blues", ax=ax, cbar_kws={"shrink": 0.6, "format": FuncFormatter(
                    lambda v, _: fmt.number(v, tx.language))},
                linewidths=0.3, linecolor="white", yticklabels=3)
    ax.set_ylabel(tx("ua_hour"))
    ax.set_xlabel("")
    ax.tick_params(axis="y", rotation=0)
    ax.set_title(tx("ua_hour_weekday"))
    return fig


def daily_cohorts(cohorts: pd.DataFrame, days: tuple[int, ...], tx: Text) -> Figure:
    """Day-k retention of each daily cohort, rows labelled with the day and the cohort size."""
    tx.shows("retention_dk")
    labels = [f"{d:%m-%d} ({n})" for d, n in zip(cohorts["date"], cohorts["size"], strict=True)]
    return _cohort_heatmap(cohorts, [f"d{k}" for k in days], labels, tx("ua_daily_cohorts"))


def weekly_cohorts(cohorts: pd.DataFrame, weeks: int, tx: Text) -> Figure:
    """Week-j retention of each weekly cohort, rows labelled with its Monday and size."""
    tx.shows("retention_wk")
    labels = [f"{d:%m-%d} ({n})" for d, n in zip(cohorts["week"], cohorts["size"], strict=True)]
    return _cohort_heatmap(cohorts, [f"w{j}" for j in range(weeks + 1)], labels, tx("ua_weekly_cohorts"))


def _cohort_heatmap(table: pd.DataFrame, columns: list[str], row_labels: list[str], title: str) -> Figure:
    """Retention shares per cohort (rows) and day/week (columns); masked cells stay blank. A column
    no cohort can be observed at yet (day 30 of a cohort younger than 30 days) is left out."""
    observed = [c for c in columns if table[c].notna().any()] or columns[:1]
    values = table[observed].astype(float)
    fig, ax = plt.subplots(figsize=figure_size(rows_height(len(values), 60)))
    sns.heatmap(values, mask=values.isna(), annot=True, fmt=".0%", cmap="YlGnBu", vmin=0,
                vmax=float(np.nanmax(values.to_numpy())) if values.notna().any().any() else 1,
                cbar=False, ax=ax, linewidths=0.3, linecolor="white",
                yticklabels=row_labels, xticklabels=observed)
    ax.set_title(title)
    ax.tick_params(axis="y", rotation=0)
    ax.grid(False)
    return fig


def retention_curves(curves: pd.DataFrame, by: str, title: str, tx: Text) -> Figure:
    """Retention by day k, one line per group (long format: by, k, retention)."""
    tx.shows("retention_dk")
    fig, ax = plt.subplots(figsize=figure_size(300))
    for i, (key, group) in enumerate(curves.groupby(by)):
        ax.plot(group["k"], group["retention"], marker="o", ms=3, lw=1.6,
                color=PALETTE[i % len(PALETTE)], label=tx.data(key))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(tx("ua_day_k"))
    ax.set_title(title)
    legend_below(ax, 3)
    ax.set_ylim(bottom=0)
    return fig


def lifecycle_bars(frame: pd.DataFrame, tx: Text) -> Figure:
    """New, returning and resurrecting users up, dormant users down, per week."""
    tx.shows("lifecycle_new", "lifecycle_returning", "lifecycle_resurrecting", "lifecycle_dormant")
    fig, ax = plt.subplots(figsize=figure_size(290))
    x = _week_labels(frame["week"])
    parts = [("returning", tx("ua_legend_returning"), PALETTE[0]),
             ("new", tx("ua_legend_new"), PALETTE[2]),
             ("resurrecting", tx("ua_legend_resurrecting"), PALETTE[1])]
    bottom = np.zeros(len(frame))
    for column, name, color in parts:
        values = frame[column].fillna(0).to_numpy()
        ax.bar(x, values, bottom=bottom, color=color, width=0.7, label=name)
        bottom += values
    ax.bar(x, frame["dormant"].fillna(0), color=BAD, alpha=0.75, width=0.7,
           label=tx("ua_legend_dormant"))
    ax.axhline(0, color="#444", lw=0.8)
    ax.set_title(tx("ua_lifecycle_chart"))
    value_axis(ax, "users", tx.language)
    category_ticks(ax, x)
    legend_below(ax, 2)
    return fig


def pyramid(tiers: pd.DataFrame, k: int, tx: Text) -> Figure:
    """The customer pyramid, top tier on top, bar widths proportional to users; a tier of fewer
    than k users has no bar and reads "<k" (privacy: its width would tell its size)."""
    tx.shows("pyramid_users")
    fig, ax = plt.subplots(figsize=figure_size(rows_height(len(tiers), 50)))
    n = len(tiers)
    small = (tiers["users"] > 0) & (tiers["users"] < k)
    widest = max(float(tiers.loc[~small, "users"].max()) if (~small).any() else 0.0, 1.0)
    for i, (row, hidden) in enumerate(zip(tiers.itertuples(), small, strict=True)):
        y = n - 1 - i
        if not hidden:
            ax.barh(y, row.users, left=-row.users / 2, color=PALETTE[i % len(PALETTE)], height=0.8)
        shown = f"<{k}" if hidden else fmt.number(row.users, tx.language)
        ax.text(widest / 2 * 1.05, y, f"{tx.data(row.tier)}  {shown}", va="center")
    ax.set_xlim(-widest / 2 * 1.05, widest * 1.6)
    ax.axis("off")
    ax.set_title(tx("ua_pyramid"))
    return fig


def ltv_lines(curves: pd.DataFrame, by: str, tx: Text) -> Figure:
    """Cumulative revenue per user by cohort age (weeks), one line per group."""
    tx.shows("ltv")
    fig, ax = plt.subplots(figsize=figure_size(300))
    for i, (key, group) in enumerate(curves.groupby(by)):
        ax.plot(group["age_week"], group["ltv"], marker="o", ms=3, lw=1.6,
                color=PALETTE[i % len(PALETTE)], label=tx.data(key))
    ax.set_xlabel(tx("ua_weeks_since_first_visit"))
    ax.set_title(tx("ua_ltv"))
    value_axis(ax, "CNY", tx.language)
    legend_below(ax, 3)
    return fig


def migration_heatmap(matrix: pd.DataFrame, hidden: pd.DataFrame, k: int, tx: Text) -> Figure:
    """Customers moving between RFM segments (rows: before, columns: now), privacy applied
    (`tables.rfm_migration`): cells under k (`hidden`) read "<k", other missing cells (hidden so
    that those cannot be worked out from the segment sizes) "—"; hidden cells are drawn as zeros."""
    tx.shows("rfm_customers")
    labels = [segment_label(key, tx) for key in matrix.index]
    fig, ax = plt.subplots(figsize=figure_size(rows_height(len(matrix), 40) * 1.25 + 90, wide=True))
    annot = matrix.map(lambda v: fmt.MISSING if pd.isna(v) else fmt.number(v, tx.language))
    annot = annot.mask(hidden, f"<{k}")
    sns.heatmap(np.log1p(matrix.fillna(0).astype(float)), annot=annot, fmt="", cmap="Purples", cbar=False,
                ax=ax, linewidths=0.3, linecolor="white",
                xticklabels=labels, yticklabels=labels)
    ax.set_xlabel(tx("ua_segment_now"))
    ax.set_ylabel(tx("ua_segment_before"))
    ax.set_title(tx("ua_migration"))
    ax.tick_params(axis="x", labelrotation=35)
    ax.tick_params(axis="y", rotation=0)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    return fig


def clv_holdout(holdout: pd.DataFrame, tx: Text) -> Figure:
    """Predicted vs actual repeat purchases in the held-out weeks, by calibration frequency."""
    fig, ax = plt.subplots(figsize=figure_size(240))
    x = np.arange(len(holdout))
    ax.bar(x - 0.2, holdout["predicted"], width=0.4, color=PALETTE[0], label=tx("ua_predicted"))
    ax.bar(x + 0.2, holdout["actual"], width=0.4, color=NEUTRAL, label=tx("ua_actual"))
    ax.set_xticks(x, [f"{int(b)}+" if i == len(holdout) - 1 else str(int(b))
                      for i, b in enumerate(holdout["bucket"])])
    ax.set_xlabel(tx("ua_repeat_days_before_holdout"))
    ax.set_title(tx("ua_clv_holdout"))
    ax.legend()
    return fig


def funnel_bars(summary: pd.DataFrame, drop: int | None, tx: Text) -> Figure:
    """Users per funnel step with step conversion; the biggest drop highlighted."""
    tx.shows("step_conversion")
    fig, ax = plt.subplots(figsize=figure_size(rows_height(len(summary), 60)))
    names = [tx.data(s) for s in summary["step"]]
    colors = [BAD if drop is not None and i == drop else PALETTE[0] for i in range(len(summary))]
    # Horizontal bars, first step on top: step names of any length fit a phone's width.
    y = np.arange(len(summary))[::-1]
    ax.barh(y, summary["users"], color=colors, height=0.6)
    ax.set_yticks(y, names)
    for i, row in enumerate(summary.itertuples()):
        text = fmt.number(row.users, tx.language)
        if i:
            text += f" · {fmt.percent(row.step_conversion)}"
        ax.text(row.users, y[i], " " + text, va="center")
    ax.set_title(tx("ua_funnel_chart"))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt.value(x, "users", tx.language)))
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.margins(x=0.45)
    return fig


def referral_panels(depth: pd.DataFrame, k: pd.DataFrame, tx: Text) -> list[tuple[Figure, str]]:
    """Two panels (small multiples, `rep.charts`), each with its alt text: chain depth of referred
    new users, and the weekly viral coefficient K."""
    tx.shows("viral_k")
    left_fig, left = plt.subplots(figsize=figure_size(230))
    left.bar(depth["depth"].astype(str), depth["users"], color=PALETTE[2])
    left.set_title(tx("ua_chain_depth"))
    left.set_xlabel(tx("ua_depth_axis"))
    value_axis(left, "users", tx.language)
    right_fig, right = plt.subplots(figsize=figure_size(230))
    weeks = _week_labels(k["week"])
    right.plot(range(len(weeks)), k["k"], marker="o", color=PALETTE[1])
    category_ticks(right, weeks)
    right.set_title(tx("ua_weekly_k"))
    right.set_ylim(bottom=0)
    return [(left_fig, tx("ua_alt_chain_depth")), (right_fig, tx("ua_alt_weekly_k"))]


def portrait_panels(frames: dict[str, pd.DataFrame], tx: Text, metric: str = "portrait_users",
                    age: str = "age_band") -> list[tuple[Figure, str]]:
    """Shares of gender, age and platform values, new vs active users side by side: one panel
    (figure, alt text) per dimension, for `rep.charts`.
    frames: per dimension, rows of (value, population, users, share) with privacy applied; `metric`
    the registry key of those users and `age` the frame of age values (WeChat's portrait: "age")."""
    tx.shows(metric)
    named = {tx("ua_gender"): frames["gender"], tx("ua_age"): frames[age],
             tx("ua_platform"): frames["platform"]}
    panels = []
    for name, frame in named.items():
        pivot = frame.pivot_table(index="value", columns="population", values="share", aggfunc="sum")
        pivot = pivot.reindex(columns=["new", "active"]).fillna(0)
        pivot.index = [tx.data(v) for v in pivot.index]
        fig, ax = plt.subplots(figsize=figure_size(rows_height(len(pivot), 60) * 1.3 + 20))
        y = np.arange(len(pivot))
        ax.barh(y - 0.2, pivot["new"], height=0.4, color=PALETTE[2], label=tx("ua_legend_new"))
        ax.barh(y + 0.2, pivot["active"], height=0.4, color=PALETTE[0], label=tx("ua_legend_active"))
        ax.set_yticks(y, pivot.index)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.set_title(tx("ua_portrait_panel", dimension=name))
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.invert_yaxis()
        legend_below(ax, 2)
        panels.append((fig, tx("ua_alt_portrait", dimension=name)))
    return panels


def top_places(frame: pd.DataFrame, title: str, tx: Text, metric: str = "portrait_users") -> Figure:
    """The ten provinces or cities with most active users (a portrait frame, privacy applied)."""
    top = frame.query("population == 'active'").head(10)
    return top_bars(top.set_index("value")["users"], metric, title, tx)


def daily_line(frame: pd.DataFrame, metric: str, title: str, tx: Text) -> Figure:
    """One daily series of a registry metric (frame: start/date column + the metric's column)."""
    tx.shows(metric)
    fig, ax = plt.subplots(figsize=figure_size(220))
    dates = pd.to_datetime(frame.iloc[:, 0])
    ax.plot(dates, frame[metric], color=PALETTE[0], lw=1.8)
    ax.fill_between(dates, frame[metric], color=PALETTE[0], alpha=0.12)
    ax.set_title(title)
    value_axis(ax, METRICS[metric].unit, tx.language)
    ax.set_ylim(bottom=0)
    if len(dates) <= 16:  # weekly points: a tick on a week's start, at most six
        step = max(1, -(-len(dates) // 6))
        ax.set_xticks(list(dates)[::-1][::step])
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=5))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%-m/%-d"))  # as the weekly charts: 9/28
    ax.yaxis.set_major_locator(MaxNLocator(4))
    return fig
