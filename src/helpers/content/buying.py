"""From reading to buying: the mini-program opens and paid orders credited to the articles read
in the period (last touch within a window)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.content.history import divide
from helpers.core.periods import Period
from helpers.core.sql import PAID
from helpers.core.warehouse import Warehouse, day_number


def reading_to_buying(wh: Warehouse, period: Period, window_hours: int) -> pd.DataFrame:
    """Per article read in the period: article readers in the period (article_stats, when
    present), followers who opened the mini-program from it (read_article events), and the paid
    orders credited to it. Credit is last touch: each paid order goes to the buyer's latest
    read_article event at most `window_hours` before it (reads before the period compete for
    credit too); an article keeps the orders whose credited read falls in the period."""
    lo, hi = day_number(period.start), day_number(period.end)
    window_days = -(-window_hours // 24)
    frame = wh.query(f"""
        WITH touch AS (
          SELECT user_id, article_id, event_sec AS t, event_day AS d FROM events
          WHERE event = 'read_article' AND article_id IS NOT NULL
            AND event_day BETWEEN :touch_lo AND :hi),
        paid AS (
          SELECT order_id, user_id, amount, paid_sec FROM orders
          WHERE {PAID} AND paid_day BETWEEN :lo AND :order_hi),
        credited AS (
          SELECT p.order_id, p.user_id, p.amount, t.article_id, t.d,
                 ROW_NUMBER() OVER (PARTITION BY p.order_id ORDER BY t.t DESC, t.article_id) AS rn
          FROM paid p JOIN touch t
            ON t.user_id = p.user_id AND t.t <= p.paid_sec AND p.paid_sec - t.t <= :window),
        bought AS (
          SELECT article_id, COUNT(DISTINCT user_id) AS buyers, COUNT(*) AS orders,
                 SUM(amount) AS gmv
          FROM credited WHERE rn = 1 AND d BETWEEN :lo AND :hi GROUP BY article_id),
        opened AS (
          SELECT article_id, COUNT(DISTINCT user_id) AS openers FROM touch
          WHERE d BETWEEN :lo AND :hi GROUP BY article_id)
        SELECT o.article_id, o.openers, COALESCE(b.buyers, 0) AS buyers,
               COALESCE(b.orders, 0) AS orders, COALESCE(b.gmv, 0) AS gmv
        FROM opened o LEFT JOIN bought b ON b.article_id = o.article_id""",
                     {"lo": lo, "hi": hi, "touch_lo": lo - window_days,
                      "order_hi": hi + window_days, "window": window_hours * 3_600})
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
    frame["open_rate"] = divide(frame["openers"], frame["readers"])
    frame["conversion"] = divide(frame["buyers"], frame["openers"])
    frame["gmv_per_opener"] = divide(frame["gmv"], frame["openers"])
    return frame.sort_values(["gmv", "openers", "article_id"], ascending=[False, False, True],
                             ignore_index=True)


def period_gmv(wh: Warehouse, period: Period) -> float:
    """GMV of the period's paid orders, the denominator of the article share of GMV."""
    value = wh.scalar(f"SELECT SUM(amount) FROM orders WHERE {PAID} AND paid_day BETWEEN :lo AND :hi",
                      {"lo": day_number(period.start), "hi": day_number(period.end)})
    return float(value or 0.0)
