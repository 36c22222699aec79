"""Charts of the user-analysis report (matplotlib/seaborn in the house style)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from helpers.render import fmt
from helpers.render.charts import value_axis
from helpers.render.text import label
from helpers.render.style import BAD, NEUTRAL, PALETTE

WEEKDAYS = {"zh": [f"周{d}" for d in "一二三四五六日"], "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}


def _week_labels(dates: pd.Series | list) -> list[str]:
    return [f"{d.month}/{d.day}" for d in dates]


def _zh(language: str, zh: str, en: str) -> str:
    return zh if language == "zh" else en


def new_users_by_channel(wide: pd.DataFrame, language: str) -> Figure:
    """Stacked weekly new users per acquisition channel (wide: index week start, column channel)."""
    fig, ax = plt.subplots(figsize=(9, 3.4))
    bottom = np.zeros(len(wide))
    x = _week_labels(wide.index)
    for i, column in enumerate(wide.columns):
        ax.bar(x, wide[column], bottom=bottom, color=PALETTE[i % len(PALETTE)], width=0.7,
               label=label(column, language))
        bottom += wide[column].to_numpy()
    ax.set_title(_zh(language, "每周新增用户（按获客渠道）", "New users per week by channel"))
    value_axis(ax, "users", language)
    ax.legend(ncol=5, loc="upper left", bbox_to_anchor=(0, -0.12))
    return fig


def top_bars(values: pd.Series, title: str, unit: str, language: str, color: str = PALETTE[0]
             ) -> Figure:
    """Horizontal bars of a few labelled values, largest on top."""
    values = values.sort_values()
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(values) + 0.9))
    ax.barh([str(i) for i in values.index], values.to_numpy(), color=color)
    for y, v in enumerate(values.to_numpy()):
        ax.text(v, y, " " + fmt.value(v, unit, language), va="center", fontsize=8)
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt.value(x, unit, language)))
    return fig


def active_users(daily: pd.DataFrame, language: str) -> Figure:
    """DAU bars with rolling WAU and MAU lines, and stickiness below."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 4.6), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 1.3]})
    dates = pd.to_datetime(daily["date"])
    top.bar(dates, daily["dau"], color=PALETTE[0], alpha=0.55, width=0.8, label="DAU")
    for column, color, zh, en in (("wau", PALETTE[1], "WAU（滚动7日）", "WAU (rolling 7 days)"),
                                  ("mau", PALETTE[2], "MAU（滚动30日）", "MAU (rolling 30 days)")):
        top.plot(dates, daily[column], color=color, lw=2, label=_zh(language, zh, en))
    top.set_title(_zh(language, "活跃用户", "Active users"))
    value_axis(top, "users", language)
    top.legend(loc="upper left", ncol=3)
    bottom.plot(dates, daily["stickiness"], color=PALETTE[4], lw=1.8)
    bottom.set_title(_zh(language, "粘性 DAU/MAU", "Stickiness DAU/MAU"), fontsize=10)
    bottom.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    bottom.set_ylim(bottom=0)
    fig.autofmt_xdate()
    return fig


def hour_weekday_heatmap(grid: pd.DataFrame, language: str) -> Figure:
    """Mean active users by hour (rows) and weekday (columns)."""
    fig, ax = plt.subplots(figsize=(9, 4.2))
    table = grid.T
    table.index = WEEKDAYS[language]
    sns.heatmap(table, cmap="Blues", ax=ax, cbar_kws={"shrink": 0.7},
                linewidths=0.3, linecolor="white")
    ax.set_xlabel(_zh(language, "小时", "hour"))
    ax.set_ylabel("")
    ax.set_title(_zh(language, "各时段平均活跃用户", "Mean active users by hour and weekday"))
    return fig


def cohort_heatmap(table: pd.DataFrame, columns: list[str], row_labels: list[str], title: str
                   ) -> Figure:
    """Retention shares per cohort (rows) and day/week (columns); masked cells stay blank."""
    values = table[columns].astype(float)
    fig, ax = plt.subplots(figsize=(9, 0.3 * len(values) + 1.2))
    sns.heatmap(values, mask=values.isna(), annot=True, fmt=".0%", cmap="YlGnBu", vmin=0,
                vmax=float(np.nanmax(values.to_numpy())) if values.notna().any().any() else 1,
                cbar=False, ax=ax, annot_kws={"fontsize": 7}, linewidths=0.3, linecolor="white",
                yticklabels=row_labels, xticklabels=columns)
    ax.set_title(title)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(False)
    return fig


