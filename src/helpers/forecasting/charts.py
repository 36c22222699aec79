"""Charts of the forecasting report: the monitored week against its expected band, and the
forecast with its 80% / 95% intervals after the recent history, calendar days marked."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from helpers.forecasting.runs import SeriesRun
from helpers.forecasting.words import deviation, regressor_name
from helpers.render import fmt
from helpers.render.charts import legend_below, value_axis
from helpers.render.style import BAD, NEUTRAL, PALETTE, figure_size
from helpers.render.text import Text

BAND95, BAND80 = "#dce6fb", "#b3c8f4"
CALENDAR_SHADE = "#fdf1dc"


def _panel(height: float) -> tuple[Figure, plt.Axes]:
    """One series' panel: its own phone-width figure (small multiples reflow, `rep.charts`)."""
    fig, ax = plt.subplots(figsize=figure_size(height))
    return fig, ax


def _dates(ax: plt.Axes) -> None:
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=5))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%-m/%-d"))


def monitoring(runs: list[SeriesRun], weeks_before: int, tx: Text) -> list[tuple[Figure, str]]:
    """Each series over the last weeks; the report week against the band expected before it,
    anomalies in red with their deviation: one panel (figure, alt text) per monitored series."""
    tx.shows("forecast_yhat", "prediction_interval")
    runs = [run for run in runs if run.monitoring]
    panels = []
    for i, run in enumerate(runs):
        fig, ax = _panel(250 if i else 280)
        first = i == 0
        band = run.monitoring.band
        start = band.index[0]
        shown = run.values[run.values.index >= start - pd.Timedelta(days=7 * weeks_before)]
        ax.plot(shown.index, shown.to_numpy(), color=NEUTRAL, lw=1.4)
        ax.fill_between(band.index, band["lo95"], band["hi95"], color=BAND95, lw=0,
                        label="95%" if first else None)
        ax.fill_between(band.index, band["lo80"], band["hi80"], color=BAND80, lw=0,
                        label="80%" if first else None)
        ax.plot(band.index, band["yhat"], color=PALETTE[0], lw=1.2, ls="--",
                label=tx("fc_legend_expected") if first else None)
        week = run.values.reindex(band.index)
        ax.plot(week.index, week.to_numpy(), color="#1f2430", lw=2, marker="o", ms=3)
        for a in run.monitoring.anomalies.itertuples():
            ax.plot([a.date], [a.actual], "o", color=BAD, ms=7, zorder=5)
            label = fmt.relative_change(a.deviation, 0) if pd.notna(a.deviation) else deviation(run, a, tx)
            ax.annotate(label, (a.date, a.actual),
                        textcoords="offset points", xytext=(0, -14 if a.direction == "down" else 8),
                        ha="center", color=BAD)
        _label_panel(ax, run, tx)
        if first:
            legend_below(ax, 3)
        panels.append((fig, tx("fc_alt_monitoring", series=run.info.label(tx),
                               anomalies=len(run.monitoring.anomalies))))
    return panels


def forecast(runs: list[SeriesRun], regressors: pd.DataFrame, history_days: int, tx: Text
             ) -> list[tuple[Figure, str]]:
    """Recent history, the forecast and its 80% / 95% intervals; shopping festivals, holidays and
    events shaded, the ones inside the horizon named: one panel (figure, alt text) per forecast
    series."""
    tx.shows("forecast_yhat", "prediction_interval")
    runs = [run for run in runs if run.forecast]
    panels = []
    for i, run in enumerate(runs):
        fig, ax = _panel(260 if i else 290)
        first = i == 0
        f = run.forecast.frame().set_index("date")
        history = run.values[run.values.index > run.values.index[-1] - pd.Timedelta(days=history_days)]
        _shade_calendar(ax, regressors, history.index[0], f.index[-1], f.index[0], tx)
        ax.plot(history.index, history.to_numpy(), color=NEUTRAL, lw=1.2,
                label=tx("fc_legend_actual") if first else None)
        ax.fill_between(f.index, f["lo95"], f["hi95"], color=BAND95, lw=0,
                        label="95%" if first else None)
        ax.fill_between(f.index, f["lo80"], f["hi80"], color=BAND80, lw=0,
                        label="80%" if first else None)
        ax.plot(f.index, f["yhat"], color=PALETTE[0], lw=1.8,
                label=tx("fc_legend_forecast") if first else None)
        ax.axvline(f.index[0] - pd.Timedelta(hours=12), color=NEUTRAL, lw=0.8, ls=":")
        _label_panel(ax, run, tx)
        if first:
            legend_below(ax, 4)
        panels.append((fig, tx("fc_alt_forecast", series=run.info.label(tx), days=len(f))))
    return panels


def _label_panel(ax: plt.Axes, run: SeriesRun, tx: Text) -> None:
    """A series' panel: its name, values in its unit, dates below."""
    ax.set_title(run.info.label(tx), fontsize=12)
    value_axis(ax, run.info.unit, tx.language)
    _dates(ax)


def _shade_calendar(ax: plt.Axes, regressors: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp,
                    horizon_start: pd.Timestamp, tx: Text) -> None:
    """Light shading on calendar days (holidays, festivals, pre-sales, events) in view; the
    festivals and events inside the horizon get their name at the top."""
    shown = regressors.loc[first:last]
    marked = shown[(shown > 0).any(axis=1)]
    for d in marked.index:
        ax.axvspan(d - pd.Timedelta(hours=12), d + pd.Timedelta(hours=12), color=CALENDAR_SHADE, lw=0, zorder=0)
    named = [c for c in shown.columns if c.startswith(("festival_", "event:"))]
    for column in named:
        days = shown.index[(shown[column] > 0) & (shown.index >= horizon_start)]
        if len(days):
            ax.annotate(regressor_name(column, tx), (days[0], 1.0), xycoords=("data", "axes fraction"),
                        ha="center", va="top", color="#8a6d00")
