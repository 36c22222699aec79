"""Every file a run reads is in its cache key: the CSV series the forecasting parameters name, the
forecast.csv files earlier weeks published into the same out folder, the helpers' catalogs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from helpers.run import cache
from helpers.run.jobs import Options
from helpers.run.plan import plan

FORECAST_HEADER = "date,metric,model,yhat,lo80,hi80,lo95,hi95\n"


@pytest.fixture
def forecasting(tmp_path, tiny_data):
    """A forecasting notebook and params naming a CSV series, on the tiny sample (2026-W47)."""
    notebooks, params, out = tmp_path / "notebooks", tmp_path / "params", tmp_path / "reports"
    notebooks.mkdir()
    params.mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell("params = {}")]), notebooks / "forecasting.ipynb")
    csv = tmp_path / "store.csv"
    csv.write_text("date,value\n2026-11-01,100\n2026-11-02,120\n")
    (params / "defaults.yaml").write_text(f"data: {tiny_data}\nout: {out}\nperiod: 2026-W47\n")
    (params / "forecasting.yaml").write_text(f"csv_series: [{{name: store_sales, path: {csv}}}]\n")

    def job():
        (planned,) = plan(Options(notebooks_dir=notebooks, params_dir=params)).jobs
        return planned

    return job, csv, out


def test_editing_a_csv_series_changes_the_key(forecasting):
    job, csv, _ = forecasting
    first = job()
    assert first.inputs == (csv,)
    assert job().key == first.key  # planning twice on the same files gives the same key
    csv.write_text("date,value\n2026-11-01,100\n2026-11-02,121\n")
    assert job().key != first.key


def test_an_earlier_weeks_forecast_is_an_input_and_the_weeks_own_is_not(forecasting):
    job, csv, out = forecasting
    first = job()
    for week in ("2026-W47", "2026-W48", "notes"):  # the report's own week, a later one, no week
        (out / week).mkdir(parents=True)
        (out / week / "forecast.csv").write_text(FORECAST_HEADER)
    assert job().key == first.key
    earlier = out / "2026-W46" / "forecast.csv"
    earlier.parent.mkdir()
    earlier.write_text(FORECAST_HEADER)
    second = job()
    assert second.inputs == (csv, earlier) and second.key != first.key
    earlier.write_text(FORECAST_HEADER + "2026-11-16,daily_orders,structural,15,12,18,10,20\n")
    assert job().key != second.key


def test_the_code_fingerprint_covers_catalogs_and_fonts(tmp_path, monkeypatch):
    package = tmp_path / "helpers"
    (package / "weekly").mkdir(parents=True)
    for name in ("weekly/text.yaml", "weekly/metrics.yaml", "render.py", "font.otf"):
        (package / name).write_text("v1")
    monkeypatch.setattr(cache, "PACKAGE_DIR", package)
    before = cache.code_fingerprint()
    for name in ("weekly/text.yaml", "weekly/metrics.yaml", "render.py", "font.otf"):
        path: Path = package / name
        path.write_text("v2")
        after = cache.code_fingerprint()
        assert after != before, name
        before = after
