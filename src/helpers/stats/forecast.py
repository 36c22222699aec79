"""Daily forecasts with honest intervals: candidate models chosen by rolling-origin backtests.

Candidates (all on one daily series, weekly seasonality):

- `seasonal_naive`: the same weekday one week earlier; the benchmark every MASE is scaled by.
- `ets_damped`: exponential smoothing with additive damped trend and weekly seasonality
  (statsmodels ETSModel); damping keeps a 4-week trend from running away.
- `structural`: unobserved components (statsmodels) with a local level, weekly seasonality, an
  AR(1) deviation that fades over the horizon, and calendar regressors (holidays, make-up
  workdays, shopping festivals, user events) whose effects are reported.
- `combined`: the average of the two (forecast combinations are hard to beat when neither model
  is best everywhere); its interval averages theirs, as if their errors were fully correlated,
  and is then calibrated like any other.

Positive series are modelled on the log scale (effects multiply, intervals stay positive); a series
with zero or negative values is modelled as it is, and the report says so. With two years of
history, a yearly profile (Fourier terms, fitted jointly with a trend that bends once a year)
is taken out before the models run and added back to their forecasts, which is what lets a
weekly model follow a season such as a sports calendar.

Every fit goes through a guard: an exception, a non-finite value, or a forecast or interval far
outside the range of the history rejects the fit and the next candidate is used, with a note.
Models are chosen by MASE over several forecast origins; the backtest's standardized errors give
the interval coverage next to the nominal level and, when the share of misses is off its nominal
share by more than a tolerance, a scale factor that recalibrates the intervals (coverage of the
recalibrated intervals is estimated leaving each origin out in turn, so the figure is not fitted
to itself).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

SEASON = 7
LEVELS = (0.80, 0.95)
MODELS = ("seasonal_naive", "ets_damped", "structural", "combined")
COMBINED = ("ets_damped", "structural")
YEAR_DAYS = 365.25
FOURIER_EPOCH = pd.Timestamp("2000-01-01")
MIN_TRAIN_DAYS = 4 * SEASON  # shorter histories cannot separate level from weekly pattern


@dataclass(frozen=True)
class Settings:
    """How a series is forecast; the defaults are the notebook's."""

    horizon: int = 28
    origins: int = 4  # rolling backtest origins
    step: int = 14  # days between two backtest origins
    models: tuple[str, ...] = MODELS
    yearly: bool | None = None  # None: on when the history spans two years
    yearly_terms: int = 10  # Fourier pairs of the yearly profile
    window: int = 730  # days of recent history the models are fitted on
    log: bool | None = None  # None: log scale when every value is positive
    tolerance: float = 0.25  # recalibrate when the backtest miss rate is off nominal by this fraction


@dataclass(frozen=True)
class Prediction:
    """A forecast on the model scale: mean and standard deviation per day ahead."""

    mean: np.ndarray
    sd: np.ndarray
    effects: pd.DataFrame | None = None  # regressor, coef, se (structural model only)


@dataclass(frozen=True)
class Note:
    """Something the reader must know about a series' forecast (translated by the report).

    kind: log_not_possible | failed_backtest | fallback | short_history
    """

    kind: str
    model: str = ""
    reason: str = ""
    count: int = 0
    other: str = ""


class FitError(Exception):
    """A candidate's fit was rejected by the guard; the message is the reason code."""


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
# Yearly profile
# ----------------------------------------------------------------------------------------------

def fourier(dates: pd.DatetimeIndex, terms: int, period: float = YEAR_DAYS) -> np.ndarray:
    """sin/cos pairs of the day of the year, one row per date."""
    t = np.asarray((dates - FOURIER_EPOCH).days, dtype=float)
    k = np.arange(1, terms + 1)
    angle = 2 * np.pi * np.outer(t, k) / period
    return np.column_stack([np.sin(angle), np.cos(angle)])


