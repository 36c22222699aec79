"""The scale benchmark's pandas baseline (benchmarks/scale_pandas.py) on a hand-made shop, every
figure worked out by hand: it is the check the suite's JSON is held to, so it must be right."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("scale_pandas", ROOT / "benchmarks" / "scale_pandas.py")
scale_pandas = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scale_pandas)

# Data from Mon 2026-11-02 to Sun 2026-11-22; the report week is 2026-W47 (Nov 16-22).
USERS = [("u1", "2026-11-16 08:00"), ("u2", "2026-11-22 10:00"), ("u3", "2026-11-02 07:00"),
         ("u4", "2026-11-09 12:00"), ("u5", "2026-11-10 12:00"), ("u6", "2026-11-20 09:00")]
EVENTS = [
    ("u1", "2026-11-16 08:00", "launch"), ("u1", "2026-11-16 08:01", "page_view"),
    ("u1", "2026-11-16 08:05", "add_to_cart"), ("u1", "2026-11-16 08:06", "checkout"),
    ("u1", "2026-11-16 08:07", "pay"), ("u1", "2026-11-17 09:00", "launch"),  # converts; back on day 1
    ("u2", "2026-11-22 10:00", "launch"),  # day 1 and the funnel window are after the data: left out
    ("u3", "2026-11-02 07:00", "launch"), ("u3", "2026-11-03 07:00", "launch"),
    ("u3", "2026-11-18 09:00", "launch"), ("u3", "2026-11-18 09:05", "add_to_cart"),  # cart before the page
    ("u3", "2026-11-18 09:10", "page_view"), ("u3", "2026-11-18 09:20", "checkout"),  # ... so it stops there
    ("u3", "2026-11-18 09:25", "pay"),  # (in any order, u3 would have converted)
    ("u4", "2026-11-09 12:00", "launch"), ("u4", "2026-11-10 12:00", "launch"),  # W46 cohort: day 1
    ("u4", "2026-11-16 12:00", "page_view"),  # day 7; not a launch: u4 starts the funnel on the 19th
    ("u4", "2026-11-19 20:00", "launch"), ("u4", "2026-11-19 20:01", "page_view"),
    ("u4", "2026-11-19 20:02", "add_to_cart"), ("u4", "2026-11-19 20:03", "checkout"),
    ("u4", "2026-11-20 21:00", "pay"),  # 25 hours after the launch: outside the 24-hour window
    ("u5", "2026-11-10 12:00", "launch"), ("u5", "2026-11-17 12:00", "page_view"),  # day 7, not day 1
    ("u5", "2026-11-21 12:00", "page_view"),
]
ORDERS = [("2026-11-16 08:07", 100.5, "paid"), ("2026-11-20 21:00", 50.25, "PAID"),
          ("2026-11-18 09:20", 30.0, "refunded"), ("2026-11-21 12:00", 20.0, None),
          ("2026-11-15 10:00", 999.0, "paid")]  # the week before


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    users = pd.DataFrame(USERS, columns=["user_id", "first_seen_at"])
    users["first_seen_at"] = pd.to_datetime(users["first_seen_at"]).astype("datetime64[s]")
    users.to_parquet(tmp_path / "users.parquet")
    events = pd.DataFrame(EVENTS, columns=["user_id", "event_time", "event"])
    events["event_time"] = pd.to_datetime(events["event_time"]).astype("datetime64[s]")
    (tmp_path / "events").mkdir()  # a table given as part files, as the grown data is
    events.iloc[:11].to_parquet(tmp_path / "events" / "part-0.parquet")
    events.iloc[11:].to_parquet(tmp_path / "events" / "part-1.parquet")
    orders = pd.DataFrame(ORDERS, columns=["paid_at", "amount", "status"])
    orders["paid_at"] = pd.to_datetime(orders["paid_at"]).astype("datetime64[s]")
    orders.to_parquet(tmp_path / "orders.parquet")
    return tmp_path


def test_headline_metrics_by_hand(shop):
    got = scale_pandas.headline(shop, "2026-11-16")
    assert got == pytest.approx({
        # active per day Mon..Sun: u1 u4 | u1 u5 | u3 | u4 | u4 | u5 | u2 = 9 user-days over 7 days
        "dau_mean": 9 / 7, "wau": 5,
        "mau": None,  # the 30 days ending on Nov 22 start before the data
        "retention_d1": 1 / 2,  # u1 back on day 1; u6 not; u2's day 1 is not observed
        "retention_d7": None,  # no day 7 of the week's new users lies inside the data
        "retention_d1_latest": 1 / 2, "retention_d7_latest": 1.0,  # W46: u4 (days 1, 7), u5 (day 7)
        "funnel_conversion": 1 / 3,  # u1 of u1, u3, u4 (u2 censored)
        "orders": 3, "gmv": 170.75,  # paid, PAID and an empty status; not the refund or last week
    })


def test_comparison_flags_a_difference():
    rows = scale_pandas.compare({"a": 1.0, "b": None, "c": 2.0, "d": 5},
                                {"a": 1.0 + 1e-12, "b": None, "c": 2.001, "d": None})
    assert [same for *_, same in rows] == [True, True, False, False]
