"""From reading to buying: the mini-program opens from articles in the period, and the period's
paid orders credited to the article each buyer last opened the mini-program from (last touch
within a window). Each order is credited once, in the week it was paid."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.content.history import divide
from helpers.core.periods import Period
from helpers.core.sql import PAID
from helpers.core.warehouse import Warehouse, day_number


@dataclass(frozen=True)
class Credit:
    """The period's reading to buying: per article (`articles`), and for all articles together
    (distinct openers and buyers, credited orders and GMV) against the period's paid GMV."""

    articles: pd.DataFrame
    openers: int
    buyers: int
    orders: int
    gmv: float
    period_gmv: float

    @property
    def gmv_share(self) -> float | None:
        """Credited GMV / the period's paid GMV: both count orders paid in the period."""
        return self.gmv / self.period_gmv if self.period_gmv > 0 else None


def _credited_sql() -> str:
    """Paid orders of days :lo..:hi, each with the article of the buyer's latest read_article
    event at most :window seconds before paying (rn = 1); reads from :touch_lo on compete."""
    return f"""
        WITH touch AS (
          SELECT user_id, article_id, event_sec AS t, event_day AS d FROM events
          WHERE event = 'read_article' AND article_id IS NOT NULL
            AND event_day BETWEEN :touch_lo AND :hi),
        paid AS (
          SELECT order_id, user_id, amount, paid_sec FROM orders
          WHERE {PAID} AND paid_day BETWEEN :lo AND :hi),
        ranked AS (
          SELECT p.order_id, p.user_id, p.amount, t.article_id,
                 ROW_NUMBER() OVER (PARTITION BY p.order_id ORDER BY t.t DESC, t.article_id) AS rn
          FROM paid p JOIN touch t
            ON t.user_id = p.user_id AND t.t <= p.paid_sec AND p.paid_sec - t.t <= :window)"""


def reading_to_buying(wh: Warehouse, period: Period, window_hours: int) -> Credit:
    """Per article: readers in the period (article_stats, when present), people who opened the
    mini-program from it in the period (read_article events) and the period's paid orders
    credited to it. Credit is last touch: each order paid in the period goes to the buyer's latest
    read_article event at most `window_hours` before paying, wherever that read falls (the week
    before included); an order paid after the period belongs to the week it was paid in."""
    lo, hi = day_number(period.start), day_number(period.end)
    params = {"lo": lo, "hi": hi, "touch_lo": lo - math.ceil(window_hours / 24),
              "window": window_hours * 3_600}
    frame = wh.query(f"""{_credited_sql()},
        credited AS (SELECT * FROM ranked WHERE rn = 1),
        bought AS (
          SELECT article_id, COUNT(DISTINCT user_id) AS buyers, COUNT(*) AS orders,
                 SUM(amount) AS gmv
          FROM credited GROUP BY article_id),
        opened AS (
          SELECT article_id, COUNT(DISTINCT user_id) AS openers FROM touch
          WHERE d BETWEEN :lo AND :hi GROUP BY article_id)
        SELECT COALESCE(o.article_id, b.article_id) AS article_id, COALESCE(o.openers, 0) AS openers,
               COALESCE(b.buyers, 0) AS buyers, COALESCE(b.orders, 0) AS orders,
               COALESCE(b.gmv, 0) AS gmv
        FROM opened o FULL OUTER JOIN bought b ON b.article_id = o.article_id""", params)
    totals = wh.query(f"""{_credited_sql()}
        SELECT (SELECT COUNT(DISTINCT user_id) FROM touch WHERE d BETWEEN :lo AND :hi) AS openers,
               COUNT(DISTINCT user_id) AS buyers, COUNT(*) AS orders,
               COALESCE(SUM(amount), 0) AS gmv
        FROM ranked WHERE rn = 1""", params).iloc[0]
    return Credit(_articles(wh, frame, lo, hi), int(totals["openers"]), int(totals["buyers"]),
                  int(totals["orders"]), float(totals["gmv"]), period_gmv(wh, period))


def _articles(wh: Warehouse, frame: pd.DataFrame, lo: int, hi: int) -> pd.DataFrame:
    """Readers and titles joined to the per-article counts, and the rates derived from them."""
    if wh.has("article_stats"):
        readers = wh.query("""SELECT article_id, SUM(readers) AS readers FROM article_stats
                              WHERE "day" BETWEEN :lo AND :hi GROUP BY article_id""",
                           {"lo": lo, "hi": hi})
        frame = frame.merge(readers, on="article_id", how="left")
    else:
        frame["readers"] = np.nan
    titles = wh.query("SELECT article_id, title FROM articles") if wh.has("articles") else \
        pd.DataFrame(columns=["article_id", "title"])
    frame = frame.merge(titles, on="article_id", how="left")
    for c in ("readers", "openers", "buyers", "orders", "gmv"):
        frame[c] = frame[c].astype("float64")
    frame["click_through"] = divide(frame["openers"], frame["readers"])
    frame["conversion"] = divide(frame["buyers"], frame["openers"])
    frame["gmv_per_opener"] = divide(frame["gmv"], frame["openers"])
    return frame.sort_values(["gmv", "openers", "article_id"], ascending=[False, False, True],
                             ignore_index=True)


def period_gmv(wh: Warehouse, period: Period) -> float:
    """GMV of the period's paid orders, the denominator of the article share of GMV."""
    value = wh.scalar(f"SELECT SUM(amount) FROM orders WHERE {PAID} AND paid_day BETWEEN :lo AND :hi",
                      {"lo": day_number(period.start), "hi": day_number(period.end)})
    return float(value or 0.0)
