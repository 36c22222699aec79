"""content_performance metrics against independent computations on hand-made rows, the planted
content effects of a generated sample, and the parameters."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from helpers.config import load_params
from helpers.core.errors import ParamError
from helpers.metrics import content
from helpers.core.metrics import METRICS
from helpers.core.periods import Period
from helpers.render.outputs import REQUIRED_METRICS
from helpers.sample import SampleSpec, write_sample
from helpers.core.warehouse import Warehouse, build_warehouse, day_number

from conftest import write_source

W47 = Period.parse("2026-W47")
STAT_COLUMNS = ("recipients", "readers", "reads", "sharers", "shares", "favorites", "likes",
                "zaikan", "comments", "original_page_readers")


# ----------------------------------------------------------------------------------------------
# A hand-made official account (weeks 2026-W46 and W47 and the four weeks before)
# ----------------------------------------------------------------------------------------------

def _stat(article_id: str, day: str, recipients: int, readers: int, sharers: int = 0,
          finish_rate: float | None = None) -> dict:
    return {"article_id": article_id, "date": day, "recipients": recipients, "readers": readers,
            "reads": readers + readers // 4, "sharers": sharers, "shares": sharers + 1,
            "favorites": readers // 10, "likes": readers // 8, "zaikan": readers // 20,
            "comments": readers // 50, "original_page_readers": readers // 30,
            "finish_rate": finish_rate}


def account_tables() -> dict[str, list[dict]]:
    articles = [
        {"article_id": "A0", "title": "上周文章", "published_at": "2026-11-12 20:00:00",
         "column": "X", "format": "article", "position": 1},
        {"article_id": "A1", "title": "头条 A1", "published_at": "2026-11-16 08:00:00",
         "column": "X", "format": "video", "position": 1},
        {"article_id": "A2", "title": "次条 A2", "published_at": "2026-11-16 08:00:00",
         "column": "Y", "format": "article", "position": 2},
        {"article_id": "A3", "title": "<script>alert(1)</script>", "published_at": "2026-11-20 20:30:00",
         "column": "X", "format": "image", "position": 1},
        {"article_id": "A4", "title": "没有数据", "published_at": "2026-11-22 12:00:00",
         "column": "Y", "format": "article", "position": 1},
    ]
    stats_rows = [
        _stat("A0", "2026-11-12", 1000, 100, 5, 0.5), _stat("A0", "2026-11-13", 0, 30, 1, 0.4),
        _stat("A0", "2026-11-16", 0, 5), _stat("A0", "2026-11-17", 0, 2),
        _stat("A1", "2026-11-16", 2000, 300, 20, 0.6), _stat("A1", "2026-11-17", 0, 80, 4, 0.5),
        _stat("A1", "2026-11-18", 0, 20, 1), _stat("A1", "2026-11-22", 0, 5),
        _stat("A1", "2026-11-23", 0, 7, 1),  # after the period: never counted for W47
        _stat("A2", "2026-11-16", 2000, 100, 1), _stat("A2", "2026-11-17", 0, 30),
        _stat("A3", "2026-11-20", 2100, 250, 30), _stat("A3", "2026-11-21", 0, 60, 3),
        _stat("A3", "2026-11-22", 0, 10),
    ]
    followers = []
    start = date(2026, 10, 12)
    for i in range((date(2026, 11, 22) - start).days + 1):
        d = start + timedelta(days=i)
        spike = {date(2026, 11, 20): 6, date(2026, 11, 21): 5}.get(d, 1)
        for source, new, unf in (("公众号搜索", 12, 6), ("30", 8, 4)):
            followers.append({"date": d.isoformat(), "source": source, "new_followers": new + i % 3,
                              "unfollows": unf * spike, "cumulative": 10_000 + 10 * i})
    users = [{"user_id": f"u{i}", "first_seen_at": "2026-10-12 08:00:00"} for i in range(1, 6)]

    def ev(user: str, ts: str, event: str, **extra: object) -> dict:
        return {"user_id": user, "event_time": ts, "event": event, "session_id": None,
                "page": None, "duration_s": None, "article_id": None, **extra}

    events = [
        ev("u5", "2026-10-12 08:00:00", "launch"), ev("u5", "2026-11-22 23:59:00", "launch"),
        # reading to buying
        ev("u1", "2026-11-16 09:00:00", "read_article", article_id="A1"),
        ev("u1", "2026-11-20 21:00:00", "read_article", article_id="A3"),
        ev("u2", "2026-11-14 20:00:00", "read_article", article_id="A0"),
        ev("u2", "2026-11-16 12:00:00", "read_article", article_id="A1"),
        ev("u3", "2026-11-17 10:00:00", "read_article", article_id="A1"),
        ev("u3", "2026-11-17 11:30:00", "read_article", article_id="A2"),  # the last touch for o6
        ev("u4", "2026-11-22 22:00:00", "read_article", article_id="A3"),
        # pages: this week
        ev("u1", "2026-11-16 09:00:05", "page_view", session_id="s1", page="p/index", duration_s=10.0),
        ev("u1", "2026-11-16 09:01:00", "page_view", session_id="s1", page="p/product", duration_s=30.0),
        ev("u1", "2026-11-16 09:02:00", "share", session_id="s1"),
        ev("u1", "2026-11-16 09:03:00", "page_view", session_id="s1", page="p/cart", duration_s=20.0),
        ev("u2", "2026-11-17 12:00:00", "page_view", session_id="s2", page="p/product", duration_s=50.0),
        ev("u2", "2026-11-17 12:01:00", "share", session_id="s2", page="p/index"),
        ev("u3", "2026-11-18 12:00:00", "page_view", session_id="s3", page="p/index"),
        ev("u3", "2026-11-18 12:05:00", "page_view", session_id="s3", page="p/product", duration_s=5.0),
        ev("u3", "2026-11-18 12:50:00", "page_view", session_id="s7", page="p/cart"),  # 45 idle minutes
        ev("u4", "2026-11-19 10:00:00", "page_view", session_id="s4", page="p/product", duration_s=8.0),
        ev("u4", "2026-11-19 10:00:30", "page_view", session_id="s4", page="p/product", duration_s=9.0),
        # pages: the week before
        ev("u1", "2026-11-10 09:00:00", "page_view", session_id="s5", page="p/index"),
        ev("u1", "2026-11-10 09:01:00", "page_view", session_id="s5", page="p/product"),
        ev("u1", "2026-11-10 09:02:00", "page_view", session_id="s5", page="p/cart"),
        ev("u2", "2026-11-11 09:00:00", "page_view", session_id="s6", page="p/product"),
        ev("u2", "2026-11-11 09:01:00", "page_view", session_id="s6", page="p/cart"),
    ]
    orders = [
        {"order_id": "o1", "user_id": "u1", "paid_at": "2026-11-16 10:00:00", "amount": 50.0,
         "status": "paid"},
        {"order_id": "o2", "user_id": "u1", "paid_at": "2026-11-21 09:00:00", "amount": 30.0,
         "status": "paid"},
        {"order_id": "o3", "user_id": "u2", "paid_at": "2026-11-16 08:00:00", "amount": 99.0,
         "status": "paid"},  # last touch A0, read the week before: not this week's
        {"order_id": "o4", "user_id": "u2", "paid_at": "2026-11-20 12:00:00", "amount": 40.0,
         "status": "paid"},  # 96 hours after reading: outside the window
        {"order_id": "o5", "user_id": "u3", "paid_at": "2026-11-17 11:00:00", "amount": 70.0,
         "status": "refunded"},
        {"order_id": "o6", "user_id": "u3", "paid_at": "2026-11-17 12:00:00", "amount": 20.0,
         "status": "paid"},
        {"order_id": "o7", "user_id": "u4", "paid_at": "2026-11-22 23:00:00", "amount": 15.0,
         "status": "paid"},
    ]
    return {"users": users, "events": events, "orders": orders, "articles": articles,
            "article_stats": stats_rows, "followers": followers}


@pytest.fixture(scope="module")
def account(tmp_path_factory) -> tuple[dict[str, list[dict]], Warehouse]:
    tables = account_tables()
    wh = Warehouse(build_warehouse(write_source(tmp_path_factory.mktemp("account"), tables)))
    yield tables, wh
    wh.close()


def frames(tables: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    out = {k: pd.DataFrame(v) for k, v in tables.items()}
    out["articles"]["published_at"] = pd.to_datetime(out["articles"]["published_at"])
    out["article_stats"]["date"] = pd.to_datetime(out["article_stats"]["date"])
    out["followers"]["date"] = pd.to_datetime(out["followers"]["date"])
    return out


def pandas_headline(tables: dict[str, list[dict]], period: Period) -> dict:
    """report-outputs.md `content_performance`, computed with pandas."""
    f = frames(tables)
    lo, hi = pd.Timestamp(period.start), pd.Timestamp(period.end)
    arts, st_, fol = f["articles"], f["article_stats"], f["followers"]
    in_period = arts[arts.published_at.dt.normalize().between(lo, hi)]
    rows = st_[st_.date.between(lo, hi)]
    publish_day = st_.merge(arts[["article_id", "published_at"]], on="article_id")
    recipients = publish_day[publish_day.date == publish_day.published_at.dt.normalize()] \
        .set_index("article_id").recipients
    mine = rows[rows.article_id.isin(in_period.article_id)]
    with_stats = in_period.article_id[in_period.article_id.isin(st_.article_id)]
    fol_rows = fol[fol.date.between(lo, hi)]
    np.seterr(invalid="ignore", divide="ignore")  # 0 / 0 is the test's way to say "null"
    return {
        "articles_published": len(in_period),
        **{k: rows[k].sum() if len(rows) else None for k in ("readers", "reads", "sharers")},
        "read_rate": mine.readers.sum() / recipients[with_stats].sum(),
        "share_rate": rows.sharers.sum() / rows.readers.sum(),
        "new_followers": fol_rows.new_followers.sum(), "unfollows": fol_rows.unfollows.sum(),
        "net_followers": fol_rows.new_followers.sum() - fol_rows.unfollows.sum(),
    }


# ----------------------------------------------------------------------------------------------
# Headline metrics (the JSON)
# ----------------------------------------------------------------------------------------------

def test_headline_matches_pandas_and_the_hand_count(account):
    tables, wh = account
    hist = content.history(wh, W47, 8, 1, [1, 7])
    got = content.headline(wh, W47, hist)
    assert set(got) == set(REQUIRED_METRICS["content_performance"])
    expected = pandas_headline(tables, W47)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value), key
    # By hand: A0 5+2, A1 300+80+20+5, A2 100+30, A3 250+60+10 (A1's 11-23 row is after the week).
    assert got["readers"] == 862 and got["articles_published"] == 4
    assert got["read_rate"] == pytest.approx((405 + 130 + 320) / (2000 + 2000 + 2100))
    assert isinstance(got["readers"], int) and isinstance(got["best_article_id"], str)


def test_headline_of_a_week_without_rows_is_null_not_zero(account):
    _, wh = account
    got = content.headline(wh, Period.parse("2026-W40"), None)
    assert got["articles_published"] == 0  # counted: no article was published
    for key in ("readers", "reads", "sharers", "read_rate", "share_rate", "best_article_id"):
        assert got[key] is None, key


def test_headline_without_content_tables_is_null(tmp_path):
    tables = account_tables()
    for name in ("articles", "article_stats", "followers"):
        del tables[name]
    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", tables)))
    assert content.headline(wh, W47, None) == dict.fromkeys(REQUIRED_METRICS["content_performance"])


def test_every_reported_metric_is_defined_once_with_both_labels():
    from helpers.report.content_tables import SECTION_KEYS

    keys = [*content.HEADLINE_KEYS, *(k for ks in SECTION_KEYS.values() for k in ks)]
    assert len(keys) == len(set(keys))
    for key in keys:
        metric = METRICS[key]
        assert metric.zh and metric.en and metric.definition and metric.formula, key


@st.composite
def random_account(draw) -> dict[str, list[dict]]:
    tables = account_tables()
    articles, rows = [], []
    for i in range(draw(st.integers(1, 6))):
        published = datetime(2026, 11, 9) + timedelta(hours=draw(st.integers(0, 14 * 24 - 1)))
        articles.append({"article_id": f"R{i}", "title": f"t{i}", "published_at": str(published),
                         "column": draw(st.sampled_from(["X", "Y"])), "format": "article",
                         "position": draw(st.integers(1, 3))})
        recipients = draw(st.integers(0, 5000))
        for age in range(draw(st.integers(0, 10))):
            readers = draw(st.integers(0, 400))
            rows.append(_stat(f"R{i}", str(published.date() + timedelta(days=age)),
                              recipients if age == 0 else 0, readers, draw(st.integers(0, readers))))
    first_day = articles[0]["published_at"][:10]  # at least one row, on a publish day
    tables["articles"], tables["article_stats"] = articles, rows or [_stat("R0", first_day, 1, 0)]
    return tables


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tables=random_account())
def test_property_headline_and_same_age_sums_equal_pandas(tmp_path_factory, tables):
    wh = Warehouse(build_warehouse(write_source(tmp_path_factory.mktemp("prop"), tables)))
    got = content.headline(wh, W47, None)
    expected = pandas_headline(tables, W47)
    for key, value in expected.items():
        if pd.isna(value) or (key == "read_rate" and not np.isfinite(value)):
            assert got[key] is None, key
        else:
            assert got[key] == pytest.approx(value), key
    as_of = content.as_of(wh, W47)
    frame = content.article_table(wh, day_number(date(2026, 11, 9)), as_of, [1, 3])
    f = frames(tables)
    s = f["article_stats"].merge(f["articles"], on="article_id")
    s["age"] = (s.date - s.published_at.dt.normalize()).dt.days
    s = s[s.date <= pd.Timestamp(date(1970, 1, 1) + timedelta(days=as_of))]
    for row in frame.itertuples():
        mine = s[s.article_id == row.article_id]
        if mine.empty:
            assert np.isnan(row.readers_d1)
            continue
        for k in (1, 3):
            observable = day_number(mine.published_at.iat[0].date()) + k - 1 <= as_of
            value = getattr(row, f"readers_d{k}")
            assert (value == mine[mine.age < k].readers.sum()) if observable else np.isnan(value)
    wh.close()


# ----------------------------------------------------------------------------------------------
# Articles at the same age, ranking
# ----------------------------------------------------------------------------------------------

def test_article_table_same_age_and_totals(account):
    _, wh = account
    hist = content.history(wh, W47, 8, 1, [1, 7])
    a = hist.frame.set_index("article_id")
    assert a.at["A1", "readers_d1"] == 300 and a.at["A1", "readers_d7"] == 405
    assert a.at["A1", "read_rate_d7"] == pytest.approx(405 / 2000)
    assert np.isnan(a.at["A3", "readers_d7"])  # published Friday: 7 days not yet observed
    assert a.at["A1", "readers"] == 405 and a.at["A1", "recipients"] == 2000
    assert a.at["A1", "share_rate"] == pytest.approx(25 / 405)
    favorites = 30 + 8 + 2 + 0
    interactions = favorites + (37 + 10 + 2 + 0) + (15 + 4 + 1 + 0) + (6 + 1 + 0 + 0)
    assert a.at["A1", "interaction_rate"] == pytest.approx(interactions / 405)
    assert a.at["A1", "finish_rate"] == pytest.approx((0.6 * 300 + 0.5 * 80) / 380)
    assert np.isnan(a.at["A4", "recipients"]) and not a.at["A4", "observed"]
    assert (a.at["A1", "hour"], a.at["A1", "weekday"]) == (8, 0)
    assert a.at["A1", "gap_days"] == 4 and a.at["A3", "gap_days"] == 4  # 11-12 -> 16 -> 20
    current = hist.current
    assert current["article_id"].tolist()[-1] == "A4"  # no stats: ranked last, no estimate
    assert current["rank"].tolist() == [1, 2, 3, 4]


def test_shrinkage_keeps_a_thirty_reader_article_off_the_top(tmp_path):
    """Raw first-day read rates: a tiny push at 20% beats every big one (6-8%); shrunk, it
    does not, and with big samples the order of the big ones is their raw order."""
    tables = account_tables()
    articles, rows = [], []
    rates = [0.05, 0.052, 0.054, 0.056, 0.058, 0.06, 0.062]
    for i, rate in enumerate(rates):
        day = date(2026, 10, 19) + timedelta(days=4 * i)
        articles.append({"article_id": f"B{i}", "title": f"big {i}", "published_at": f"{day} 20:00:00",
                         "column": "X", "format": "article", "position": 1})
        rows.append(_stat(f"B{i}", str(day), 20_000, int(20_000 * rate)))
    for aid, day, recipients, readers in (("S1", "2026-11-18", 30, 6), ("BIG", "2026-11-19", 20_000, 1500)):
        articles.append({"article_id": aid, "title": aid, "published_at": f"{day} 20:00:00",
                         "column": "X", "format": "article", "position": 1})
        rows.append(_stat(aid, day, recipients, readers))
    tables["articles"], tables["article_stats"] = articles, rows
    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", tables)))
    hist = content.history(wh, W47, 8, 1)
    current = hist.current.set_index("article_id")
    assert current.at["S1", "read_rate_c"] > current.at["BIG", "read_rate_c"]  # raw: tiny wins
    assert content.best_article(hist) == "BIG"
    assert current.at["S1", "read_shrunk"] < 0.065 and current.at["S1", "read_weight"] < 0.5
    assert current.at["BIG", "read_shrunk"] == pytest.approx(0.075, abs=0.003)
    assert current.at["BIG", "read_weight"] > 0.85
    assert current.at["S1", "read_lo"] < current.at["S1", "read_shrunk"] < current.at["S1", "read_hi"]


def test_top_bottom_keeps_the_ends():
    frame = pd.DataFrame({"rank": range(1, 13)})
    shown, cut = content.top_bottom(frame, 5)
    assert cut and shown["rank"].tolist() == [1, 2, 3, 4, 5, 8, 9, 10, 11, 12]
    shown, cut = content.top_bottom(frame.head(10), 5)
    assert not cut and shown["rank"].tolist() == list(range(1, 11))


# ----------------------------------------------------------------------------------------------
# What works, timing
# ----------------------------------------------------------------------------------------------

def test_breakdown_matches_pandas_and_the_ratio_interval(account):
    _, wh = account
    hist = content.history(wh, W47, 8, 1)
    obs = hist.observed
    got = content.breakdown(obs, "column_name").set_index("column_name")
    sums = obs.groupby("column_name")[["readers_c", "recipients", "sharers_c"]].sum()
    np.testing.assert_allclose(got["read_rate"], sums.readers_c / sums.recipients)
    np.testing.assert_allclose(got["share_rate"], sums.sharers_c / sums.readers_c)
    x = obs[obs.column_name == "X"]
    r = x.readers_c.sum() / x.recipients.sum()
    k = len(x)
    se = np.sqrt(k / (k - 1) * ((x.readers_c - r * x.recipients) ** 2).sum()) / x.recipients.sum()
    half = stats.t.ppf(0.975, k - 1) * se
    assert got.at["X", "read_lo"] == pytest.approx(max(r - half, 0))
    assert got.at["X", "read_hi"] == pytest.approx(r + half)
    # Position-adjusted: column Y holds only the secondary A2, read like an average secondary.
    assert got.at["Y", "read_adjusted"] == pytest.approx(obs.readers_c.sum() / obs.recipients.sum())
    slots = content.headline_vs_secondary(obs).set_index("slot")
    heads = obs[obs.position_key == 1]
    assert slots.at["headline", "read_rate"] == pytest.approx(heads.readers_c.sum() / heads.recipients.sum())


def test_timing_heatmap_frequency_and_gaps(account):
    _, wh = account
    hist = content.history(wh, W47, 8, 1)
    rate, count = content.timing_heatmap(hist)
    assert rate.at[8, 0] == pytest.approx(300 / 2000) and count.at[8, 0] == 1  # A1, Monday 08:00
    assert rate.at[20, 4] == pytest.approx(250 / 2100)  # A3, Friday 20:30
    assert rate.at[20, 3] == pytest.approx(100 / 1000)  # A0, Thursday 20:00
    assert count.to_numpy().sum() == 3  # A4 has no stats yet
    freq = content.push_frequency(wh, hist, [2, 3])
    assert freq["pushes"].tolist() == [1, 3] and freq["articles"].tolist() == [1, 4]
    assert freq["in_band"].tolist() == [False, True]
    assert freq["week_start"].tolist() == [date(2026, 11, 9), date(2026, 11, 16)]
    gaps = content.gap_effect(hist).set_index("gap")
    assert gaps.at["4–6", "pushes"] == 2  # A1 and A3, four days after the previous push


# ----------------------------------------------------------------------------------------------
# Followers
# ----------------------------------------------------------------------------------------------

def test_follower_flow_and_sources_match_pandas(account):
    tables, wh = account
    f = frames(tables)["followers"]
    lo, hi = day_number(W47.start), day_number(W47.end)
    daily = content.follower_daily(wh, lo - 3, hi)
    by_day = f.groupby(f.date.dt.date)[["new_followers", "unfollows"]].sum()
    for row in daily.itertuples():
        assert row.new_followers == by_day.at[row.date, "new_followers"]
        assert row.net_followers == by_day.at[row.date, "new_followers"] - by_day.at[row.date, "unfollows"]
        assert row.cumulative == f[f.date.dt.date == row.date].cumulative.iat[0]
    sources = content.follower_sources(wh, W47).set_index("source")
    week = f[f.date.between(pd.Timestamp(W47.start), pd.Timestamp(W47.end))]
    expected = week.groupby("source")[["new_followers", "unfollows"]].sum()
    assert sources["new_followers"].to_dict() == expected["new_followers"].to_dict()
    assert sources["new_share"].sum() == pytest.approx(1.0)


def test_unfollow_spike_after_a_push_is_flagged_and_credited_to_that_push(account):
    _, wh = account
    pushes = content.push_unfollows(wh, day_number(date(2026, 11, 9)), day_number(W47.end), 2.0)
    by_article = pushes.set_index("article_id")
    assert by_article["flagged"].to_dict() == {"A0": False, "A1": False, "A3": True, "A4": False}
    # A3 (Friday 11-20): Friday and Saturday, 60 + 50 against a usual 10 a day.
    assert by_article.at["A3", "unfollows_48h"] == 110
    assert by_article.at["A3", "usual"] == pytest.approx(20)
    assert by_article.at["A3", "ratio"] == pytest.approx(5.5)
    # A1 (Monday 11-16), the push with A2: two articles, Monday and Tuesday.
    assert by_article.at["A1", "articles"] == 2 and by_article.at["A1", "days_counted"] == 2
    assert by_article.at["A1", "ratio"] == pytest.approx(1)
    # A4 (Sunday): Monday is not in the data yet.
    assert by_article.at["A4", "days_counted"] == 1 and by_article.at["A4", "unfollows_48h"] == 10


def test_a_spike_flags_the_push_that_started_it_not_the_next(tmp_path):
    tables = account_tables()
    tables["articles"].append({"article_id": "A5", "title": "次日", "published_at": "2026-11-21 08:00:00",
                               "column": "X", "format": "article", "position": 1})
    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", tables)))
    pushes = content.push_unfollows(wh, day_number(W47.start), day_number(W47.end), 2.0)
    by_article = pushes.set_index("article_id")
    assert by_article.at["A5", "unfollows_48h"] == 50 + 10 and by_article.at["A5", "ratio"] > 2
    assert by_article["flagged"].to_dict() == {"A1": False, "A3": True, "A5": False, "A4": False}


def test_unfollows_that_grow_with_push_size_are_usual(tmp_path):
    """Every article costs 5 unfollows on its day and the next: big pushes are not spikes."""
    tables = account_tables()
    sizes = {date(2026, 10, 1) + timedelta(days=i): (i // 2) % 4 for i in range(53) if i % 2 == 0}
    articles = [{"article_id": f"P{d:%m%d}-{k}", "title": "x", "published_at": f"{d} 20:00:00",
                 "column": "X", "format": "article", "position": k + 1}
                for d, n in sizes.items() for k in range(n)]
    followers = []
    for i in range(53):
        d = date(2026, 10, 1) + timedelta(days=i)
        unf = 8 + 5 * sizes.get(d, 0) + 5 * sizes.get(d - timedelta(days=1), 0)
        followers.append({"date": str(d), "source": "1", "new_followers": 20, "unfollows": unf})
    tables["articles"], tables["followers"] = articles, followers
    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", tables)))
    pushes = content.push_unfollows(wh, day_number(date(2026, 11, 1)), day_number(W47.end), 2.0)
    assert len(pushes) == 8 and set(pushes["articles"]) == {1, 2, 3}
    assert not pushes["flagged"].any()
    np.testing.assert_allclose(pushes["ratio"], 1.0)


# ----------------------------------------------------------------------------------------------
# From reading to buying
# ----------------------------------------------------------------------------------------------

def python_last_touch(tables: dict[str, list[dict]], period: Period, hours: int) -> dict[str, dict]:
    """Last-touch credit by looping over orders and reads."""
    reads = [(e["user_id"], datetime.fromisoformat(e["event_time"]), e["article_id"])
             for e in tables["events"] if e["event"] == "read_article"]
    result: dict[str, dict] = {}

    def in_period(t: datetime) -> bool:
        return period.start <= t.date() <= period.end

    for user, t, article in reads:
        if in_period(t):
            result.setdefault(article, {"openers": set(), "buyers": set(), "orders": 0, "gmv": 0.0})
            result[article]["openers"].add(user)
    for o in tables["orders"]:
        if (o.get("status") or "paid") != "paid":
            continue
        paid = datetime.fromisoformat(o["paid_at"])
        touches = [(t, a) for u, t, a in reads
                   if u == o["user_id"] and t <= paid and (paid - t).total_seconds() <= hours * 3600]
        if not touches:
            continue
        t, article = max(touches)
        if in_period(t):
            result[article]["buyers"].add(o["user_id"])
            result[article]["orders"] += 1
            result[article]["gmv"] += o["amount"]
    return result


@pytest.mark.parametrize("hours", [1, 72, 100])
def test_reading_to_buying_is_last_touch_within_the_window(account, hours):
    tables, wh = account
    got = content.reading_to_buying(wh, W47, hours).set_index("article_id")
    expected = python_last_touch(tables, W47, hours)
    assert set(got.index) == set(expected)
    for article, e in expected.items():
        row = got.loc[article]
        assert (row.openers, row.buyers, row.orders) == (len(e["openers"]), len(e["buyers"]), e["orders"])
        assert row.gmv == pytest.approx(e["gmv"])
    if hours == 72:  # by hand: A1 <- o1 (o5 refunded, o4 too late, o6 read A2 later); A3 <- o2, o7
        assert got.at["A1", "gmv"] == 50 and got.at["A2", "gmv"] == 20 and got.at["A3", "gmv"] == 45
        assert got.at["A1", "readers"] == 405 and got.at["A1", "conversion"] == pytest.approx(1 / 3)
    assert content.period_gmv(wh, W47) == pytest.approx(50 + 30 + 99 + 40 + 20 + 15)


# ----------------------------------------------------------------------------------------------
# Mini-program pages
# ----------------------------------------------------------------------------------------------

def python_pages(events: list[dict], period: Period, gap_sessions: bool) -> pd.DataFrame:
    """Per page of the period by walking each session in time order."""
    ev = pd.DataFrame([e for e in events if e["event"] in ("page_view", "share")])
    ev["t"] = pd.to_datetime(ev["event_time"])
    ev = ev[ev.t.dt.date.between(period.previous.start, period.end)]
    ev = ev.sort_values(["user_id", "t", "event"], kind="stable")
    if gap_sessions:  # sessions from 30-minute gaps, over all of the user's events
        every = pd.DataFrame(events)
        every["t"] = pd.to_datetime(every["event_time"])
        every = every.sort_values(["user_id", "t"])
        new = every.groupby("user_id").t.diff().isna() | (every.groupby("user_id").t.diff()
                                                          > pd.Timedelta(minutes=30))
        every["session"] = every.user_id + "#" + new.groupby(every.user_id).cumsum().astype(str)
        ev = ev.merge(every[["user_id", "t", "event", "session"]].drop_duplicates(),
                      on=["user_id", "t", "event"])
    else:
        ev["session"] = ev["session_id"]
    rows = []
    for _, s in ev.groupby("session"):
        views = s[s.event == "page_view"]
        current = None
        for _, e in s.iterrows():
            if e.event == "page_view":
                current = e.page
                n = list(views.index).index(e.name)
                rows.append({"page": e.page, "t": e.t, "user": e.user_id, "view": 1,
                             "entry": n == 0, "exit": n == len(views) - 1, "share": 0,
                             "duration": e.duration_s})
            else:
                page = e.page if isinstance(e.page, str) else current
                if page:
                    rows.append({"page": page, "t": e.t, "user": None, "view": 0, "entry": False,
                                 "exit": False, "share": 1, "duration": np.nan})
    r = pd.DataFrame(rows)
    r = r[r.t.dt.date >= period.start]
    views = r[r.view == 1]
    out = views.groupby("page").agg(page_views=("view", "sum"), visitors=("user", "nunique"),
                                    avg_time=("duration", "mean"), entries=("entry", "sum"),
                                    exits=("exit", "sum"))
    out["shares"] = r.groupby("page").share.sum()
    return out


def test_pages_match_a_session_walk(account):
    tables, wh = account
    got = content.page_stats(wh, W47, 0.05).set_index("page")
    expected = python_pages(tables["events"], W47, gap_sessions=False)
    for column in ("page_views", "visitors", "entries", "exits", "shares"):
        assert got[column].to_dict() == expected[column].astype(float).to_dict(), column
    np.testing.assert_allclose(got.loc[expected.index, "avg_time"], expected["avg_time"])
    # By hand: p/product is viewed 5 times this week (s1, s2, s3 and twice in s4); s2, s3 and
    # s4 end there.
    assert got.at["p/product", "exit_rate"] == pytest.approx(3 / 5)
    assert got.at["p/index", "entry_rate"] == 1 and got.at["p/cart", "exit_rate"] == 1
    assert got.at["p/product", "shares"] == 1  # the share in s1 without a page
    # The week before: p/product ended no session of its 2 views.
    assert got.at["p/product", "exit_rate_prev"] == 0
    assert got.at["p/product", "exit_change"] == pytest.approx(0.6)


def test_pages_without_session_ids_cut_sessions_at_30_minutes(tmp_path):
    tables = account_tables()
    for e in tables["events"]:
        e.pop("session_id")
    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", tables)))
    assert not wh.has("events", "session_id")
    got = content.page_stats(wh, W47, 0.05).set_index("page")
    expected = python_pages(tables["events"], W47, gap_sessions=True)
    for column in ("page_views", "visitors", "entries", "exits", "shares"):
        assert got[column].to_dict() == expected[column].astype(float).to_dict(), column


def test_exit_rate_jump_needs_size_and_significance(tmp_path):
    tables = account_tables()
    events = [e for e in tables["events"] if e["event"] != "page_view"]
    for week, exit_share in ((W47.previous, 0.2), (W47, 0.5)):
        for i in range(200):
            day = week.start + timedelta(days=i % 7)
            sid = f"{week.label}-{i}"
            exits = i < 200 * exit_share
            pages = ["p/list"] if exits else ["p/list", "p/detail"]
            for j, page in enumerate(pages):
                events.append({"user_id": f"u{1 + i % 5}", "event_time": f"{day} 10:{i % 60:02d}:{j:02d}",
                               "event": "page_view", "session_id": sid, "page": page,
                               "duration_s": None, "article_id": None})
    tables["events"] = events
    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", tables)))
    got = content.page_stats(wh, W47, 0.05).set_index("page")
    assert got.at["p/list", "exit_change"] == pytest.approx(0.3)
    assert bool(got.at["p/list", "exit_jump"]) and not bool(got.at["p/detail", "exit_jump"])
    assert not content.page_stats(wh, W47, 0.5).set_index("page").at["p/list", "exit_jump"]


# ----------------------------------------------------------------------------------------------
# Outliers
# ----------------------------------------------------------------------------------------------

def test_expected_readers_flags_a_planted_outlier():
    rng = np.random.default_rng(8)
    n = 60
    position = rng.integers(1, 3, n)
    column = rng.choice(["X", "Y"], n)
    recipients = rng.integers(10_000, 30_000, n).astype(float)
    rate = np.where(position == 1, 0.05, 0.02) * np.where(column == "X", 1.2, 1.0)
    readers = np.round(recipients * rate * rng.lognormal(0, 0.1, n))
    readers[7] *= 3
    frame = pd.DataFrame({"column_name": column, "position_key": position, "recipients": recipients,
                          "readers_c": readers, "observed": True, "in_period": False})
    hist = content.History(frame, W47, 0, 1, 0)
    out = content.expected_readers(hist, 2.5)
    assert out["flagged"].tolist() == [i == 7 for i in range(n)]
    assert out["z"].iat[7] > 2.5 and out["vs_expected"].iat[7] == pytest.approx(3, rel=0.3)
    typical = np.median(out["vs_expected"])
    assert typical == pytest.approx(1, abs=0.05)
    assert content.expected_readers(content.History(frame.head(6), W47, 0, 1, 0), 2.5) is None


# ----------------------------------------------------------------------------------------------
# The planted content effects of a generated sample
# ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def year(tmp_path_factory) -> tuple[dict, Warehouse]:
    """A year of pushes (~420 articles); few users, because only the content tables matter."""
    path = tmp_path_factory.mktemp("year") / "shop"
    truth = write_sample(path, SampleSpec(seed=13, users=2_000, days=365))
    wh = Warehouse(build_warehouse(path))
    yield truth["content"], wh
    wh.close()


def test_planted_share_rate_column_is_recovered(year):
    truth, wh = year
    parts = content.breakdown(content.history(wh, W47, 52, 1).observed, "column_name")
    parts = parts.set_index("column_name")
    assert parts["share_rate"].idxmax() == truth["high_share_column"] == "会员福利"
    others = parts.drop(index="会员福利")
    ratio = parts.at["会员福利", "share_rate"] / (others["sharers"].sum() / others["readers"].sum())
    mean_other = np.mean([v for c, v in truth["share_rate_multipliers"].items() if c != "会员福利"])
    assert ratio == pytest.approx(truth["share_rate_multipliers"]["会员福利"] / mean_other, rel=0.12)
    # ... and its interval clears every other column's.
    assert parts.at["会员福利", "share_lo"] > others["share_hi"].max()


def test_planted_publish_hour_is_recovered_after_adjusting_for_position(year):
    truth, wh = year
    by_hour = content.breakdown(content.history(wh, W47, 52, 1).observed, "hour").set_index("hour")
    assert by_hour["read_adjusted"].idxmax() == truth["best_publish_hour"] == 20
    others = by_hour.drop(index=20)
    lift = by_hour.at[20, "read_adjusted"] / np.average(others["read_adjusted"],
                                                        weights=others["articles"])
    assert lift == pytest.approx(truth["best_publish_hour_read_multiplier"], rel=0.12)


def test_planted_headline_read_rate_is_recovered(year):
    """Over the 30 days of stats, headlines are read at 6% x the mean column and hour
    multipliers (1.0 and 1.075) x the mean of the lognormal noise (e^0.02)."""
    truth, wh = year
    hist = content.history(wh, W47, 52, 30)
    slots = content.breakdown(hist.observed, "position_key").set_index("position_key")
    expected = truth["headline_read_rate"] * np.mean(list(truth["read_rate_multipliers"].values())) \
        * (0.75 + 0.25 * truth["best_publish_hour_read_multiplier"]) * np.exp(0.02)
    assert slots.at[1, "read_rate"] == pytest.approx(expected, rel=0.08)
    assert slots.at[1, "read_rate"] / slots.at[2, "read_rate"] == pytest.approx(0.060 / 0.025, rel=0.15)


def test_planted_unfollow_spike_is_the_only_flagged_push(year):
    truth, wh = year
    spike = truth["unfollow_spike"]
    pushes = content.push_unfollows(wh, day_number(W47.start) - 8 * 7, day_number(W47.end), 2.0)
    flagged = pushes[pushes["flagged"]]
    assert flagged["article_id"].tolist() == [spike["article_id"]]
    assert str(flagged["published"].dt.date.iat[0]) == spike["date"]
    assert flagged["ratio"].iat[0] > 3


# ----------------------------------------------------------------------------------------------
# Parameters
# ----------------------------------------------------------------------------------------------

def test_shipped_parameters_load_and_bad_values_fail_with_the_key(tmp_path):
    root = Path(__file__).resolve().parents[1] / "params"
    values = load_params("content_performance", root).values
    assert values.same_age_days == [1, 7] and values.target_pushes_per_week == [3, 5]
    for bad, key in (({"target_pushes_per_week": [5, 3]}, "target_pushes_per_week"),
                     ({"same_age_days": [0, 7]}, "same_age_days"),
                     ({"compare_days": 31}, "compare_days"),
                     ({"unfollow_spike_ratio": 1.0}, "unfollow_spike_ratio"),
                     ({"top_n_articles": 3}, "top_n")):
        with pytest.raises(ParamError, match=key):
            load_params("content_performance", root, bad)
