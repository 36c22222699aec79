"""Merchant retention: cohorts by calendar month of first paid order, and the share of each cohort
with a paid order in the k-th month after it (k = 0 is the first month: every merchant of the
cohort sold in it). A cell whose month has not ended by the week's last day is unobservable (NaN,
shown blank), never 0."""

from __future__ import annotations

from datetime import date

import pandas as pd

from helpers.core.sql import paid
from helpers.core.warehouse import Warehouse, day_number

MONTH = "(EXTRACT(YEAR FROM d.date) * 12 + EXTRACT(MONTH FROM d.date) - 1)"  # months since year 0


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def month_last_day(index: int) -> int:
    """The day number of the last day of month `index` (year * 12 + month - 1)."""
    return day_number(month_start(index + 1)) - 1


def month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def cohort_counts(wh: Warehouse, hi: int) -> pd.DataFrame:
    """Per cohort month and age in months: merchants of the cohort with a paid order that month
    (orders up to day `hi`): cohort, age, merchants."""
    frame = wh.query(f"""
        WITH sales AS (SELECT DISTINCT o.merchant_id, {MONTH} AS m
                       FROM orders o JOIN days d ON d.day = o.paid_day
                       WHERE {paid('o')} AND COALESCE(o.merchant_id, '') <> '' AND o.paid_day <= :hi),
             cohorts AS (SELECT merchant_id, MIN(m) AS cohort FROM sales GROUP BY merchant_id)
        SELECT c.cohort, s.m - c.cohort AS age, COUNT(*) AS merchants
        FROM cohorts c JOIN sales s ON s.merchant_id = c.merchant_id
        GROUP BY c.cohort, s.m - c.cohort""", {"hi": hi})
    return frame.astype("int64")


def retention_table(counts: pd.DataFrame, hi: int, months: int) -> pd.DataFrame:
    """The last `months` cohorts up to day `hi`'s month (index: the cohort's first day), with
    `size` and the share still selling at ages 0 .. months-1 (columns 0, 1, ...); NaN where the
    age's month ends after day `hi` or the cohort is empty. Months before the first cohort with a
    merchant are left out."""
    newest = month_index(date.fromordinal(date(1970, 1, 1).toordinal() + hi))
    rows = []
    for cohort in range(newest - months + 1, newest + 1):
        mine = counts[counts["cohort"] == cohort].set_index("age")["merchants"]
        size = int(mine.get(0, 0))
        row: dict[object, object] = {"cohort": month_start(cohort), "size": size}
        for age in range(months):
            observable = age == 0 or month_last_day(cohort + age) <= hi
            row[age] = float(mine.get(age, 0)) / size if size and observable else None
        if size or rows:  # months before the first merchant's first sale are left out
            rows.append(row)
    frame = pd.DataFrame(rows, columns=["cohort", "size", *range(months)]).set_index("cohort")
    return frame.astype({age: "float64" for age in range(months)})
