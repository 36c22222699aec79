"""Reconciliation of own tracking with WeChat's numbers: each day judged against the window's
typical gap, a 30% tracking loss flagged as loss, duplicated ids as duplication, steady-offset days
never; page views by page on the days WeChat lists the page. Answers by hand below and in
tests/users/wechat_data.py (mixed_counts)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.core.warehouse import Warehouse, day_number
from helpers.users import reconcile, reconcile_report
from helpers.users.params import UserAnalysisParams
from users import wechat_data as wd

from conftest import write_source

LO, HI = day_number(wd.MON), day_number(wd.WEEK.end)
TOLERANCE, MIN_COUNT = 0.15, 100


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Warehouse:
    return Warehouse.from_source(write_source(tmp_path_factory.mktemp("mixed"), wd.mixed_tables()))


def test_judge_by_hand():
    # own/WeChat: 0.9 on five days (the typical ratio, the median), 0.63 (30% below it), 1.26 (40% above)
    own = pd.Series([90, 90, 90, 63, 90, 126, 90], dtype="float64")
    wechat = pd.Series([100] * 7, dtype="float64")
    judged, typical = reconcile.judge(own, wechat, TOLERANCE, 50)
    assert typical == pytest.approx(-0.1)
    assert judged["deviation"].tolist() == pytest.approx([0, 0, 0, -0.3, 0, 0.4, 0])
    assert judged["flag"].tolist() == ["", "", "", "loss", "", "duplication", ""]
    assert judged["gap"].tolist() == pytest.approx([-0.1, -0.1, -0.1, -0.37, -0.1, 0.26, -0.1])


def test_small_counts_are_shown_not_judged_and_too_few_days_judge_nothing():
    own = pd.Series([90, 90, 90, 90, 90, 10], dtype="float64")
    wechat = pd.Series([100, 100, 100, 100, 100, 40], dtype="float64")  # the last day under min_count
    judged, typical = reconcile.judge(own, wechat, TOLERANCE, 50)
    assert typical == pytest.approx(-0.1) and judged["flag"].iloc[-1] == "" and not judged["judged"].iloc[-1]
    assert judged["gap"].iloc[-1] == pytest.approx(-0.75)  # still shown
    four, typical = reconcile.judge(own.head(4), wechat.head(4), TOLERANCE, 50)
    assert typical is None and (four["flag"] == "").all()  # fewer than MIN_DAYS judged days


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(100, 5000), min_size=reconcile.MIN_DAYS, max_size=28),
       st.floats(0.3, 3.0), st.data())
def test_a_steady_offset_is_never_flagged_and_a_30_percent_loss_always_is(wechat, ratio, data):
    wechat = pd.Series(wechat, dtype="float64")
    judged, typical = reconcile.judge(wechat * ratio, wechat, TOLERANCE, MIN_COUNT)
    assert typical == pytest.approx(ratio - 1) and (judged["flag"] == "").all()
    day = data.draw(st.integers(0, len(wechat) - 1))
    own = wechat * ratio
    own.iloc[day] *= 0.7
    judged, _ = reconcile.judge(own, wechat, TOLERANCE, MIN_COUNT)
    assert judged["flag"].tolist() == ["loss" if i == day else "" for i in range(len(wechat))]


def test_mixed_data_flags_the_lost_and_duplicated_days_only(mixed):
    frame, typical = reconcile.daily(mixed, HI - 27, HI, TOLERANCE, MIN_COUNT)
    assert typical["active"] == pytest.approx(-0.1) and typical["new"] == pytest.approx(0.1)  # the steady offsets
    flags = {(d.isoformat(), m): f for d, m, f in frame[frame["flag"] != ""][["date", "measure", "flag"]].itertuples(
        index=False)}
    assert flags == {("2026-11-18", "active"): "loss", ("2026-11-19", "new"): "loss",
                     ("2026-11-20", "active"): "duplication"}
    before = frame[frame["day"] < day_number(wd.MIXED_FIRST)]
    assert before["own"].isna().all() and not before["judged"].any()  # outside the events: missing, not 0
    assert reconcile.flagged_days(frame, LO, HI) == ["2026-11-18", "2026-11-19", "2026-11-20"]
    assert reconcile.flagged_days(frame, LO - 7, LO - 1) == []
    week = reconcile.week_table(frame, LO, HI).set_index("date")
    assert week.loc[wd.LOSS_DAY, "flags"] == {"active": "loss"}
    assert week.loc[wd.LOSS_DAY, "gap_active"] == pytest.approx(130 / 210 - 1)


def test_page_views_by_page_on_the_days_wechat_lists_them(mixed):
    pages, typical = reconcile.page_views(mixed, LO, HI, TOLERANCE, MIN_COUNT)
    pages = pages.set_index("page")
    assert typical == pytest.approx(0)
    assert pages.loc[wd.LOSS_PAGE, "flag"] == "loss" and pages.loc[wd.LOSS_PAGE, "gap"] == pytest.approx(-0.5)
    # matched through "/pages/index/index" and "pages/product/detail?id=7"
    assert pages.loc["pages/index/index", "own"] == pages.loc["pages/index/index", "wechat"] > 0
    assert pages.loc["pages/product/detail", "gap"] == 0
    # listed on two days only: own views of the other five days are not compared
    assert pages.loc[wd.PART_PAGE, "days_listed"] == 2 and pages.loc[wd.PART_PAGE, "gap"] == 0
    assert (pages.drop(index=wd.LOSS_PAGE)["flag"] == "").all()


def test_published_keys(mixed):
    rec = reconcile_report.reconcile_week(mixed, wd.WEEK, UserAnalysisParams())
    assert reconcile_report.published(rec) == {"tracking_gap_days": ["2026-11-18", "2026-11-19", "2026-11-20"],
                                               "tracking_gap_typical": pytest.approx(-0.1)}
    assert reconcile_report.published(None) == {"tracking_gap_days": None, "tracking_gap_typical": None}


def test_no_reconciliation_without_both(tmp_path):
    platform = Warehouse.from_source(write_source(tmp_path / "p", {"mp_visits": wd.visits()}))
    assert reconcile_report.reconcile_week(platform, wd.WEEK, UserAnalysisParams()) is None
    tables = wd.mixed_tables()
    own = Warehouse.from_source(write_source(tmp_path / "o", {"users": tables["users"], "events": tables["events"]}))
    assert reconcile_report.reconcile_week(own, wd.WEEK, UserAnalysisParams()) is None
