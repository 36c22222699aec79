"""The customers merchants bring: a buyer belongs to the merchant of their first paid order (the
earliest by paid time, ties by order id), or to the platform when that order had no merchant.
New buyers of a week are those whose first paid order falls in it; repeat purchase compares
merchant customers with platform customers acquired in the same weeks (`stats.proportions`)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers.core.sql import paid
from helpers.core.warehouse import Warehouse
from helpers.stats.proportions import two_proportion_p_value

ALPHA = 0.05


def _first_orders() -> str:
    """Each buyer's paid orders up to day :hi, numbered by paid time (rn = 1: the first)."""
    return f"""
        WITH ranked AS (
          SELECT o.user_id, o.paid_day,
                 CASE WHEN COALESCE(o.merchant_id, '') <> '' THEN o.merchant_id END AS merchant_id,
                 ROW_NUMBER() OVER (PARTITION BY o.user_id ORDER BY o.paid_sec, o.order_id) AS rn
          FROM orders o WHERE {paid('o')} AND o.paid_day <= :hi)"""


def new_buyers(wh: Warehouse, lo: int, hi: int) -> pd.DataFrame:
    """Buyers whose first paid order falls in days lo..hi, per merchant of that order (merchant_id
    missing: the platform's own): merchant_id, new_buyers."""
    frame = wh.query(_first_orders() + """
        SELECT merchant_id, COUNT(*) AS new_buyers FROM ranked
        WHERE rn = 1 AND paid_day BETWEEN :lo AND :hi GROUP BY merchant_id""", {"lo": lo, "hi": hi})
    frame["new_buyers"] = frame["new_buyers"].astype("int64")
    return frame


def new_buyers_by_merchant(frame: pd.DataFrame) -> pd.DataFrame:
    """The merchants' rows of `new_buyers`, most new buyers first (ties by id), with each one's
    share of the new buyers merchants brought."""
    rows = frame[frame["merchant_id"].notna()].copy()
    total = rows["new_buyers"].sum()
    rows["share"] = rows["new_buyers"] / total if total else float("nan")
    return rows.sort_values(["new_buyers", "merchant_id"], ascending=[False, True], ignore_index=True)


@dataclass(frozen=True)
class Repeat:
    """Customers acquired in days first..last (their first paid order), and how many of them paid
    again within `days` days of it, for merchant and platform customers; p of the two-sided
    two-proportion test of equal repeat rates."""

    first: int
    last: int
    days: int
    merchant_customers: int
    merchant_repeaters: int
    platform_customers: int
    platform_repeaters: int

    @property
    def merchant_rate(self) -> float | None:
        return self.merchant_repeaters / self.merchant_customers if self.merchant_customers else None

    @property
    def platform_rate(self) -> float | None:
        return self.platform_repeaters / self.platform_customers if self.platform_customers else None

    @property
    def p_value(self) -> float:
        return float(two_proportion_p_value(self.merchant_repeaters, self.merchant_customers,
                                            self.platform_repeaters, self.platform_customers, "two-sided"))

    @property
    def differs(self) -> bool:
        return bool(self.p_value < ALPHA)


def repeat_purchase(wh: Warehouse, hi: int, days: int, weeks: int, first_data_day: int) -> Repeat | None:
    """Customers whose first paid order falls in the `weeks` weeks ending `days` days before day
    `hi` (from the data's first day on), each followed for `days` days after it; None when that
    window lies before the data."""
    last = hi - days
    first = max(last - 7 * weeks + 1, first_data_day)
    if first > last:
        return None
    frame = wh.query(_first_orders() + """,
        firsts AS (SELECT user_id, paid_day AS d0, merchant_id FROM ranked
                   WHERE rn = 1 AND paid_day BETWEEN :first AND :last),
        again AS (SELECT f.user_id, MAX(CASE WHEN r.rn > 1 AND r.paid_day <= f.d0 + :days THEN 1 ELSE 0 END) AS repeated
                  FROM firsts f JOIN ranked r ON r.user_id = f.user_id GROUP BY f.user_id)
        SELECT CASE WHEN f.merchant_id IS NULL THEN 0 ELSE 1 END AS via_merchant, COUNT(*) AS customers,
               SUM(a.repeated) AS repeaters
        FROM firsts f JOIN again a ON a.user_id = f.user_id
        GROUP BY CASE WHEN f.merchant_id IS NULL THEN 0 ELSE 1 END""",
                     {"hi": hi, "first": first, "last": last, "days": days})
    got = {int(r.via_merchant): (int(r.customers), int(r.repeaters)) for r in frame.itertuples()}
    (mc, mr), (pc, pr) = got.get(1, (0, 0)), got.get(0, (0, 0))
    return Repeat(first, last, days, mc, mr, pc, pr)
