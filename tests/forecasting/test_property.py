"""Forecasting on any valid dataset (issue 11): the daily series, alert rules and weekly roll-ups on
generated contract datasets, and the degenerate-series handling of `stats.forecast` (all zeros,
constant, short, gaps, huge values) straight on generated arrays — model fits are slow, so the
series are short and only seasonal naive (and once ETS) is fitted. Every crash found is a named
regression case below the property tests."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datasets import datasets, latest_week, named_shape, open_warehouse
from helpers.core.periods import Period
from helpers.forecasting import findings, published, runs, series, tables
from helpers.forecasting.params import FORECAST_SERIES
from helpers.forecasting.runs import run_series
from helpers.render.text import Text
from helpers.stats.forecast import forecast, nothing_to_model
from helpers.stats.forecast_models import Settings, Unforecastable

BAD_WORDS = re.compile(r"\b(nan|NaN|None|NaT|inf|Infinity)\b|<NA>")
REASONS = {"no_data", "too_short", "all_zero", "constant", "no_model"}
QUICK = Settings(horizon=14, origins=2, step=7, models=("seasonal_naive",))
WEEK = np.array([1.0, 0.9, 0.95, 1.0, 1.1, 1.3, 1.2])
REPORT_WEEK = Period.parse("2026-W47")
STORE = runs.csv_info("store_sales", Path("store.csv"), label_en="Store sales")  # a CSV series


def visible(frame_or_text: pd.DataFrame | str) -> str:
    """The text a table or sentence shows."""
    if isinstance(frame_or_text, str):
        return frame_or_text
    return " ".join(map(str, [*frame_or_text.columns, *frame_or_text.to_numpy().ravel()]))


# ----------------------------------------------------------------------------------------------
# Generated datasets: the series, alert rules and weekly roll-ups
# ----------------------------------------------------------------------------------------------

def check_daily_series(wh, period: Period) -> dict[str, pd.Series]:
    values = series.daily_series(wh, period, list(FORECAST_SERIES))
    for key, s in values.items():
        assert s.index.is_monotonic_increasing and s.index.max() == pd.Timestamp(period.end), key
        assert (s.index.to_series().diff().dropna() == pd.Timedelta(days=1)).all(), key
        assert not np.isinf(s.to_numpy(dtype=float)).any(), key
        if key != "daily_net_followers":
            assert (s.dropna() >= 0).all(), key
        totals = series.weekly_totals(s)  # the weekly roll-up: whole weeks only
        for monday, total in totals.items():
            assert total == pytest.approx(s.loc[monday:monday + pd.Timedelta(days=6)].sum()), key
    for key in FORECAST_SERIES:
        assert (key in values) == (series.missing_table(wh, key) is None), key
    return values


@settings(derandomize=True, max_examples=30, deadline=None)
@given(tables=datasets())
def test_series_alerts_and_weekly_rollups_on_any_valid_dataset(tables):
    with open_warehouse(tables) as wh:
        period = latest_week(wh)
        values = check_daily_series(wh, period)
        rate = series.unfollow_rate(wh, period)
        assert rate is None or not np.isinf(rate.to_numpy(dtype=float)).any()
        checked = {**values, "daily_unfollow_rate": rate}
        rules = [(k, 0.0, None) for k in [*FORECAST_SERIES, "daily_unfollow_rate"]]
        alerts, unchecked = runs.alert_items(checked, rules, period)
        assert set(unchecked) == {k for k, v in checked.items() if v is None} | (
            set(FORECAST_SERIES) - set(values))
        for key, s in checked.items():  # a rule firing on every positive day of the week
            week = s.loc[pd.Timestamp(period.start):pd.Timestamp(period.end)] if s is not None else s
            fired = [a["date"] for a in alerts if a["metric"] == key]
            assert fired == ([d.date().isoformat() for d, v in week.items() if v > 0] if s is not None else [])
        json.dumps(alerts, allow_nan=False)
        week = [period.start + timedelta(days=i) for i in range(7)]
        series.campaign_context(series.campaigns_between(wh, period.start, period.end), week)


# ----------------------------------------------------------------------------------------------
# Degenerate series straight into stats.forecast and one run of the report
# ----------------------------------------------------------------------------------------------

@st.composite
def daily_arrays(draw) -> pd.Series:
    """A daily series ending on the report week's Sunday: zeros, a constant, a short one, a weekly
    pattern with NaN gaps, huge or tiny values, negative values, a lone spike."""
    n = draw(st.integers(1, 70))
    kind = draw(st.sampled_from(["zeros", "constant", "weekly", "spike", "negative"]))
    scale = draw(st.sampled_from([1.0, 1e-9, 1e12, 1e300]))
    t = np.arange(n)
    values = {"zeros": np.zeros(n), "constant": np.full(n, 7.0), "weekly": 100 * WEEK[t % 7] + t % 3,
              "spike": np.where(t == 0, 3000.0, 0.0), "negative": 10 * WEEK[t % 7] - 10.5}[kind] * scale
    gaps = draw(st.lists(st.integers(0, n - 1), max_size=n // 2))
    values[gaps] = np.nan
    end = pd.Timestamp(REPORT_WEEK.end)
    return pd.Series(values, index=pd.date_range(end - pd.Timedelta(days=n - 1), end, freq="D"))


def check_forecast(y: pd.Series) -> None:
    try:
        fc = forecast(y, None, QUICK)
    except Unforecastable as exc:
        assert str(exc) in REASONS
        return
    assert nothing_to_model(y) is None
    lo95, hi95 = fc.bounds[0.95]
    assert len(fc.yhat) == QUICK.horizon and np.isfinite(fc.yhat).all()
    assert (lo95 <= fc.yhat).all() and (fc.yhat <= hi95).all()


def check_report_parts(run: runs.SeriesRun) -> None:
    """Everything the notebook shows and publishes of one run, in both languages."""
    item = published.series_item(run, QUICK.horizon)
    json.dumps([item, published.anomaly_items(run)], allow_nan=False)
    assert (item["model"] is None) == (run.forecast is None)
    if run.forecast is None:
        assert item["notes"] == [run.unforecast] and run.unforecast in REASONS
    published.forecast_rows([run])
    for language in ("zh", "en"):
        tx = Text(language)
        parts = [findings.monitoring_finding([run], [], {}, tx), findings.forecast_finding([run], {}, tx),
                 findings.accuracy_finding([run], tx), findings.effects_finding([run], tx),
                 *(a["text"] for a in findings.anomaly_alerts([run], tx)),
                 tables.model_table([run], tx), tables.weekly_table([run], {run.info.key: 100.0}, tx),
                 tables.anomaly_table([run], pd.DataFrame(), {}, tx), tables.effects_table([run], tx)]
        for part in parts:
            assert not BAD_WORDS.search(visible(part)), visible(part)


@settings(derandomize=True, max_examples=50, deadline=None)
@given(y=daily_arrays())
def test_degenerate_series_are_forecast_or_named_never_a_crash(y):
    check_forecast(y)
    run = run_series(runs.warehouse_info("daily_orders"), y, None, QUICK, REPORT_WEEK)
    assert (run.monitoring is None) == bool(run.unmonitored)
    assert (run.forecast is None) == bool(run.unforecast)
    check_report_parts(run)


# ----------------------------------------------------------------------------------------------
# Named regression cases
# ----------------------------------------------------------------------------------------------

def weekly(n: int) -> pd.Series:
    end = pd.Timestamp(REPORT_WEEK.end)
    days = pd.date_range(end - pd.Timedelta(days=n - 1), end, freq="D")
    return pd.Series(100 * WEEK[days.day_of_week] + np.arange(n) % 3, index=days)


def test_issue_11_new_users_all_first_seen_on_day_one_are_named_and_dau_still_forecast():
    """minimal_tracking: every user first seen on day one -> daily_new_users 3000, then zeros for
    two years; it sank the notebook with FitError('no_model'). DAU next to it must still run, and
    daily_orders is absent (no orders table)."""
    with open_warehouse(named_shape("minimal_tracking")) as wh:
        period = latest_week(wh)
        values = series.daily_series(wh, period, list(FORECAST_SERIES))
    assert list(values) == ["daily_active_users", "daily_new_users"]
    settings_ = Settings(horizon=14, origins=2, step=14, models=("seasonal_naive", "ets_damped"))
    ran = {k: run_series(runs.warehouse_info(k), v, None, settings_, period) for k, v in values.items()}
    new = ran["daily_new_users"]
    assert (new.forecast, new.monitoring, new.unforecast, new.unmonitored) == (None, None, "all_zero", "all_zero")
    dau = ran["daily_active_users"]
    assert dau.forecast is not None and dau.monitoring is not None and not dau.unforecast
    check_report_parts(new)
    row = tables.model_table(list(ran.values()), Text("en")).iloc[1]
    assert row.iloc[1] == "—" and "zero on every day of the last year" in row.iloc[-1]


@pytest.mark.parametrize(("y", "unmonitored", "unforecast"), [
    pytest.param(weekly(70) * 0, "all_zero", "all_zero", id="all-zeros"),
    pytest.param(weekly(70) * 0 + 4, "constant", "constant", id="constant"),
    pytest.param(weekly(20), "too_short", "", id="20-days: too short to monitor, forecast"),
    pytest.param(weekly(10), "too_short", "too_short", id="10-days"),
    pytest.param(weekly(5), "no_data", "too_short", id="starts-in-the-report-week"),
    pytest.param(weekly(70).where(lambda s: s.index < s.index[40]), "", "", id="gap-up-to-the-week"),
])
def test_named_degenerate_series(y, unmonitored, unforecast):
    run = run_series(STORE, y, None, QUICK, REPORT_WEEK)
    assert (run.unmonitored, run.unforecast) == (unmonitored, unforecast)
    check_report_parts(run)


def test_a_70_day_series_with_one_model_failing_is_forecast_with_a_note(monkeypatch):
    from helpers.stats import forecast_models

    def broken(values: np.ndarray, h: int) -> forecast_models.Prediction:
        raise np.linalg.LinAlgError("singular")

    monkeypatch.setattr(forecast_models, "ets_damped", broken)
    both = Settings(horizon=14, origins=2, step=7, models=("seasonal_naive", "ets_damped"))
    run = run_series(STORE, weekly(70), None, both, REPORT_WEEK)
    assert run.forecast.model == "seasonal_naive" and run.monitoring is not None
    assert "failed_backtest" in published.series_item(run, 14)["notes"]
    check_report_parts(run)


def test_huge_values_never_show_inf():
    money = runs.csv_info("store_sales", Path("store.csv"), unit="CNY")
    run = run_series(money, weekly(70) * 1e306, None, QUICK, REPORT_WEEK)
    assert run.forecast is not None and runs.weekly_forecast(run)["value"].isna().all()  # the sums overflow
    check_report_parts(run)