def retention_curves(curves: pd.DataFrame, by: str, language: str, title: str) -> Figure:
    """Retention by day k, one line per group (long format: by, k, retention)."""
    fig, ax = plt.subplots(figsize=(9, 3.4))
    for i, (key, group) in enumerate(curves.groupby(by)):
        ax.plot(group["k"], group["retention"], marker="o", ms=3, lw=1.6,
                color=PALETTE[i % len(PALETTE)], label=label(key, language))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(_zh(language, "首次访问后第 k 天", "day k after first visit"))
    ax.set_title(title)
    ax.legend(ncol=5, loc="upper left", bbox_to_anchor=(0, -0.25), fontsize=8)
    ax.set_ylim(bottom=0)
    return fig


def lifecycle_bars(frame: pd.DataFrame, language: str) -> Figure:
    """New, returning and resurrecting users up, dormant users down, per week."""
    fig, ax = plt.subplots(figsize=(9, 3.6))
    x = _week_labels(frame["week"])
    parts = [("returning", _zh(language, "持续活跃", "returning"), PALETTE[0]),
             ("new", _zh(language, "新增", "new"), PALETTE[2]),
             ("resurrecting", _zh(language, "回流", "resurrecting"), PALETTE[1])]
    bottom = np.zeros(len(frame))
    for column, name, color in parts:
        values = frame[column].fillna(0).to_numpy()
        ax.bar(x, values, bottom=bottom, color=color, width=0.7, label=name)
        bottom += values
    ax.bar(x, frame["dormant"].fillna(0), color=BAD, alpha=0.75, width=0.7,
           label=_zh(language, "流失", "dormant"))
    ax.axhline(0, color="#444", lw=0.8)
    ax.set_title(_zh(language, "用户生命周期（每周）", "User lifecycle per week"))
    value_axis(ax, "users", language)
    ax.legend(ncol=4, loc="upper left", bbox_to_anchor=(0, -0.1))
    return fig


def pyramid(tiers: pd.DataFrame, language: str) -> Figure:
    """The customer pyramid, top tier on top, bar widths proportional to users."""
    fig, ax = plt.subplots(figsize=(7, 2.8))
    n = len(tiers)
    widest = max(float(tiers["users"].max()), 1.0)
    for i, row in enumerate(tiers.itertuples()):
        y = n - 1 - i
        ax.barh(y, row.users, left=-row.users / 2, color=PALETTE[i % len(PALETTE)], height=0.8)
        ax.text(widest / 2 * 1.05, y, f"{label(row.tier, language)}  {fmt.number(row.users, language)}",
                va="center", fontsize=10)
    ax.set_xlim(-widest / 2 * 1.05, widest * 1.25)
    ax.axis("off")
    ax.set_title(_zh(language, "客户金字塔", "Customer pyramid"))
    return fig


def ltv_lines(curves: pd.DataFrame, by: str, language: str) -> Figure:
    """Cumulative revenue per user by cohort age (weeks), one line per group."""
    fig, ax = plt.subplots(figsize=(9, 3.4))
    for i, (key, group) in enumerate(curves.groupby(by)):
        ax.plot(group["age_week"], group["ltv"], marker="o", ms=3, lw=1.6,
                color=PALETTE[i % len(PALETTE)], label=label(key, language))
    ax.set_xlabel(_zh(language, "首次访问后周数", "weeks since first visit"))
    ax.set_title(_zh(language, "人均累计贡献（LTV）", "Cumulative revenue per user (LTV)"))
    value_axis(ax, "CNY", language)
    ax.legend(ncol=5, fontsize=8)
    return fig


def migration_heatmap(matrix: pd.DataFrame, hidden: pd.DataFrame, labels: list[str], language: str
                      ) -> Figure:
    """Customers moving between RFM segments (rows: before, columns: now); hidden cells blank."""
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(matrix) + 1.4))
    annot = matrix.map(lambda v: "" if pd.isna(v) else fmt.number(v, language))
    annot = annot.mask(hidden, f"<{hidden.attrs.get('k', '')}")
    sns.heatmap(np.log1p(matrix.fillna(0).astype(float)), annot=annot, fmt="", cmap="Purples", cbar=False,
                ax=ax, annot_kws={"fontsize": 7}, linewidths=0.3, linecolor="white",
                xticklabels=labels, yticklabels=labels)
    ax.set_xlabel(_zh(language, "本期分群", "segment now"))
    ax.set_ylabel(_zh(language, "上期分群", "segment before"))
    ax.set_title(_zh(language, "RFM 分群迁移", "RFM segment migration"))
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    ax.tick_params(axis="y", labelsize=8)
    return fig


