"""Follower flow, and unusual unfollows after a push against the usual level."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from content.account import W47, account_tables, frames
from helpers.content.followers import follower_daily, follower_sources, push_unfollows
from helpers.core.warehouse import Warehouse, build_warehouse, day_number

from conftest import write_source


def test_follower_flow_and_sources_match_pandas(account):
    tables, wh = account
    f = frames(tables)["followers"]
    lo, hi = day_number(W47.start), day_number(W47.end)
    daily = follower_daily(wh, lo - 3, hi)
    by_day = f.groupby(f.date.dt.date)[["new_followers", "unfollows"]].sum()
    for row in daily.itertuples():
        assert row.new_followers == by_day.at[row.date, "new_followers"]
        assert row.net_followers == by_day.at[row.date, "new_followers"] - by_day.at[row.date, "unfollows"]
        assert row.cumulative == f[f.date.dt.date == row.date].cumulative.iat[0]
    sources = follower_sources(wh, W47).set_index("source")
    week = f[f.date.between(pd.Timestamp(W47.start), pd.Timestamp(W47.end))]
    expected = week.groupby("source")[["new_followers", "unfollows"]].sum()
    assert sources["new_followers"].to_dict() == expected["new_followers"].to_dict()
    assert sources["new_share"].sum() == pytest.approx(1.0)


def test_unfollow_spike_after_a_push_is_flagged_and_credited_to_that_push(account):
    _, wh = account
    pushes = push_unfollows(wh, day_number(date(2026, 11, 9)), day_number(W47.end), 2.0)
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
    pushes = push_unfollows(wh, day_number(W47.start), day_number(W47.end), 2.0)
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
    pushes = push_unfollows(wh, day_number(date(2026, 11, 1)), day_number(W47.end), 2.0)
    assert len(pushes) == 8 and set(pushes["articles"]) == {1, 2, 3}
    assert not pushes["flagged"].any()
    np.testing.assert_allclose(pushes["ratio"], 1.0)


def test_planted_unfollow_spike_is_the_only_flagged_push(year):
    truth, wh = year
    spike = truth["unfollow_spike"]
    pushes = push_unfollows(wh, day_number(W47.start) - 8 * 7, day_number(W47.end), 2.0)
    flagged = pushes[pushes["flagged"]]
    assert flagged["article_id"].tolist() == [spike["article_id"]]
    assert str(flagged["published"].dt.date.iat[0]) == spike["date"]
    assert flagged["ratio"].iat[0] > 3
