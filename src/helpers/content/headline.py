"""The `content_performance` JSON metrics of report-outputs.md: the week's articles, readers,
rates and follower flow, null where the data source cannot tell; and the cards' week-on-week
changes (the read rate's at the same age)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from helpers.content.history import History, best_article, divide
from helpers.content.reads import source_reads, week_metrics
from helpers.core.kpis import relative_change
from helpers.core.metrics import METRICS
from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, day_number
from helpers.render.outputs import CONTRACTS

# Keys added to the contract's (each defined in metrics.yaml): WeChat's reads by source (issue 15).
ADDED_KEYS = ("oa_readers", "oa_reads", "oa_shares")
# The headline metrics on the at-a-glance cards, each with its week-on-week change.
CARD_KEYS = ("articles_published", "readers", "read_rate", "share_rate", "share_rate_reads",
             "new_followers", "unfollows")
# The table each card is counted from; the daily tables say by their own dates which days they cover.
CARD_TABLES = {"articles_published": "articles", "readers": "article_stats", "read_rate": "article_stats",
               "share_rate": "article_stats", "share_rate_reads": "article_stats",
               "new_followers": "followers", "unfollows": "followers"}
DAILY_TABLES = ("article_stats", "followers")


def headline(wh: Warehouse, period: Period, hist: History | None, min_cell_size: int = 0) -> dict[str, Any]:
    """The JSON metrics, exactly as report-outputs.md defines them; null when not computable (and
    WeChat's reads by source null when privacy hides them: `reads.SourceReads.shown`)."""
    lo, hi = day_number(period.start), day_number(period.end)
    p = {"lo": lo, "hi": hi}
    m: dict[str, Any] = dict.fromkeys(CONTRACTS["content_performance"].metrics)
    if wh.has("articles"):
        m["articles_published"] = int(wh.scalar(
            "SELECT COUNT(*) FROM articles WHERE published_day BETWEEN :lo AND :hi", p))
    if wh.has("article_stats"):
        sums = wh.query("""SELECT SUM(readers) AS readers, SUM(reads) AS reads,
                                  SUM(sharers) AS sharers, SUM(shares) AS shares
                           FROM article_stats WHERE "day" BETWEEN :lo AND :hi""", p).iloc[0]
        for k in ("readers", "reads", "sharers"):
            m[k] = None if pd.isna(sums[k]) else int(sums[k])
        if m["readers"]:
            m["share_rate"] = m["sharers"] / m["readers"]
        if m["reads"] and pd.notna(sums["shares"]):
            m["share_rate_reads"] = float(sums["shares"]) / m["reads"]
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
    m |= week_metrics(source_reads(wh, period) if wh.has("oa_reads") else None, min_cell_size)
    return {k: m[k] for k in (*CONTRACTS["content_performance"].metrics, *ADDED_KEYS)}


def covered(wh: Warehouse, table: str, period: Period) -> bool:
    """The week lies entirely inside the days `table` covers: its own first and last dates for
    the daily tables (stats and follower exports often span less than the events), else the
    warehouse's."""
    first, last = day_number(wh.first_date), day_number(wh.last_date)
    if table in DAILY_TABLES:
        span = wh.query(f'SELECT MIN("day") AS lo, MAX("day") AS hi FROM {table}').iloc[0]
        if pd.isna(span["lo"]):
            return False
        first, last = int(span["lo"]), int(span["hi"])
    return first <= day_number(period.start) and day_number(period.end) <= last


def same_age_read_rate(hist: History, period: Period) -> float | None:
    """The read rate of `period`'s articles in their first `compare_days` days: their same-age
    readers / recipients, over the articles whose first days are observable."""
    frame = hist.frame
    mine = frame[frame["observed"] & frame["published_day"].between(day_number(period.start),
                                                                    day_number(period.end))]
    rate = divide(mine["readers_c"].sum(), mine["recipients"].sum())
    return None if pd.isna(rate) else rate


def week_on_week(wh: Warehouse, period: Period, metrics: dict[str, Any], hist: History | None = None
                 ) -> tuple[dict[str, float | None], bool]:
    """Each card's change against the week before, only when both weeks lie entirely inside its
    table's data (a partly covered week is not comparable); the flag says whether a change was
    left out for that reason. The read rate's change compares the two weeks' articles at the same
    age (`same_age_read_rate`): `read_rate` counts readers up to the period's end, so an article
    published on Sunday has had one day against a Monday article's seven. Counts change in %
    (relative), rates in points (a difference of two fractions), as everywhere in the reports."""
    before = period.previous
    previous = headline(wh, before, None)
    wow: dict[str, float | None] = dict.fromkeys(CARD_KEYS)
    partial = False
    for key in CARD_KEYS:
        table = CARD_TABLES[key]
        if not wh.has(table):
            continue
        if not (covered(wh, table, period) and covered(wh, table, before)):
            partial = True
        elif key != "read_rate":
            wow[key] = _change(key, metrics[key], previous[key])
        elif hist is not None:
            wow[key] = _change(key, same_age_read_rate(hist, period), same_age_read_rate(hist, before))
    return wow, partial


def _change(key: str, now: float | None, before: float | None) -> float | None:
    """Rates change in points (this week - last week, README "Conventions"), counts in %."""
    if METRICS[key].unit != "fraction":
        return relative_change(now, before)
    return None if now is None or before is None or pd.isna(now) or pd.isna(before) else now - before
