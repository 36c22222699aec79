"""Charts of the weekly summary, one figure per KPI (small multiples that reflow on a phone): the
KPI trend, and the week day by day against the one before, with calendar events and campaigns
marked so that a jump after 双11 is seen next to its cause."""

from __future__ import annotations

from datetime import date, timedelta

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from helpers.core.metrics import METRICS
from helpers.render import style
from helpers.render.charts import value_axis
from helpers.render.style import NEUTRAL, PALETTE
from helpers.render.text import Text
from helpers.weekly.context import Event, whole_week

EVENT_COLOR = PALETTE[1]
EVENT_SHADE = "#fff1d6"


def _event_days(events: list[Event]) -> set[date]:
    days: set[date] = set()
    for e in events:
        days |= {e.start + timedelta(days=i) for i in range((e.end - e.start).days + 1)}
    return days


def kpi_trend(weekly: pd.DataFrame, key: str, events: list[Event], tx: Text) -> tuple[Figure, str]:
    """One KPI per ISO week, the report week highlighted, the weeks holding an event of the two
    weeks marked with a dot above the bar; with its alt text."""
    fig, ax = plt.subplots(figsize=style.figure_size(200))
    labels = [f"W{d.isocalendar().week:02d}" for d in weekly["start"]]
    colors = [NEUTRAL] * (len(weekly) - 1) + [PALETTE[0]]
    values = weekly[key].astype("float64")  # a week without a value has no bar (not a 0 bar)
    ax.bar(labels, values.fillna(0), color=colors, width=0.7)
    days = _event_days(events)
    marked = [i for i, start in enumerate(weekly["start"])
              if any(start + timedelta(days=d) in days for d in range(7)) and values.notna().iloc[i]]
    if marked:
        top = float(values.max() or 1)
        ax.scatter([labels[i] for i in marked], [values.iloc[i] + top * 0.06 for i in marked],
                   color=EVENT_COLOR, s=30, zorder=3, label=tx("ws_event_legend"))
        ax.legend(loc="lower left", frameon=True)
    ax.set_title(tx.label(key))
    value_axis(ax, METRICS[key].unit, tx.language)
    if len(labels) > 6:
        last = len(labels) - 1  # every other week, counted back from the report week
        ax.set_xticks(range(len(labels)), [lb if (last - i) % 2 == 0 else "" for i, lb in enumerate(labels)])
    alt = tx("ws_trend_alt", label=tx.label(key), weeks=len(weekly),
             marked=tx("ws_trend_alt_marked") if marked else "")
    return fig, alt


def week_over_week(daily: pd.DataFrame, previous: pd.DataFrame | None, key: str, events: list[Event],
                   tx: Text) -> tuple[Figure, str]:
    """One KPI by weekday: the report week against the week before (when given); days of this
    week holding an event shaded; with its alt text."""
    days = tx.weekdays()
    fig, ax = plt.subplots(figsize=style.figure_size(210))
    starts = list(pd.to_datetime(daily["start"]).dt.date)
    marked = [e for e in events if not whole_week(e)]
    this_days = _event_days([e for e in marked if e.week == "this"])
    last_days = _event_days([e for e in marked if e.week == "previous"])
    shaded = [i for i, d in enumerate(starts) if d in this_days or d - timedelta(days=7) in last_days]
    for i in shaded:
        ax.axvspan(i - 0.5, i + 0.5, color=EVENT_SHADE, zorder=0, lw=0)
    if previous is not None:
        ax.plot(days, previous[key].to_numpy(), color=NEUTRAL, marker="o", lw=1.5,
                label=tx("ws_previous_week"))
    ax.plot(days, daily[key].to_numpy(), color=PALETTE[0], marker="o", lw=2.2, label=tx("ws_this_week"))
    ax.set_title(tx.label(key))
    value_axis(ax, METRICS[key].unit, tx.language)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower left", ncols=2)
    alt = tx("ws_day_alt", label=tx.label(key), marked=tx("ws_day_alt_marked") if shaded else "")
    return fig, alt
