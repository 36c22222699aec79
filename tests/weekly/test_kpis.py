"""Weekly-summary KPIs against independent computations (plain Python over the raw rows)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.core import kpis
from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, build_warehouse
from helpers.render.text import Text
from helpers.weekly import findings
from helpers.weekly.headline import aov_card_values, headline

from conftest import minimal_tables, write_source


def python_kpis(tables: dict[str, list[dict]], week: Period) -> dict[str, float]:
    """The four KPIs of one ISO week, by looping over the rows."""
    def in_week(ts: str) -> bool:
        return week.start <= datetime.fromisoformat(ts).date() <= week.end

    active = {e["user_id"] for e in tables["events"] if in_week(e["event_time"])}
    new = [u for u in tables["users"] if in_week(u["first_seen_at"])]
    paid = [o for o in tables.get("orders", [])
            if in_week(o["paid_at"]) and (o.get("status") or "paid").lower() == "paid"]
    return {"active_users": len(active), "new_users": len(new), "orders": len(paid),
            "gmv": sum(o["amount"] for o in paid)}


def test_hand_made_week(tmp_path):
    tables = minimal_tables()
    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", tables)))
    weekly = kpis.kpi_series(wh, Period.parse("2026-W46"), Period.parse("2026-W47"))
    w47 = weekly.iloc[-1]
    # W47: a (00:00 Monday) and b are active; b is new; o2 paid, o3 refunded.
    assert (w47.active_users, w47.new_users, w47.orders, w47.gmv) == (2, 1, 1, 30.5)
    assert weekly.iloc[-1][list(kpis.KPIS)].to_dict() == python_kpis(tables, Period.parse("2026-W47"))
    assert weekly.iloc[0][list(kpis.KPIS)].to_dict() == python_kpis(tables, Period.parse("2026-W46"))


def test_headline_wow_and_nulls(tmp_path):
    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", minimal_tables())))
    weekly = kpis.kpi_series(wh, Period.parse("2026-W46"), Period.parse("2026-W47"))
    m = headline(weekly)
    # W46 starts on Monday 2026-11-09 with the first event: it is a complete week.
    assert m["active_users"] == 2 and m["active_users_wow"] == pytest.approx(2 / 1 - 1)
    assert m["orders_wow"] == pytest.approx(0.0) and m["gmv_wow"] == pytest.approx(30.5 / 50 - 1)
    earlier = kpis.kpi_series(wh, Period.parse("2026-W45"), Period.parse("2026-W46"))
    assert earlier.complete.tolist() == [False, True]
    assert headline(earlier)["active_users_wow"] is None  # W45 is outside the data


def test_aov_by_hand_and_its_card(tmp_path):
    """Issue 12, item 11: aov = GMV / paid orders. W47: o2 paid 30.5 (o3 refunded) -> 30.5;
    W46: o1 paid 50 -> 50; the card's week on week 30.5 / 50 - 1 = -39%."""
    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", minimal_tables())))
    weekly = kpis.kpi_series(wh, Period.parse("2026-W46"), Period.parse("2026-W47"))
    m = headline(weekly)
    assert m["aov"] == pytest.approx(30.5)
    assert aov_card_values(weekly) == pytest.approx((30.5, 30.5 / 50 - 1, 50.0))
    assert list(m)[-1] == "aov"  # the v1 keys first, then the addition
    assert "AOV" in findings.weekly_summary(m, Text("en")) and "客单价" in findings.weekly_summary(m, Text("zh"))


def test_aov_is_null_without_paid_orders(tmp_path):
    tables = minimal_tables()
    tables["orders"] = [o | {"status": "refunded"} for o in tables["orders"]]
    wh = Warehouse(build_warehouse(write_source(tmp_path / "refunded", tables)))
    weekly = kpis.kpi_series(wh, Period.parse("2026-W46"), Period.parse("2026-W47"))
    assert headline(weekly)["aov"] is None and aov_card_values(weekly) == (None, None, None)
    assert kpis.with_aov(weekly)["aov"].isna().all()
    del tables["orders"]
    wh = Warehouse(build_warehouse(write_source(tmp_path / "none", tables)))
    assert headline(kpis.kpi_series(wh, Period.parse("2026-W46"), Period.parse("2026-W47")))["aov"] is None


