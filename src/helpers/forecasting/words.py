"""The small words of the forecasting report shared by its findings, tables and charts: days and
spans, series values and intervals in the series' own unit, model, calendar and note names."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from helpers.core.metrics import METRICS
from helpers.forecasting.runs import SeriesInfo, SeriesRun
from helpers.render import fmt
from helpers.render.text import Text
from helpers.stats.forecast_models import MIN_MODEL_DAYS, Note

MODEL_NAMES = {
    "seasonal_naive": "fc_model_seasonal_naive",
    "ets_damped": "fc_model_ets_damped",
    "structural": "fc_model_structural",
    "combined": "fc_model_combined",
}
CALENDAR_NAMES = {
    "holiday": "fc_cal_holiday",
    "spring_festival": "fc_cal_spring_festival",
    "makeup_workday": "fc_cal_makeup_workday",
}
REASONS = {
    "non_finite": "fc_reason_non_finite",
    "diverged": "fc_reason_diverged",
    "interval_exploded": "fc_reason_interval_exploded",
    "short_history": "fc_reason_short_history",
    "no_history": "fc_reason_no_history",
}
UNFORECASTABLE = {  # stats.forecast_models.Unforecastable reason codes
    "no_data": "fc_why_no_data",
    "too_short": "fc_why_too_short",
    "all_zero": "fc_why_all_zero",
    "constant": "fc_why_constant",
    "no_model": "fc_why_no_model",
}
COUNT_UNITS = ("users", "orders", "count")


def model_name(model: str, tx: Text) -> str:
    """A candidate model as readers know it."""
    return tx(MODEL_NAMES[model])


def day(d: date | pd.Timestamp, tx: Text) -> str:
    """A day with its weekday, e.g. 'Sat 21 Nov'."""
    d = pd.Timestamp(d)
    return tx("fc_day_weekday", day=d, weekday=tx.weekdays()[d.weekday()])


def day_month(d: date | pd.Timestamp, tx: Text) -> str:
    """A day of the year, e.g. '21 Nov'."""
    return fmt.day_month(pd.Timestamp(d), tx.language)


def span(first: date | pd.Timestamp, last: date | pd.Timestamp, tx: Text) -> str:
    """Two days of the year, e.g. '23 Nov–20 Dec'."""
    return tx("fc_span", first=pd.Timestamp(first), last=pd.Timestamp(last))


def regressor_name(column: str, tx: Text) -> str:
    """A calendar column (core.calendar.regressors) in words."""
    if column in CALENDAR_NAMES:
        return tx(CALENDAR_NAMES[column])
    if column.startswith("event:"):
        return tx("fc_cal_event", name=column.removeprefix("event:"))
    kind, _, key = column.partition("_")
    festival = tx.festival(key)  # core's vocabulary of the festivals
    if kind == "presale":
        return tx("fc_cal_presale", festival=festival)
    return tx("fc_cal_festival_day", festival=festival)


def reason(code: str, tx: Text) -> str:
    """Why a fit was rejected (a FitError reason code)."""
    if code.startswith("error:"):
        return tx("fc_reason_error", error=code.removeprefix("error:"))
    return tx(REASONS[code]) if code in REASONS else code


def why_not(code: str, tx: Text) -> str:
    """Why a series has nothing to model (an Unforecastable reason code) in words."""
    if code == "too_short":
        return tx(UNFORECASTABLE[code], days=MIN_MODEL_DAYS)
    return tx(UNFORECASTABLE[code]) if code in UNFORECASTABLE else code


def note_text(note: Note, tx: Text) -> str:
    """A note of a series' forecast (stats.forecast_models.Note) in words."""
    if note.kind == "log_not_possible":
        return tx("fc_note_log_not_possible")
    if note.kind == "failed_backtest":
        return tx("fc_note_failed_backtest", model=model_name(note.model, tx), count=note.count,
                  origins=note.other, reason=reason(note.reason, tx))
    if note.kind == "fallback":
        return tx("fc_note_fallback", model=model_name(note.model, tx), reason=reason(note.reason, tx),
                  other=model_name(note.other, tx))
    if note.kind == "short_history":
        return tx("fc_note_short_history", days=note.count)
    return note.kind


def series_name(metric: str, infos: dict[str, SeriesInfo], tx: Text) -> str:
    """A forecast series or another registry metric (an alert on daily_unfollow_rate) by name."""
    return infos[metric].label(tx) if metric in infos else tx.label(metric)


def unit_of(metric: str, infos: dict[str, SeriesInfo]) -> str:
    """The unit of a forecast series or of another registry metric."""
    return infos[metric].unit if metric in infos else METRICS[metric].unit


def value(run: SeriesRun, x: float | None, tx: Text) -> str:
    """A series value in its unit; forecasts of counts are shown as whole numbers; a value that
    overflowed (a sum of huge values) is missing, never 'inf'."""
    if x is not None and not np.isfinite(x):
        x = None
    if x is not None and run.info.unit in COUNT_UNITS and abs(x) >= 1:
        x = float(round(x))
    return fmt.value(x, run.info.unit, tx.language)


def band(run: SeriesRun, lo: float, hi: float, tx: Text) -> str:
    """'2,430–2,728'; with a negative bound '-15 to 44', so the sign stays readable."""
    key = "fc_band" if lo >= 0 else "fc_band_negative"
    return tx(key, lo=value(run, lo, tx), hi=value(run, hi, tx))


def deviation(run: SeriesRun, a: Any, tx: Text) -> str:
    """Relative deviation for positive series; the signed difference where a ratio means nothing."""
    if np.isfinite(a.deviation):
        return fmt.relative_change(a.deviation)
    return ("+" if a.difference > 0 else "") + value(run, a.difference, tx)


def joined(key: str, parts: list[str], tx: Text) -> str:
    """Parts joined by a separator of the catalog (fc_sep_clauses, fc_sep_items, fc_sep_list)."""
    return tx(key).join(parts)
