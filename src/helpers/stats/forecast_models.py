"""Daily forecasting models: the candidates, their guard, and one series prepared for them.

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
Choosing among the candidates is `stats.backtest`; their intervals, `stats.calibration`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

SEASON = 7
MODELS = ("seasonal_naive", "ets_damped", "structural", "combined")
COMBINED = ("ets_damped", "structural")
YEAR_DAYS = 365.25
FOURIER_EPOCH = pd.Timestamp("2000-01-01")
MIN_TRAIN_DAYS = 4 * SEASON  # shorter histories cannot separate level from weekly pattern
MIN_MODEL_DAYS = 2 * SEASON  # seasonal naive needs every weekday and a week of differences
RECENT_DAYS = 365  # the guard judges a forecast against the range of this many last days


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


DEFAULTS = Settings()  # the notebook's defaults


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


class Unforecastable(FitError):
    """A series with nothing to model (`stats.forecast.nothing_to_model`) or on which every
    candidate was rejected; the message is the reason code: no_data, too_short, all_zero,
    constant or no_model. The report says so and goes on with the other series."""


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
    recent = np.asarray(history, float)[-RECENT_DAYS:]
    recent = recent[np.isfinite(recent)]
    if not recent.size:  # a gap longer than the window: nothing to judge the forecast by
        raise FitError("no_history")
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
        """The values on the scale the models are fitted on (log or as they are; a backtest origin
        on the log scale may have a zero or a negative value in its future: -inf or NaN there)."""
        if not self.log:
            return self.values
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(self.values)

    def to_original(self, x: np.ndarray) -> np.ndarray:
        """Model-scale values back on the original scale."""
        return np.exp(x) if self.log else x


def prepare(values: pd.Series, regressors: pd.DataFrame | None, settings: Settings) -> Series:
    """Reindex to every day, choose the scale and whether a yearly profile is fitted.

    The log scale (a multiplicative model) is used only when every value is positive: with a
    zero it would explode, so such a series is modelled additively and a note says so.
    """
    values = values.astype(float).sort_index()
    index = pd.date_range(values.index.min(), values.index.max(), freq="D")
    values = values.reindex(index)
    log, yearly = _decide(values, settings)
    notes = [Note("log_not_possible")] if not log and settings.log is not False else []
    regressors = pd.DataFrame(index=index) if regressors is None else regressors.astype(float)
    return Series(values, regressors, settings, log, yearly, tuple(notes))


def _decide(values: pd.Series, settings: Settings) -> tuple[bool, bool]:
    """The log scale (every observed value positive, unless the settings say otherwise) and the
    yearly profile (two years of history, unless the settings say otherwise) for `values`."""
    observed = values.dropna()
    positive = bool((observed > 0).all())
    log = positive and settings.log is not False
    span = (observed.index.max() - observed.index.min()).days + 1 if len(observed) else 0
    yearly = span >= 2 * 365 if settings.yearly is None else settings.yearly
    return log, yearly


def as_of(series: Series, end: int) -> Series:
    """The series as it would have been prepared with only its first `end` days known: the log
    scale and the yearly profile decided from them (a backtest origin must not know its future)."""
    log, yearly = _decide(series.values.iloc[:end], series.settings)
    return replace(series, log=log, yearly=yearly)


def design(series: Series, end: int, h: int) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
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
            X, X_future, names, _ = design(series, end, h)
            pred = structural(y, h, X[window], X_future, names)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError, IndexError) as exc:
        raise FitError(f"error:{type(exc).__name__}") from exc
    pred = Prediction(pred.mean + profile_ahead, pred.sd, pred.effects)
    guard(pred, history)
    return pred


def effect_interval(coef: float, se: float, level: float = 0.95) -> tuple[float, float]:
    """A calendar effect's interval at `level` (normal, from the Kalman filter's standard error):
    the report shows it and calls an effect clear only when it excludes zero."""
    q = float(stats.norm.ppf(0.5 + level / 2))
    return coef - q * se, coef + q * se


def effect_is_clear(coef: float, se: float, level: float = 0.95) -> bool:
    """Whether the effect's interval at `level` lies wholly on one side of zero."""
    lo, hi = effect_interval(coef, se, level)
    return lo > 0 or hi < 0
