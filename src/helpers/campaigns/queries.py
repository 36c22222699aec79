"""Campaign evaluation inputs in portable SQL: the campaigns, their scorecards and the users of a
randomized test. Daily series are in `campaigns.series`, campaign-type figures in
`campaigns.type_queries`, the channel table in `campaigns.channel_queries`.

Who a campaign's *participants* are is defined once (`participants_sql`): users with an event
tagged with the campaign, users with a paid order attributed to it, and, when the campaign targets
one acquisition channel, the users that channel brought in during the campaign; for a randomized
campaign, only those in a non-control variant. Scorecards, repeat purchase and CAC all use it.
The statistics live in `helpers.stats`; these modules only count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from helpers.core.kpis import platform_only
from helpers.core.sql import PAID
from helpers.core.warehouse import Warehouse, day_to_date
from helpers.render.catalog import LANGUAGES, entry

# What a campaigns.channel value meaning "every channel" looks like, in either report language.
ALL_CHANNELS = {"*", ""} | {entry("ce_all_channels", language).lower() for language in LANGUAGES}
CONTROL = "control"
UNFOLLOW_EVENT = "unfollow"


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    name: str
    type: str
    channel: str | None
    start_day: int
    end_day: int | None  # None: open-ended
    cost: float | None
    budget: float | None
    target_metric: str | None
    target_value: float | None
    holdout: float | None

    @property
    def start(self) -> date:
        """First day of the campaign."""
        return day_to_date(self.start_day)

    @property
    def end(self) -> date | None:
        """Last planned day (None: open-ended)."""
        return None if self.end_day is None else day_to_date(self.end_day)

    @property
    def targets_channel(self) -> bool:
        """The campaign names one acquisition channel (not 'all')."""
        return bool(self.channel) and self.channel.lower() not in ALL_CHANNELS

    def last_day(self, as_of: int) -> int:
        """Last day analysed: the campaign's end, or `as_of` while it is still running."""
        return as_of if self.end_day is None else min(self.end_day, as_of)

    def running(self, as_of: int) -> bool:
        """Still running after `as_of` (or open-ended)."""
        return self.end_day is None or self.end_day > as_of

    def days(self, as_of: int) -> int:
        """Days analysed: from the start to `last_day`."""
        return self.last_day(as_of) - self.start_day + 1


def none_if_nan(value: Any) -> Any:
    """None for a missing value (None, NaN or pandas' NA of a nullable column) from the warehouse."""
    return None if value is None or ((np.isscalar(value) or value is pd.NA) and pd.isna(value)) else value


def load_campaigns(wh: Warehouse) -> list[Campaign]:
    """Every campaign of the `campaigns` table, oldest first (empty when the table is missing)."""
    if not wh.has("campaigns"):
        return []
    frame = wh.query("""
        SELECT campaign_id, name, type, channel, start_day, end_day, cost, budget, target_metric,
               target_value, holdout
        FROM campaigns ORDER BY start_day, campaign_id""")
    out = []
    for r in frame.itertuples(index=False):
        out.append(Campaign(
            str(r.campaign_id), none_if_nan(r.name) or str(r.campaign_id), none_if_nan(r.type) or "other",
            none_if_nan(r.channel), int(r.start_day),
            None if none_if_nan(r.end_day) is None else int(r.end_day),
            none_if_nan(r.cost), none_if_nan(r.budget), none_if_nan(r.target_metric), none_if_nan(r.target_value),
            none_if_nan(r.holdout)))
    return out


def active(campaigns: list[Campaign], first_day: int, last_day: int) -> list[Campaign]:
    """Campaigns running on at least one day of [first_day, last_day]."""
    return [c for c in campaigns
            if c.start_day <= last_day and (c.end_day is None or c.end_day >= first_day)]


def previous_of_type(campaigns: list[Campaign], c: Campaign) -> Campaign | None:
    """The latest campaign of the same type that ended before `c` started."""
    earlier = [p for p in campaigns if p.type == c.type and p.campaign_id != c.campaign_id
               and p.end_day is not None and p.end_day < c.start_day]
    return max(earlier, key=lambda p: (p.end_day, p.start_day), default=None)


def is_randomized(wh: Warehouse, c: Campaign) -> bool:
    """The campaign has assignments with a `control` variant and at least one other variant."""
    if not wh.has("assignments"):
        return False
    variants = wh.query("SELECT DISTINCT LOWER(variant) AS v FROM assignments WHERE campaign_id = :cid",
                        {"cid": c.campaign_id})["v"].tolist()
    return CONTROL in variants and len(variants) >= 2


def cost_to_date(wh: Warehouse, c: Campaign, as_of: int) -> float | None:
    """Spend rows tagged with the campaign up to `as_of`; otherwise the campaign's cost, pro rata
    to the days elapsed while it is still running (spend assumed even over its planned days)."""
    if wh.has("spend", "campaign_id"):
        tagged = wh.scalar("SELECT SUM(cost) FROM spend WHERE campaign_id = :cid AND day <= :hi",
                           {"cid": c.campaign_id, "hi": as_of})
        if tagged is not None:
            return float(tagged)
    if c.cost is None:
        return None
    if c.end_day is not None and c.running(as_of):
        return c.cost * c.days(as_of) / (c.end_day - c.start_day + 1)
    return c.cost


