"""Tables of the forecasting report, ready for `rep.table(..., {}, text=True)`: every cell already
formatted in its series' own unit, so series of different units can share a column."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from helpers.forecasting.runs import SeriesInfo, SeriesRun, weekly_forecast
from helpers.forecasting.words import (
    band,
    day,
    day_month,
    deviation,
    joined,
    model_name,
    note_text,
    regressor_name,
    series_name,
    span,
    unit_of,
    value,
    why_not,
)
from helpers.render import fmt
from helpers.render.text import Text
from helpers.stats.forecast_models import effect_interval

# ----------------------------------------------------------------------------------------------
# Monitoring
# ----------------------------------------------------------------------------------------------


def day_context(d: pd.Timestamp, regressors: pd.DataFrame, campaigns: dict[date, list[str]], tx: Text) -> str:
    """The calendar features and campaigns of a day, e.g. 'Double 11 (day), Double 11 pre-sale'."""
    on = regressors.loc[d] if d in regressors.index else pd.Series(dtype=float)
    names = [regressor_name(c, tx) for c in on.index[on > 0]] + campaigns.get(d.date(), [])
    return joined("fc_sep_list", names, tx)


def anomaly_table(runs: list[SeriesRun], regressors: pd.DataFrame, campaigns: dict[date, list[str]],
                  tx: Text) -> pd.DataFrame:
    """One row per anomaly, by series then date, with what was on that day."""
    rows = []
    for run in runs:
        for a in run.monitoring.anomalies.itertuples() if run.monitoring else ():
            rows.append({
                tx("col_metric"): run.info.label(tx),
                tx("fc_col_date"): day(a.date, tx),
                tx("fc_col_actual"): value(run, a.actual, tx),
                tx("fc_col_expected"): value(run, a.expected, tx),
                tx("fc_col_interval95"): band(run, a.lo95, a.hi95, tx),
                tx("fc_col_deviation"): deviation(run, a, tx),
                tx("fc_col_day_context"): day_context(a.date, regressors, campaigns, tx),
            })
    if rows:
        tx.shows("forecast_yhat", "prediction_interval", "anomaly_deviation")
    return pd.DataFrame(rows)


def alert_table(alerts: list[dict[str, object]], infos: dict[str, SeriesInfo], tx: Text) -> pd.DataFrame:
    """One row per threshold alert: the rule, the day and the day's value."""
    rows = []
    for a in alerts:
        unit = unit_of(a["metric"], infos)
        sign = ">" if a["rule"] == "above" else "<"
        rows.append({
            tx("fc_col_rule"): f"{series_name(a['metric'], infos, tx)} {sign} "
                               f"{fmt.value(a['threshold'], unit, tx.language)}",
            tx("fc_col_date"): day(pd.Timestamp(a["date"]), tx),
            tx("fc_col_day_value"): fmt.value(a["value"], unit, tx.language),
        })
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------
# Forecast, weekly roll-up and targets, the calendar ahead
# ----------------------------------------------------------------------------------------------

def week_label(monday: pd.Timestamp, tx: Text) -> str:
    """The column of a forecast week, e.g. 'W48 (23 Nov–29 Nov)'."""
    return tx("fc_week_column", week=f"{monday.isocalendar().week:02d}",
              span=span(monday, monday + pd.Timedelta(days=6), tx))


def weekly_table(runs: list[SeriesRun], targets: dict[str, float], tx: Text) -> pd.DataFrame:
    """One row per series, one column per forecast week: the week's total (or daily mean) with its
    80% interval, and against the weekly target where one is set. Series not forecast have no row."""
    tx.shows("weekly_forecast", "prediction_interval")
    rows = []
    for run in (r for r in runs if r.forecast):
        target = targets.get(run.info.key)
        key = "fc_row_daily_mean" if run.info.weekly == "mean" else "fc_row_week_total"
        row = {tx("col_metric"): tx(key, label=run.info.label(tx))}
        for w in weekly_forecast(run).itertuples():
            cell = tx("fc_value_band", value=value(run, w.value, tx), band=band(run, w.lo, w.hi, tx))
            if target:
                tx.shows("target_attainment")
                cell += tx("fc_of_target", share=w.value / target)
            row[week_label(w.week, tx)] = cell
        row[tx("fc_col_weekly_target")] = value(run, target, tx) if target else fmt.MISSING
        rows.append(row)
    return pd.DataFrame(rows)


def _status(column: str, runs: list[SeriesRun], tx: Text) -> str:
    """Whether the forecast includes a calendar feature of the horizon."""
    unseen = any(column in run.forecast.unseen for run in runs)
    estimated = any(run.forecast.effects is not None and column in set(run.forecast.effects["regressor"])
                    for run in runs)
    if estimated:
        return tx("fc_status_estimated")
    return tx("fc_status_unseen") if unseen else fmt.MISSING


def _days_text(days: pd.DatetimeIndex, tx: Text) -> str:
    if len(days) == 1:
        return day(days[0], tx)
    return tx("fc_days_span", span=span(days[0], days[-1], tx), days=len(days))


