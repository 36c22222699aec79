"""Daily series of a campaign's metric, optionally for a group of users, and the other campaigns
as 0/1 regressors: the inputs of the counterfactual model and of difference-in-differences.

The one place that decides where a series comes from (`source_metric`, `daily`, `first_day`):
with own tracking (an events table), from users, events and orders, exactly as always; on WeChat's
statistics alone (no events, `core.kpis.platform_only`), from the daily aggregates: WeChat's
visitors and new visitors of the day (mp_visits day rows; new users and active users are measured
by them) and, with an orders table, paid orders and GMV per day (no users table to join: every
paid order counts). Groups of users need own tracking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from helpers.campaigns.queries import Campaign
from helpers.core.kpis import platform_only
from helpers.core.sql import PAID
from helpers.core.warehouse import Warehouse, day_number, day_to_date

DailyMetric = Literal["orders", "gmv", "new_users", "active_users", "visitors", "new_visitors"]
# On WeChat's statistics alone, what stands for a metric of own tracking.
AGGREGATE_OF = {"new_users": "new_visitors", "active_users": "visitors"}
AGGREGATES = ("visitors", "new_visitors")  # WeChat's daily figures (mp_visits day rows)
GROUP_COLUMNS = ("channel", "scene", "gender", "age_band", "province", "city", "platform",
                 "is_follower")


@dataclass(frozen=True)
class UserGroup:
    """Users whose `column` (a users column) is (or, with exclude, is not) one of `values`."""

    column: str
    values: tuple[str, ...]
    exclude: bool = False

    def sql(self) -> tuple[str, dict[str, str]]:
        """The WHERE clause over `u` (users) and its parameters."""
        if self.column not in GROUP_COLUMNS:
            raise ValueError(f"users.{self.column} cannot define a group; use one of {GROUP_COLUMNS}")
        names = {f"g{i}": v for i, v in enumerate(self.values)}
        inside = ", ".join(f":{k}" for k in names) or "NULL"
        op = "NOT IN" if self.exclude else "IN"
        value = f"CAST(u.{self.column} AS VARCHAR)"
        where = f"({value} {op} ({inside})" + (f" OR {value} IS NULL)" if self.exclude else ")")
        return where, names


_DAILY_SQL: dict[str, tuple[str, str]] = {  # metric: (SQL over u = users, value alias)
    "orders": (f"""SELECT o.paid_day AS day, COUNT(*) AS value
                   FROM (SELECT * FROM orders WHERE {PAID}) o JOIN users u ON u.user_id = o.user_id
                   WHERE o.paid_day BETWEEN :lo AND :hi AND {{where}} GROUP BY o.paid_day""", "value"),
    "gmv": (f"""SELECT o.paid_day AS day, SUM(o.amount) AS value
                FROM (SELECT * FROM orders WHERE {PAID}) o JOIN users u ON u.user_id = o.user_id
                WHERE o.paid_day BETWEEN :lo AND :hi AND {{where}} GROUP BY o.paid_day""", "value"),
    "new_users": ("""SELECT u.first_seen_day AS day, COUNT(*) AS value FROM users u
                     WHERE u.first_seen_day BETWEEN :lo AND :hi AND {where}
                     GROUP BY u.first_seen_day""", "value"),
    "active_users": ("""SELECT e.event_day AS day, COUNT(DISTINCT e.user_id) AS value
                        FROM events e JOIN users u ON u.user_id = e.user_id
                        WHERE e.event_day BETWEEN :lo AND :hi AND {where} GROUP BY e.event_day""",
                     "value"),
}


_AGGREGATE_SQL = {  # metric: SQL of WeChat's statistics alone (no users table to join)
    "visitors": """SELECT day, visitors AS value FROM mp_visits
                   WHERE period = 'day' AND day BETWEEN :lo AND :hi""",
    "new_visitors": """SELECT day, new_visitors AS value FROM mp_visits
                       WHERE period = 'day' AND day BETWEEN :lo AND :hi""",
    "orders": f"""SELECT paid_day AS day, COUNT(*) AS value FROM orders
                  WHERE {PAID} AND paid_day BETWEEN :lo AND :hi GROUP BY paid_day""",
    "gmv": f"""SELECT paid_day AS day, SUM(amount) AS value FROM orders
               WHERE {PAID} AND paid_day BETWEEN :lo AND :hi GROUP BY paid_day""",
}


def source_metric(wh: Warehouse, metric: str) -> str:
    """The series `metric` is measured on: itself with own tracking; on WeChat's statistics alone,
    WeChat's counterpart of new and active users (new visitors, visitors)."""
    return AGGREGATE_OF.get(metric, metric) if platform_only(wh) else metric


def available(wh: Warehouse, metric: str) -> bool:
    """The data holds the series `source_metric(wh, metric)`."""
    metric = source_metric(wh, metric)
    if metric in ("orders", "gmv"):
        return wh.has("orders")
    if metric in AGGREGATES:
        return wh.has("mp_visits")
    return not platform_only(wh)


def first_day(wh: Warehouse, metric: str) -> int:
    """The first day the series has data: the data's first day, or on WeChat's statistics alone
    the first day of the series' own table (visits and orders may start later than followers)."""
    first = day_number(wh.first_date)
    metric = source_metric(wh, metric)
    if not platform_only(wh) or not available(wh, metric):
        return first
    own = (wh.scalar("SELECT MIN(day) FROM mp_visits WHERE period = 'day'") if metric in AGGREGATES
           else wh.scalar("SELECT MIN(paid_day) FROM orders"))
    return first if own is None else max(first, int(own))


def daily(wh: Warehouse, metric: DailyMetric, lo: int, hi: int, group: UserGroup | None = None
          ) -> pd.Series:
    """The metric per day from `lo` to `hi`, indexed by date; optionally only for a group of users.
    Orders and GMV are paid orders (days without any are 0); new users count first_seen_at. On
    WeChat's statistics alone, the series of `source_metric` (named so): WeChat's figure of a day
    without its row is missing, not 0."""
    metric = source_metric(wh, metric)
    if not available(wh, metric):
        raise ValueError(f"the data source has no {'orders' if metric in ('orders', 'gmv') else 'mp_visits'} table")
    aggregate = platform_only(wh) or metric in AGGREGATES
    if aggregate and group is not None:
        raise ValueError("groups of users need own tracking (users and events)")
    if aggregate:
        frame = wh.query(_AGGREGATE_SQL[metric], {"lo": lo, "hi": hi})
    else:
        where, names = group.sql() if group else ("1 = 1", {})
        frame = wh.query(_DAILY_SQL[metric][0].format(where=where), {"lo": lo, "hi": hi, **names})
    values = dict(zip(frame["day"].astype(int), frame["value"].astype(float), strict=True))
    missing = float("nan") if metric in AGGREGATES else 0.0
    return pd.Series([values.get(d, missing) for d in range(lo, hi + 1)],
                     index=[day_to_date(d) for d in range(lo, hi + 1)], name=metric)


def campaign_regressors(campaigns: list[Campaign], exclude: Campaign, dates: pd.Index) -> pd.DataFrame:
    """One 0/1 column per other campaign running on some of `dates` ("campaign:<id>")."""
    days = np.array([day_number(d) for d in dates])
    columns = {}
    for other in campaigns:
        if other.campaign_id == exclude.campaign_id:
            continue
        end = days.max() if other.end_day is None else other.end_day
        on = (days >= other.start_day) & (days <= end)
        if on.any():
            columns[f"campaign:{other.campaign_id}"] = on.astype(float)
    return pd.DataFrame(columns, index=dates)