# ---------------------------------------------------------------------------------------------
# Scorecards
# ---------------------------------------------------------------------------------------------

def participants_sql(wh: Warehouse, c: Campaign, randomized: bool) -> str:
    """SQL selecting the user_id of the campaign's participants in [:lo, :hi] (see module doc)."""
    parts = []
    if wh.has("events", "campaign_id"):
        parts.append("SELECT user_id FROM events WHERE campaign_id = :cid "
                     "AND event_day BETWEEN :lo AND :hi")
    if wh.has("orders", "campaign_id"):
        parts.append(f"SELECT user_id FROM orders WHERE campaign_id = :cid "
                     f"AND paid_day BETWEEN :lo AND :hi AND {PAID}")
    if c.targets_channel and wh.has("users", "channel"):
        parts.append("SELECT user_id FROM users WHERE channel = :channel "
                     "AND first_seen_day BETWEEN :lo AND :hi")
    union = " UNION ".join(parts) or "SELECT user_id FROM users WHERE 1 = 0"
    if not randomized:
        return union
    return (f"SELECT DISTINCT p.user_id FROM ({union}) p JOIN assignments a ON a.user_id = p.user_id "
            f"AND a.campaign_id = :cid AND LOWER(a.variant) <> '{CONTROL}'")


def window_params(c: Campaign, lo: int, hi: int) -> dict[str, Any]:
    """The SQL parameters of a campaign window: :cid, :lo, :hi, :channel."""
    return {"cid": c.campaign_id, "lo": lo, "hi": hi, "channel": c.channel or ""}


def scorecard(wh: Warehouse, c: Campaign, as_of: int, randomized: bool) -> dict[str, float | None]:
    """Reach, participants, new users, conversions, orders, GMV, cost, CAC and attributed ROAS of
    one campaign from its start to its end (or `as_of`); on WeChat's statistics alone, the figures
    that need no users (`aggregate_scorecard`)."""
    if platform_only(wh):
        return aggregate_scorecard(wh, c, as_of)
    lo, hi = c.start_day, c.last_day(as_of)
    params = window_params(c, lo, hi)
    if randomized:
        reach = wh.scalar(f"SELECT COUNT(*) FROM assignments WHERE campaign_id = :cid "
                          f"AND LOWER(variant) <> '{CONTROL}' AND COALESCE(assigned_day, :lo) <= :hi",
                          params)
    else:
        reach = wh.scalar("SELECT COUNT(DISTINCT user_id) FROM events "
                          "WHERE event_day BETWEEN :lo AND :hi", params)
    has_orders = wh.has("orders")
    order_part = (f"""
        po AS (SELECT o.user_id, o.amount FROM (SELECT * FROM orders WHERE {PAID}) o
               JOIN p ON o.user_id = p.user_id WHERE o.paid_day BETWEEN :lo AND :hi),""" if has_orders
                  else "po AS (SELECT user_id, 0.0 AS amount FROM p WHERE 1 = 0),")
    row = wh.query(f"""
        WITH p AS (SELECT DISTINCT user_id FROM ({participants_sql(wh, c, randomized)}) x),
        {order_part}
        n AS (SELECT COUNT(*) AS new_users FROM p JOIN users u ON u.user_id = p.user_id
              WHERE u.first_seen_day BETWEEN :lo AND :hi)
        SELECT (SELECT COUNT(*) FROM p) AS participants, (SELECT new_users FROM n) AS new_users,
               (SELECT COUNT(DISTINCT user_id) FROM po) AS conversions,
               (SELECT COUNT(*) FROM po) AS orders, (SELECT SUM(amount) FROM po) AS gmv""",
                   params).iloc[0]
    cost = cost_to_date(wh, c, as_of)
    out: dict[str, float | None] = {
        "reach": float(reach or 0), "participants": float(row.participants),
        "new_users": float(row.new_users), "conversions": float(row.conversions) if has_orders else None,
        "orders": float(row.orders) if has_orders else None,
        "gmv": float(none_if_nan(row.gmv) or 0.0) if has_orders else None, "cost": cost,
    }
    out["conversion_rate"] = ratio(out["conversions"], out["reach"])
    out["cac"] = ratio(cost, out["new_users"])
    out["roas_attributed"] = ratio(out["gmv"], cost)
    out.update(paid_media(wh, c, as_of))
    return out


def aggregate_scorecard(wh: Warehouse, c: Campaign, as_of: int) -> dict[str, float | None]:
    """The scorecard on WeChat's statistics alone: reach, participants, new users, conversions,
    their orders and GMV, CAC and attributed ROAS all count the people a campaign touched and need
    user-level events, so the card leaves them out (the report says so); it has the cost and the
    tagged paid media. The campaign's effect on the daily totals is the counterfactual's."""
    return {"cost": cost_to_date(wh, c, as_of), **paid_media(wh, c, as_of)}


