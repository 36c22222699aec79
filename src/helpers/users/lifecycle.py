"""Lifecycle: weekly new / returning / resurrecting / dormant users, the weekly churn rate, churn
risk and win-backs, followers' activity, and the potential -> new -> active -> loyal customer
pyramid."""

from __future__ import annotations

import pandas as pd
from pydantic import Field

from helpers.core.params import ParamsModel
from helpers.core.sql import PAID, week_start
from helpers.core.warehouse import Warehouse, day_to_date


def weekly_lifecycle(wh: Warehouse, first_week_day: int, last_week_day: int) -> pd.DataFrame:
    """Per ISO week (Monday day numbers in the range), users who were
    new (first seen that week), returning (active this and last week), resurrecting (active this
    week, not last week, first seen earlier) and dormant (active last week, not this week; negative).
    A week whose previous week is not entirely in the data has no returning/resurrecting/dormant."""
    params = {"lo": first_week_day, "hi": last_week_day}
    active = wh.query(f"""
        WITH uw AS (SELECT DISTINCT user_id, {week_start('event_day')} AS wk FROM events
                    WHERE event_day BETWEEN :lo - 7 AND :hi + 6)
        SELECT cur.wk,
               SUM(CASE WHEN u.first_wk >= cur.wk THEN 1 ELSE 0 END) AS new,
               SUM(CASE WHEN (u.first_wk IS NULL OR u.first_wk < cur.wk)
                         AND prev.user_id IS NOT NULL THEN 1 ELSE 0 END) AS returning,
               SUM(CASE WHEN (u.first_wk IS NULL OR u.first_wk < cur.wk)
                         AND prev.user_id IS NULL THEN 1 ELSE 0 END) AS resurrecting
        FROM uw cur
        LEFT JOIN uw prev ON prev.user_id = cur.user_id AND prev.wk = cur.wk - 7
        LEFT JOIN (SELECT user_id, {week_start('first_seen_day')} AS first_wk FROM users) u
               ON u.user_id = cur.user_id
        WHERE cur.wk BETWEEN :lo AND :hi
        GROUP BY cur.wk""", params)
    dormant = wh.query(f"""
        WITH uw AS (SELECT DISTINCT user_id, {week_start('event_day')} AS wk FROM events
                    WHERE event_day BETWEEN :lo - 7 AND :hi + 6)
        SELECT prev.wk + 7 AS wk, -COUNT(*) AS dormant
        FROM uw prev LEFT JOIN uw cur ON cur.user_id = prev.user_id AND cur.wk = prev.wk + 7
        WHERE cur.user_id IS NULL AND prev.wk + 7 BETWEEN :lo AND :hi
        GROUP BY prev.wk + 7""", params)
    frame = pd.DataFrame({"wk": range(first_week_day, last_week_day + 1, 7)})
    frame = frame.merge(active, on="wk", how="left").merge(dormant, on="wk", how="left")
    columns = ["new", "returning", "resurrecting", "dormant"]
    frame[columns] = frame[columns].astype("float64").fillna(0.0)
    first, last = wh.meta["first_day"], wh.meta["last_day"]
    frame.loc[frame["wk"] - 7 < first, ["returning", "resurrecting", "dormant"]] = float("nan")
    frame.loc[frame["wk"] + 6 > last, columns] = float("nan")
    # (new + resurrecting) / dormant; a week without dormant users has no ratio (never inf)
    frame["quick_ratio"] = (frame["new"] + frame["resurrecting"]) / -frame["dormant"].where(frame["dormant"] < 0)
    frame.insert(0, "week", [day_to_date(d) for d in frame.pop("wk")])
    return frame


def weekly_churn(wh: Warehouse, first_week_day: int, last_week_day: int) -> pd.DataFrame:
    """Per ISO week (Monday day numbers in the range): users active in the previous week
    (`previous_active`), those of them with no event this week (`churned`) and `churn_rate` =
    churned / previous_active. Missing (NaN) when either week is not entirely inside the data, or
    nobody was active the week before."""
    frame = wh.query(f"""
        WITH uw AS (SELECT DISTINCT user_id, {week_start('event_day')} AS wk FROM events
                    WHERE event_day BETWEEN :lo - 7 AND :hi + 6)
        SELECT prev.wk + 7 AS wk, COUNT(*) AS previous_active,
               SUM(CASE WHEN cur.user_id IS NULL THEN 1 ELSE 0 END) AS churned
        FROM uw prev LEFT JOIN uw cur ON cur.user_id = prev.user_id AND cur.wk = prev.wk + 7
        WHERE prev.wk + 7 BETWEEN :lo AND :hi
        GROUP BY prev.wk + 7""", {"lo": first_week_day, "hi": last_week_day})
    out = pd.DataFrame({"wk": range(first_week_day, last_week_day + 1, 7)}).merge(frame, on="wk", how="left")
    counts = ["previous_active", "churned"]
    out[counts] = out[counts].astype("float64").fillna(0.0)
    complete = (out["wk"] - 7 >= wh.meta["first_day"]) & (out["wk"] + 6 <= wh.meta["last_day"])
    out.loc[~complete, counts] = float("nan")
    out["churn_rate"] = out["churned"] / out["previous_active"].where(out["previous_active"] > 0)
    out.insert(0, "week", [day_to_date(d) for d in out.pop("wk")])
    return out


