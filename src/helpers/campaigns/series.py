"""Daily series of a campaign's metric, optionally for a group of users, and the other campaigns
as 0/1 regressors: the inputs of the counterfactual model and of difference-in-differences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from helpers.campaigns.queries import Campaign
from helpers.core.sql import PAID
from helpers.core.warehouse import Warehouse, day_number, day_to_date

DailyMetric = Literal["orders", "gmv", "new_users", "active_users"]
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


def daily(wh: Warehouse, metric: DailyMetric, lo: int, hi: int, group: UserGroup | None = None
          ) -> pd.Series:
    """The metric per day from `lo` to `hi` (days without any are 0), indexed by date; optionally
    only for a group of users. Orders and GMV are paid orders; new users count first_seen_at."""
    if metric in ("orders", "gmv") and not wh.has("orders"):
        raise ValueError("the data source has no orders table")
    where, names = group.sql() if group else ("1 = 1", {})
    sql, _ = _DAILY_SQL[metric]
    frame = wh.query(sql.format(where=where), {"lo": lo, "hi": hi, **names})
    values = dict(zip(frame["day"].astype(int), frame["value"].astype(float), strict=True))
    return pd.Series([values.get(d, 0.0) for d in range(lo, hi + 1)],
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
