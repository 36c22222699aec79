"""Rolling-origin backtests: every candidate forecast from several origins, scored by MASE, ranked.

Models are chosen by MASE over several forecast origins; the backtest's standardized errors are
what `stats.calibration` recalibrates the intervals from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.stats.forecast_models import (
    MIN_TRAIN_DAYS,
    MODELS,
    SEASON,
    FitError,
    Fitted,
    Series,
    Settings,
    as_of,
    predict,
)

# ----------------------------------------------------------------------------------------------
# Scores
# ----------------------------------------------------------------------------------------------

def naive_scale(history: np.ndarray, season: int = SEASON) -> float:
    """Mean absolute seasonal difference of the history: the denominator of MASE."""
    history = np.asarray(history, dtype=float)
    diffs = np.abs(history[season:] - history[:-season])
    diffs = diffs[np.isfinite(diffs)]
    return float(diffs.mean()) if diffs.size else float("nan")


def mase(actual: np.ndarray, forecast: np.ndarray, scale: float) -> float:
    """Mean absolute error over the observed days, divided by the seasonal naive scale."""
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    seen = np.isfinite(actual)
    if not seen.any() or not scale > 0:
        return float("nan")
    return float(np.mean(np.abs(actual[seen] - forecast[seen])) / scale)


def coverage(actual: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """Share of the observed days inside [lo, hi]."""
    actual = np.asarray(actual, float)
    seen = np.isfinite(actual)
    if not seen.any():
        return float("nan")
    inside = (actual[seen] >= np.asarray(lo)[seen]) & (actual[seen] <= np.asarray(hi)[seen])
    return float(inside.mean())



# ----------------------------------------------------------------------------------------------
# Rolling-origin backtest, choice, calibration
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Backtest:
    """Forecasts of every candidate from several origins, against what happened."""

    origins: tuple[int, ...]  # position of the first forecast day of each origin
    dates: tuple[pd.Timestamp, ...]  # the same as dates
    log: bool  # scale the series it was run on was modelled on (each origin chose its own)
    actual: np.ndarray  # (origins, horizon), original scale, NaN where missing
    scale: np.ndarray  # (origins,) seasonal naive MAE of each origin's history
    mean: dict[str, np.ndarray]  # model -> (origins, horizon) point forecasts, original scale
    sd: dict[str, np.ndarray]  # model -> (origins, horizon) forecast sd, model scale
    z: dict[str, np.ndarray]  # model -> (origins, horizon) standardized errors, model scale
    failed: dict[str, tuple[str, ...]]  # model -> per origin: "" or why the fit was rejected

    def take(self, rows: list[int]) -> Backtest:
        """The same backtest restricted to some origins (benchmarks replay it origin by origin)."""
        return Backtest(tuple(self.origins[i] for i in rows), tuple(self.dates[i] for i in rows),
                        self.log, self.actual[rows], self.scale[rows],
                        {m: v[rows] for m, v in self.mean.items()},
                        {m: v[rows] for m, v in self.sd.items()},
                        {m: v[rows] for m, v in self.z.items()},
                        {m: tuple(v[i] for i in rows) for m, v in self.failed.items()})


def origin_positions(n: int, settings: Settings) -> list[int]:
    """Backtest origins whose whole horizon lies in the first `n` days, latest first spaced by
    `step`, each with at least MIN_TRAIN_DAYS of history; oldest first."""
    last = n - settings.horizon
    positions = [last - i * settings.step for i in range(settings.origins)]
    return sorted(p for p in positions if p >= MIN_TRAIN_DAYS)


def backtest(series: Series, origins: list[int], h: int) -> Backtest:
    """Fit every candidate at every origin; a rejected fit counts as seasonal naive there.

    Each origin decides the log scale and the yearly profile from the days before it only (as the
    forecast would have then); its standardized errors are on that origin's scale."""
    models = series.settings.models
    rows: list[int] = []
    actual, scale = [], []
    mean: dict[str, list[np.ndarray]] = {m: [] for m in models}
    sd: dict[str, list[np.ndarray]] = {m: [] for m in models}
    z: dict[str, list[np.ndarray]] = {m: [] for m in models}
    failed: dict[str, list[str]] = {m: [] for m in models}
    for origin in origins:
        fitted: Fitted = {}
        at = as_of(series, origin)  # scale and yearly profile from the days before the origin only
        observed = at.model_scale.to_numpy()
        try:
            base = predict("seasonal_naive", at, origin, h, fitted)
        except FitError:
            continue  # a weekday never observed yet: no baseline, no origin
        rows.append(origin)
        truth = series.values.to_numpy()[origin:origin + h]
        actual.append(truth)
        scale.append(naive_scale(series.values.to_numpy()[:origin]))
        for model in models:
            reason = ""
            try:
                pred = predict(model, at, origin, h, fitted)
            except FitError as exc:  # counted, and the origin is scored as seasonal naive
                reason, pred = str(exc), base
            failed[model].append(reason)
            mean[model].append(at.to_original(pred.mean))
            sd[model].append(pred.sd)
            z[model].append((observed[origin:origin + h] - pred.mean) / np.where(pred.sd > 0, pred.sd, np.nan))
    dates = tuple(series.values.index[o] for o in rows)
    shape = (len(rows), h)
    return Backtest(tuple(rows), dates, series.log, np.array(actual).reshape(shape), np.array(scale),
                    {m: np.array(v).reshape(shape) for m, v in mean.items()},
                    {m: np.array(v).reshape(shape) for m, v in sd.items()},
                    {m: np.array(v).reshape(shape) for m, v in z.items()},
                    {m: tuple(v) for m, v in failed.items()})


def scores(bt: Backtest) -> dict[str, float]:
    """Backtest MASE of each candidate: the mean over origins of MASE per origin (NaN when no
    origin could be scored, e.g. a history without variation)."""
    def mean_of_scored(f: np.ndarray) -> float:
        per_origin = np.array([mase(bt.actual[i], f[i], bt.scale[i]) for i in range(len(bt.origins))])
        scored = per_origin[~np.isnan(per_origin)]
        return float(scored.mean()) if scored.size else float("nan")

    return {m: mean_of_scored(f) for m, f in bt.mean.items()}


def ranking(bt: Backtest) -> list[str]:
    """Candidates best first by MASE; one that failed at more than half the origins is out;
    seasonal naive is always last resort."""
    score = scores(bt)
    usable = [m for m in bt.mean
              if sum(map(bool, bt.failed[m])) * 2 <= len(bt.origins) and np.isfinite(score[m])]
    order = sorted(usable, key=lambda m: (score[m], MODELS.index(m)))
    return order + ([] if "seasonal_naive" in order else ["seasonal_naive"])
