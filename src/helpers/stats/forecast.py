"""The forecast of one daily series with honest intervals, its weekly roll-ups, and the scoring of
forecasts published earlier.

`forecast` backtests the candidates (`stats.backtest`), keeps the best by MASE, fits it on all of
the history (`stats.forecast_models`) and calibrates its intervals on the backtest errors
(`stats.calibration`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from helpers.stats.backtest import Backtest, backtest, coverage, origin_positions, ranking, scores
from helpers.stats.calibration import (
    LEVELS,
    Calibration,
    calibrate,
    intervals,
    lead_correlations,
    weekly_correlation,
)
from helpers.stats.forecast_models import (
    DEFAULTS,
    MIN_MODEL_DAYS,
    RECENT_DAYS,
    FitError,
    Note,
    Settings,
    Unforecastable,
    design,
    predict,
    prepare,
)

# ----------------------------------------------------------------------------------------------
# The forecast of one series
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SeriesForecast:
    """A series' forecast with calibrated intervals and how it was chosen."""

    dates: pd.DatetimeIndex
    yhat: np.ndarray  # original scale (the median on the log scale)
    bounds: dict[float, tuple[np.ndarray, np.ndarray]]  # level -> (lo, hi), original scale
    mean: np.ndarray  # model scale
    sd: np.ndarray  # model scale, before calibration
    model: str
    log: bool
    yearly: bool
    scores: dict[str, float]  # backtest MASE per candidate
    calibration: dict[float, Calibration]
    rho: float  # within-week error correlation pooled over the horizon
    backtest: Backtest | None
    notes: tuple[Note, ...] = ()
    effects: pd.DataFrame | None = None  # calendar effects of the structural model
    unseen: tuple[str, ...] = ()  # regressors active in the horizon but never seen in the history
    rho_lead: tuple[float, ...] = ()  # within-week error correlation of the week starting each day ahead

    @property
    def mase(self) -> float:
        """Backtest MASE of the chosen model (NaN without a backtest)."""
        return self.scores.get(self.model, float("nan"))

    @property
    def mase_naive(self) -> float:
        """Backtest MASE of seasonal naive, the benchmark."""
        return self.scores.get("seasonal_naive", float("nan"))

    def frame(self) -> pd.DataFrame:
        """date, yhat, lo80, hi80, lo95, hi95."""
        out = pd.DataFrame({"date": self.dates, "yhat": self.yhat})
        for level, (lo, hi) in self.bounds.items():
            out[f"lo{round(level * 100)}"], out[f"hi{round(level * 100)}"] = lo, hi
        return out


def first_days(fc: SeriesForecast, days: int, tolerance: float) -> tuple[pd.DataFrame, dict[float, Calibration]]:
    """The first `days` of a forecast, its intervals calibrated on the backtest errors of those
    days ahead only: monitoring judges days 1..7, whose errors a calibration pooled over a longer
    horizon would misjudge."""
    z = fc.backtest.z[fc.model][:, :days] if fc.backtest is not None and fc.model in fc.backtest.z \
        else np.empty((0, days))
    calibration = {level: calibrate(z, level, tolerance, origin_step(fc.backtest)) for level in LEVELS}
    frame = pd.DataFrame({"date": fc.dates[:days], "yhat": fc.yhat[:days]})
    for level, (lo, hi) in intervals(fc.mean[:days], fc.sd[:days], calibration, fc.log).items():
        frame[f"lo{round(level * 100)}"], frame[f"hi{round(level * 100)}"] = lo, hi
    return frame, calibration


def origin_step(bt: Backtest | None) -> int | None:
    """Days between two backtest origins (the calibration counts days they share once)."""
    return int(np.diff(bt.origins).min()) if bt is not None and len(bt.origins) >= 2 else None


def nothing_to_model(values: pd.Series) -> str | None:
    """Why daily `values` cannot be forecast at all (an Unforecastable reason code), or None.

    no_data: no value in the last year; too_short: fewer observed days than seasonal naive needs;
    all_zero / constant: one value on every observed day of the last year (the range the guard
    judges forecasts by), where an interval of width zero would call any change an anomaly and
    a model has nothing to learn.
    """
    observed = values[np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))]
    recent = observed[observed.index > values.index.max() - pd.Timedelta(days=RECENT_DAYS)] \
        if len(observed) else observed
    if recent.empty:
        return "no_data"
    if len(observed) < MIN_MODEL_DAYS:
        return "too_short"
    if recent.min() == recent.max():
        return "all_zero" if recent.iloc[0] == 0 else "constant"
    return None


