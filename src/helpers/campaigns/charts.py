"""Charts of the campaign report: test lifts with their intervals, actual against counterfactual,
placebo estimates, and channel revenue by first and last touch."""

from __future__ import annotations

from datetime import timedelta

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from helpers.campaigns.evaluation import Evaluation
from helpers.campaigns.experiment import Experiment
from helpers.campaigns.wording import word
from helpers.render import fmt
from helpers.render.charts import category_ticks, date_axis, legend_below, value_axis
from helpers.render.style import BAD, GOOD, NEUTRAL, PALETTE, figure_size, rows_height
from helpers.render.text import Text

HISTORY_DAYS = 42  # pre-period days drawn before a campaign


def lifts(x: Experiment, tx: Text) -> Figure:
    """Relative lift per metric: the reported (sequential while running) 95% interval as a thick
    bar, the fixed-horizon one as a thin line, guardrails in grey; everything in grey, the title
    saying so, when the sample-ratio check failed."""
    rows = list(x.rows)
    broken = bool(x.srm.flagged)  # a failed sample-ratio check: every lift in grey, the title says why
    fig, ax = plt.subplots(figsize=figure_size(rows_height(len(rows), 70) * 1.3))
    ys = np.arange(len(rows))[::-1]
    for y, r in zip(ys, rows, strict=True):
        color = NEUTRAL if r.kind == "guardrail" or broken else PALETTE[0]
        rep, fix = r.reported, r.fixed
        ax.plot([float(rep.rel_low), float(rep.rel_high)], [y, y], color=color, lw=7, alpha=0.3,
                solid_capstyle="butt")
        ax.plot([float(fix.rel_low), float(fix.rel_high)], [y, y], color=color, lw=1.6)
        ax.plot(float(fix.rel), y, "o", color=color)
    ax.axvline(0, color="#444", lw=1)
    names = [(tx("ce_chart_guardrail", metric=word(r.metric, tx)) if r.kind == "guardrail"
              else word(r.metric, tx)) + (f" · {word(r.variant, tx)}" if len(x.variants) > 2 else "")
             for r in rows]
    ax.set_yticks(ys, names)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.relative_change(v, 0)))
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.grid(axis="x", color="#e6e6e6")
    ax.grid(axis="y", visible=False)
    title = tx("ce_chart_lifts_sequential") if x.running else tx("ce_chart_lifts")
    ax.set_title(tx("ce_chart_untrusted", title=title, untrusted=tx("ce_untrusted")) if broken else title)
    tx.shows("campaign_lift_rel", "campaign_ci")
    return fig


def counterfactual(e: Evaluation, tx: Text) -> Figure:
    """The metric per day: actual, the counterfactual with its 95% band, the campaign shaded."""
    a = e.counterfactual
    daily = a.fit.daily
    history = a.history[a.history.index >= daily["date"].iloc[0] - timedelta(days=HISTORY_DAYS)]
    fig, ax = plt.subplots(figsize=figure_size(290))
    ax.plot(list(history.index), history.to_numpy(), color=PALETTE[0], lw=1.8,
            label=tx("ce_chart_actual"))
    dates = list(daily["date"])
    ax.fill_between(dates, daily["low"], daily["high"], color=NEUTRAL, alpha=0.25, lw=0,
                    label=tx("ce_chart_band"))
    ax.plot(dates, daily["expected"], color=NEUTRAL, lw=1.6, ls="--",
            label=tx("ce_chart_expected"))
    c = e.campaign
    during = daily[daily["phase"] == "during"]["date"]
    ax.axvspan(during.iloc[0] - timedelta(hours=12), during.iloc[-1] + timedelta(hours=12),
               color=PALETTE[1], alpha=0.12, lw=0)
    ax.set_title(f"{c.name} · {word(a.metric, tx)}")
    value_axis(ax, "CNY" if a.metric == "gmv" else "count", tx.language)
    tx.shows("cf_actual", "cf_expected")
    ax.set_ylim(bottom=0)
    legend_below(ax, 3)
    date_axis(ax)
    return fig


def did(e: Evaluation, tx: Text) -> Figure:
    """Treated and comparison groups per day, each as % of its own pre-campaign mean: parallel
    before the campaign is what the method needs; the gap during it is the effect."""
    d = e.did
    fig, ax = plt.subplots(figsize=figure_size(270))
    start = e.campaign.start
    for series, color, name in ((d.treated, PALETTE[1], tx("ce_chart_treated")),
                                (d.comparison, NEUTRAL, tx("ce_chart_comparison"))):
        base = series[[i < start for i in series.index]].mean()
        ax.plot(list(series.index), series.to_numpy() / base if base else series.to_numpy(), color=color,
                lw=1.8, label=name)
    ax.axvspan(start - timedelta(hours=12), series.index[-1] + timedelta(hours=12), color=PALETTE[1],
               alpha=0.12, lw=0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.percent(v, 0)))
    ax.set_title(tx("ce_chart_did", metric=word(d.metric, tx)))
    legend_below(ax, 2)
    date_axis(ax)
    return fig


def placebos(e: Evaluation, tx: Text) -> Figure:
    """Placebo estimates with their 95% intervals (should straddle 0) next to the real effect."""
    a = e.counterfactual
    frame = a.placebos.sort_values("start")
    real = a.fit.during
    labels = [f"{s.month}/{s.day}" for s in frame["start"]] + [tx("ce_chart_campaign")]  # axis dates: 11/16
    est, lo, hi = ([*frame[column], getattr(real, column)] for column in ("abs", "abs_low", "abs_high"))
    colors = [BAD if x else NEUTRAL for x in frame["excludes_zero"]] + [GOOD]
    fig, ax = plt.subplots(figsize=figure_size(240))
    xs = np.arange(len(labels))
    for x_, m, low, high, color in zip(xs, est, lo, hi, colors, strict=True):
        ax.plot([x_, x_], [low, high], color=color, lw=2)
        ax.plot(x_, m, "o", color=color)
    ax.axhline(0, color="#444", lw=1)
    category_ticks(ax, labels, 5)
    value_axis(ax, "CNY" if a.metric == "gmv" else "count", tx.language)
    ax.set_title(tx("ce_chart_placebos"))
    tx.shows("campaign_lift_abs", "campaign_ci")
    return fig


def attribution(frame: pd.DataFrame, k: int, tx: Text) -> Figure:
    """Revenue per channel credited by first touch and by last touch (channels under k buyers
    left out)."""
    keep = frame[(frame["ft_buyers"] >= k) & (frame["lt_buyers"] >= k)]
    keep = keep.sort_values("ft_revenue")
    fig, ax = plt.subplots(figsize=figure_size(rows_height(len(keep), 90) * 1.3))
    ys = np.arange(len(keep))
    ax.barh(ys + 0.2, keep["ft_revenue"], height=0.4, color=PALETTE[0],
            label=tx("ce_chart_first_touch"))
    ax.barh(ys - 0.2, keep["lt_revenue"], height=0.4, color=PALETTE[1],
            label=tx("ce_chart_last_touch"))
    ax.set_yticks(ys, [tx.data(v) for v in keep["channel"]])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.money(v, tx.language)))
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.grid(axis="x", color="#e6e6e6")
    ax.grid(axis="y", visible=False)
    legend_below(ax, 2)
    ax.set_title(tx("ce_chart_attribution"))
    tx.shows("channel_revenue_ft", "channel_revenue_lt")
    return fig
