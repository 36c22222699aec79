"""Charts of the campaign report: test lifts with their intervals, actual against counterfactual,
placebo estimates, and channel revenue by first and last touch."""

from __future__ import annotations

from datetime import timedelta

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from helpers.render import fmt
from helpers.report.campaign_analysis import Evaluation, Experiment
from helpers.report.campaign_tables import word
from helpers.render.charts import value_axis
from helpers.render.text import label
from helpers.render.style import BAD, GOOD, NEUTRAL, PALETTE

HISTORY_DAYS = 42  # pre-period days drawn before a campaign


def lifts(x: Experiment, lang: str) -> Figure:
    """Relative lift per metric: the reported (sequential while running) 95% interval as a thick
    bar, the fixed-horizon one as a thin line, guardrails in grey."""
    rows = list(x.rows)
    fig, ax = plt.subplots(figsize=(9.0, 0.55 * len(rows) + 1.2))
    ys = np.arange(len(rows))[::-1]
    for y, r in zip(ys, rows, strict=True):
        color = NEUTRAL if r.kind == "guardrail" else PALETTE[0]
        rep, fix = r.reported, r.fixed
        ax.plot([float(rep.rel_low), float(rep.rel_high)], [y, y], color=color, lw=7, alpha=0.3,
                solid_capstyle="butt")
        ax.plot([float(fix.rel_low), float(fix.rel_high)], [y, y], color=color, lw=1.6)
        ax.plot(float(fix.rel), y, "o", color=color)
    ax.axvline(0, color="#444", lw=1)
    names = [word(r.metric, lang) + (("（护栏）" if lang == "zh" else " (guardrail)")
                                     if r.kind == "guardrail" else "")
             + (f" · {word(r.variant, lang)}" if len(x.variants) > 2 else "") for r in rows]
    ax.set_yticks(ys, names)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.relative_change(v, 0)))
    ax.grid(axis="x", color="#e6e6e6")
    ax.grid(axis="y", visible=False)
    if x.running:
        title = ("相对提升与 95% 区间（粗：序贯区间，细：固定样本区间）" if lang == "zh" else
                 "Relative lift, 95% intervals (thick: sequential, thin: fixed-horizon)")
    else:
        title = "相对提升与 95% 区间" if lang == "zh" else "Relative lift with 95% interval"
    ax.set_title(title)
    return fig


def counterfactual(e: Evaluation, lang: str) -> Figure:
    """The metric per day: actual, the counterfactual with its 95% band, the campaign shaded."""
    a = e.counterfactual
    daily = a.fit.daily
    history = a.history[a.history.index >= daily["date"].iloc[0] - timedelta(days=HISTORY_DAYS)]
    fig, ax = plt.subplots(figsize=(9.0, 3.4))
    ax.plot(list(history.index), history.to_numpy(), color=PALETTE[0], lw=1.8,
            label="实际" if lang == "zh" else "actual")
    dates = list(daily["date"])
    ax.fill_between(dates, daily["low"], daily["high"], color=NEUTRAL, alpha=0.25, lw=0,
                    label="无活动时的 95% 区间" if lang == "zh" else "95% band without the campaign")
    ax.plot(dates, daily["expected"], color=NEUTRAL, lw=1.6, ls="--",
            label="无活动时的预计" if lang == "zh" else "expected without the campaign")
    c = e.campaign
    during = daily[daily["phase"] == "during"]["date"]
    ax.axvspan(during.iloc[0] - timedelta(hours=12), during.iloc[-1] + timedelta(hours=12),
               color=PALETTE[1], alpha=0.12, lw=0)
    ax.set_title(f"{c.name} · {word(a.metric, lang)}")
    value_axis(ax, "CNY" if a.metric == "gmv" else "count", lang)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", ncols=3)
    fig.autofmt_xdate()
    return fig


def did(e: Evaluation, lang: str) -> Figure:
    """Treated and comparison groups per day, each as % of its own pre-campaign mean: parallel
    before the campaign is what the method needs; the gap during it is the effect."""
    d = e.did
    fig, ax = plt.subplots(figsize=(9.0, 3.2))
    start = e.campaign.start
    for series, color, name in ((d.treated, PALETTE[1], ("处理组", "treated")),
                                (d.comparison, NEUTRAL, ("对照组", "comparison"))):
        base = series[[i < start for i in series.index]].mean()
        ax.plot(list(series.index), series.to_numpy() / base if base else series.to_numpy(), color=color,
                lw=1.8, label=name[0] if lang == "zh" else name[1])
    ax.axvspan(start - timedelta(hours=12), series.index[-1] + timedelta(hours=12), color=PALETTE[1],
               alpha=0.12, lw=0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.percent(v, 0)))
    ax.set_title(("两组每日{}（相对各自活动前均值）" if lang == "zh" else
                  "Daily {} of both groups (share of their own pre-campaign mean)").format(word(d.metric, lang)))
    ax.legend(loc="upper left")
    fig.autofmt_xdate()
    return fig


def placebos(e: Evaluation, lang: str) -> Figure:
    """Placebo estimates with their 95% intervals (should straddle 0) next to the real effect."""
    a = e.counterfactual
    frame = a.placebos.sort_values("start")
    real = a.fit.during
    labels = [f"{s:%m-%d}" for s in frame["start"]] + ["活动" if lang == "zh" else "campaign"]
    est, lo, hi = ([*frame[column], getattr(real, column)] for column in ("abs", "abs_low", "abs_high"))
    colors = [BAD if x else NEUTRAL for x in frame["excludes_zero"]] + [GOOD]
    fig, ax = plt.subplots(figsize=(9.0, 2.8))
    xs = np.arange(len(labels))
    for x_, m, low, high, color in zip(xs, est, lo, hi, colors, strict=True):
        ax.plot([x_, x_], [low, high], color=color, lw=2)
        ax.plot(x_, m, "o", color=color)
    ax.axhline(0, color="#444", lw=1)
    ax.set_xticks(xs, labels)
    value_axis(ax, "CNY" if a.metric == "gmv" else "count", lang)
    ax.set_title("安慰剂时段（灰）与活动（绿）的估计效果" if lang == "zh" else
                 "Estimated effect: placebo windows (grey) and the campaign (green)")
    return fig


def attribution(frame: pd.DataFrame, k: int, lang: str) -> Figure:
    """Revenue per channel credited by first touch and by last touch (channels under k buyers
    left out)."""
    keep = frame[(frame["ft_buyers"] >= k) & (frame["lt_buyers"] >= k)]
    keep = keep.sort_values("ft_revenue")
    fig, ax = plt.subplots(figsize=(9.0, 0.42 * len(keep) + 1.2))
    ys = np.arange(len(keep))
    ax.barh(ys + 0.2, keep["ft_revenue"], height=0.4, color=PALETTE[0],
            label="首次触点（获客渠道）" if lang == "zh" else "first touch (acquisition channel)")
    ax.barh(ys - 0.2, keep["lt_revenue"], height=0.4, color=PALETTE[1],
            label="末次触点（订单渠道）" if lang == "zh" else "last touch (order channel)")
    ax.set_yticks(ys, [label(v, lang) for v in keep["channel"]])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.money(v, lang)))
    ax.grid(axis="x", color="#e6e6e6")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right")
    ax.set_title("本期各渠道收入：两种归因" if lang == "zh" else "Revenue by channel this period, two ways")
    return fig
