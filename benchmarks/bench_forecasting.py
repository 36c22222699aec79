"""Forecast accuracy, interval coverage and speed on a real daily series, against AutoETS and Prophet.

`../shared/benchmarks/wp_log_peyton_manning.csv`: daily Wikipedia page views of Peyton Manning (log
scale, with gaps; strong yearly and weekly seasonality). Rolling origins every 28 days over the last
two years, horizon 28 days. Our pipeline is replayed honestly at each origin: the model is chosen
and its intervals calibrated on the 12 origins before it only, a year of monthly origins so that
calibration sees every season (exactly what `forecast()` does with `origins=12, step=28` on the
data up to that origin; checked below on the latest origin), so the reported coverage is out of
sample. Competitors: statsforecast's AutoETS (weekly season) and Prophet
(default settings), both benchmark-only dependencies. MASE is scaled by the in-sample seasonal
naive (lag 7) error of each origin's history; "last 10" covers the last 10 origins (280 days).

Targets: our MASE at or below Prophet's in the same run, coverage within 5 points of nominal, and
one 28-day forecast of one series (model fit and forecast) under 2 s.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmarks.common import ROOT, report
from helpers.stats import backtest as bk
from helpers.stats import calibration as cal
from helpers.stats import forecast as fc
from helpers.stats import forecast_models as models

SERIES = ROOT.parent / "shared" / "benchmarks" / "wp_log_peyton_manning.csv"
HORIZON = 28
YEARS = 2
INNER = 12  # origins the pipeline chooses and calibrates on before each evaluated one (a year)
SETTINGS = models.Settings(horizon=HORIZON, origins=INNER, step=HORIZON)
LAST = 10
ONE_FORECAST_TARGET_S = 2.0

Method = Callable[[pd.Series], "Result"]


@dataclass
class Result:
    yhat: np.ndarray
    bounds: dict[float, tuple[np.ndarray, np.ndarray]]
    seconds: float


def load() -> pd.Series:
    frame = pd.read_csv(SERIES, parse_dates=["ds"])
    return frame.set_index("ds")["y"].asfreq("D")


def auto_ets(history: pd.Series) -> Result:
    from statsforecast.models import AutoETS

    started = time.perf_counter()
    out = AutoETS(season_length=7).forecast(y=history.interpolate().to_numpy(), h=HORIZON, level=[80, 95])
    bounds = {lv / 100: (out[f"lo-{lv}"], out[f"hi-{lv}"]) for lv in (80, 95)}
    return Result(out["mean"], bounds, time.perf_counter() - started)


def prophet(history: pd.Series) -> Result:
    from prophet import Prophet

    started = time.perf_counter()
    frame = history.dropna().rename("y").rename_axis("ds").reset_index()
    model = Prophet().fit(frame)
    future = pd.DataFrame({"ds": pd.date_range(history.index[-1] + pd.Timedelta(days=1), periods=HORIZON)})
    yhat = model.predict(future)["yhat"].to_numpy()
    samples = model.predictive_samples(future)["yhat"]
    bounds = {lv: (np.quantile(samples, (1 - lv) / 2, axis=1), np.quantile(samples, (1 + lv) / 2, axis=1))
              for lv in cal.LEVELS}
    return Result(yhat, bounds, time.perf_counter() - started)


def replay(series: models.Series, bt: bk.Backtest, row: int) -> tuple[str, Result]:
    """What `forecast()` would publish at origin `row` of `bt`, from the INNER origins before it."""
    inner = bt.take(list(range(row - INNER, row)))
    order = bk.ranking(inner)
    chosen = next(m for m in order if not bt.failed[m][row])  # the final fit's fallback
    calibration = {lv: cal.calibrate(inner.z[chosen], lv, SETTINGS.tolerance, SETTINGS.step) for lv in cal.LEVELS}
    yhat = bt.mean[chosen][row]
    # Rebuild the calibrated bounds from the standardized errors' scale: z = (y - mean) / sd.
    mean = np.log(yhat) if series.log else yhat
    sd = bt.sd[chosen][row]
    return chosen, Result(yhat, cal.intervals(mean, sd, calibration, series.log), 0.0)


def evaluate(values: pd.Series) -> list[dict[str, object]]:
    n = len(values)
    outer = [n - HORIZON - i * HORIZON for i in range(YEARS * 365 // HORIZON)][::-1]
    positions = [outer[0] - i * HORIZON for i in range(INNER, 0, -1)] + outer
    series = models.prepare(values, None, SETTINGS)
    started = time.perf_counter()
    bt = bk.backtest(series, positions, HORIZON)
    backtest_s = time.perf_counter() - started
    assert bt.origins == tuple(positions), "every origin must have a seasonal naive baseline"
    rows = range(INNER, len(positions))
    methods: dict[str, list[Result]] = {"chosen (ours)": [], "AutoETS (statsforecast)": [],
                                        "Prophet": []}
    for model in SETTINGS.models:
        methods[f"  candidate {model}"] = []
    picks: list[str] = []
    for row in rows:
        history = values.iloc[:positions[row]]
        chosen, result = replay(series, bt, row)
        picks.append(chosen)
        methods["chosen (ours)"].append(result)
        for model in SETTINGS.models:
            raw = {lv: cal.Calibration(lv, np.nan, 1.0, np.nan) for lv in cal.LEVELS}
            yhat = bt.mean[model][row]
            mean = np.log(yhat) if series.log else yhat
            methods[f"  candidate {model}"].append(
                Result(yhat, cal.intervals(mean, bt.sd[model][row], raw, series.log), 0.0))
        methods["AutoETS (statsforecast)"].append(auto_ets(history))
        methods["Prophet"].append(prophet(history))
    check_replay(values, positions[-1], methods["chosen (ours)"][-1])
    actual = [values.to_numpy()[p:p + HORIZON] for p in positions[INNER:]]
    scale = [bk.naive_scale(values.to_numpy()[:p]) for p in positions[INNER:]]
    per_fit = backtest_s / len(positions)
    rows_out, summary = [], {}
    for name, results in methods.items():
        mases = [bk.mase(a, r.yhat, s) for a, r, s in zip(actual, results, scale, strict=True)]
        cov = {lv: np.mean([bk.coverage(a, *r.bounds[lv]) for a, r in zip(actual, results, strict=True)])
               for lv in cal.LEVELS}
        if name in ("AutoETS (statsforecast)", "Prophet"):
            seconds = f"{np.mean([r.seconds for r in results]):.2f}"
        else:
            seconds = f"{per_fit:.2f} (all candidates)" if name == "chosen (ours)" else ""
        summary[name] = (np.mean(mases), np.mean(mases[-LAST:]), cov)
        rows_out.append({
            "method": name,
            f"MASE ({len(results)} origins)": f"{np.mean(mases):.3f}",
            f"MASE last {LAST}": f"{np.mean(mases[-LAST:]):.3f}",
            "cover 80%": f"{cov[0.80]:.1%}",
            "cover 95%": f"{cov[0.95]:.1%}",
            "fit+forecast s/origin": seconds,
        })
    counts = pd.Series(picks).value_counts().to_dict()
    print(f"models chosen at the {len(picks)} origins: {counts}")
    ours, theirs = summary["chosen (ours)"], summary["Prophet"]
    beats = ours[0] <= theirs[0] and ours[1] <= theirs[1]
    honest = all(abs(ours[2][lv] - lv) <= 0.05 for lv in cal.LEVELS)
    print(f"targets: MASE at or below Prophet's: {'yes' if beats else 'NO'} ({ours[0]:.3f} vs {theirs[0]:.3f}; "
          f"last {LAST}: {ours[1]:.3f} vs {theirs[1]:.3f}); coverage within 5 points of nominal: "
          f"{'yes' if honest else 'NO'} ({ours[2][0.80]:.1%}, {ours[2][0.95]:.1%})")
    return rows_out


def check_replay(values: pd.Series, position: int, replayed: Result) -> None:
    """The replay must equal a real `forecast()` call at the latest origin; time that call and
    one fit of the chosen model (the figure of 'one 28-day forecast')."""
    history = values.iloc[:position]
    started = time.perf_counter()
    real = fc.forecast(history, None, SETTINGS)
    pipeline_s = time.perf_counter() - started
    np.testing.assert_allclose(real.yhat, replayed.yhat, rtol=1e-6)
    for lv in cal.LEVELS:
        np.testing.assert_allclose(real.bounds[lv][0], replayed.bounds[lv][0], rtol=1e-6)
    series = models.prepare(history, None, SETTINGS)
    started = time.perf_counter()
    models.predict(real.model, series, len(series.values), HORIZON)
    one_s = time.perf_counter() - started
    verdict = "ok" if one_s < ONE_FORECAST_TARGET_S else "OVER TARGET"
    print(f"one 28-day forecast ({real.model}, {len(series.values)} days of history): {one_s:.2f}s "
          f"[target < {ONE_FORECAST_TARGET_S:.0f}s: {verdict}]; whole pipeline with its {INNER}-origin "
          f"backtest and choice: {pipeline_s:.2f}s; replay matches forecast(): yes")


def main() -> int:
    if not SERIES.exists():
        print(f"\n== forecasting ==\nskipped: {SERIES} not found")
        return 0
    for name in ("cmdstanpy", "prophet", "prophet.plot"):  # per-fit chatter, "plotly missing"
        logging.getLogger(name).disabled = True
    warnings.filterwarnings("ignore")
    values = load()
    print(f"\n{SERIES.name}: {values.notna().sum()} days observed, {values.isna().sum()} missing, "
          f"{values.index[0].date()} .. {values.index[-1].date()}; horizon {HORIZON} days")
    rows = evaluate(values)
    report(f"forecasting: rolling origins every {HORIZON} days over the last {YEARS} years", rows)
    return 0
