"""Portrait: who the new and the active users are (gender, age band, region, platform).

Only users who did not refuse analytics consent are profiled; values under the privacy threshold
are left out by `portrait_frames` (render.privacy), and since the charts show shares, which give
the total away, a single value left out takes the next-smallest with it.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from helpers.core.warehouse import Warehouse
from helpers.render import privacy

DIMENSIONS = ("gender", "age_band", "province", "city", "platform")
Population = Literal["new", "active"]


def has_attributes(wh: Warehouse) -> bool:
    """True when the users table has any portrait column."""
    return any(wh.has("users", d) for d in DIMENSIONS)


def portrait(wh: Warehouse, first_day: int, last_day: int, dimension: str, population: Population
             ) -> pd.DataFrame:
    """Users per value of `dimension` among the period's new or active users: value, users, share.
    Missing values count as 'unknown'."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown portrait dimension {dimension!r}; one of {DIMENSIONS}")
    people = ("SELECT user_id FROM users WHERE first_seen_day BETWEEN :lo AND :hi"
              if population == "new" else
              "SELECT DISTINCT user_id FROM events WHERE event_day BETWEEN :lo AND :hi")
    frame = wh.query(f"""
        SELECT u.{dimension} AS value, COUNT(*) AS users
        FROM ({people}) p JOIN users u ON u.user_id = p.user_id
        WHERE COALESCE(u.consent, TRUE)
        GROUP BY u.{dimension}""", {"lo": first_day, "hi": last_day})
    frame["value"] = frame["value"].fillna("unknown")
    frame = frame.groupby("value", as_index=False)["users"].sum()
    frame["share"] = frame["users"] / frame["users"].sum()
    return frame.sort_values("users", ascending=False).reset_index(drop=True)


def portrait_frames(wh: Warehouse, first_day: int, last_day: int, k: int) -> dict[str, pd.DataFrame]:
    """Per dimension, the period's new and active users per value (value, users, share, population),
    values under k users left out (with complementary suppression): what the portrait charts and
    finding show."""
    frames = {}
    for dimension in DIMENSIONS:
        parts = []
        for population in ("new", "active"):
            frame = portrait(wh, first_day, last_day, dimension, population).assign(population=population)
            parts.append(privacy.large_only(frame, "users", k, total=True)[0])
        frames[dimension] = pd.concat(parts, ignore_index=True)
    return frames
