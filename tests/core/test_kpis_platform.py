"""core.kpis on WeChat's statistics only (no events): active users = the week row's visitors,
new users = the sum of the seven day rows' new visitors; visits, opens and stay times by week.

The hand-made folder (answers worked out by hand below):

    W45 2026-11-02..08: week row (visitors 35, visits 200, opens 90, stay 80 s/visitor, 30 s/open)
                        and day rows 11-02..11-07 only (11-08 missing), new_visitors 1 each
    W46 2026-11-09..15: week row (visitors 40, visits 300, opens 120, stay 95.5 s, 40 s/open) and
                        all seven day rows: visitors 10..16, new_visitors 1..7 (sum 28)
    W47 2026-11-16..22: all seven day rows, no week row: visitors 20 each, new 2 x 6 + 3 = 15,
                        visits 50 each (350), opens 10 x 6 + 40 = 100, stay per open 30 s on six
                        days and 60 s on Sunday: (30 x 60 + 60 x 40) / 100 = 42 s
    orders: o1 paid 11-10 (50.0), o2 refunded 11-11, o3 paid 11-20 (20.0); no users table.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.core import kpis
from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, build_warehouse

from conftest import minimal_tables, write_source

W45, W46, W47 = (Period.parse(f"2026-W{n}") for n in (45, 46, 47))


def _day(d: date, visitors: int, new: int | None, visits: int = 40, sessions: int = 10,
         stay_session: float = 30.0) -> dict:
    return {"date": d.isoformat(), "period": "day", "visitors": visitors, "new_visitors": new,
            "visits": visits, "sessions": sessions, "stay_time_uv": 50.0,
            "stay_time_session": stay_session}


def _week(monday: date, visitors: int, visits: int, sessions: int, stay_uv: float,
          stay_session: float) -> dict:
    return {"date": monday.isoformat(), "period": "week", "visitors": visitors, "new_visitors": None,
            "visits": visits, "sessions": sessions, "stay_time_uv": stay_uv,
            "stay_time_session": stay_session}


def hand_made() -> dict[str, list[dict]]:
    rows = [_week(W45.start, 35, 200, 90, 80.0, 30.0)]
    rows += [_day(W45.start + timedelta(days=i), 5, 1, 20, 8) for i in range(6)]
    rows += [_week(W46.start, 40, 300, 120, 95.5, 40.0)]
    rows += [_day(W46.start + timedelta(days=i), 10 + i, 1 + i) for i in range(7)]
    rows += [_day(W47.start + timedelta(days=i), 20, 3 if i == 6 else 2, 50, 40 if i == 6 else 10,
                  60.0 if i == 6 else 30.0) for i in range(7)]
    orders = [
        {"order_id": "o1", "user_id": "x", "paid_at": "2026-11-10 12:00:00", "amount": 50.0, "status": "paid"},
        {"order_id": "o2", "user_id": "y", "paid_at": "2026-11-11 12:00:00", "amount": 9.0, "status": "refunded"},
        {"order_id": "o3", "user_id": "x", "paid_at": "2026-11-20 12:00:00", "amount": 20.0},
    ]
    return {"mp_visits": rows, "orders": orders}


@pytest.fixture(scope="module")
def platform_wh(tmp_path_factory) -> Warehouse:
    return Warehouse(build_warehouse(write_source(tmp_path_factory.mktemp("wx") / "src", hand_made())))


def _values(frame: pd.DataFrame, column: str) -> list[float | None]:
    return [None if math.isnan(x) else x for x in frame[column]]


def test_platform_only_is_told_by_the_missing_events(platform_wh, tiny_wh):
    assert kpis.platform_only(platform_wh) and not kpis.platform_only(tiny_wh)


def test_weekly_users_are_the_week_row_and_the_sum_of_seven_days(platform_wh):
    weekly = kpis.kpi_series(platform_wh, W45, W47)
    assert weekly["complete"].tolist() == [True, True, True]
    # W45: week row 35, a day row missing -> new users missing; W46: 40 (not 10+..+16 = 91), 28;
    # W47: no week row -> missing, never the sum of daily visitors (140); new 15.
    assert _values(weekly, "active_users") == [35, 40, None]
    assert _values(weekly, "new_users") == [None, 28, 15]
    assert _values(weekly, "orders") == [0, 1, 1] and _values(weekly, "gmv") == [0, 50.0, 20.0]


def test_daily_users_are_the_day_rows(platform_wh):
    daily = kpis.kpi_series(platform_wh, W45, W46, grain="day")
    # 11-08 (the seventh day of W45) has no day row: missing, not 0.
    assert _values(daily, "active_users") == [5] * 6 + [None] + list(range(10, 17))
    assert _values(daily, "new_users") == [1] * 6 + [None] + list(range(1, 8))


def test_wechat_series_week_row_else_seven_day_rows(platform_wh):
    weekly = kpis.wechat_series(platform_wh, W45, W47)
    # W45 and W46 from their week rows (the day rows would give 6 x 20 and 7 x 40 = 280);
    # W47 formed from its days: 350 visits, 100 opens, 42 s per open, no per-visitor figure.
    assert _values(weekly, "visits") == [200, 300, 350]
    assert _values(weekly, "opens") == [90, 120, 100]
    assert _values(weekly, "stay_time_session") == [30.0, 40.0, pytest.approx(42.0)]
    assert _values(weekly, "stay_time_uv") == [80.0, 95.5, None]
    daily = kpis.wechat_series(platform_wh, W47, W47, grain="day")
    assert _values(daily, "opens") == [10] * 6 + [40]


def test_official_account_only_has_no_users_but_its_orders(tmp_path):
    followers = [{"date": f"2026-11-{d:02d}", "source": "s", "new_followers": 3, "unfollows": 1}
                 for d in range(9, 23)]
    tables = {"followers": followers, "orders": hand_made()["orders"]}
    wh = Warehouse(build_warehouse(write_source(tmp_path / "oa", tables)))
    weekly = kpis.kpi_series(wh, W46, W47)
    assert _values(weekly, "active_users") == [None, None] and _values(weekly, "new_users") == [None, None]
    assert _values(weekly, "orders") == [1, 1]
    assert kpis.wechat_series(wh, W46, W47)[list(kpis.WECHAT)].isna().all().all()


def test_mixed_data_keeps_own_tracking_exactly(tmp_path):
    own = minimal_tables()
    mixed = {**own, "mp_visits": [_week(W46.start, 999, 1, 1, 1.0, 1.0),
                                  _week(W47.start, 999, 1, 1, 1.0, 1.0)]}
    a = kpis.kpi_series(Warehouse(build_warehouse(write_source(tmp_path / "own", own))), W46, W47)
    b = kpis.kpi_series(Warehouse(build_warehouse(write_source(tmp_path / "mixed", mixed))), W46, W47)
    pd.testing.assert_frame_equal(a, b)
    assert b["active_users"].tolist() == [1, 2]  # own tracking's distinct users, not WeChat's 999


@st.composite
def weeks(draw):
    """Two ISO weeks of WeChat rows: any subset of day rows (new_visitors sometimes empty) and,
    or not, a week row."""
    rows, expected = [], []
    for period in (W46, W47):
        days = draw(st.lists(st.booleans(), min_size=7, max_size=7))
        news = draw(st.lists(st.one_of(st.none(), st.integers(0, 50)), min_size=7, max_size=7))
        week = draw(st.one_of(st.none(), st.integers(0, 500)))
        for i in range(7):
            if days[i]:
                rows.append(_day(period.start + timedelta(days=i), 60, news[i]))
        if week is not None:
            rows.append(_week(period.start, week, 1, 1, 1.0, 1.0))
        complete = all(days) and all(n is not None for n in news)
        expected.append((week, sum(news) if complete else None))
    return rows, expected


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(weeks())
def test_any_rows_give_the_week_row_and_complete_day_sums(tmp_path_factory, case):
    rows, expected = case
    followers = [{"date": d, "source": "s", "new_followers": 0, "unfollows": 0}
                 for d in ("2026-11-09", "2026-11-22")]  # the data spans both weeks
    tables = {"mp_visits": rows, "followers": followers} if rows else {"followers": followers}
    folder = write_source(tmp_path_factory.mktemp("h"), tables)
    weekly = kpis.kpi_series(Warehouse(build_warehouse(folder)), W46, W47)
    assert list(zip(_values(weekly, "active_users"), _values(weekly, "new_users"), strict=True)) == expected
