"""Distributor chains (merchants.parent_id: the distributor who recruited the merchant): each
merchant's level (1 = recruited by no merchant, 2 = recruited by a level-1 merchant, ...; levels
from MAX_LEVEL on are counted together, as is a merchant caught in a loop of parents), and per level
the merchants, those recruited in the week, the week's sales, and the merchants they recruited.
Merchants selling with an id the merchants table does not list have no level (`level` missing)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.core.sql import paid
from helpers.core.warehouse import Warehouse

MAX_LEVEL = 5  # level 5 = five or more


def _levels_sql() -> str:
    """`lv`: every merchant of the merchants table with its level, by joining parents up to
    MAX_LEVEL - 1 times (portable SQL: no recursive query)."""
    joins = "".join(f"\n  LEFT JOIN merchants p{i} ON p{i}.merchant_id = {'m' if i == 1 else f'p{i - 1}'}.parent_id"
                    for i in range(1, MAX_LEVEL))
    depth = " + ".join(f"CASE WHEN p{i}.merchant_id IS NULL THEN 0 ELSE 1 END" for i in range(1, MAX_LEVEL))
    return f"WITH lv AS (SELECT m.merchant_id, 1 + {depth} AS level FROM merchants m{joins})"


def has_chains(wh: Warehouse) -> bool:
    """The merchants table gives parent_id, and some merchant has one."""
    return wh.has("merchants", "parent_id") and bool(
        wh.scalar("SELECT COUNT(*) FROM merchants WHERE COALESCE(parent_id, '') <> ''"))


def levels(wh: Warehouse) -> pd.DataFrame:
    """merchant_id, level, parent_level (missing without a listed parent), joined_day (missing
    without merchants.joined_at)."""
    joined = "m.joined_day" if wh.has("merchants", "joined_at") else "CAST(NULL AS INTEGER)"
    frame = wh.query(_levels_sql() + f"""
        SELECT m.merchant_id, l.level, pl.level AS parent_level, {joined} AS joined_day
        FROM merchants m JOIN lv l ON l.merchant_id = m.merchant_id
        LEFT JOIN lv pl ON pl.merchant_id = m.parent_id""")
    return frame.astype({"level": "int64", "parent_level": "float64", "joined_day": "float64"})


def level_sales(wh: Warehouse, lo: int, hi: int) -> pd.DataFrame:
    """Per level (missing: merchants the table does not list) the week's paid merchant orders:
    active merchants, gmv, orders, distinct buyers."""
    frame = wh.query(_levels_sql() + f"""
        SELECT l.level, COUNT(DISTINCT o.merchant_id) AS active, SUM(o.amount) AS gmv, COUNT(*) AS orders,
               COUNT(DISTINCT o.user_id) AS buyers
        FROM orders o LEFT JOIN lv l ON l.merchant_id = o.merchant_id
        WHERE {paid('o')} AND COALESCE(o.merchant_id, '') <> '' AND o.paid_day BETWEEN :lo AND :hi
        GROUP BY l.level""", {"lo": lo, "hi": hi})
    frame = frame.astype({"level": "float64", "active": "int64", "gmv": "float64", "orders": "int64",
                          "buyers": "int64"})
    frame["gmv"] = frame["gmv"].round(2)  # to the fen, alike on every engine
    return frame.sort_values("level", ignore_index=True)


def chain_table(levels_frame: pd.DataFrame, sales: pd.DataFrame, lo: int, hi: int) -> pd.DataFrame:
    """One row per level (1 .. deepest; then the row of unlisted merchants when they sold): level
    (NaN for unlisted), merchants, joined (in the week; NaN without joined dates), active, gmv,
    gmv_share (of merchant GMV), orders, buyers, recruited (merchants whose recruiter is at this
    level), recruited_week (of them, joined in the week)."""
    deepest = int(levels_frame["level"].max()) if len(levels_frame) else 0
    known_joins = levels_frame["joined_day"].notna().any()
    total = float(sales["gmv"].sum())
    rows = []
    for level in range(1, deepest + 1):
        mine = levels_frame[levels_frame["level"] == level]
        recruits = levels_frame[levels_frame["parent_level"] == level]
        sold = sales[sales["level"] == level]
        rows.append({"level": float(level), "merchants": len(mine),
                     "joined": float(mine["joined_day"].between(lo, hi).sum()) if known_joins else np.nan,
                     **_sales(sold, total), "recruited": len(recruits),
                     "recruited_week": float(recruits["joined_day"].between(lo, hi).sum()) if known_joins
                     else np.nan})
    unlisted = sales[sales["level"].isna()]
    if len(unlisted):
        rows.append({"level": np.nan, "merchants": np.nan, "joined": np.nan, **_sales(unlisted, total),
                     "recruited": np.nan, "recruited_week": np.nan})
    return pd.DataFrame(rows, columns=["level", "merchants", "joined", "active", "gmv", "gmv_share", "orders",
                                       "buyers", "recruited", "recruited_week"])


def _sales(rows: pd.DataFrame, total: float) -> dict[str, float]:
    gmv = float(rows["gmv"].sum())
    return {"active": float(rows["active"].sum()), "gmv": gmv, "gmv_share": gmv / total if total > 0 else np.nan,
            "orders": float(rows["orders"].sum()), "buyers": float(rows["buyers"].sum())}
