"""What the forecasting report publishes for programs: the JSON objects of each series and anomaly,
forecast.csv, and earlier reports' forecast.csv files read back and scored against what happened."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.periods import Period
from helpers.forecasting.inputs import earlier_forecast_files
from helpers.forecasting.runs import SeriesInfo, SeriesRun
from helpers.render.outputs import CONTRACTS, csv_text
from helpers.stats.forecast import score_forecasts

FORECAST_COLUMNS = tuple(CONTRACTS["forecasting"].files["forecast.csv"].split(","))
CSV_DIGITS = {"CNY": 2, "fraction": 5}


def _num(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def series_item(run: SeriesRun, horizon: int) -> dict[str, object]:
    """The JSON `series` object of a run (report-outputs keys first, then extras). A series not
    forecast has model null and the reason code in its notes; one forecast but not monitored
    this week has 'not_monitored:<reason>' there."""
    f = run.forecast
    if f is None:
        return {"metric": run.info.key, "model": None, "horizon_days": horizon,
                **dict.fromkeys(("mase_backtest", "mase_seasonal_naive", "coverage80", "coverage95",
                                 "coverage80_raw", "coverage95_raw", "interval_factor80",
                                 "interval_factor95", "transform", "yearly")),
                "backtest_origins": [], "masked_days": [], "notes": [run.unforecast]}
    unmonitored = [f"not_monitored:{run.unmonitored}"] if run.unmonitored else []
    return {
        "metric": run.info.key, "model": f.model, "horizon_days": horizon,
        "mase_backtest": _num(f.mase), "mase_seasonal_naive": _num(f.mase_naive),
        "coverage80": _num(f.calibration[0.80].expected), "coverage95": _num(f.calibration[0.95].expected),
        "coverage80_raw": _num(f.calibration[0.80].raw), "coverage95_raw": _num(f.calibration[0.95].raw),
        "interval_factor80": _num(f.calibration[0.80].factor),
        "interval_factor95": _num(f.calibration[0.95].factor),
        "transform": "log" if f.log else "none", "yearly": f.yearly,
        "backtest_origins": [d.date().isoformat() for d in f.backtest.dates] if f.backtest else [],
        "masked_days": [d.date().isoformat() for d in run.masked],
        "notes": [n.kind for n in f.notes] + unmonitored,
    }


def anomaly_items(run: SeriesRun) -> list[dict[str, object]]:
    """The JSON `anomalies` objects of a run."""
    return [{"metric": run.info.key, "date": r.date.date().isoformat(), "actual": _num(r.actual),
             "expected": _num(r.expected), "lo95": _num(r.lo95), "hi95": _num(r.hi95),
             "direction": r.direction, "deviation": _num(r.deviation), "difference": _num(r.difference),
             "severity": _num(r.severity)}
            for r in (run.monitoring.anomalies.itertuples() if run.monitoring else ())]


def forecast_rows(runs: list[SeriesRun]) -> pd.DataFrame:
    """Every forecast run's forward forecast in the forecast.csv layout."""
    frames = [r.forecast.frame().assign(metric=r.info.key, model=r.forecast.model) for r in runs if r.forecast]
    if not frames:
        return pd.DataFrame(columns=list(FORECAST_COLUMNS))
    return pd.concat(frames, ignore_index=True).loc[:, list(FORECAST_COLUMNS)]


def csv_digits(infos: dict[str, SeriesInfo]) -> dict[str, int]:
    """Decimals written to forecast.csv per series: cents for money, 1 for counts."""
    return {k: CSV_DIGITS.get(i.unit, 1) for k, i in infos.items()}


def forecast_csv(rows: pd.DataFrame, digits: dict[str, int]) -> str:
    """forecast.csv text: the contract's columns, dates as YYYY-MM-DD, values rounded per metric."""
    out = rows.loc[:, list(FORECAST_COLUMNS)].copy()
    out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    for column in FORECAST_COLUMNS[3:]:
        out[column] = [round(v, digits.get(m, 2)) if not math.isnan(v) else v
                       for v, m in zip(out[column], out["metric"], strict=True)]
    return csv_text(out)


def earlier_forecasts(out: Path, period: Period) -> pd.DataFrame:
    """The forecast.csv rows published by reports of weeks before `period` under `out`,
    with a column `made_in` (the week label); empty when there are none."""
    frames = []
    for label, path in earlier_forecast_files(out, period):
        frame = pd.read_csv(path, parse_dates=["date"])
        if tuple(frame.columns) != FORECAST_COLUMNS:
            continue  # a file of another layout is not ours to score
        frames.append(frame.assign(made_in=label))
    if not frames:
        return pd.DataFrame(columns=[*FORECAST_COLUMNS, "made_in"])
    return pd.concat(frames, ignore_index=True)


def score_earlier(earlier: pd.DataFrame, actual: dict[str, pd.Series]) -> pd.DataFrame:
    """Each earlier report's forecasts of each series against the values now known."""
    rows = []
    for (made_in, metric), group in earlier.groupby(["made_in", "metric"], sort=True):
        if metric not in actual:
            continue
        score = score_forecasts(group, actual[metric].dropna())
        if score["days"]:
            rows.append({"made_in": made_in, "metric": metric, **score})
    order = list(actual)
    rows.sort(key=lambda r: (r["made_in"], order.index(r["metric"])))
    return pd.DataFrame(rows, columns=["made_in", "metric", "days", "wape", "bias", "coverage80",
                                       "coverage95"])
