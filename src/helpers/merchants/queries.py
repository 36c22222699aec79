"""The merchant computations that read the warehouse: one portable SQL query each (integer day
numbers, `:name` placeholders; run on DuckDB or, translated, on Spark), small frames back.

A paid order is the suite's (`core.sql.PAID`: status paid or missing); a merchant order is a paid
order whose `merchant_id` is given (not null, not empty); the rest are the platform's own sales.
"""

from __future__ import annotations

import pandas as pd

from helpers.core.sql import paid, week_start
from helpers.core.warehouse import Warehouse

# A paid order with a merchant; `o` is the orders table's alias.
MERCHANT = "COALESCE(o.merchant_id, '') <> ''"
PAID_O = paid("o")
SALES_COLUMNS = ["merchant_id", "wk", "gmv", "orders", "buyers", "last_day"]


def cents(amounts: pd.Series) -> pd.Series:
    """Sums of yuan amounts to the fen: engines add floating amounts in different orders, and the
    report ranks merchants by them (equal sales must stay equal on DuckDB and Spark)."""
    return amounts.astype("float64").round(2)


def has_merchant_column(wh: Warehouse) -> bool:
    return wh.has("orders", "merchant_id")


def merchant_orders_until(wh: Warehouse, hi: int) -> int:
    """Paid merchant orders up to day `hi` (0 without the column)."""
    if not has_merchant_column(wh):
        return 0
    return int(wh.scalar(f"SELECT COUNT(*) FROM orders o WHERE {PAID_O} AND {MERCHANT} AND o.paid_day <= :hi",
                         {"hi": hi}) or 0)


def weekly_sales(wh: Warehouse, lo: int, hi: int) -> pd.DataFrame:
    """Per merchant and ISO week (its Monday's day number `wk`) of days lo..hi: paid GMV, paid
    orders, distinct buyers and the last day with a paid order; merchant-weeks without one are
    absent."""
    frame = wh.query(f"""
        SELECT o.merchant_id, {week_start('o.paid_day')} AS wk, SUM(o.amount) AS gmv,
               COUNT(*) AS orders, COUNT(DISTINCT o.user_id) AS buyers, MAX(o.paid_day) AS last_day
        FROM orders o
        WHERE {PAID_O} AND {MERCHANT} AND o.paid_day BETWEEN :lo AND :hi
        GROUP BY o.merchant_id, {week_start('o.paid_day')}""", {"lo": lo, "hi": hi})
    frame = frame.astype({"gmv": "float64", "orders": "int64", "buyers": "int64", "last_day": "int64",
                          "wk": "int64"})
    frame["gmv"] = cents(frame["gmv"])
    return frame[SALES_COLUMNS].sort_values(["wk", "merchant_id"], ignore_index=True)


def merchant_history(wh: Warehouse, lo: int, hi: int) -> pd.DataFrame:
    """Per merchant with a paid order up to day `hi`: its first paid day and its last paid day
    before day `lo` (NaN when none)."""
    frame = wh.query(f"""
        SELECT o.merchant_id, MIN(o.paid_day) AS first_day,
               MAX(CASE WHEN o.paid_day < :lo THEN o.paid_day END) AS last_before
        FROM orders o WHERE {PAID_O} AND {MERCHANT} AND o.paid_day <= :hi
        GROUP BY o.merchant_id""", {"lo": lo, "hi": hi})
    frame["first_day"] = frame["first_day"].astype("int64")
    frame["last_before"] = frame["last_before"].astype("float64")
    return frame.sort_values("merchant_id", ignore_index=True)


def sales_split(wh: Warehouse, lo: int, hi: int) -> dict[str, float]:
    """Paid GMV and orders of days lo..hi with a merchant and without one (the platform's own)."""
    row = wh.query(f"""
        SELECT SUM(CASE WHEN {MERCHANT} THEN o.amount ELSE 0 END) AS merchant_gmv,
               SUM(CASE WHEN {MERCHANT} THEN 0 ELSE o.amount END) AS platform_gmv,
               SUM(CASE WHEN {MERCHANT} THEN 1 ELSE 0 END) AS merchant_orders,
               SUM(CASE WHEN {MERCHANT} THEN 0 ELSE 1 END) AS platform_orders
        FROM orders o WHERE {PAID_O} AND o.paid_day BETWEEN :lo AND :hi""", {"lo": lo, "hi": hi}).iloc[0]
    return {k: 0.0 if pd.isna(v) else round(float(v), 2) for k, v in row.items()}


def recent_sales(wh: Warehouse, ids: list[str], days: int, hi: int) -> pd.DataFrame:
    """For each merchant of `ids`: paid GMV, orders and distinct buyers of the `days` days ending
    on its last paid day up to `hi` (what a merchant turning dormant sold before it stopped)."""
    if not ids:
        return pd.DataFrame(columns=["merchant_id", "gmv", "orders", "buyers"])
    frame = wh.query(f"""
        WITH lastpaid AS (SELECT o.merchant_id, MAX(o.paid_day) AS last_day FROM orders o
                          WHERE {PAID_O} AND {MERCHANT} AND o.paid_day <= :hi GROUP BY o.merchant_id)
        SELECT o.merchant_id, SUM(o.amount) AS gmv, COUNT(*) AS orders, COUNT(DISTINCT o.user_id) AS buyers
        FROM orders o JOIN lastpaid l ON l.merchant_id = o.merchant_id
        WHERE {PAID_O} AND o.paid_day BETWEEN l.last_day - :days + 1 AND l.last_day
        GROUP BY o.merchant_id""", {"hi": hi, "days": days})
    frame = frame[frame["merchant_id"].isin(ids)].astype({"gmv": "float64", "orders": "int64", "buyers": "int64"})
    return frame.assign(gmv=cents(frame["gmv"])).sort_values("merchant_id", ignore_index=True)


def merchant_info(wh: Warehouse) -> pd.DataFrame | None:
    """The merchants table's descriptive columns (name, kind, tier, region, parent_id, joined_day)
    that the source gives, one row per merchant; None without the table."""
    if not wh.has("merchants"):
        return None
    wanted = [c for c in ("name", "kind", "tier", "region", "parent_id") if wh.has("merchants", c)]
    if wh.has("merchants", "joined_at"):
        wanted.append("joined_day")
    columns = ", ".join(["merchant_id", *wanted])
    frame = wh.query(f"SELECT {columns} FROM merchants")
    return frame.sort_values("merchant_id", ignore_index=True)


def weekly_split(wh: Warehouse, lo: int, hi: int) -> pd.DataFrame:
    """Per ISO week of days lo..hi (Monday `wk`): paid GMV with a merchant and the platform's own;
    weeks without a paid order are absent."""
    frame = wh.query(f"""
        SELECT {week_start('o.paid_day')} AS wk,
               SUM(CASE WHEN {MERCHANT} THEN o.amount ELSE 0 END) AS merchant_gmv,
               SUM(CASE WHEN {MERCHANT} THEN 0 ELSE o.amount END) AS platform_gmv
        FROM orders o WHERE {PAID_O} AND o.paid_day BETWEEN :lo AND :hi
        GROUP BY {week_start('o.paid_day')}""", {"lo": lo, "hi": hi})
    frame = frame.astype({"wk": "int64", "merchant_gmv": "float64", "platform_gmv": "float64"})
    frame[["merchant_gmv", "platform_gmv"]] = frame[["merchant_gmv", "platform_gmv"]].round(2)
    return frame.sort_values("wk", ignore_index=True)
