"""Growth: new users per day and per ISO week, by acquisition channel or WeChat access source."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from helpers.core.sql import week_start
from helpers.core.warehouse import Warehouse, day_to_date
from helpers.render.text import Text

Breakdown = Literal["channel", "source"] | None


def new_users(wh: Warehouse, first_day: int, last_day: int, grain: Literal["day", "week"] = "day",
              by: Breakdown = None, tx: Text | None = None) -> pd.DataFrame:
    """New users (first_seen_at in the bucket), long format: start, [key], new_users.

    `by="source"` maps each user's first scene code to WeChat's access source (e.g. 1089 -> the
    recently-used bar), named in the language of `tx` (sources group and sort by that name, as
    the chart shows them); users without a channel or scene count as unknown.
    """
    bucket = "first_seen_day" if grain == "day" else week_start("first_seen_day")
    key = {"channel": "channel", "source": "scene", None: "NULL"}[by]
    frame = wh.query(f"""
        SELECT bucket, key, COUNT(*) AS new_users
        FROM (SELECT {bucket} AS bucket, {key} AS key FROM users
              WHERE first_seen_day BETWEEN :lo AND :hi) u
        GROUP BY bucket, key""", {"lo": first_day, "hi": last_day})
    if by == "source":
        if tx is None:
            raise ValueError("new users by access source need `tx` to name the sources")
        frame["key"] = [tx.access_source(None if pd.isna(s) else int(s)) for s in frame["key"]]
    elif by == "channel":
        frame["key"] = frame["key"].fillna("unknown")
    frame = frame.groupby(["bucket", "key"], dropna=False, as_index=False)["new_users"].sum()
    frame.insert(0, "start", [day_to_date(b) for b in frame.pop("bucket")])
    frame = frame.sort_values(["start", "key"]).reset_index(drop=True)
    return frame if by else frame.drop(columns="key")


def complete_weeks(wh: Warehouse, first_week_day: int, last_week_day: int) -> list[int]:
    """Mondays (day numbers) of the range's ISO weeks that lie entirely inside the data: the only
    weeks whose counts compare with each other."""
    first, last = wh.meta["first_day"], wh.meta["last_day"]
    return [w for w in range(first_week_day, last_week_day + 1, 7) if w >= first and w + 6 <= last]


def weekly_new_users(wh: Warehouse, first_week_day: int, last_week_day: int) -> pd.DataFrame:
    """New users per complete week of the range (rows: each such week's Monday as a date, weeks
    without new users included as 0) and channel (columns, `wide`)."""
    weeks = complete_weeks(wh, first_week_day, last_week_day)
    frame = new_users(wh, first_week_day, last_week_day + 6, "week", "channel")
    return wide(frame).reindex([day_to_date(w) for w in weeks], fill_value=0)


def wide(frame: pd.DataFrame, top: int = 8, other: str = "other") -> pd.DataFrame:
    """Long (start, key, new_users) -> one column per key, the `top` largest kept, the rest summed."""
    table = frame.pivot_table(index="start", columns="key", values="new_users", aggfunc="sum",
                              fill_value=0)
    order = [k for k in table.sum().sort_values(ascending=False).index if k != other]
    kept = table[order[:top]].copy()
    rest = [k for k in table.columns if k not in kept.columns]
    if rest:
        kept[other] = table[rest].sum(axis=1)
    return kept