def test_aov_matches_pandas_on_the_sample(tiny_data, tiny_wh):
    weekly = kpis.with_aov(kpis.kpi_series(tiny_wh, Period.parse("2026-W45"), Period.parse("2026-W47")))
    orders = pd.read_parquet(tiny_data / "orders.parquet")
    paid = orders[orders.status.isna() | (orders.status.str.lower() == "paid")]
    week = paid.paid_at.dt.normalize() - pd.to_timedelta(paid.paid_at.dt.day_of_week, unit="D")
    expected = paid.groupby(week.dt.date).amount.agg(["sum", "size"])
    for row in weekly.itertuples():
        assert row.aov == pytest.approx(expected.loc[row.start, "sum"] / expected.loc[row.start, "size"])
    assert headline(weekly)["aov"] == pytest.approx(weekly["aov"].iloc[-1])


def test_orders_null_without_orders_table(tmp_path):
    tables = minimal_tables()
    del tables["orders"]
    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", tables)))
    m = headline(kpis.kpi_series(wh, Period.parse("2026-W46"), Period.parse("2026-W47")))
    assert m["orders"] is None and m["gmv"] is None and m["orders_wow"] is None
    assert m["active_users"] == 2


def test_daily_series_matches_pandas_on_the_sample(tiny_data, tiny_wh):
    daily = kpis.kpi_series(tiny_wh, Period.parse("2026-W46"), Period.parse("2026-W47"), "day")
    events = pd.read_parquet(tiny_data / "events.parquet")
    orders = pd.read_parquet(tiny_data / "orders.parquet")
    users = pd.read_parquet(tiny_data / "users.parquet")
    dau = events.groupby(events.event_time.dt.date).user_id.nunique()
    paid = orders[orders.status == "paid"]
    gmv = paid.groupby(paid.paid_at.dt.date).amount.sum()
    new = users.groupby(users.first_seen_at.dt.date).size()
    for row in daily.itertuples():
        assert row.active_users == dau.get(row.start, 0)
        assert row.gmv == pytest.approx(gmv.get(row.start, 0.0))
        assert row.new_users == new.get(row.start, 0)


def _log(draw) -> dict[str, list[dict]]:
    start = datetime(2026, 11, 2)  # Monday of 2026-W45
    last = datetime(2026, 11, 29, 23, 59)  # the end of W48: no data after the run date
    n_users = draw(st.integers(1, 12))
    users, events, orders = [], [], []
    for i in range(n_users):
        seen = start + timedelta(minutes=draw(st.integers(0, 3 * 7 * 24 * 60 - 1)))
        users.append({"user_id": f"u{i}", "first_seen_at": seen.isoformat(sep=" ")})
        for _ in range(draw(st.integers(0, 6))):
            t = min(seen + timedelta(minutes=draw(st.integers(0, 2 * 7 * 24 * 60))), last)
            events.append({"user_id": f"u{i}", "event_time": t.isoformat(sep=" "), "event": "launch"})
        for _ in range(draw(st.integers(0, 3))):
            t = min(seen + timedelta(minutes=draw(st.integers(0, 2 * 7 * 24 * 60))), last)
            orders.append({"order_id": f"o{len(orders)}", "user_id": f"u{i}",
                           "paid_at": t.isoformat(sep=" "),
                           "amount": draw(st.integers(0, 50_000)) / 100,
                           "status": draw(st.sampled_from(["paid", "PAID", "refunded", "cancelled", ""]))})
    # Anchor the data range so that weeks W45..W47 are complete.
    events += [{"user_id": "u0", "event_time": "2026-11-02 00:00:00", "event": "launch"},
               {"user_id": "u0", "event_time": "2026-11-22 23:59:59", "event": "launch"}]
    return {"users": users, "events": events, "orders": orders}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_property_sql_equals_python_loop(tmp_path_factory, data):
    tables = _log(data.draw)
    if not tables["orders"]:
        tables["orders"] = [{"order_id": "x", "user_id": "u0", "paid_at": "2026-11-03 10:00:00",
                             "amount": 1.0, "status": "paid"}]
    folder = write_source(tmp_path_factory.mktemp("prop"), tables)
    wh = Warehouse(build_warehouse(folder))
    weekly = kpis.kpi_series(wh, Period.parse("2026-W45"), Period.parse("2026-W47"))
    expected = defaultdict(dict)
    for label in ("2026-W45", "2026-W46", "2026-W47"):
        expected[label] = python_kpis(tables, Period.parse(label))
    for row, label in zip(weekly.itertuples(), ("2026-W45", "2026-W46", "2026-W47"), strict=True):
        assert row.start == Period.parse(label).start
        got = {k: getattr(row, k) for k in kpis.KPIS}
        assert got["gmv"] == pytest.approx(expected[label]["gmv"])
        assert {k: v for k, v in got.items() if k != "gmv"} == {
            k: v for k, v in expected[label].items() if k != "gmv"}
    assert weekly.complete.all()
    wh.close()
