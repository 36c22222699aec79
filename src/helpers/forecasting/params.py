"""Parameters of the forecasting report (params/forecasting.yaml)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field, field_validator

from helpers.core.params import ParamsModel, SharedParams

ForecastSeries = Literal["daily_active_users", "daily_new_users", "daily_orders", "daily_gmv",
                         "daily_reads", "daily_net_followers"]
FORECAST_SERIES: tuple[str, ...] = get_args(ForecastSeries)


class CsvSeriesParams(ParamsModel):
    """A daily KPI exported from elsewhere: a CSV file with the columns date,value."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="the series' key in the outputs")
    path: str = Field(description="CSV file (UTF-8 or GBK); relative to the project folder")
    label_zh: str = Field("", description="name in Chinese reports (default: name)")
    label_en: str = Field("", description="name in English reports (default: name)")
    unit: Literal["users", "orders", "CNY", "count"] = Field("count", description="value formatting")

    @field_validator("path")
    @classmethod
    def _readable(cls, value: str) -> str:
        """The whole file is checked here, so a bad file stops the run before any notebook."""
        from helpers.core.errors import DataError
        from helpers.forecasting.series import read_csv_series

        try:
            read_csv_series(cls.resolve(value))
        except DataError as exc:
            raise ValueError(str(exc)) from None
        return value

    @staticmethod
    def resolve(path: str) -> Path:
        """The CSV file's path: as given when absolute, else under the project folder."""
        from helpers.core.paths import project_root

        p = Path(path).expanduser()
        return p if p.is_absolute() else project_root() / p


class EventParams(ParamsModel):
    """A user-defined calendar event (member day, planned push ...): its days in history and ahead."""

    name: str = Field(min_length=1, max_length=40, description="shown in the calendar-effect table")
    dates: list[str] = Field(min_length=1, description="days: 2026-12-05 or 2026-12-01..2026-12-03")

    @field_validator("dates", mode="before")
    @classmethod
    def _yaml_days(cls, value: Any) -> Any:
        """YAML reads an unquoted 2026-12-05 as a date: it stands for the day it spells."""
        if isinstance(value, list):
            return [v.isoformat() if type(v) is date else v for v in value]
        return value

    @field_validator("dates")
    @classmethod
    def _parse(cls, value: list[str]) -> list[str]:
        for item in value:
            cls.expand(item)
        return value

    @staticmethod
    def expand(item: str) -> list[Any]:
        """The days of one item: a day or an inclusive range; a bad item raises ValueError."""
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
        """Every day of the event, sorted, each once (items may overlap)."""
        return sorted({d for item in self.dates for d in self.expand(item)})


class AlertParams(ParamsModel):
    """A threshold rule on a daily metric, checked on each day of the report week."""

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

    @field_validator("yearly", mode="before")
    @classmethod
    def _yaml_on_off(cls, value: Any) -> Any:
        """YAML reads an unquoted `yearly: on` / `off` as true / false: they mean the same."""
        return {True: "on", False: "off"}.get(value, value) if isinstance(value, bool) else value

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
