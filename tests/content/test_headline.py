"""The content_performance JSON metrics against pandas and hand counts, and the parameters."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.account import W47, account_tables, frames, pandas_headline, stat
from helpers.content.headline import ADDED_KEYS, headline, same_age_read_rate, week_on_week
from helpers.content.history import article_table, as_of, history
from helpers.core.errors import ParamError
from helpers.core.metrics import METRICS
from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, build_warehouse, day_number
from helpers.render.outputs import CONTRACTS
from helpers.suite import load

from conftest import minimal_tables, write_source


def test_headline_matches_pandas_and_the_hand_count(account):
    tables, wh = account
    hist = history(wh, W47, 8, 1, [1, 7])
    got = headline(wh, W47, hist)
    assert set(got) == {*CONTRACTS["content_performance"].metrics, *ADDED_KEYS}
    expected = pandas_headline(tables, W47)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value), key
    # By hand: A0 5+2, A1 300+80+20+5, A2 100+30, A3 250+60+10 (A1's 11-23 row is after the week).
    assert got["readers"] == 862 and got["articles_published"] == 4
    assert got["read_rate"] == pytest.approx((405 + 130 + 320) / (2000 + 2000 + 2100))
    assert isinstance(got["readers"], int) and isinstance(got["best_article_id"], str)
    # share_rate_reads (issue 12, item 11) = shares / reads, next to share_rate = sharers / readers.
    # By hand, each stats row has reads = readers + readers // 4 and shares = sharers + 1; the 11
    # rows dated in W47 (A0 2, A1 4, A2 2, A3 3) have readers 862, sharers 59, so
    # reads 862 + (1 + 0 + 75 + 20 + 5 + 1 + 25 + 7 + 62 + 15 + 2) = 862 + 213 = 1075, shares 59 + 11 = 70.
    assert got["sharers"] == 59
    assert got["share_rate_reads"] == pytest.approx(70 / 1075)
    assert got["share_rate"] == pytest.approx(59 / 862)


def test_headline_of_a_week_without_rows_is_null_not_zero(account):
    _, wh = account
    got = headline(wh, Period.parse("2026-W40"), None)
    assert got["articles_published"] == 0  # counted: no article was published
    for key in ("readers", "reads", "sharers", "read_rate", "share_rate", "best_article_id"):
        assert got[key] is None, key


def test_headline_without_content_tables_is_null(tmp_path):
    tables = account_tables()
    for name in ("articles", "article_stats", "followers"):
        del tables[name]
    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", tables)))
    assert headline(wh, W47, None) == dict.fromkeys((*CONTRACTS["content_performance"].metrics, *ADDED_KEYS))


def test_every_published_metric_is_defined_once_with_both_labels():
    keys = (*CONTRACTS["content_performance"].metrics, *ADDED_KEYS)
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
            rows.append(stat(f"R{i}", str(published.date() + timedelta(days=age)),
                              recipients if age == 0 else 0, readers, draw(st.integers(0, readers))))
    first_day = articles[0]["published_at"][:10]  # at least one row, on a publish day
    tables["articles"], tables["article_stats"] = articles, rows or [stat("R0", first_day, 1, 0)]
    return tables


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tables=random_account())
def test_property_headline_and_same_age_sums_equal_pandas(tmp_path_factory, tables):
    wh = Warehouse(build_warehouse(write_source(tmp_path_factory.mktemp("prop"), tables)))
    got = headline(wh, W47, None)
    expected = pandas_headline(tables, W47)
    for key, value in expected.items():
        if pd.isna(value) or (key in ("read_rate", "share_rate_reads") and not np.isfinite(value)):
            assert got[key] is None, key
        else:
            assert got[key] == pytest.approx(value), key
    last_day = as_of(wh, W47)
    frame = article_table(wh, day_number(date(2026, 11, 9)), last_day, [1, 3])
    f = frames(tables)
    s = f["article_stats"].merge(f["articles"], on="article_id")
    s["age"] = (s.date - s.published_at.dt.normalize()).dt.days
    s = s[s.date <= pd.Timestamp(date(1970, 1, 1) + timedelta(days=last_day))]
    for row in frame.itertuples():
        mine = s[s.article_id == row.article_id]
        if mine.empty:
            assert np.isnan(row.readers_d1)
            continue
        for k in (1, 3):
            observable = day_number(mine.published_at.iat[0].date()) + k - 1 <= last_day
            value = getattr(row, f"readers_d{k}")
            assert (value == mine[mine.age < k].readers.sum()) if observable else np.isnan(value)
    wh.close()


def test_shipped_parameters_load_and_bad_values_fail_with_the_key(tmp_path):
    root = Path(__file__).resolve().parents[2] / "params"
    values = load("content_performance", root).values
    assert values.same_age_days == [1, 7] and values.target_pushes_per_week == [3, 5]
    for bad, key in (({"target_pushes_per_week": [5, 3]}, "target_pushes_per_week"),
                     ({"same_age_days": [0, 7]}, "same_age_days"),
                     ({"compare_days": 31}, "compare_days"),
                     ({"unfollow_spike_ratio": 1.0}, "unfollow_spike_ratio"),
                     ({"top_n_articles": 3}, "top_n")):
        with pytest.raises(ParamError, match=key):
            load("content_performance", root, bad)


def test_read_rate_week_on_week_compares_articles_at_the_same_age(tmp_path):
    """Issue 12, item 8. Two identical articles: P published Monday 11-09 (W46), Q on Sunday 11-22
    (W47), each sent to 1,000 followers and read by 50 on its publish day. read_rate counts readers
    up to the week's end: W46 = (50+20+10+6+3+1+1) / 1000 = 9.1%, W47 = 50 / 1000 = 5.0%, and the
    card used to say -45.1% (5.0 / 9.1 - 1). At the same age (first compare_days = 1 day) both
    weeks read 50 / 1000: no change. The published read_rate keeps its definition."""
    tables = minimal_tables()
    tables["articles"] = [
        {"article_id": "P", "title": "P", "published_at": "2026-11-09 08:00:00", "column": "X",
         "format": "article", "position": 1},
        {"article_id": "Q", "title": "Q", "published_at": "2026-11-22 08:00:00", "column": "X",
         "format": "article", "position": 1}]
    readers = [50, 20, 10, 6, 3, 1, 1]
    tables["article_stats"] = [stat("P", str(date(2026, 11, 9) + timedelta(days=i)), 1000 if i == 0 else 0, r)
                               for i, r in enumerate(readers)] + [stat("Q", "2026-11-22", 1000, 50)]
    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", tables)))
    try:
        metrics = headline(wh, W47, None)
        before = headline(wh, W47.previous, None)
        assert metrics["read_rate"] == pytest.approx(0.05) and before["read_rate"] == pytest.approx(0.091)
        old = metrics["read_rate"] / before["read_rate"] - 1
        assert old == pytest.approx(-0.4505, abs=1e-4)  # what the card said before
        hist = history(wh, W47, 4, 1)
        assert same_age_read_rate(hist, W47) == pytest.approx(0.05)
        assert same_age_read_rate(hist, W47.previous) == pytest.approx(0.05)
        wow, partial = week_on_week(wh, W47, metrics, hist)
        assert not partial and wow["read_rate"] == pytest.approx(0.0)
        # Compared on 7 days, Q (one day old) is not observable yet: no change is shown.
        wow7, _ = week_on_week(wh, W47, metrics, history(wh, W47, 4, 7))
        assert wow7["read_rate"] is None
    finally:
        wh.close()
