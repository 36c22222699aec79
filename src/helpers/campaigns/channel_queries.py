"""The channel table of a period in portable SQL: spend, acquisition, and revenue credited by first
and by last touch."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.core.sql import PAID, paid
from helpers.core.warehouse import Warehouse


def channels(wh: Warehouse, lo: int, hi: int) -> pd.DataFrame:
    """Per channel for [lo, hi]: spend, impressions, clicks, new users (users.channel), new users
    converted (a paid order in the period), and paid orders, buyers and revenue credited by
    first touch (the buyer's acquisition channel, users.channel) and by last touch (orders.channel).
    """
    params = {"lo": lo, "hi": hi}
    frames = []
    if wh.has("spend"):
        frames.append(wh.query("""
            SELECT channel, SUM(cost) AS spend, SUM(impressions) AS impressions, SUM(clicks) AS clicks
            FROM spend WHERE day BETWEEN :lo AND :hi GROUP BY channel""", params))
    has_orders = wh.has("orders")
    converted = (f"""SUM(CASE WHEN EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.user_id
                     AND {PAID} AND o.paid_day BETWEEN :lo AND :hi) THEN 1 ELSE 0 END)"""
                 if has_orders else "NULL")
    frames.append(wh.query(f"""
        SELECT COALESCE(u.channel, 'unknown') AS channel, COUNT(*) AS new_users,
               {converted} AS new_converted
        FROM users u WHERE u.first_seen_day BETWEEN :lo AND :hi
        GROUP BY COALESCE(u.channel, 'unknown')""", params))
    if has_orders:
        paid = f"(SELECT * FROM orders WHERE {PAID} AND paid_day BETWEEN :lo AND :hi)"
        frames.append(wh.query(f"""
            SELECT COALESCE(u.channel, 'unknown') AS channel, COUNT(*) AS ft_orders,
                   COUNT(DISTINCT o.user_id) AS ft_buyers, SUM(o.amount) AS ft_revenue
            FROM {paid} o LEFT JOIN users u ON u.user_id = o.user_id
            GROUP BY COALESCE(u.channel, 'unknown')""", params))
        if wh.has("orders", "channel"):
            frames.append(wh.query(f"""
                SELECT COALESCE(o.channel, 'unknown') AS channel, COUNT(*) AS lt_orders,
                       COUNT(DISTINCT o.user_id) AS lt_buyers, SUM(o.amount) AS lt_revenue
                FROM {paid} o GROUP BY COALESCE(o.channel, 'unknown')""", params))
    out = frames[0]
    for frame in frames[1:]:
        out = out.merge(frame, on="channel", how="outer")
    for column in ("spend", "impressions", "clicks", "ft_orders", "ft_buyers", "ft_revenue",
                   "lt_orders", "lt_buyers", "lt_revenue", "new_users", "new_converted"):
        if column not in out:
            out[column] = np.nan
    out = out.astype({c: "float64" for c in out.columns if c != "channel"})
    counts = ["new_users", "ft_orders", "ft_buyers", "ft_revenue", "lt_orders", "lt_buyers",
              "lt_revenue"]
    present = [c for c in counts if out[c].notna().any()]
    out[present] = out[present].fillna(0.0)
    return out.sort_values(["spend", "ft_revenue"], ascending=False, na_position="last"
                           ).reset_index(drop=True)


def attribution_orders(wh: Warehouse, lo: int, hi: int) -> pd.DataFrame:
    """The paid orders of [lo, hi], one row each: buyer, amount, first-touch channel (the buyer's
    users.channel) and last-touch channel (orders.channel), 'unknown' where missing; no rows
    without orders or orders.channel."""
    if not wh.has("orders", "channel"):
        return pd.DataFrame(columns=["user_id", "amount", "first_touch", "last_touch"])
    return wh.query(f"""
        SELECT o.user_id, o.amount, COALESCE(u.channel, 'unknown') AS first_touch,
               COALESCE(o.channel, 'unknown') AS last_touch
        FROM orders o LEFT JOIN users u ON u.user_id = o.user_id
        WHERE {paid("o")} AND o.paid_day BETWEEN :lo AND :hi
        ORDER BY o.order_id""", {"lo": lo, "hi": hi})
