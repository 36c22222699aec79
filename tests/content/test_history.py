"""Articles at the same age: totals, same-age rates, shrinkage and the ranking."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from content.account import W47, account_tables, stat
from helpers.content.history import best_article, history, top_bottom
from helpers.core.warehouse import Warehouse, build_warehouse

from conftest import write_source


def test_article_table_same_age_and_totals(account):
    _, wh = account
    hist = history(wh, W47, 8, 1, [1, 7])
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
        rows.append(stat(f"B{i}", str(day), 20_000, int(20_000 * rate)))
    for aid, day, recipients, readers in (("S1", "2026-11-18", 30, 6), ("BIG", "2026-11-19", 20_000, 1500)):
        articles.append({"article_id": aid, "title": aid, "published_at": f"{day} 20:00:00",
                         "column": "X", "format": "article", "position": 1})
        rows.append(stat(aid, day, recipients, readers))
    tables["articles"], tables["article_stats"] = articles, rows
    wh = Warehouse(build_warehouse(write_source(tmp_path / "src", tables)))
    hist = history(wh, W47, 8, 1)
    current = hist.current.set_index("article_id")
    assert current.at["S1", "read_rate_c"] > current.at["BIG", "read_rate_c"]  # raw: tiny wins
    assert best_article(hist) == "BIG"
    assert current.at["S1", "read_shrunk"] < 0.065 and current.at["S1", "read_weight"] < 0.5
    assert current.at["BIG", "read_shrunk"] == pytest.approx(0.075, abs=0.003)
    assert current.at["BIG", "read_weight"] > 0.85
    assert current.at["S1", "read_lo"] < current.at["S1", "read_shrunk"] < current.at["S1", "read_hi"]


def test_top_bottom_keeps_the_ends():
    frame = pd.DataFrame({"rank": range(1, 13)})
    shown, cut = top_bottom(frame, 5)
    assert cut and shown["rank"].tolist() == [1, 2, 3, 4, 5, 8, 9, 10, 11, 12]
    shown, cut = top_bottom(frame.head(10), 5)
    assert not cut and shown["rank"].tolist() == list(range(1, 11))