def forecast(values: pd.Series, regressors: pd.DataFrame | None = None, settings: Settings = DEFAULTS,
             previous: Backtest | None = None) -> SeriesForecast:
    """Backtest the candidates, keep the best by MASE, fit it on all of `values`, forecast.

    `values`: daily values (DatetimeIndex; missing days allowed). `regressors`: 0/1 calendar
    columns over the history and the horizon. `previous`: a backtest to reuse (e.g. the one run
    on the data before the report week) instead of running a new one. Raises Unforecastable
    when the series has nothing to model or every candidate is rejected.
    """
    values = values.astype(float).replace([np.inf, -np.inf], np.nan)
    if (reason := nothing_to_model(values)) is not None:
        raise Unforecastable(reason)
    series = prepare(values, regressors, settings)
    h, n = settings.horizon, len(series.values)
    notes = list(series.notes)
    bt = previous if previous is not None and previous.log == series.log else None
    if bt is None:
        bt = backtest(series, origin_positions(n, settings), h)
    if len(bt.origins) < 2:
        notes.append(Note("short_history", count=int(series.values.notna().sum())))
    for model, reasons in bt.failed.items():
        for reason in sorted(set(reasons) - {""}):
            notes.append(Note("failed_backtest", model, reason, reasons.count(reason), str(len(bt.origins))))
    order = ranking(bt) if len(bt.origins) >= 2 else ["seasonal_naive"]
    pred, chosen, fitted = None, order[-1], {}
    for model in order:
        try:
            pred, chosen = predict(model, series, n, h, fitted), model
            break
        except FitError as exc:
            nxt = order[order.index(model) + 1] if model != order[-1] else ""
            notes.append(Note("fallback", model, str(exc), other=nxt))
    if pred is None:
        raise Unforecastable("no_model")
    z = bt.z.get(chosen, np.empty((0, h)))
    calibration = {level: calibrate(z, level, settings.tolerance, origin_step(bt)) for level in LEVELS}
    effects = pred.effects
    if effects is None and "structural" in settings.models and series.regressors.shape[1]:
        try:
            effects = predict("structural", series, n, h, fitted).effects
        except FitError:
            effects = None
    unseen = tuple(design(series, n, h)[3]) if series.regressors.shape[1] else ()
    dates = pd.date_range(series.values.index[-1] + pd.Timedelta(days=1), periods=h, freq="D")
    return SeriesForecast(
        dates=dates, yhat=series.to_original(pred.mean),
        bounds=intervals(pred.mean, pred.sd, calibration, series.log),
        mean=pred.mean, sd=pred.sd, model=chosen, log=series.log, yearly=series.yearly,
        scores=scores(bt) if len(bt.origins) else {}, calibration=calibration,
        rho=weekly_correlation(z) if z.size else 1.0, backtest=bt, notes=tuple(notes),
        effects=effects, unseen=unseen,
        rho_lead=tuple(float(r) for r in lead_correlations(z)) if z.size else ())


# ----------------------------------------------------------------------------------------------
# Roll-ups and scoring of earlier forecasts
# ----------------------------------------------------------------------------------------------

def rollup(fc: SeriesForecast, days: slice, level: float) -> tuple[float, float, float]:
    """Total of some forecast days with an interval at `level`.

    Daily errors are taken as equally correlated on the model scale, with the correlation the
    backtest shows for a week starting that far ahead (`rho_lead`; the pooled `rho` beyond it or
    without it): errors late in the horizon share more of the level error. On the log scale the
    total's error is linearised around the daily medians (delta method) and the interval is
    formed on the log of the total, so it stays positive.
    """
    mean, sd = fc.mean[days], fc.sd[days] * fc.calibration[level].factor
    start = days.start or 0
    corr = np.full((len(sd), len(sd)), fc.rho_lead[start] if start < len(fc.rho_lead) else fc.rho)
    np.fill_diagonal(corr, 1.0)
    q = stats.norm.ppf(0.5 + level / 2)
    if fc.log:
        w = np.exp(mean)
        total = float(w.sum())
        spread = float(np.sqrt((w * sd) @ corr @ (w * sd))) / total
        return total, total * float(np.exp(-q * spread)), total * float(np.exp(q * spread))
    total = float(mean.sum())
    spread = float(np.sqrt(sd @ corr @ sd))
    return total, total - q * spread, total + q * spread


def score_forecasts(forecasts: pd.DataFrame, actual: pd.Series) -> dict[str, float]:
    """How earlier forecasts (columns date, yhat, lo80, hi80, lo95, hi95) did against `actual`
    (indexed by date): days scored, WAPE (sum |error| / sum |actual|), bias (sum error / sum
    actual) and the share of days inside each interval."""
    joined = forecasts.assign(actual=forecasts["date"].map(actual)).dropna(subset=["actual"])
    if joined.empty:
        return {"days": 0, "wape": float("nan"), "bias": float("nan"), "coverage80": float("nan"),
                "coverage95": float("nan")}
    err = joined["yhat"] - joined["actual"]
    denom = float(joined["actual"].abs().sum())
    return {
        "days": len(joined),
        "wape": float(err.abs().sum() / denom) if denom else float("nan"),
        "bias": float(err.sum() / denom) if denom else float("nan"),
        "coverage80": coverage(joined["actual"], joined["lo80"], joined["hi80"]),
        "coverage95": coverage(joined["actual"], joined["lo95"], joined["hi95"]),
    }