def calendar_ahead(regressors: pd.DataFrame, runs: list[SeriesRun], campaigns: pd.DataFrame, tx: Text
                   ) -> pd.DataFrame:
    """Calendar features and campaigns inside the horizon, and whether the forecast includes them;
    empty when no series was forecast."""
    runs = [r for r in runs if r.forecast]
    if not runs:
        return pd.DataFrame()
    dates = runs[0].forecast.dates
    ahead = regressors.reindex(dates).fillna(0.0)
    rows = []
    for column in ahead.columns:
        days = ahead.index[ahead[column] > 0]
        if len(days):
            rows.append({tx("fc_col_dates"): _days_text(days, tx),
                         tx("fc_col_calendar"): regressor_name(column, tx),
                         tx("fc_col_in_forecast"): _status(column, runs, tx)})
    for c in campaigns.itertuples():
        rows.append({tx("fc_col_dates"): span(max(c.start, dates[0].date()), min(c.end, dates[-1].date()), tx),
                     tx("fc_col_calendar"): tx("fc_campaign", name=c.name),
                     tx("fc_col_in_forecast"): tx("fc_status_campaign")})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------
# Models, calendar effects, past accuracy
# ----------------------------------------------------------------------------------------------

def _coverage_cell(level: float, run: SeriesRun, tx: Text) -> str:
    if run.forecast is None:
        return fmt.MISSING
    c = run.forecast.calibration[level]
    if c.factor == 1.0:
        return fmt.percent(c.raw, 0)
    return tx("fc_coverage_recalibrated", raw=c.raw, expected=c.expected, factor=c.factor)


def model_table(runs: list[SeriesRun], tx: Text) -> pd.DataFrame:
    """One row per series: the chosen model, its backtest MASE against seasonal naive, the interval
    coverage (before and after recalibration) and the notes on its fit; a series not forecast or
    not monitored says why in its notes."""
    tx.shows("coverage80", "coverage95", "interval_factor")
    rows = []
    for run in runs:
        f = run.forecast
        notes = [note_text(n, tx) for n in f.notes] if f else []
        if run.unforecast:
            notes.append(tx("fc_note_not_forecast", reason=why_not(run.unforecast, tx)))
        elif run.unmonitored:
            notes.append(tx("fc_note_not_monitored", reason=why_not(run.unmonitored, tx)))
        if run.masked:
            notes.append(tx("fc_note_masked", days=joined("fc_sep_list", [day_month(d, tx) for d in run.masked],
                                                           tx)))
        model = model_name(f.model, tx) if f else fmt.MISSING
        rows.append({
            tx("col_metric"): run.info.label(tx),
            tx("fc_col_model"): tx("fc_model_yearly", model=model) if f and f.yearly else model,
            tx.label("mase_backtest"): tx.value("mase_backtest", f.mase if f else None),
            tx.label("mase_seasonal_naive"): tx.value("mase_seasonal_naive", f.mase_naive if f else None),
            tx("fc_col_coverage80"): _coverage_cell(0.80, run, tx),
            tx("fc_col_coverage95"): _coverage_cell(0.95, run, tx),
            tx("fc_col_notes"): joined("fc_sep_clauses", notes, tx),
        })
    return pd.DataFrame(rows)


def _pct(x: float) -> str:
    """A relative change in whole percent, without a '-0%'."""
    return fmt.relative_change(round(x, 2) + 0.0, 0)


def effect_cell(coef: float, se: float, log: bool, run: SeriesRun, tx: Text) -> str:
    """An effect with its 95% interval: in percent on the log scale, else in the series' unit."""
    lo, hi = effect_interval(coef, se)
    if log:
        return tx("fc_effect_cell", effect=_pct(np.expm1(coef)), low=_pct(np.expm1(lo)), high=_pct(np.expm1(hi)))
    sign = "+" if coef >= 0 else ""
    return tx("fc_effect_cell", effect=sign + value(run, coef, tx), low=value(run, lo, tx),
              high=value(run, hi, tx))


def effects_table(runs: list[SeriesRun], tx: Text) -> pd.DataFrame:
    """Calendar features x series: estimated effect with its 95% interval."""
    with_effects = [r for r in runs if r.forecast and r.forecast.effects is not None and len(r.forecast.effects)]
    columns: list[str] = []
    for r in with_effects:
        columns += [c for c in r.forecast.effects["regressor"] if c not in columns]
    if columns:
        tx.shows("calendar_effect")
    rows = []
    for column in columns:
        row = {tx("fc_col_calendar"): regressor_name(column, tx)}
        for r in with_effects:
            e = r.forecast.effects.set_index("regressor")
            row[r.info.label(tx)] = effect_cell(e.at[column, "coef"], e.at[column, "se"], r.forecast.log, r, tx) \
                if column in e.index else fmt.MISSING
        rows.append(row)
    return pd.DataFrame(rows)


def past_table(scores: pd.DataFrame, infos: dict[str, SeriesInfo], tx: Text) -> pd.DataFrame:
    """Earlier reports' forecasts scored: one row per report week and series."""
    tx.shows("forecast_wape", "forecast_bias")
    return pd.DataFrame([{
        tx("fc_col_made_in"): s.made_in,
        tx("col_metric"): series_name(s.metric, infos, tx) if s.metric in infos else s.metric,
        tx("fc_col_days_known"): str(s.days),
        tx("fc_col_wape"): fmt.percent(s.wape, 1),
        tx("fc_col_bias"): fmt.relative_change(s.bias, 1),
        tx("fc_col_inside80"): fmt.percent(s.coverage80, 0),
        tx("fc_col_inside95"): fmt.percent(s.coverage95, 0),
    } for s in scores.itertuples()])
