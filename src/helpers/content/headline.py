"""The `content_performance` JSON metrics of report-outputs.md: the week's articles, readers,
rates and follower flow, null where the data source cannot tell."""

from __future__ import annotations

from typing import Any

import pandas as pd

from helpers.content.history import History, best_article
from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, day_number
from helpers.render.outputs import CONTRACTS

# The headline metrics on the at-a-glance cards, each with its week-on-week change.
CARD_KEYS = ("articles_published", "readers", "read_rate", "share_rate", "new_followers",
             "unfollows")


def headline(wh: Warehouse, period: Period, hist: History | None) -> dict[str, Any]:
    """The JSON metrics, exactly as report-outputs.md defines them; null when not computable."""
    lo, hi = day_number(period.start), day_number(period.end)
    p = {"lo": lo, "hi": hi}
    m: dict[str, Any] = dict.fromkeys(CONTRACTS["content_performance"].metrics)
    if wh.has("articles"):
        m["articles_published"] = int(wh.scalar(
            "SELECT COUNT(*) FROM articles WHERE published_day BETWEEN :lo AND :hi", p))
    if wh.has("article_stats"):
        sums = wh.query("""SELECT SUM(readers) AS readers, SUM(reads) AS reads,
                                  SUM(sharers) AS sharers
                           FROM article_stats WHERE "day" BETWEEN :lo AND :hi""", p).iloc[0]
        for k in ("readers", "reads", "sharers"):
            m[k] = None if pd.isna(sums[k]) else int(sums[k])
        if m["readers"]:
            m["share_rate"] = m["sharers"] / m["readers"]
    if wh.has("articles") and wh.has("article_stats"):
        rate = wh.query("""
            SELECT SUM(readers) AS readers, SUM(recipients) AS recipients FROM (
              SELECT a.article_id,
                     SUM(CASE WHEN s."day" BETWEEN :lo AND :hi THEN s.readers ELSE 0 END) AS readers,
                     MAX(s.recipients) AS recipients
              FROM articles a JOIN article_stats s ON s.article_id = a.article_id
              WHERE a.published_day BETWEEN :lo AND :hi
              GROUP BY a.article_id) r""", p).iloc[0]
        if pd.notna(rate["recipients"]) and rate["recipients"] > 0:
            m["read_rate"] = float(rate["readers"]) / float(rate["recipients"])
        m["best_article_id"] = best_article(hist) if hist is not None else None
    if wh.has("followers"):
        flow = wh.query("""SELECT SUM(new_followers) AS new_followers, SUM(unfollows) AS unfollows
                           FROM followers WHERE "day" BETWEEN :lo AND :hi""", p).iloc[0]
        if pd.notna(flow["new_followers"]):
            m["new_followers"], m["unfollows"] = int(flow["new_followers"]), int(flow["unfollows"])
            m["net_followers"] = m["new_followers"] - m["unfollows"]
    return m