def clv_holdout(holdout: pd.DataFrame, language: str) -> Figure:
    """Predicted vs actual repeat purchases in the held-out weeks, by calibration frequency."""
    fig, ax = plt.subplots(figsize=(6.5, 3))
    x = np.arange(len(holdout))
    ax.bar(x - 0.2, holdout["predicted"], width=0.4, color=PALETTE[0], label=_zh(language, "模型预测", "predicted"))
    ax.bar(x + 0.2, holdout["actual"], width=0.4, color=NEUTRAL, label=_zh(language, "实际", "actual"))
    ax.set_xticks(x, [f"{int(b)}+" if i == len(holdout) - 1 else str(int(b))
                      for i, b in enumerate(holdout["bucket"])])
    ax.set_xlabel(_zh(language, "留出期前的复购天数", "repeat purchase days before the holdout"))
    ax.set_title(_zh(language, "留出期人均复购：预测 vs 实际", "Repeat purchases per customer in the holdout"))
    ax.legend()
    return fig


def funnel_bars(summary: pd.DataFrame, drop: int | None, language: str) -> Figure:
    """Users per funnel step with step conversion; the biggest drop highlighted."""
    fig, ax = plt.subplots(figsize=(9, 3.2))
    names = [label(s, language) for s in summary["step"]]
    colors = [BAD if drop is not None and i == drop else PALETTE[0] for i in range(len(summary))]
    ax.bar(names, summary["users"], color=colors, width=0.6)
    for i, row in enumerate(summary.itertuples()):
        text = fmt.number(row.users, language)
        if i:
            text += f"\n{fmt.percent(row.step_conversion)}"
        ax.text(i, row.users, text, ha="center", va="bottom", fontsize=8)
    ax.set_title(_zh(language, "转化漏斗（用户数，步骤转化率）", "Funnel (users, step conversion)"))
    value_axis(ax, "users", language)
    ax.margins(y=0.2)
    return fig


def referral_panels(depth: pd.DataFrame, k: pd.DataFrame, language: str) -> Figure:
    """Chain depth of referred new users, and the weekly viral coefficient K."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3))
    left.bar(depth["depth"].astype(str), depth["users"], color=PALETTE[2])
    left.set_title(_zh(language, "邀请链深度", "Referral chain depth"))
    left.set_xlabel(_zh(language, "深度（1 = 直接邀请）", "depth (1 = invited directly)"))
    value_axis(left, "users", language)
    right.plot(_week_labels(k["week"]), k["k"], marker="o", color=PALETTE[1])
    right.set_title(_zh(language, "每周病毒系数 K", "Weekly viral coefficient K"))
    right.set_ylim(bottom=0)
    right.tick_params(axis="x", labelsize=8)
    return fig


def portrait_panels(frames: dict[str, pd.DataFrame], language: str, title: str) -> Figure:
    """Shares per attribute value, one panel per attribute, new vs active users side by side."""
    fig, axes = plt.subplots(1, len(frames), figsize=(3.1 * len(frames), 2.9), squeeze=False)
    for ax, (name, frame) in zip(axes[0], frames.items(), strict=True):
        pivot = frame.pivot_table(index="value", columns="population", values="share", aggfunc="sum")
        pivot = pivot.reindex(columns=["new", "active"]).fillna(0)
        pivot.index = [label(v, language) for v in pivot.index]
        y = np.arange(len(pivot))
        ax.barh(y - 0.2, pivot["new"], height=0.4, color=PALETTE[2], label=_zh(language, "新增", "new"))
        ax.barh(y + 0.2, pivot["active"], height=0.4, color=PALETTE[0], label=_zh(language, "活跃", "active"))
        ax.set_yticks(y, pivot.index, fontsize=8)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_title(name, fontsize=10)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.invert_yaxis()
    axes[0][0].legend(fontsize=8)
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=12)
    return fig



def daily_line(frame: pd.DataFrame, column: str, title: str, unit: str, language: str) -> Figure:
    """One daily series (frame: start/date column + `column`)."""
    fig, ax = plt.subplots(figsize=(9, 2.6))
    dates = pd.to_datetime(frame.iloc[:, 0])
    ax.plot(dates, frame[column], color=PALETTE[0], lw=1.8)
    ax.fill_between(dates, frame[column], color=PALETTE[0], alpha=0.12)
    ax.set_title(title)
    value_axis(ax, unit, language)
    ax.set_ylim(bottom=0)
    fig.autofmt_xdate()
    return fig
