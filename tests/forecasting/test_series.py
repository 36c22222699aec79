"""The forecasting notebook's inputs: warehouse daily series against pandas over the raw files, CSV
series and their errors, the calendar regressors, earlier forecasts and forecast.csv."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import suite
from helpers.core.calendar import regressors
from helpers.core.errors import DataError, ParamError
from helpers.core.periods import Period
from helpers.forecasting import params as config
from helpers.forecasting import published, series
from helpers.render.outputs import CONTRACTS

W47 = Period.parse("2026-W47")
FROM_EVENTS_USERS_ORDERS = {"daily_active_users", "daily_new_users", "daily_orders", "daily_gmv"}


def test_daily_series_match_pandas_over_the_raw_files(tiny_wh, tiny_data):
    got = series.daily_series(tiny_wh, W47, list(config.FORECAST_SERIES))
    assert list(got) == list(config.FORECAST_SERIES)
    events = pd.read_parquet(tiny_data / "events.parquet")
    users = pd.read_parquet(tiny_data / "users.parquet")
    orders = pd.read_parquet(tiny_data / "orders.parquet")
    stats = pd.read_parquet(tiny_data / "article_stats.parquet")
    followers = pd.read_parquet(tiny_data / "followers.parquet")
    days = pd.date_range(tiny_wh.first_date, W47.end, name="date")
    paid = orders[orders.status.fillna("paid").str.lower() == "paid"]
    expected = {
        "daily_active_users": events.groupby(events.event_time.dt.normalize()).user_id.nunique(),
        "daily_new_users": users.groupby(users.first_seen_at.dt.normalize()).size(),
        "daily_orders": paid.groupby(paid.paid_at.dt.normalize()).size(),
        "daily_gmv": paid.groupby(paid.paid_at.dt.normalize()).amount.sum(),
        "daily_reads": stats.groupby(pd.to_datetime(stats["date"])).reads.sum(),
        "daily_net_followers": followers.groupby(pd.to_datetime(followers["date"])).apply(
            lambda g: g.new_followers.sum() - g.unfollows.sum()),
    }
    for key, truth in expected.items():
        # 0 on days without a row inside the source table's own range, missing outside it
        inside = (days >= truth.index.min()) & (days <= truth.index.max())
        truth = truth.reindex(days, fill_value=0).astype(float).where(inside | (key in FROM_EVENTS_USERS_ORDERS))
        pd.testing.assert_series_equal(got[key].reindex(days), truth, check_names=False, check_freq=False,
                                       obj=key)


def test_unfollow_rate_by_hand(tiny_wh, tiny_data):
    followers = pd.read_parquet(tiny_data / "followers.parquet")
    day = followers[followers["date"].astype(str) == "2026-11-18"]
    start = day.cumulative.iloc[0] - day.new_followers.sum() + day.unfollows.sum()
    rate = series.unfollow_rate(tiny_wh, W47)
    assert rate.loc["2026-11-18"] == pytest.approx(day.unfollows.sum() / start)


def test_missing_tables_are_named(tmp_path):
    from helpers.core.warehouse import Warehouse, build_warehouse

    from conftest import minimal_tables, write_source

    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", minimal_tables())))
    assert series.missing_table(wh, "daily_reads") == "article_stats"
    assert series.missing_table(wh, "daily_net_followers") == "followers"
    assert series.missing_table(wh, "daily_orders") is None
    assert list(series.daily_series(wh, W47, list(config.FORECAST_SERIES))) == [
        "daily_active_users", "daily_new_users", "daily_orders", "daily_gmv"]
    assert series.unfollow_rate(wh, W47) is None


# ----------------------------------------------------------------------------------------------
# CSV series
# ----------------------------------------------------------------------------------------------

def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_csv_series_reads_dates_values_gaps_and_gbk(tmp_path):
    text = "备注,date,value\n甲,2026-11-02,\"1,200\"\n乙,2026-11-01,3.5\n丙,2026-11-04,\n"
    path = write(tmp_path / "s.csv", text, encoding="gb18030")
    s = series.read_csv_series(path)
    assert s.index.tolist() == [pd.Timestamp("2026-11-01"), pd.Timestamp("2026-11-02"), pd.Timestamp("2026-11-04")]
    assert s.iloc[0] == 3.5 and s.iloc[1] == 1200 and np.isnan(s.iloc[2])


@pytest.mark.parametrize("text, message", [
    ("day,value\n2026-11-01,3\n", "no column 'date' (columns: day, value)"),
    ("date,amount\n2026-11-01,3\n", "no column 'value' (columns: date, amount)"),
    ("date,value\n2026-11-01,3\n2026-13-01,4\n", "column date: line 3: '2026-13-01' is not a date"),
    ("date,value\n2026-11-01,3\n2026-11-02,abc\n", "column value: line 3: 'abc' is not a number"),
    ("date,value\n2026-11-01,3\n2026-11-01,4\n", "column date: 1 repeated date(s), e.g. 2026-11-01"),
    ("date,value\n", "no rows under the header"),
])
def test_csv_series_errors_name_the_file_and_column(tmp_path, text, message):
    path = write(tmp_path / "kpi.csv", text)
    with pytest.raises(DataError) as err:
        series.read_csv_series(path)
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value)


def test_csv_series_missing_file_and_bad_parameters_fail_before_any_notebook(tmp_path):
    with pytest.raises(DataError, match=r"nope\.csv: file not found"):
        series.read_csv_series(tmp_path / "nope.csv")
    params = tmp_path / "params"
    params.mkdir()
    bad = write(tmp_path / "kpi.csv", "date,amount\n2026-11-01,3\n")
    (params / "forecasting.yaml").write_text(f"csv_series:\n  - {{name: store_sales, path: {bad}}}\n")
    with pytest.raises(ParamError) as err:
        suite.load("forecasting", params)
    text = str(err.value)
    assert "forecasting.yaml: key 'csv_series.0.path'" in text and f"{bad}: no column 'value'" in text
    (params / "forecasting.yaml").write_text(f"csv_series:\n  - {{name: daily_gmv, path: {bad}}}\n")
    with pytest.raises(ParamError, match="csv_series"):
        suite.load("forecasting", params)
    (params / "forecasting.yaml").write_text("alerts:\n  - {metric: daily_gmv}\n")
    with pytest.raises(ParamError, match="give a threshold"):
        suite.load("forecasting", params)
    (params / "forecasting.yaml").write_text("targets: {daily_gvm: 1000}\n")
    with pytest.raises(ParamError, match="unknown metric 'daily_gvm'"):
        suite.load("forecasting", params)


def test_csv_path_is_relative_to_the_project(tmp_path):
    assert config.CsvSeriesParams.resolve("/abs/x.csv") == Path("/abs/x.csv")
    assert config.CsvSeriesParams.resolve("data/x.csv").parts[-2:] == ("data", "x.csv")


def test_event_dates_and_ranges():
    e = config.EventParams(name="会员日", dates=["2026-12-01..2026-12-03", "2026-12-02", "2026-12-20"])
    assert e.days() == [date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3), date(2026, 12, 20)]
    with pytest.raises(ValueError, match="ends before it starts"):
        config.EventParams(name="x", dates=["2026-12-03..2026-12-01"])


# ----------------------------------------------------------------------------------------------
# Calendar
# ----------------------------------------------------------------------------------------------

def test_calendar_regressors_by_hand():
    r = regressors(date(2026, 1, 1), date(2026, 12, 31), {"会员日": [date(2026, 12, 8)]})
    on = {column: {d.date().isoformat() for d in r.index[r[column] > 0]} for column in r.columns}
    assert {"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"} <= on["holiday"]
    assert "2026-10-03" not in on["holiday"]  # a Saturday: the weekly pattern's job
    assert on["spring_festival"] == {f"2026-02-{d}" for d in range(15, 24)}  # the whole break
    assert "2026-02-17" not in on["holiday"]
    assert {"2026-09-20", "2026-10-10"} <= on["makeup_workday"]  # Sunday and Saturday worked
    assert on["festival_618"] == {"2026-06-18"} and on["festival_double_12"] == {"2026-12-12"}
    assert len(on["presale_double_11"]) == 11 and "2026-11-10" in on["presale_double_11"]
    assert "2026-11-11" not in on["presale_double_11"]
    assert on["event:会员日"] == {"2026-12-08"}


# ----------------------------------------------------------------------------------------------
# Earlier forecasts and forecast.csv
# ----------------------------------------------------------------------------------------------

def forecast_file(folder: Path, rows: list[tuple]) -> None:
    folder.mkdir(parents=True)
    frame = pd.DataFrame(rows, columns=list(published.FORECAST_COLUMNS))
    (folder / "forecast.csv").write_text(frame.to_csv(index=False))


def test_earlier_forecasts_are_read_and_scored(tmp_path):
    forecast_file(tmp_path / "2026-W46", [
        ("2026-11-16", "daily_orders", "structural", 10.0, 8, 12, 6, 14),
        ("2026-11-17", "daily_orders", "structural", 10.0, 8, 12, 6, 14),
        ("2026-11-23", "daily_orders", "structural", 10.0, 8, 12, 6, 14),  # not known yet
        ("2026-11-16", "store_sales", "ets_damped", 5.0, 4, 6, 3, 7)])
    forecast_file(tmp_path / "2026-W47", [("2026-11-23", "daily_orders", "structural", 9.0, 8, 12, 6, 14)])
    (tmp_path / "notes").mkdir()
    earlier = published.earlier_forecasts(tmp_path, W47)
    assert set(earlier["made_in"]) == {"2026-W46"} and len(earlier) == 4
    actual = {"daily_orders": pd.Series([13.0, 9.0], index=pd.date_range("2026-11-16", periods=2))}
    scored = published.score_earlier(earlier, actual)
    assert scored.to_dict("records") == [{
        "made_in": "2026-W46", "metric": "daily_orders", "days": 2, "wape": pytest.approx(4 / 22),
        "bias": pytest.approx(-2 / 22), "coverage80": 0.5, "coverage95": 1.0}]
    assert published.earlier_forecasts(tmp_path / "none", W47).empty


def test_forecast_csv_has_the_contract_header_and_rounds_per_unit():
    rows = pd.DataFrame({"date": pd.to_datetime(["2026-11-23", "2026-11-23"]),
                         "metric": ["daily_gmv", "daily_orders"], "model": ["structural", "combined"],
                         "yhat": [1234.5678, 250.46], "lo80": [1000.0, 200.0], "hi80": [1500.0, 300.0],
                         "lo95": [900.0, 180.0], "hi95": [1700.0, 330.0]})
    text = published.forecast_csv(rows, {"daily_gmv": 2, "daily_orders": 1})
    lines = text.splitlines()
    assert lines[0] == CONTRACTS["forecasting"].files["forecast.csv"]
    assert lines[1] == "2026-11-23,daily_gmv,structural,1234.57,1000.0,1500.0,900.0,1700.0"
    assert lines[2] == "2026-11-23,daily_orders,combined,250.5,200.0,300.0,180.0,330.0"


def test_weekly_totals_keep_only_whole_weeks():
    days = pd.date_range("2026-11-11", "2026-11-29")  # Wednesday .. Sunday
    s = pd.Series(np.arange(len(days), dtype=float), index=days)
    s.loc["2026-11-25"] = np.nan
    totals = series.weekly_totals(s)
    assert totals.index.tolist() == [pd.Timestamp("2026-11-16")]
    assert totals.iloc[0] == sum(range(5, 12))