def yearly_profile(history: pd.Series, terms: int) -> Callable[[pd.DatetimeIndex], np.ndarray]:
    """The yearly pattern of `history` (daily, DatetimeIndex) as a function of dates.

    Least squares of the series on Fourier terms jointly with a trend that bends once a year (a
    linear spline with yearly knots): the trend takes growth over the years, and, its knots being
    a year apart, it cannot take the season itself, as a moving average cut at the series' ends
    would.
    """
    seen = history.notna().to_numpy()
    t = np.arange(len(history), dtype=float)
    knots = t[365::365]
    trend = np.column_stack([np.ones_like(t), t, *(np.clip(t - k, 0, None) for k in knots)])
    design = np.column_stack([trend, fourier(history.index, terms)])
    beta = np.linalg.lstsq(design[seen], history.to_numpy()[seen], rcond=None)[0][trend.shape[1]:]
    return lambda dates: fourier(dates, terms) @ beta


# ----------------------------------------------------------------------------------------------
# Candidate models (model scale in, Prediction out)
# ----------------------------------------------------------------------------------------------

def seasonal_naive(y: np.ndarray, h: int, season: int = SEASON) -> Prediction:
    """The last observed value of the same weekday; sd from the seasonal differences, growing
    with the number of whole seasons ahead (Hyndman & Athanasopoulos, FPP3 5.5)."""
    y = np.asarray(y, dtype=float)
    last = np.full(season, np.nan)
    for slot in range(season):  # slot 0 = the weekday of the last day minus season-1
        values = y[len(y) - season + slot::-season]
        values = values[np.isfinite(values)]
        if values.size:
            last[slot] = values[0]
    if not np.isfinite(last).all():
        raise FitError("no_history")
    mean = np.resize(last, h)
    diffs = y[season:] - y[:-season]
    diffs = diffs[np.isfinite(diffs)]
    sigma = float(np.sqrt(np.mean(diffs**2))) if diffs.size else float("nan")
    sd = sigma * np.sqrt(np.arange(h) // season + 1)
    return Prediction(mean, sd)


def ets_damped(y: np.ndarray, h: int) -> Prediction:
    """ETS(A,Ad,A) with weekly seasonality; gaps are interpolated (ETS cannot skip a day)."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    series = pd.Series(y, dtype=float).interpolate(limit_direction="both")
    if len(series) < MIN_TRAIN_DAYS:
        raise FitError("short_history")
    model = ETSModel(series, error="add", trend="add", damped_trend=True, seasonal="add",
                     seasonal_periods=SEASON)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(disp=False)
    pred = res.get_prediction(start=len(series), end=len(series) + h - 1)
    return Prediction(np.asarray(pred.predicted_mean, float), np.sqrt(np.asarray(pred.forecast_variance)))


def structural(y: np.ndarray, h: int, X: np.ndarray | None = None, X_future: np.ndarray | None = None,
               names: list[str] | None = None) -> Prediction:
    """Local level + weekly seasonal + AR(1) + regressors (unobserved components, statsmodels).

    Regression coefficients sit in the state vector (GLS through the Kalman filter), so adding
    calendar columns costs no extra likelihood parameters; their final filtered estimates and
    standard errors are the calendar effects.
    """
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    if np.isfinite(y).sum() < MIN_TRAIN_DAYS:
        raise FitError("short_history")
    exog = X if X is not None and X.shape[1] else None
    model = UnobservedComponents(np.asarray(y, float), level="llevel", seasonal=SEASON, autoregressive=1,
                                 exog=exog, mle_regression=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(disp=False)
        pred = res.get_forecast(h, exog=X_future if exog is not None else None)
    effects = None
    if exog is not None:
        k = exog.shape[1]
        coef = res.filtered_state[-k:, -1]
        se = np.sqrt(np.clip(np.diag(res.filtered_state_cov[-k:, -k:, -1]), 0, None))
        effects = pd.DataFrame({"regressor": names or [f"x{i}" for i in range(k)], "coef": coef, "se": se})
    return Prediction(np.asarray(pred.predicted_mean, float), np.sqrt(np.asarray(pred.var_pred_mean, float)),
                      effects)


def guard(pred: Prediction, history: np.ndarray) -> None:
    """Reject a forecast that is not finite or leaves the plausible range of the history.

    Plausible: within one full range of the last year's values beyond its minimum and maximum
    (on the model scale, so a log-scale forecast may move by the history's max/min ratio), and
    an interval half-width per day ahead below ten such ranges.
    """
    if not (np.isfinite(pred.mean).all() and np.isfinite(pred.sd).all()) or (pred.sd < 0).any():
        raise FitError("non_finite")
    recent = np.asarray(history, float)[-365:]
    recent = recent[np.isfinite(recent)]
    lo, hi = recent.min(), recent.max()
    span = max(hi - lo, 1e-9 * max(abs(hi), 1.0))
    if pred.mean.min() < lo - span or pred.mean.max() > hi + span:
        raise FitError("diverged")
    if pred.sd.max() > 10 * span:
        raise FitError("interval_exploded")


# ----------------------------------------------------------------------------------------------
# One series: scale, regressors, guarded fits
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Series:
    """A daily series prepared for modelling (every day present, NaN for a missing day)."""

    values: pd.Series  # original scale, DatetimeIndex
    regressors: pd.DataFrame  # 0/1 calendar columns over the history and the horizon (may be empty)
    settings: Settings
    log: bool
    yearly: bool
    notes: tuple[Note, ...] = ()

    @property
    def model_scale(self) -> pd.Series:
        return np.log(self.values) if self.log else self.values

    def to_original(self, x: np.ndarray) -> np.ndarray:
        return np.exp(x) if self.log else x


def prepare(values: pd.Series, regressors: pd.DataFrame | None, settings: Settings) -> Series:
    """Reindex to every day, choose the scale and whether a yearly profile is fitted.

    The log scale (a multiplicative model) is used only when every value is positive: with a
    zero it would explode, so such a series is modelled additively and a note says so.
    """
    values = values.astype(float).sort_index()
    index = pd.date_range(values.index.min(), values.index.max(), freq="D")
    values = values.reindex(index)
    observed = values.dropna()
    notes: list[Note] = []
    positive = bool((observed > 0).all())
    log = positive if settings.log is None else settings.log
    if not positive and settings.log is not False:
        notes.append(Note("log_not_possible"))
        log = False
    span = (observed.index.max() - observed.index.min()).days + 1 if len(observed) else 0
    yearly = span >= 2 * 365 if settings.yearly is None else settings.yearly
    regressors = pd.DataFrame(index=index) if regressors is None else regressors.astype(float)
    return Series(values, regressors, settings, log, yearly, tuple(notes))


def _design(series: Series, end: int, h: int) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Regressor columns with support in the first `end` days, their future rows, their names,
    and the names of columns active in the horizon that the history cannot estimate.

    A column that is zero on every observed training day (a festival not yet seen) cannot be
    estimated and is left out, as is an exact copy of an earlier column.
    """
    dates = series.values.index[:end]
    future = pd.date_range(dates[-1] + pd.Timedelta(days=1), periods=h, freq="D")
    train = series.regressors.reindex(dates).fillna(0.0)
    ahead = series.regressors.reindex(future).fillna(0.0)
    seen = series.values.iloc[:end].notna().to_numpy()
    keep: list[str] = []
    for column in train.columns:
        x = train[column].to_numpy()
        if x[seen].any() and not any(np.array_equal(x, train[k].to_numpy()) for k in keep):
            keep.append(column)
    unseen = [c for c in ahead.columns if c not in keep and ahead[c].any()]
    return train[keep].to_numpy(), ahead[keep].to_numpy(), keep, unseen


def combine(parts: list[Prediction]) -> Prediction:
    """The average of several forecasts (model scale); the calendar effects of the one having them."""
    effects = next((p.effects for p in parts if p.effects is not None), None)
    return Prediction(np.mean([p.mean for p in parts], axis=0), np.mean([p.sd for p in parts], axis=0),
                      effects)


Fitted = dict[str, "Prediction | FitError"]


def predict(model: str, series: Series, end: int, h: int, fitted: Fitted | None = None) -> Prediction:
    """Fit `model` on the first `end` days and forecast `h` days (model scale), guarded.

    Raises FitError with a reason code when the fit fails or the guard rejects it. `fitted`
    remembers the fits made at this origin, so that `combined` reuses its parts.
    """
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; known: {', '.join(MODELS)}")
    fitted = {} if fitted is None else fitted
    if model not in fitted:
        try:
            fitted[model] = (combine([predict(m, series, end, h, fitted) for m in COMBINED])
                             if model == "combined" else _fit(model, series, end, h))
        except FitError as exc:
            fitted[model] = exc
    outcome = fitted[model]
    if isinstance(outcome, FitError):
        raise outcome
    return outcome


def _fit(model: str, series: Series, end: int, h: int) -> Prediction:
    """One candidate on the model scale: yearly profile out, recent window, fit, profile back."""
    values = series.model_scale.iloc[:end]
    history = values.to_numpy()
    if model == "seasonal_naive":  # the benchmark stays plain: no window, no yearly profile
        pred = seasonal_naive(history, h)
        guard(pred, history)
        return pred
    future = pd.date_range(values.index[-1] + pd.Timedelta(days=1), periods=h, freq="D")
    profile, profile_ahead = np.zeros(end), np.zeros(h)
    if series.yearly:
        shape = yearly_profile(values, series.settings.yearly_terms)
        profile, profile_ahead = shape(values.index), shape(future)
    window = slice(max(0, end - series.settings.window), end)
    y = (history - profile)[window]
    try:
        if model == "ets_damped":
            pred = ets_damped(y, h)
        else:
            X, X_future, names, _ = _design(series, end, h)
            pred = structural(y, h, X[window], X_future, names)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError, IndexError) as exc:
        raise FitError(f"error:{type(exc).__name__}") from exc
    pred = Prediction(pred.mean + profile_ahead, pred.sd, pred.effects)
    guard(pred, history)
    return pred


# ----------------------------------------------------------------------------------------------
# Rolling-origin backtest, choice, calibration
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Backtest:
    """Forecasts of every candidate from several origins, against what happened."""

    origins: tuple[int, ...]  # position of the first forecast day of each origin
    dates: tuple[pd.Timestamp, ...]  # the same as dates
    log: bool  # scale the standardized errors are on
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
    """Fit every candidate at every origin; a rejected fit counts as seasonal naive there."""
    models = series.settings.models
    rows: list[int] = []
    actual, scale = [], []
    mean: dict[str, list[np.ndarray]] = {m: [] for m in models}
    sd: dict[str, list[np.ndarray]] = {m: [] for m in models}
    z: dict[str, list[np.ndarray]] = {m: [] for m in models}
    failed: dict[str, list[str]] = {m: [] for m in models}
    observed = series.model_scale.to_numpy()
    for origin in origins:
        fitted: Fitted = {}
        try:
            base = predict("seasonal_naive", series, origin, h, fitted)
        except FitError:
            continue  # a weekday never observed yet: no baseline, no origin
        rows.append(origin)
        truth = series.values.to_numpy()[origin:origin + h]
        actual.append(truth)
        scale.append(naive_scale(series.values.to_numpy()[:origin]))
        for model in models:
            reason = ""
            try:
                pred = predict(model, series, origin, h, fitted)
            except FitError as exc:  # counted, and the origin is scored as seasonal naive
                reason, pred = str(exc), base
            failed[model].append(reason)
            mean[model].append(series.to_original(pred.mean))
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
    """Backtest MASE of each candidate: the mean over origins of MASE per origin."""
    return {m: float(np.nanmean([mase(bt.actual[i], f[i], bt.scale[i]) for i in range(len(bt.origins))]))
            for m, f in bt.mean.items()}


def ranking(bt: Backtest) -> list[str]:
    """Candidates best first by MASE; one that failed at more than half the origins is out;
    seasonal naive is always last resort."""
    score = scores(bt)
    usable = [m for m in bt.mean
              if sum(map(bool, bt.failed[m])) * 2 <= len(bt.origins) and np.isfinite(score[m])]
    order = sorted(usable, key=lambda m: (score[m], MODELS.index(m)))
    return order + ([] if "seasonal_naive" in order else ["seasonal_naive"])


@dataclass(frozen=True)
class Calibration:
    """One interval level: backtest coverage of the model's own interval, the factor applied to
    its half-width, and the coverage expected of the published interval."""

    level: float
    raw: float
    factor: float
    expected: float


def _width_factor(abs_z: np.ndarray, level: float) -> float:
    """|z| quantile that covers `level` of new errors (split-conformal rank: the ceil((n+1)
    level)-th smallest of n), over the normal quantile the model's interval used."""
    n = len(abs_z)
    rank = min(n, math.ceil((n + 1) * level))
    return float(np.sort(abs_z)[rank - 1] / stats.norm.ppf(0.5 + level / 2))


def calibrate(z: np.ndarray, level: float, tolerance: float) -> Calibration:
    """Recalibrate a Gaussian interval from standardized backtest errors `z` (origins x days).

    When the share of backtest days outside the interval is within `tolerance` (relative) of
    its nominal share (at 0.25: 15-25% at 80%, 3.75-6.25% at 95%), nothing changes. Otherwise
    the half-width is multiplied by the factor that makes the backtest coverage nominal (a
    quantile of |z| over the normal quantile); the coverage to expect is estimated by leaving
    each origin out of the factor in turn, so that it is not fitted to itself, and the factor is
    kept only when that estimate is closer to nominal than the raw coverage (with few, unlike
    origins a factor can fit them and still not carry over).
    """
    q = stats.norm.ppf(0.5 + level / 2)
    a = np.abs(np.asarray(z, float))
    seen = np.isfinite(a)
    if not seen.any():
        return Calibration(level, float("nan"), 1.0, float("nan"))
    raw = float(np.mean(a[seen] <= q))
    if abs((1 - raw) / (1 - level) - 1) <= tolerance or a.shape[0] < 2:
        return Calibration(level, raw, 1.0, raw)
    factor = _width_factor(a[seen], level)
    inside = []
    for i in range(a.shape[0]):
        rest = np.delete(a, i, axis=0)
        f = _width_factor(rest[np.isfinite(rest)], level)
        row = a[i][np.isfinite(a[i])]
        inside.extend(row <= q * f)
    expected = float(np.mean(inside))
    if abs(expected - level) >= abs(raw - level):
        return Calibration(level, raw, 1.0, raw)
    return Calibration(level, raw, factor, expected)


def weekly_correlation(z: np.ndarray) -> float:
    """Average correlation of standardized errors within a week of the horizon, from the backtest:
    Var(mean of 7) = (1 + 6 rho) / 7 Var(z), clipped to [0, 1] (weekly roll-up intervals)."""
    z = np.asarray(z, float)
    weeks = z.shape[1] // SEASON
    if not weeks or not z.size:
        return 1.0
    blocks = z[:, :weeks * SEASON].reshape(z.shape[0], weeks, SEASON)
    full = np.isfinite(blocks).all(axis=2)
    if not full.any():
        return 1.0
    var = np.nanmean(z**2)
    block_var = np.mean(blocks[full].mean(axis=1) ** 2)
    return float(np.clip((SEASON * block_var / var - 1) / (SEASON - 1), 0.0, 1.0))


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
    rho: float  # within-week error correlation (weekly roll-ups)
    backtest: Backtest | None
    notes: tuple[Note, ...] = ()
    effects: pd.DataFrame | None = None  # calendar effects of the structural model
    unseen: tuple[str, ...] = ()  # regressors active in the horizon but never seen in the history

    @property
    def mase(self) -> float:
        return self.scores.get(self.model, float("nan"))

    @property
    def mase_naive(self) -> float:
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
    calibration = {level: calibrate(z, level, tolerance) for level in LEVELS}
    frame = pd.DataFrame({"date": fc.dates[:days], "yhat": fc.yhat[:days]})
    for level, (lo, hi) in intervals(fc.mean[:days], fc.sd[:days], calibration, fc.log).items():
        frame[f"lo{round(level * 100)}"], frame[f"hi{round(level * 100)}"] = lo, hi
    return frame, calibration


def intervals(mean: np.ndarray, sd: np.ndarray, calibration: dict[float, Calibration], log: bool
              ) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """Calibrated Gaussian intervals on the model scale, mapped back; a wider level never ends up
    narrower than a lower one."""
    out: dict[float, tuple[np.ndarray, np.ndarray]] = {}
    width = np.zeros_like(sd)
    for level in sorted(calibration):
        width = np.maximum(width, stats.norm.ppf(0.5 + level / 2) * calibration[level].factor * sd)
        lo, hi = mean - width, mean + width
        out[level] = (np.exp(lo), np.exp(hi)) if log else (lo, hi)
    return out


def forecast(values: pd.Series, regressors: pd.DataFrame | None = None, settings: Settings = Settings(),
             previous: Backtest | None = None) -> SeriesForecast:
    """Backtest the candidates, keep the best by MASE, fit it on all of `values`, forecast.

    `values`: daily values (DatetimeIndex; missing days allowed). `regressors`: 0/1 calendar
    columns over the history and the horizon. `previous`: a backtest to reuse (e.g. the one run
    on the data before the report week) instead of running a new one.
    """
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
        raise FitError("no_model")
    z = bt.z.get(chosen, np.empty((0, h)))
    calibration = {level: calibrate(z, level, settings.tolerance) for level in LEVELS}
    effects = pred.effects
    if effects is None and "structural" in settings.models and series.regressors.shape[1]:
        try:
            effects = predict("structural", series, n, h, fitted).effects
        except FitError:
            effects = None
    unseen = tuple(_design(series, n, h)[3]) if series.regressors.shape[1] else ()
    dates = pd.date_range(series.values.index[-1] + pd.Timedelta(days=1), periods=h, freq="D")
    return SeriesForecast(
        dates=dates, yhat=series.to_original(pred.mean),
        bounds=intervals(pred.mean, pred.sd, calibration, series.log),
        mean=pred.mean, sd=pred.sd, model=chosen, log=series.log, yearly=series.yearly,
        scores=scores(bt) if len(bt.origins) else {}, calibration=calibration,
        rho=weekly_correlation(z) if z.size else 1.0, backtest=bt, notes=tuple(notes),
        effects=effects, unseen=unseen)


# ----------------------------------------------------------------------------------------------
# Roll-ups and scoring of earlier forecasts
# ----------------------------------------------------------------------------------------------

def rollup(fc: SeriesForecast, days: slice, level: float) -> tuple[float, float, float]:
    """Total of some forecast days with an interval at `level`.

    Daily errors are taken as equally correlated (rho from the backtest) on the model scale; on
    the log scale the total's error is linearised around the daily medians (delta method) and the
    interval is formed on the log of the total, so it stays positive.
    """
    mean, sd = fc.mean[days], fc.sd[days] * fc.calibration[level].factor
    corr = np.full((len(sd), len(sd)), fc.rho)
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
