"""Typed report parameters: params/defaults.yaml (shared) + params/<notebook>.yaml + overrides.

Every key is validated before any kernel starts; an error names the file (or "command line") and
the key, says what was expected and, for a typo, suggests the nearest known key.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ParamError
from .metrics.funnel import DEFAULT_STEPS as DEFAULT_FUNNEL
from .metrics.lifecycle import PyramidRules

DEFAULTS_FILE = "defaults.yaml"
COMMAND_LINE = "command line"


class SharedParams(BaseModel):
    """Parameters every notebook takes (params/defaults.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data: str = Field("sample", description="data folder or .duckdb file; 'sample' = bundled sample")
    timezone: str = Field("Asia/Shanghai", description="days and weeks are counted in this zone")
    language: Literal["zh", "en"] = Field("zh", description="report language")
    period: str = Field("latest", description="'latest' (last complete ISO week) or e.g. 2026-W47")
    min_cell_size: int = Field(10, ge=1, le=10_000,
                               description="privacy: breakdown cells with fewer users are suppressed")
    out: str = Field("reports", description="output folder; reports go to <out>/<period>/")
    enabled: bool = Field(True, description="false skips the notebook (marked skipped in the index)")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except Exception:
            raise ValueError(f"{value!r} is not an IANA time zone such as Asia/Shanghai") from None
        return value

    @field_validator("period")
    @classmethod
    def _period_form(cls, value: str) -> str:
        if value != "latest" and not re.fullmatch(r"\d{4}-W\d{2}", value):
            raise ValueError(f"{value!r} is neither 'latest' nor an ISO week such as 2026-W47")
        return value


KPI_KEYS = ("active_users", "new_users", "orders", "gmv")


class WeeklySummaryParams(SharedParams):
    """The one-page manager summary."""

    trend_weeks: int = Field(8, ge=2, le=52, description="weeks shown in the KPI trend")
    targets: dict[Literal["active_users", "new_users", "orders", "gmv"], float] = Field(
        default_factory=dict, description="weekly targets per KPI, e.g. {gmv: 150000}")


FORECAST_SERIES = ("daily_active_users", "daily_new_users", "daily_orders", "daily_gmv", "daily_reads",
                   "daily_net_followers")
ForecastSeries = Literal["daily_active_users", "daily_new_users", "daily_orders", "daily_gmv",
                         "daily_reads", "daily_net_followers"]


class CsvSeriesParams(BaseModel):
    """A daily KPI exported from elsewhere: a CSV file with the columns date,value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="the series' key in the outputs")
    path: str = Field(description="CSV file (UTF-8 or GBK); relative to the project folder")
    label_zh: str = Field("", description="name in Chinese reports (default: name)")
    label_en: str = Field("", description="name in English reports (default: name)")
    unit: Literal["users", "orders", "CNY", "count"] = Field("count", description="value formatting")

    @field_validator("path")
    @classmethod
    def _readable(cls, value: str) -> str:
        """The whole file is checked here, so a bad file stops the run before any notebook."""
        from .errors import DataError
        from .metrics.forecasting import read_csv_series

        try:
            read_csv_series(cls.resolve(value))
        except DataError as exc:
            raise ValueError(str(exc)) from None
        return value

    @staticmethod
    def resolve(path: str) -> Path:
        from .paths import project_root

        p = Path(path).expanduser()
        return p if p.is_absolute() else project_root() / p


class EventParams(BaseModel):
    """A user-defined calendar event (member day, planned push ...): its days in history and ahead."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=40, description="shown in the calendar-effect table")
    dates: list[str] = Field(min_length=1, description="days: 2026-12-05 or 2026-12-01..2026-12-03")

    @field_validator("dates")
    @classmethod
    def _parse(cls, value: list[str]) -> list[str]:
        for item in value:
            cls.expand(item)
        return value

    @staticmethod
    def expand(item: str) -> list[Any]:
        from datetime import date, timedelta

        first, _, last = item.partition("..")
        try:
            start, end = date.fromisoformat(first.strip()), date.fromisoformat((last or first).strip())
        except ValueError:
            raise ValueError(f"{item!r} is neither a day such as 2026-12-05 nor a range such as "
                             f"2026-12-01..2026-12-03") from None
        if end < start:
            raise ValueError(f"{item!r}: the range ends before it starts")
        return [start + timedelta(days=i) for i in range((end - start).days + 1)]

    def days(self) -> list[Any]:
        return sorted({d for item in self.dates for d in self.expand(item)})


class AlertParams(BaseModel):
    """A threshold rule on a daily metric, checked on each day of the report week."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str = Field(description="a forecast series, a CSV series name or daily_unfollow_rate")
    above: float | None = Field(None, description="alert when the day's value is above this")
    below: float | None = Field(None, validate_default=True, description="alert when below this")

    @field_validator("below")
    @classmethod
    def _some_threshold(cls, value: float | None, info: Any) -> float | None:
        if value is None and info.data.get("above") is None:
            raise ValueError("give a threshold: above, below or both")
        return value


class ForecastingParams(SharedParams):
    """Forecasts with honest intervals, calendar effects and KPI monitoring."""

    metrics: list[ForecastSeries] = Field(default_factory=lambda: list(FORECAST_SERIES),
                                          description="warehouse daily series to forecast and monitor")
    csv_series: list[CsvSeriesParams] = Field(default_factory=list,
                                              description="extra daily series from CSV files")
    horizon_days: int = Field(28, ge=7, le=91, description="days forecast after the report week")
    backtest_origins: int = Field(4, ge=2, le=26, description="rolling backtest origins")
    backtest_step_days: int = Field(14, ge=1, le=91, description="days between backtest origins")
    models: list[Literal["ets_damped", "structural", "combined"]] = Field(
        default_factory=lambda: ["ets_damped", "structural", "combined"], min_length=1,
        description="candidates besides seasonal naive (always in, as the benchmark)")
    history_days: int = Field(730, ge=56, le=3650, description="recent days the models are fitted on")
    yearly: Literal["auto", "on", "off"] = Field("auto", description="yearly profile; auto = with "
                                                 "two years of history")
    coverage_tolerance: float = Field(0.25, ge=0, le=1, description="recalibrate intervals whose "
                                      "backtest miss rate is off nominal by more than this fraction")
    events: list[EventParams] = Field(default_factory=list, description="user-defined events")
    targets: dict[str, float] = Field(default_factory=dict, description="weekly targets per series")
    alerts: list[AlertParams] = Field(
        default_factory=lambda: [AlertParams(metric="daily_unfollow_rate", above=0.005)],
        description="threshold rules checked on the report week")
    mask_anomalies: bool = Field(True, description="leave the week's anomalies out of the forward fit")
    chart_days: int = Field(84, ge=14, le=730, description="days of history in the forecast charts")

    @field_validator("csv_series")
    @classmethod
    def _unique_names(cls, value: list[CsvSeriesParams]) -> list[CsvSeriesParams]:
        names = [s.name for s in value]
        clash = sorted({n for n in names if names.count(n) > 1 or n in FORECAST_SERIES})
        if clash:
            raise ValueError(f"series name(s) {', '.join(clash)} used twice")
        return value

    @field_validator("targets", "alerts")
    @classmethod
    def _known_metrics(cls, value: Any, info: Any) -> Any:
        known = set(info.data.get("metrics", FORECAST_SERIES)) | {
            s.name for s in info.data.get("csv_series", [])}
        if info.field_name == "alerts":
            known.add("daily_unfollow_rate")
        used = list(value) if isinstance(value, dict) else [a.metric for a in value]
        unknown = [m for m in used if m not in known]
        if unknown:
            raise ValueError(f"unknown metric {unknown[0]!r}; known: {', '.join(sorted(known))}")
        return value


class ComparisonGroup(BaseModel):
    """Difference-in-differences groups: users whose `column` is one of `treated` against users
    whose `column` is one of `comparison` (values compared as text, e.g. 'true' for is_follower)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    column: Literal["channel", "scene", "gender", "age_band", "province", "city", "platform",
                    "is_follower"]
    treated: list[str] = Field(min_length=1)
    comparison: list[str] = Field(min_length=1)

    @field_validator("comparison")
    @classmethod
    def _disjoint(cls, comparison: list[str], info: Any) -> list[str]:
        if set(comparison) & set(info.data.get("treated", [])):
            raise ValueError("a value cannot be in both the treated and the comparison group")
        return comparison


class CampaignEvaluationParams(SharedParams):
    """Campaign scorecards, randomized tests, campaigns without control, channels."""

    campaigns: list[str] = Field(default_factory=list, description="campaign_ids to evaluate; "
                                 "empty = every campaign running during the period")
    gross_margin: float = Field(0.4, gt=0, le=1, description="gross margin on GMV used by ROI")
    alpha: float = Field(0.05, gt=0, le=0.2, description="significance level (intervals are 95%)")
    power: float = Field(0.8, ge=0.5, lt=1, description="power for the minimum detectable effect")
    planned_lift_rel: float = Field(0.1, gt=0, le=10, description="relative lift a test is planned "
                                    "to detect (days still needed)")
    primary_metric: Literal["conversion", "revenue_per_user", "orders_per_user"] = Field(
        "conversion", description="a test's primary metric when its target_metric is not one")
    cuped: bool = Field(True, description="adjust test metrics for their pre-period value (CUPED)")
    covariate_days: int = Field(28, ge=7, le=365, description="pre-period of the CUPED covariate")
    sequential_tuning_users: int = Field(10_000, ge=100, le=100_000_000, description="users at "
                                         "which the sequential interval of a running test is tightest")
    guardrails: list[Literal["refund_rate", "unfollow_rate"]] = Field(
        default_factory=lambda: ["refund_rate", "unfollow_rate"], description="guardrail metrics")
    intended_split: dict[str, float] = Field(default_factory=dict, description="variant -> share "
                                             "when the campaign has no holdout; default equal")
    counterfactual_metric: Literal["orders", "gmv", "new_users"] = Field(
        "orders", description="daily metric of a campaign without control when its target_metric "
        "is not one")
    pre_period_days: int = Field(84, ge=28, le=730, description="days before a campaign the "
                                 "counterfactual model is fitted on")
    post_period_days: int = Field(7, ge=0, le=60, description="days after a campaign checked for "
                                  "lasting effects")
    covariates: list[Literal["active_users", "other_channels"]] = Field(
        default_factory=list, description="extra regressors of the counterfactual model")
    placebos: int = Field(8, ge=0, le=52, description="placebo windows before the campaign")
    comparison_groups: dict[str, ComparisonGroup] = Field(
        default_factory=dict, description="campaign_id -> difference-in-differences groups")
    repeat_days: int = Field(30, ge=7, le=180, description="repeat purchase window (days)")
    group_min_size: int = Field(2, ge=2, le=100, description="paid orders that complete a group-buy")

    @field_validator("intended_split")
    @classmethod
    def _shares(cls, split: dict[str, float]) -> dict[str, float]:
        if split and (any(v <= 0 for v in split.values()) or abs(sum(split.values()) - 1) > 1e-6):
            raise ValueError("shares must be positive and add up to 1")
        return split


class ContentPerformanceParams(SharedParams):
    """Official-account articles, followers, publishing time and mini-program pages."""

    compare_days: int = Field(1, ge=1, le=30, description="articles are ranked and compared on "
                              "their first N days after publishing (day 1 = publish day)")
    same_age_days: list[int] = Field(default_factory=lambda: [1, 7], min_length=1, max_length=4,
                                     description="ages (days) of the read rates in the article table")
    history_weeks: int = Field(26, ge=4, le=104, description="weeks of articles behind the column "
                               "priors, what-works, timing and outlier comparisons")
    target_pushes_per_week: list[int] = Field(
        default_factory=lambda: [3, 5], min_length=2, max_length=2,
        description="the account's target band of pushes (group sends) per week: [min, max]")
    conversion_window_hours: int = Field(72, ge=1, le=24 * 30, description="orders within this many "
                                         "hours after reading are credited to the article (last touch)")
    unfollow_spike_ratio: float = Field(2.0, gt=1, le=100, description="flag a push when unfollows "
                                        "within 48 hours reach this multiple of the usual level")
    outlier_z: float = Field(2.5, gt=0, le=10, description="flag articles this many residual "
                             "standard deviations above or below their expected readers")
    exit_rate_jump: float = Field(0.05, gt=0, le=1, description="flag pages whose exit rate rose "
                                  "by at least this much (0.05 = 5 points) week on week")
    top_n: int = Field(5, ge=1, le=50, description="top and bottom articles shown when a week has "
                       "more than twice as many")
    follower_weeks: int = Field(4, ge=1, le=26, description="weeks of daily follower flow charted")

    @field_validator("same_age_days")
    @classmethod
    def _ages(cls, ages: list[int]) -> list[int]:
        if any(not 1 <= a <= 30 for a in ages) or len(set(ages)) != len(ages):
            raise ValueError("ages must be distinct whole days from 1 to 30 (article stats cover "
                             "30 days)")
        return sorted(ages)

    @field_validator("target_pushes_per_week")
    @classmethod
    def _band(cls, band: list[int]) -> list[int]:
        if not 0 <= band[0] <= band[1] <= 100:
            raise ValueError("expected [min, max] pushes per week with 0 <= min <= max")
        return band


class UserAnalysisParams(SharedParams):
    """Growth, activity, retention, lifecycle, value, portrait, funnel, referral."""

    chart_weeks: int = Field(8, ge=2, le=52, description="weeks shown in trend charts")
    cohort_weeks: int = Field(10, ge=2, le=52, description="weekly cohorts in the retention table")
    retention_mode: Literal["exact", "on_or_after"] = Field(
        "exact", description="exact: active on day k; on_or_after: on day k or any later day")
    churn_days: int = Field(3, ge=1, le=60, description="churn risk: no activity for this many days")
    heatmap_weeks: int = Field(4, ge=1, le=26, description="weeks averaged in the activity heatmap")
    funnel_steps: list[str] = Field(
        default_factory=lambda: list(DEFAULT_FUNNEL), min_length=2, max_length=10,
        description="event names, in order")
    funnel_window_hours: float = Field(24, gt=0, le=24 * 30,
                                       description="each user's conversion window from step 1")
    pyramid: PyramidRules = Field(default_factory=PyramidRules)
    rfm_window_days: int = Field(365, ge=30, le=1095, description="purchases scored by RFM")
    rfm_bins: int = Field(5, ge=3, le=10, description="score levels of R, F and M")
    clv_horizon_days: int = Field(90, ge=7, le=730, description="CLV prediction horizon")
    clv_holdout_weeks: int = Field(8, ge=2, le=26, description="weeks held out to check the CLV model")
    top_referrers: int = Field(10, ge=0, le=50, description="referrers listed (by pseudonym only)")

    @field_validator("funnel_steps")
    @classmethod
    def _distinct_steps(cls, steps: list[str]) -> list[str]:
        if any(not s.strip() for s in steps) or len(set(steps)) != len(steps):
            raise ValueError("funnel steps must be distinct, non-empty event names")
        return steps


NOTEBOOK_PARAMS: dict[str, type[SharedParams]] = {
    "weekly_summary": WeeklySummaryParams,
    "campaign_evaluation": CampaignEvaluationParams,
    "content_performance": ContentPerformanceParams,
    "user_analysis": UserAnalysisParams,
    "forecasting": ForecastingParams,
}


def params_model(notebook: str) -> type[SharedParams]:
    return NOTEBOOK_PARAMS.get(notebook, SharedParams)


@dataclass(frozen=True)
class LoadedParams:
    """Validated values plus where each one came from (for error messages)."""

    notebook: str
    values: SharedParams
    origin: dict[str, str]

    def where(self, key: str) -> str:
        return f"{self.origin.get(key, 'default')}: key '{key}'"


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping, or {} when the file does not exist; malformed files raise ParamError."""
    if not path.exists():
        return {}
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ParamError(f"{path}{at}: malformed YAML: {problem}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise ParamError(f"{path}: expected a mapping of key: value, got {type(doc).__name__}")
    return doc


def load_params(notebook: str, params_dir: Path, overrides: dict[str, Any] | None = None
                ) -> LoadedParams:
    """Merge defaults.yaml, <notebook>.yaml and overrides (later wins) and validate them."""
    model = params_model(notebook)
    layers = [
        (str(params_dir / DEFAULTS_FILE), read_yaml(params_dir / DEFAULTS_FILE), SharedParams),
        (str(params_dir / f"{notebook}.yaml"), read_yaml(params_dir / f"{notebook}.yaml"), model),
        (COMMAND_LINE, {k: v for k, v in (overrides or {}).items() if v is not None}, model),
    ]
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for source, layer, allowed in layers:
        for key, value in layer.items():
            if key not in allowed.model_fields:
                raise ParamError(_unknown_key(source, str(key), allowed, notebook))
            merged[key] = value
            origin[key] = source
    return LoadedParams(notebook, validate(model, merged, origin), origin)


def validate(model: type[SharedParams], values: dict[str, Any], origin: dict[str, str] | None = None
             ) -> SharedParams:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "?"
        top = str(err["loc"][0]) if err["loc"] else key
        source = (origin or {}).get(top, "parameters")
        if err["type"] == "extra_forbidden":
            raise ParamError(_unknown_key(source, key, model, None)) from None
        got = f" (got {err['input']!r})" if "input" in err and not isinstance(err["input"], dict) else ""
        message = err["msg"].removeprefix("Value error, ")
        raise ParamError(f"{source}: key '{key}': {message}{got}") from None


def _unknown_key(source: str, key: str, model: type[BaseModel], notebook: str | None) -> str:
    known = sorted(model.model_fields)
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    if source.endswith(DEFAULTS_FILE):
        whose = "a shared parameter (defaults.yaml holds only keys every notebook takes)"
    else:
        whose = f"a parameter of {notebook}" if notebook else "a known parameter"
    return f"{source}: key '{key}' is not {whose}.{hint} Known keys: {', '.join(known)}"
