"""The forecasting notebook end to end through the runner on the tiny sample (`--only forecasting`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers.render.html import external_references
from helpers.render.outputs import CONTRACTS

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = CONTRACTS["forecasting"]
WXREPORT = str(Path(sys.executable).with_name("wxreport"))
SERIES = ["daily_active_users", "daily_new_users", "daily_orders", "daily_gmv", "daily_reads",
          "daily_net_followers"]


@pytest.fixture(scope="module")
def run(tiny_data, tmp_path_factory):
    """English report with a CSV series, an event, a target, two alert rules and a forecast.csv
    published by an earlier week's report, to be scored."""
    tmp = tmp_path_factory.mktemp("fc-e2e")
    days = pd.date_range("2026-10-12", "2026-11-22")
    kpi = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "value": [100 + 10 * (d.weekday() >= 5) for d in days]})
    kpi.to_csv(tmp / "store.csv", index=False)
    params = tmp / "params"
    params.mkdir()
    (params / "defaults.yaml").write_text("language: en\n")
    (params / "forecasting.yaml").write_text(
        f"csv_series: [{{name: store_sales, path: {tmp / 'store.csv'}, label_en: Store sales, unit: CNY}}]\n"
        "events: [{name: member day, dates: ['2026-10-20', '2026-11-20', '2026-12-01']}]\n"
        "targets: {daily_orders: 100}\n"
        "alerts: [{metric: daily_unfollow_rate, above: 0.005}, {metric: daily_active_users, below: 100}]\n"
        "horizon_days: 14\n")
    out = tmp / "reports"
    earlier = out / "2026-W46"
    earlier.mkdir(parents=True)
    (earlier / "forecast.csv").write_text(
        "date,metric,model,yhat,lo80,hi80,lo95,hi95\n"
        "2026-11-16,daily_orders,structural,15.0,12.0,18.0,10.0,20.0\n"
        "2026-11-17,daily_orders,structural,15.0,12.0,18.0,10.0,20.0\n")
    result = subprocess.run([WXREPORT, "run", "--data", str(tiny_data), "--out", str(out), "--params", str(params),
                             "--only", "forecasting"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "2026-W47"


def test_outputs_and_forecast_csv(run):
    assert {"forecasting.html", "forecasting.json", "forecast.csv", "index.html"} <= {p.name for p in run.iterdir()}
    frame = pd.read_csv(run / "forecast.csv")
    header = (run / "forecast.csv").read_text().splitlines()[0]
    assert header == CONTRACT.files["forecast.csv"]
    assert sorted(frame.metric.unique()) == sorted([*SERIES, "store_sales"])
    per = frame.groupby("metric").date.agg(["min", "max", "count"])
    assert (per["min"] == "2026-11-23").all() and (per["max"] == "2026-12-06").all() and (per["count"] == 14).all()
    assert ((frame.lo95 <= frame.lo80) & (frame.lo80 <= frame.yhat) & (frame.yhat <= frame.hi80)
            & (frame.hi80 <= frame.hi95)).all()


def test_json_series_anomalies_and_past_accuracy(run):
    doc = json.loads((run / "forecasting.json").read_text())
    metrics = doc["metrics"]
    assert set(CONTRACT.metrics) <= set(metrics) <= set(doc["definitions"])
    series = {s["metric"]: s for s in metrics["series"]}
    assert sorted(series) == sorted([*SERIES, "store_sales"])
    for item in metrics["series"]:
        assert set(CONTRACT.item_keys["series"]) <= set(item)
        assert item["horizon_days"] == 14
    # 35 days before the report week are too few for 14-day backtests: seasonal naive, said so.
    assert series["daily_orders"]["model"] == "seasonal_naive" and series["daily_orders"]["mase_backtest"] is None
    assert "short_history" in series["daily_orders"]["notes"]
    for item in metrics["anomalies"]:
        assert set(CONTRACT.item_keys["anomalies"]) <= set(item)
        assert item["direction"] in ("up", "down") and "2026-11-16" <= item["date"] <= "2026-11-22"
        assert (item["actual"] > item["hi95"]) == (item["direction"] == "up")
    assert {a["metric"] for a in metrics["alerts"]} <= {"daily_unfollow_rate", "daily_active_users"}
    past = metrics["past_accuracy"]
    assert [(p["made_in"], p["metric"], p["days"]) for p in past] == [("2026-W46", "daily_orders", 2)]
    assert "store_sales" in doc["definitions"]
    kinds = [a["kind"] for a in doc["summary"]["alerts"]]
    assert kinds == ["anomaly"] * len(metrics["anomalies"]) + ["threshold"] * len(metrics["alerts"])


def test_html_in_english_without_code_or_external_references(run):
    page = (run / "forecasting.html").read_text()
    assert external_references(page) == []
    assert "open_report" not in page and "Forecasting and monitoring · Week 2026-W47" in page
    for heading in ("At a glance", "Monitoring", "Forecast for the next 14 days", "Weekly forecast and targets",
                    "Calendar effects", "Models and backtest", "Earlier forecasts against what happened"):
        assert heading in page, heading
    assert "Store sales" in page and "of target" in page and "too few to backtest" in page
    assert page.count('<figure class="wx-chart') >= 2  # charts are inline SVG
