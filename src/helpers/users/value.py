"""Value: buyers, repurchase, ARPU/ARPPU and LTV curves (RFM segments are in `users.rfm`,
forward-looking CLV in `users.clv`)."""

from __future__ import annotations

import pandas as pd

from helpers.core.sql import PAID, paid, week_start
from helpers.core.warehouse import Warehouse

CONSENTED = "COALESCE(u.consent, TRUE)"  # users who refused analytics are left out of profiling


def has_paid_orders(wh: Warehouse) -> bool:
    """True when the source has an orders table holding at least one paid order."""
    return wh.has("orders") and bool(wh.scalar(f"SELECT COUNT(*) FROM orders WHERE {PAID}"))


def buyer_metrics(wh: Warehouse, first_day: int, last_day: int, active_users: int
                  ) -> dict[str, float | None]:
    """buyers, repurchase_rate, returning_buyer_share, gmv, arpu (GMV / active users), arppu."""
    row = wh.query(f"""
        WITH p AS (SELECT user_id, COUNT(*) AS orders, SUM(amount) AS gmv FROM orders
                   WHERE {PAID} AND paid_day BETWEEN :lo AND :hi GROUP BY user_id),
             before AS (SELECT DISTINCT user_id FROM orders WHERE {PAID} AND paid_day < :lo)
        SELECT COUNT(*) AS buyers,
               SUM(CASE WHEN p.orders >= 2 THEN 1 ELSE 0 END) AS repeaters,
               COUNT(before.user_id) AS returning,
               SUM(p.gmv) AS gmv
        FROM p LEFT JOIN before ON before.user_id = p.user_id""",
                   {"lo": first_day, "hi": last_day}).iloc[0]
    buyers = int(row.buyers)
    gmv = 0.0 if pd.isna(row.gmv) else float(row.gmv)
    return {
        "buyers": buyers,
        "repurchase_rate": float(row.repeaters) / buyers if buyers else None,
        "returning_buyer_share": float(row.returning) / buyers if buyers else None,
        "gmv": gmv,
        "arpu": gmv / active_users if active_users else None,
        "arppu": gmv / buyers if buyers else None,
    }


def ltv_curves(wh: Warehouse, first_cohort_day: int, last_cohort_day: int, max_weeks: int = 12,
               by: str | None = "channel") -> pd.DataFrame:
    """Cumulative paid GMV per cohort user by age in weeks since first seen (weekly cohorts).

    Long format: [by], age_week, users (cohort users observable at that age), ltv (CNY per user).
    An age counts only for cohorts whose every user has reached its end inside the data.
    """
    key = f"u.{by}" if by else "'all'"
    sizes = wh.query(f"""
        SELECT {week_start('first_seen_day')} AS cohort, {key} AS grp, COUNT(*) AS size
        FROM users u WHERE first_seen_day BETWEEN :lo AND :hi
        GROUP BY {week_start('first_seen_day')}, {key}""",
                     {"lo": first_cohort_day, "hi": last_cohort_day})
    revenue = wh.query(f"""
        SELECT {week_start('u.first_seen_day')} AS cohort, {key} AS grp,
               CAST(FLOOR((o.paid_day - u.first_seen_day) / 7) AS INTEGER) AS age, SUM(o.amount) AS gmv
        FROM orders o JOIN users u ON u.user_id = o.user_id
        WHERE u.first_seen_day BETWEEN :lo AND :hi AND {paid('o')}
          AND o.paid_day >= u.first_seen_day AND o.paid_day < u.first_seen_day + :span
        GROUP BY {week_start('u.first_seen_day')}, {key},
                 CAST(FLOOR((o.paid_day - u.first_seen_day) / 7) AS INTEGER)""",
                       {"lo": first_cohort_day, "hi": last_cohort_day, "span": 7 * max_weeks})
    sizes["grp"] = sizes["grp"].fillna("unknown")
    revenue["grp"] = revenue["grp"].fillna("unknown")
    last = wh.meta["last_day"]
    rows = []
    for (cohort, grp), size in sizes.set_index(["cohort", "grp"])["size"].items():
        gmv = revenue[(revenue.cohort == cohort) & (revenue.grp == grp)].set_index("age")["gmv"]
        cumulative = gmv.reindex(range(max_weeks), fill_value=0.0).cumsum()
        for age in range(max_weeks):
            # the youngest user of the cohort (first seen on its Sunday) reached age+1 weeks
            if cohort + 6 + 7 * (age + 1) - 1 <= last:
                rows.append({"grp": grp, "age_week": age + 1, "users": size,
                             "revenue": cumulative.iloc[age]})
    frame = pd.DataFrame(rows, columns=["grp", "age_week", "users", "revenue"])
    out = frame.groupby(["grp", "age_week"], as_index=False)[["users", "revenue"]].sum()
    out["ltv"] = out["revenue"] / out["users"]
    out = out.drop(columns="revenue").rename(columns={"grp": by or "group"})
    return out