def followers_active(wh: Warehouse, first_day: int, last_day: int) -> tuple[int, int] | None:
    """Users flagged `is_follower` and first seen by `last_day`: (those with any event in
    [first_day, last_day], all of them). None when the users table has no `is_follower` column."""
    if not wh.has("users", "is_follower"):
        return None
    followers, active = wh.query("""
        SELECT COUNT(*) AS followers, COUNT(a.user_id) AS active
        FROM users u LEFT JOIN (SELECT DISTINCT user_id FROM events
                                WHERE event_day BETWEEN :lo AND :hi) a ON a.user_id = u.user_id
        WHERE u.is_follower = TRUE AND u.first_seen_day <= :hi""", {"lo": first_day, "hi": last_day}).iloc[0]
    return int(active), int(followers)


def follower_activity(counts: tuple[int, int] | None, min_cell_size: int) -> float | None:
    """follower_activity = active followers / followers; None without the column, without
    followers, or when either count is under `min_cell_size` (privacy: the share would describe
    fewer users than a shown cell may)."""
    if counts is None:
        return None
    active, followers = counts
    if not followers or min(active, followers) < min_cell_size:
        return None
    return active / followers


def churn_risk(wh: Warehouse, as_of_day: int, quiet_days: int, lookback_days: int = 30) -> int:
    """Users active in the `lookback_days` up to `as_of_day` whose last event is at least
    `quiet_days` days old (no activity for N consecutive days: the win-back push audience)."""
    return int(wh.scalar("""
        SELECT COUNT(*) FROM (SELECT user_id, MAX(event_day) AS last_day FROM events
                              WHERE event_day BETWEEN :asof - :lookback + 1 AND :asof
                              GROUP BY user_id) u
        WHERE last_day <= :asof - :quiet""",
                         {"asof": as_of_day, "lookback": lookback_days, "quiet": quiet_days}) or 0)


def win_back(wh: Warehouse, previous_end_day: int, first_day: int, last_day: int, quiet_days: int,
             lookback_days: int = 30) -> tuple[int, int]:
    """Of the users at churn risk at `previous_end_day`, how many were active in
    [first_day, last_day]: (at risk, came back)."""
    at_risk, back = wh.query("""
        WITH risk AS (SELECT user_id FROM events
                      WHERE event_day BETWEEN :asof - :lookback + 1 AND :asof
                      GROUP BY user_id HAVING MAX(event_day) <= :asof - :quiet),
             back AS (SELECT DISTINCT user_id FROM events WHERE event_day BETWEEN :lo AND :hi)
        SELECT COUNT(*) AS at_risk, COUNT(back.user_id) AS came_back
        FROM risk LEFT JOIN back ON back.user_id = risk.user_id""",
                             {"asof": previous_end_day, "lookback": lookback_days,
                              "quiet": quiet_days, "lo": first_day, "hi": last_day}).iloc[0]
    return int(at_risk), int(back)


class PyramidRules(ParamsModel):
    """Tiers of the customer pyramid, checked from the top down as of the period's last day."""

    loyal_orders: int = Field(3, ge=2, description="loyal: at least this many paid orders ...")
    loyal_days: int = Field(90, ge=7, le=730, description="... within this many days")
    new_days: int = Field(30, ge=1, le=365, description="new: first paid order within this many days")
    active_days: int = Field(30, ge=1, le=365,
                             description="active: a paid order within this many days; "
                                         "potential: visited within them without one")


PYRAMID_TIERS = ("loyal", "active", "new", "potential")


def pyramid(wh: Warehouse, as_of_day: int, rules: PyramidRules) -> pd.DataFrame:
    """Users per tier (top down): loyal, active, new, potential."""
    frame = wh.query(f"""
        WITH buyers AS (
            SELECT user_id, MIN(paid_day) AS first_paid,
                   SUM(CASE WHEN paid_day > :asof - :loyal_days THEN 1 ELSE 0 END) AS recent_orders,
                   MAX(paid_day) AS last_paid
            FROM orders WHERE {PAID} AND paid_day <= :asof GROUP BY user_id),
        visitors AS (SELECT DISTINCT user_id FROM events
                     WHERE event_day BETWEEN :asof - :active_days + 1 AND :asof),
        people AS (SELECT COALESCE(b.user_id, v.user_id) AS user_id, b.first_paid, b.recent_orders,
                          b.last_paid
                   FROM buyers b FULL OUTER JOIN visitors v ON v.user_id = b.user_id)
        SELECT tier, COUNT(*) AS users FROM (
            SELECT CASE
                WHEN recent_orders >= :loyal_orders THEN 'loyal'
                WHEN first_paid > :asof - :new_days THEN 'new'
                WHEN last_paid > :asof - :active_days THEN 'active'
                ELSE 'potential' END AS tier,
                   last_paid, user_id
            FROM people) t
        WHERE tier <> 'potential' OR user_id IN (SELECT user_id FROM visitors)
        GROUP BY tier""", {"asof": as_of_day, **rules.model_dump()})
    return (pd.DataFrame({"tier": PYRAMID_TIERS}).merge(frame, on="tier", how="left")
            .fillna({"users": 0}).astype({"users": "int64"}))
