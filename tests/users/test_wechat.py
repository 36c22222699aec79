"""WeChat's own statistics in the user analysis (platform-only data): the week's figures and the
platform headline, WeChat's retention table, the portrait with small cells suppressed (also
against subtraction), access sources, stay-time and depth buckets, top pages. Answers by hand in
tests/users/wechat_data.py's docstrings and below."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.core.warehouse import Warehouse, day_number
from helpers.render.text import Text
from helpers.users import headline
from helpers.users import wechat_breakdowns as wb
from helpers.users import wechat_stats as ws
from users import wechat_data as wd

from conftest import write_source

K = 10
LO, HI = day_number(wd.MON), day_number(wd.WEEK.end)


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> Warehouse:
    return Warehouse.from_source(write_source(tmp_path_factory.mktemp("wechat"), wd.platform_tables()))


def _warehouse(tmp_path, **tables) -> Warehouse:
    return Warehouse.from_source(write_source(tmp_path, tables))


# -- the week's figures and the JSON ---------------------------------------------------------

def test_week_figures_by_hand(wh):
    this = ws.week_figures(wh, LO)
    # opens 2 x (100 + ... + 160) = 1820; time per open sum((20 + i) x opens_i) / 1820 = 42420 / 1820
    assert this == pytest.approx({"wx_weekly_visitors": 600, "wx_visitors": 130, "wx_new_visitors": 91,
                                  "wx_opens": 1820, "wx_page_views": 3640, "wx_stay_visitor": 45,
                                  "wx_stay_open": 42420 / 1820, "wx_depth": 2.5, "wx_shares": 35})
    before = ws.week_figures(wh, LO - 7)
    assert before["wx_weekly_visitors"] == 500 and before["wx_new_visitors"] == 63
    assert before["wx_stay_visitor"] is None  # WeChat's weekly row of W46 has none


def test_platform_headline_takes_wechats_visits_and_leaves_the_rest_null(wh):
    metrics = headline.platform_headline(wh, wd.WEEK)
    assert list(metrics) == list(headline.KEYS)
    assert (metrics["wau"], metrics["new_users"], metrics["dau_mean"]) == (600, 91, 130)
    assert all(v is None for k, v in metrics.items() if k not in ("wau", "new_users", "dau_mean"))
    assert set(headline.platform_definitions()) == {"wau", "new_users", "dau_mean", "arpu"}


def test_missing_rows_make_the_figures_null_never_a_partial_sum(tmp_path):
    rows = [r for r in wd.visits() if r["date"] != "2026-11-18" and r["period"] != "week"]
    metrics = headline.platform_headline(_warehouse(tmp_path, mp_visits=rows), wd.WEEK)
    assert metrics["wau"] is None  # no weekly row
    assert metrics["new_users"] is None and metrics["dau_mean"] is None  # six days of seven


def test_platform_headline_with_orders_gives_the_buyer_figures(tmp_path):
    # W47: u1 pays 100 and 50, u2 30 (180 in 3 orders); u1 also paid in W46; a refund does not count
    orders = [{"order_id": "o1", "user_id": "u1", "paid_at": "2026-11-17 10:00:00", "amount": 100},
              {"order_id": "o2", "user_id": "u1", "paid_at": "2026-11-18 10:00:00", "amount": 50},
              {"order_id": "o3", "user_id": "u2", "paid_at": "2026-11-19 10:00:00", "amount": 30},
              {"order_id": "o4", "user_id": "u2", "paid_at": "2026-11-19 11:00:00", "amount": 90,
               "status": "refunded"},
              {"order_id": "o0", "user_id": "u1", "paid_at": "2026-11-10 10:00:00", "amount": 10}]
    metrics = headline.platform_headline(_warehouse(tmp_path, mp_visits=wd.visits(), orders=orders), wd.WEEK)
    assert metrics["buyers"] == 2 and metrics["repurchase_rate"] == 0.5 and metrics["returning_buyer_share"] == 0.5
    assert metrics["aov"] == pytest.approx(60) and metrics["arppu"] == pytest.approx(90)
    assert metrics["arpu"] == pytest.approx(180 / 600)  # over WeChat's weekly visitors
    assert metrics["retention_d1"] is None and metrics["mau"] is None


# -- WeChat's retention table -----------------------------------------------------------------

def test_retention_shares_of_the_cohort_and_blank_unobservable_cells(wh):
    daily = ws.retention_table(wh, "day", "new", HI - 34, HI, HI)
    assert list(daily["date"]) == [date(2026, 11, 1), date(2026, 11, 20), date(2026, 11, 21)]
    first, late, small = (daily.iloc[i] for i in range(3))
    assert (first["size"], first["d1"], first["d7"], first["d14"]) == (50, 0.4, 0.2, 0.1)
    assert math.isnan(first["d2"])  # WeChat gave no value: blank, not 0
    assert math.isnan(first["d30"])  # 12-01 is after the report week's Sunday
    assert (late["d1"], late["d2"]) == (0.3, 0.2) and math.isnan(late["d3"])  # 11-23: WeChat's 0 is not a value yet
    assert small["size"] == 5
    weekly = ws.retention_table(wh, "week", "new", LO - 63, LO, HI).iloc[0]
    assert (weekly["size"], weekly["w1"], weekly["w2"]) == (100, 0.3, 0.2) and math.isnan(weekly["w3"])
    assert ws.retention_table(wh, "month", "new", LO - 400, HI, HI).empty


def test_latest_retention_pools_the_newest_observable_cohorts_of_k_or_more(wh):
    daily = ws.retention_table(wh, "day", "new", HI - 40, HI, HI)
    latest = {r["k"]: r for r in ws.latest_retention(daily, HI, K)}
    assert set(latest) == {1, 7}  # no cohort is 30 days old yet
    assert latest[1]["share"] == pytest.approx(32 / 90)  # (20 + 12) / (50 + 40); the cohort of 5 left out
    assert (latest[1]["first"], latest[1]["last"]) == (date(2026, 11, 1), date(2026, 11, 20))
    assert latest[7]["share"] == 0.2


def test_period_end_of_months_and_weeks():
    assert ws.period_end(day_number(date(2025, 12, 1)), "month", 1) == day_number(date(2026, 1, 31))
    assert ws.period_end(day_number(date(2026, 1, 1)), "month", 1) == day_number(date(2026, 2, 28))
    assert ws.period_end(LO, "week", 1) == HI + 7


# -- portrait -------------------------------------------------------------------------------------

def test_portrait_suppresses_small_values_and_their_partner(wh):
    frames, hidden = wb.portrait_frames(wb.portrait(wh, HI), K)
    new_gender = frames["gender"][frames["gender"]["population"] == "new"]
    # 未知 (5) is under k; with 男 60 and the shares shown, 女 35 would give it away (100 - 60 - 35)
    assert list(new_gender["value"]) == ["男"] and list(new_gender["share"]) == [0.6]
    active = frames["gender"][frames["gender"]["population"] == "active"]
    assert dict(zip(active["value"], active["share"], strict=True)) == {"男": 0.6, "女": 0.4}
    assert frames["device"].empty  # OPPO R9 (9) under k takes iPhone 15 with it
    assert hidden == 4
    assert wb.portrait(wh, HI - 7).empty  # no portrait of the week before


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=8))
def test_no_shown_portrait_value_is_small_and_no_lone_value_is_hidden(counts):
    rows = pd.DataFrame({"segment": "new", "dimension": "gender", "value": [f"v{i}" for i in range(len(counts))],
                         "users": counts})
    rows["share"] = rows["users"] / max(sum(counts), 1)
    frames, _ = wb.portrait_frames(rows, K)
    shown = frames["gender"]
    assert (shown["users"] >= K).all()
    hidden_nonzero = [c for v, c in zip(rows["value"], counts, strict=True) if c and v not in set(shown["value"])]
    # a single hidden value would follow from the total the shares give away
    assert len(hidden_nonzero) != 1 or len(shown) == 0


# -- access sources -------------------------------------------------------------------------------

def test_sources_sum_the_week_and_count_visitor_days(wh):
    frame = wb.sources(wh, LO, HI)
    assert list(frame["source_key"]) == [2, 99, 10, 3, 1]  # by opens; the week before's row left out
    assert list(frame["opens"]) == [100, 86, 60, 36, 18]
    assert list(frame["visitor_days"]) == [50, 40, 50, 36, 18]
    assert list(frame["people_floor"]) == [30, 40, 50, 12, 7]
    assert frame["opens_share"].tolist() == pytest.approx([100 / 300, 86 / 300, 60 / 300, 36 / 300, 18 / 300])
    shown, hidden = wb.sources_shown(frame, K)
    assert list(shown["source_key"]) == [2, 99, 10] and hidden == 2  # key 1 under k, key 3 with it
    assert [wb.source_label(k, n, "en") for k, n in zip(shown["source_key"], shown["source"], strict=True)] == [
        "Search", "新入口", "Other"]
    assert wb.source_label(2, "x", "zh") == "搜索" and wb.source_label(123, None, "en") == "#123"


# -- stay time and depth ----------------------------------------------------------------------------

def test_bucket_labels_are_wechats_definitions():
    en, zh = Text("en"), Text("zh")
    assert [en(k) for k in wb.STAY_BUCKETS.values()] == ["0-2 s", "3-5 s", "6-10 s", "11-20 s", "20-30 s",
                                                         "30-50 s", "50-100 s", "over 100 s"]
    assert [zh(k) for k in wb.STAY_BUCKETS.values()][-1] == "100 秒以上"
    assert [en(k) for k in wb.DEPTH_BUCKETS.values()] == ["1 page", "2 pages", "3 pages", "4 pages", "5 pages",
                                                          "6-10 pages", "over 10 pages"]
    assert [zh(k) for k in wb.DEPTH_BUCKETS.values()][5:] == ["6-10 页", "10 页以上"]
    assert en(wb.UNKNOWN_BUCKET, bucket=9) == "bucket 9"


def test_distribution_sums_opens_per_bucket_and_hides_small_ones(wh):
    stay = wb.distribution(wh, "stay_time", LO, HI)
    assert list(stay["bucket"]) == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert list(stay["opens"]) == [100, 50, 0, 40, 0, 0, 0, 5, 5]
    assert stay["share"].tolist() == pytest.approx([0.5, 0.25, 0, 0.2, 0, 0, 0, 0.025, 0.025])
    assert list(stay["label"])[-1] == wb.UNKNOWN_BUCKET
    shown, hidden = wb.distribution_shown(stay, K)
    assert list(shown["bucket"]) == [1, 2, 3, 4, 5, 6, 7] and hidden == 2  # two small ones: no partner needed
    depth = wb.distribution(wh, "depth", LO, HI)
    assert depth.set_index("bucket")["share"].to_dict() == pytest.approx(
        {1: 0.6, 2: 0.3, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0.1})


# -- top pages ------------------------------------------------------------------------------------

def test_pages_over_the_week(wh):
    frame = wb.pages(wh, LO, HI).set_index("page")
    assert list(frame.index) == ["pages/index/index", "pages/me/index", "pages/cart/index"]
    home = frame.loc["pages/index/index"]
    assert (home["page_views"], home["visitor_days"], home["days_listed"], home["people_floor"]) == (600, 90, 3, 40)
    assert home["time_on_page"] == pytest.approx(17.5)  # (10 x 100 + 20 x 300) / 400; day 3 has none
    assert home["exit_rate"] == pytest.approx(0.2)
    me = frame.loc["pages/me/index"]
    assert math.isnan(me["visitor_days"]) and me["people_floor"] == 70  # no visitors given: the views
    shown, hidden = wb.pages_shown(wb.pages(wh, LO, HI), K, top=10)
    assert list(shown["page"]) == ["pages/index/index", "pages/me/index"] and hidden == 1  # cart: 8 at most
    assert len(wb.pages_shown(wb.pages(wh, LO, HI), K, top=1)[0]) == 1