def ratio(num: float | None, den: float | None) -> float | None:
    """num / den, None when either is missing or den is 0 (a rate that cannot be computed)."""
    return None if num is None or not den else num / den


def paid_media(wh: Warehouse, c: Campaign, as_of: int) -> dict[str, float | None]:
    """Impressions and clicks of spend rows tagged with the campaign (KOL posts, ads)."""
    if not wh.has("spend", "campaign_id"):
        return {"impressions": None, "clicks": None}
    row = wh.query("SELECT SUM(impressions) AS impressions, SUM(clicks) AS clicks FROM spend "
                   "WHERE campaign_id = :cid AND day BETWEEN :lo AND :hi",
                   {"cid": c.campaign_id, "lo": c.start_day, "hi": c.last_day(as_of)}).iloc[0]
    return {"impressions": none_if_nan(row.impressions), "clicks": none_if_nan(row.clicks)}


def target_actual(card: dict[str, float | None], target_metric: str | None,
                  treatment_conversion: float | None = None) -> float | None:
    """The scorecard value a campaign's target_metric refers to (None when not supported)."""
    if target_metric == "conversion":
        return treatment_conversion if treatment_conversion is not None else card.get("conversion_rate")
    return card.get(target_metric or "")


# ---------------------------------------------------------------------------------------------
# Randomized campaigns
# ---------------------------------------------------------------------------------------------

def experiment_users(wh: Warehouse, c: Campaign, as_of: int, covariate_days: int) -> pd.DataFrame:
    """One row per assigned user (no user ids; needs the orders table): variant, assigned_day and,
    from assignment to the end of the test or `as_of`: orders (paid), revenue (paid amount),
    converted (0/1), placed (orders of any status), refunded; the same paid measures over the
    `covariate_days` before assignment (pre_orders, pre_revenue, pre_converted) for CUPED;
    unfollowed (0/1; missing when the events hold no 'unfollow' event)."""
    params = {"cid": c.campaign_id, "lo": c.start_day, "hi": c.last_day(as_of),
              "start_sec": c.start_day * 86_400, "pre": covariate_days, "unfollow": UNFOLLOW_EVENT}
    tracks_unfollows = bool(wh.scalar("SELECT COUNT(*) FROM events WHERE event = :unfollow", params))
    unfollowed = ("""(SELECT COUNT(*) FROM events e WHERE e.user_id = a.user_id AND e.event = :unfollow
                     AND e.event_sec >= a.t0 AND e.event_day <= :hi)""" if tracks_unfollows else "NULL")
    frame = wh.query(f"""
        WITH a AS (
            SELECT user_id, variant, COALESCE(assigned_sec, :start_sec) AS t0,
                   COALESCE(assigned_day, :lo) AS d0
            FROM assignments WHERE campaign_id = :cid AND COALESCE(assigned_day, :lo) <= :hi),
        post AS (
            SELECT a.user_id,
                   SUM(CASE WHEN {PAID} THEN 1 ELSE 0 END) AS orders,
                   SUM(CASE WHEN {PAID} THEN amount ELSE 0 END) AS revenue,
                   COUNT(*) AS placed,
                   SUM(CASE WHEN LOWER(status) = 'refunded' THEN 1 ELSE 0 END) AS refunded
            FROM a JOIN orders o ON o.user_id = a.user_id
            WHERE o.paid_sec >= a.t0 AND o.paid_day <= :hi
            GROUP BY a.user_id),
        pre AS (
            SELECT a.user_id, COUNT(*) AS orders, SUM(amount) AS revenue
            FROM a JOIN (SELECT * FROM orders WHERE {PAID}) o ON o.user_id = a.user_id
            WHERE o.paid_sec < a.t0 AND o.paid_day >= a.d0 - :pre
            GROUP BY a.user_id)
        SELECT a.variant, a.d0 AS assigned_day,
               COALESCE(post.orders, 0) AS orders, COALESCE(post.revenue, 0) AS revenue,
               CASE WHEN COALESCE(post.orders, 0) > 0 THEN 1 ELSE 0 END AS converted,
               COALESCE(post.placed, 0) AS placed, COALESCE(post.refunded, 0) AS refunded,
               COALESCE(pre.orders, 0) AS pre_orders, COALESCE(pre.revenue, 0) AS pre_revenue,
               CASE WHEN COALESCE(pre.orders, 0) > 0 THEN 1 ELSE 0 END AS pre_converted,
               CASE WHEN {unfollowed} > 0 THEN 1 ELSE 0 END AS unfollowed
        FROM a LEFT JOIN post ON post.user_id = a.user_id LEFT JOIN pre ON pre.user_id = a.user_id
        ORDER BY a.d0, a.variant, a.user_id""", params)
    for column in frame.columns.drop(["variant"]):
        frame[column] = frame[column].astype(float)
    if not tracks_unfollows:
        frame["unfollowed"] = np.nan
    return frame

