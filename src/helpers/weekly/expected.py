"""The forecast made before the week: the forecast.csv that the forecasting report of the previous
week published into the same output folder, rolled up to this week's KPIs.

Only KPIs that are a sum of a forecast daily series are compared (new users, paid orders, GMV);
weekly active users are distinct users, not a sum of daily active users, so they have no forecast.
The weekly range is the sum of the daily 80% bounds: the interval if each day's error went the same
way, the widest the daily intervals allow (forecast.csv holds no error correlation). A week outside
it is clearly above or below what was expected; "within" claims no more than that.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.core.paths import project_root
from helpers.core.periods import Period
from helpers.render.outputs import CONTRACTS

FORECAST_CSV = "forecast.csv"
COLUMNS = tuple(CONTRACTS["forecasting"].files[FORECAST_CSV].split(","))
# KPI -> the daily forecasting series whose weekly sum it is.
DAILY_SERIES = {"new_users": "daily_new_users", "orders": "daily_orders", "gmv": "daily_gmv"}


@dataclass(frozen=True)
class Expected:
    """A KPI's forecast for the week: point, 80% range, and the week it was made in."""

    value: float
    lo: float
    hi: float
    made_in: str

    def status(self, actual: float | None) -> str | None:
        """within / above / below the range; None without an actual value."""
        if actual is None:
            return None
        return "above" if actual > self.hi else "below" if actual < self.lo else "within"


def forecast_file(out: Path, period: Period) -> Path:
    """Where the previous week's run published its forecast (it may not be there)."""
    return out / period.previous.label / FORECAST_CSV


def input_files(_params: Any, out: Path, period: Period) -> list[Path]:
    """The weekly summary reads the previous week's forecast.csv: the runner keys its cache on it
    (helpers.suite Notebook.inputs), so a forecast published later makes the summary again."""
    return [forecast_file(out, period)]


def read_forecast(path: Path | None) -> pd.DataFrame | None:
    """The forecast.csv rows, or None when there is none or it is not in the contract's layout."""
    if path is None or not path.is_file():
        return None
    try:
        frame = pd.read_csv(path, parse_dates=["date"])
    except (ValueError, OSError, pd.errors.ParserError):
        return None
    return frame if tuple(frame.columns) == COLUMNS else None


def expected_week(frame: pd.DataFrame | None, period: Period, made_in: str) -> dict[str, Expected]:
    """Per KPI, the forecast of the report week; a KPI whose series does not cover all seven days
    of the week has none."""
    if frame is None:
        return {}
    days = pd.date_range(period.start, period.end, freq="D")
    out = {}
    for kpi, series in DAILY_SERIES.items():
        rows = frame[frame["metric"] == series].drop_duplicates("date").set_index("date")
        rows = rows.reindex(days)
        if rows[["yhat", "lo80", "hi80"]].isna().any().any():
            continue
        out[kpi] = Expected(float(rows["yhat"].sum()), float(rows["lo80"].sum()),
                            float(rows["hi80"].sum()), made_in)
    return out


def out_root(out: str) -> Path:
    """The folder holding the week folders (the `out` parameter; relative to the project)."""
    return Path(out) if Path(out).is_absolute() else project_root() / out


def load_expected(out: str, period: Period) -> dict[str, Expected]:
    """The previous week's forecasts of this week's KPIs under the `out` folder."""
    return expected_week(read_forecast(forecast_file(out_root(out), period)), period, period.previous.label)
