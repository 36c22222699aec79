"""The findings of the forecasting report: the week's anomalies and threshold alerts, the outlook
and targets at risk, the models' accuracy, the clearest calendar effects, and how earlier forecasts
did. Each is written once; its words are catalog entries (forecasting/text.yaml)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from helpers.forecasting.runs import SeriesInfo, SeriesRun, weekly_forecast
from helpers.forecasting.words import (
    band,
    day,
    deviation,
    joined,
    regressor_name,
    series_name,
    span,
    unit_of,
    value,
)
from helpers.render import fmt
from helpers.render.text import Text
from helpers.stats.calibration import LEVELS
from helpers.stats.forecast_models import effect_is_clear

ANOMALY_TEXT = {"up": "fc_anomaly_up", "down": "fc_anomaly_down"}
THRESHOLD_TEXT = {"above": "fc_threshold_above", "below": "fc_threshold_below"}


def anomaly_text(run: SeriesRun, a: Any, tx: Text) -> str:
    """One anomalous day: the value, the 95% band it left, the expected value and the deviation."""
    return tx(ANOMALY_TEXT[a.direction], label=run.info.label(tx), day=day(a.date, tx),
              actual=value(run, a.actual, tx), band=band(run, a.lo95, a.hi95, tx),
              expected=value(run, a.expected, tx), deviation=deviation(run, a, tx))


def threshold_text(alert: dict[str, Any], infos: dict[str, SeriesInfo], tx: Text) -> str:
    """One day on which a threshold rule of the parameters fired."""
    unit = unit_of(alert["metric"], infos)
    return tx(THRESHOLD_TEXT[alert["rule"]], label=series_name(alert["metric"], infos, tx),
              day=day(pd.Timestamp(alert["date"]), tx), value=fmt.value(alert["value"], unit, tx.language),
              threshold=fmt.value(alert["threshold"], unit, tx.language))


def anomaly_alerts(runs: list[SeriesRun], tx: Text) -> list[dict[str, Any]]:
    """Every anomaly of the week as an alert of the JSON summary (`rep.alert("anomaly", ...)`)."""
    return [{"metric": run.info.key, "text": anomaly_text(run, a, tx), "date": a.date.date().isoformat(),
             "direction": a.direction}
            for run in runs if run.monitoring for a in run.monitoring.anomalies.itertuples()]


def threshold_alerts(alerts: list[dict[str, Any]], infos: dict[str, SeriesInfo], tx: Text
                     ) -> list[dict[str, Any]]:
    """Every threshold alert as an alert of the JSON summary (`rep.alert("threshold", ...)`)."""
    return [{"metric": a["metric"], "text": threshold_text(a, infos, tx), "date": a["date"],
             "rule": a["rule"]} for a in alerts]


def monitoring_finding(runs: list[SeriesRun], alerts: list[dict[str, Any]], infos: dict[str, SeriesInfo],
                       tx: Text) -> str:
    """The week's anomalies in a few sentences: the most severe day (furthest outside its band) of
    each monitored series, most severe first, three series at most; then the threshold alerts.
    Empty when no series was monitored and no rule fired."""
    watched = [run for run in runs if run.monitoring]
    found = [(a.severity, run, a) for run in watched for a in run.monitoring.anomalies.itertuples()]
    found.sort(key=lambda x: -x[0])
    worst: dict[str, tuple[float, SeriesRun, Any]] = {}
    for item in found:
        worst.setdefault(item[1].info.key, item)
    if not watched:
        text = ""
    elif not found:
        text = tx("fc_no_anomalies", series=len(watched))
    else:
        parts = [anomaly_text(run, a, tx) for _, run, a in list(worst.values())[:3]]
        text = tx("fc_anomalies", series=len(worst), days=len(found), worst=joined("fc_sep_clauses", parts, tx))
    if alerts:
        text += tx("fc_alerts", alerts=len(alerts), example=threshold_text(alerts[0], infos, tx))
    return text.lstrip()


def forecast_finding(runs: list[SeriesRun], targets: dict[str, float], tx: Text) -> str:
    """The horizon's outlook for the headline series, and targets at risk; empty when no series
    was forecast."""
    runs = [run for run in runs if run.forecast]
    if not runs:
        return ""
    first, last = runs[0].forecast.dates[0], runs[0].forecast.dates[-1]
    parts = []
    for run in runs[:4]:
        weeks = weekly_forecast(run)
        if weeks.empty:
            continue
        key = "fc_outlook_mean" if run.info.weekly == "mean" else "fc_outlook_sum"
        parts.append(tx(key, label=run.info.label(tx), value=value(run, weeks["value"].mean(), tx)))
    text = tx("fc_outlook", span=span(first, last, tx), parts=joined("fc_sep_items", parts, tx))
    risky = []
    for run in runs:
        target = targets.get(run.info.key)
        if not target:
            continue
        weeks = weekly_forecast(run)
        short = weeks[weeks["hi"] < target]
        if len(short):
            risky.append(tx("fc_target_risk", label=run.info.label(tx), weeks=len(short)))
    if risky:
        text += tx("fc_targets_at_risk", risks=joined("fc_sep_clauses", risky, tx))
    return text


def accuracy_finding(runs: list[SeriesRun], tx: Text) -> str:
    """The chosen models' and seasonal naive's backtest MASE, averaged over the series, and how
    honest the intervals are. Described, not ranked: the models were chosen on the same
    backtest origins, so "lower than seasonal naive" would be a selection effect, not a test."""
    scored = [r for r in runs if r.forecast and np.isfinite(r.forecast.mase) and np.isfinite(r.forecast.mase_naive)
              and r.forecast.mase_naive > 0]
    if not scored:
        return tx("fc_no_backtest")
    cov = {lv: np.nanmean([r.forecast.calibration[lv].expected for r in scored]) for lv in LEVELS}
    recal = [r.info.label(tx) for r in scored if any(r.forecast.calibration[lv].factor != 1.0 for lv in LEVELS)]
    text = tx("fc_accuracy", origins=len(scored[0].forecast.backtest.origins),
              chosen=np.mean([r.forecast.mase for r in scored]),
              naive=np.mean([r.forecast.mase_naive for r in scored]), cov80=cov[0.80], cov95=cov[0.95])
    if recal:
        text += tx("fc_recalibrated", series=joined("fc_sep_list", recal, tx))
    return text


def effects_finding(runs: list[SeriesRun], tx: Text) -> str:
    """The calendar effects whose 95% interval excludes zero (`effect_is_clear`), largest first,
    four at most; a larger effect with a wide interval is never named."""
    clear = []
    for r in runs:
        if r.forecast is None or r.forecast.effects is None or not r.forecast.log:
            continue
        for e in r.forecast.effects.itertuples():
            if effect_is_clear(e.coef, e.se):
                clear.append((abs(e.coef), r, e))
    if not clear:
        return tx("fc_no_clear_effects")
    clear.sort(key=lambda x: -x[0])
    parts = [tx("fc_clear_effect", calendar=regressor_name(e.regressor, tx), label=r.info.label(tx),
                change=fmt.relative_change(np.expm1(e.coef), 0)) for _, r, e in clear[:4]]
    return tx("fc_clear_effects", effects=joined("fc_sep_items", parts, tx))


def past_finding(scores: pd.DataFrame, tx: Text) -> str:
    """Earlier reports' forecasts against what happened, weighted by the days now known."""
    return tx("fc_past", weeks=scores["made_in"].nunique(), days=int(scores["days"].sum()),
              wape=_weighted(scores, "wape"), cov80=_weighted(scores, "coverage80"),
              cov95=_weighted(scores, "coverage95"))


def _weighted(scores: pd.DataFrame, column: str) -> float:
    """A score's mean weighted by the days known, over the rows that have it (a WAPE of days whose
    actual values are all zero is undefined, not 0); NaN when none has it."""
    known = scores[np.isfinite(scores[column].astype(float))]
    days = known["days"].sum()
    return float((known[column] * known["days"]).sum() / days) if days else float("nan")
