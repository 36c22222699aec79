"""Files the forecasting report reads besides the warehouse: the CSV series its parameters name
and the forecast.csv files that reports of earlier weeks published into the same output folder
(scored against what happened since). The runner folds their contents into the report's cache key
(`suite.Notebook.inputs`), so editing any of them makes the report again."""

from __future__ import annotations

from pathlib import Path

from helpers.core.periods import Period
from helpers.forecasting.params import CsvSeriesParams, ForecastingParams

EARLIER_FORECASTS = "*-W[0-9][0-9]/forecast.csv"  # <out>/<week>/forecast.csv


def earlier_forecast_files(out: Path, period: Period) -> list[tuple[str, Path]]:
    """(week label, file) of every forecast.csv published under `out` by a week before `period`."""
    found = []
    for path in sorted(out.glob(EARLIER_FORECASTS)):
        try:
            made_in = Period.parse(path.parent.name)
        except ValueError:
            continue
        if made_in < period:
            found.append((path.parent.name, path))
    return found


def input_files(params: ForecastingParams, out: Path, period: Period) -> list[Path]:
    """Every file a forecasting run of `period` into `out` reads besides the warehouse."""
    csv = [CsvSeriesParams.resolve(s.path) for s in params.csv_series]
    return csv + [path for _, path in earlier_forecast_files(out, period)]
