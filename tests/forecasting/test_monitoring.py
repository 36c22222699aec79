"""The sample's planted tracking outage and unfollow spike found by the forecasting report's
monitoring (helpers.forecasting.runs over helpers.stats.anomaly)."""

from __future__ import annotations

import json
import math
from datetime import date

import pandas as pd
import pytest

from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, build_warehouse
from helpers.forecasting import published, runs, series
from helpers.sample import SampleSpec, write_sample
from helpers.stats.forecast_models import Settings

W47 = Period.parse("2026-W47")


@pytest.fixture(scope="module")
def mid_sample(tmp_path_factory) -> tuple[Warehouse, dict]:
    """A generated shop of 91 days ending 2026-11-22, with the sample's planted outage and spike."""
    path = tmp_path_factory.mktemp("mid") / "shop"
    write_sample(path, SampleSpec(seed=5, users=8000, days=91))
    wh = Warehouse(build_warehouse(path))
    yield wh, json.loads((path / "truth.json").read_text())
    wh.close()


def test_planted_tracking_outage_is_flagged(mid_sample):
    wh, truth = mid_sample
    outage = pd.Timestamp(truth["outage"]["date"])
    dau = series.daily_series(wh, W47, ["daily_active_users"])["daily_active_users"]
    regressors = runs.calendar_regressors(wh.first_date, W47, 28, {})
    run = runs.run_series(runs.warehouse_info("daily_active_users"), dau, regressors, Settings(), W47)
    found = run.monitoring.anomalies.set_index("date")
    assert outage in found.index, found
    row = found.loc[outage]
    assert row.direction == "down" and row.deviation < -0.15
    assert row.severity == found["severity"].max()  # the outage is the week's clearest break
    assert outage in run.masked and not math.isnan(run.forecast.yhat[0])
    items = published.anomaly_items(run)
    assert {"metric", "date", "actual", "expected", "lo95", "hi95", "direction"} <= set(items[0])


def test_planted_unfollow_spike_is_flagged(mid_sample):
    wh, truth = mid_sample
    spike = date.fromisoformat(truth["content"]["unfollow_spike"]["date"])
    rate = series.unfollow_rate(wh, W47)
    alerts, unchecked = runs.alert_items({"daily_unfollow_rate": rate}, [("daily_unfollow_rate", 0.005, None)],
                                       W47)
    assert unchecked == [] and spike.isoformat() in {a["date"] for a in alerts}
    net = series.daily_series(wh, W47, ["daily_net_followers"])["daily_net_followers"]
    run = runs.run_series(runs.warehouse_info("daily_net_followers"), net, None, Settings(), W47)
    down = run.monitoring.anomalies.query("direction == 'down'")
    assert pd.Timestamp(spike) in set(down["date"])
    assert not run.forecast.log  # net followers can be negative: never the log scale
