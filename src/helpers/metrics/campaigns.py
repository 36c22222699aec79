"""Campaign evaluation inputs in portable SQL: campaigns, scorecards, experiment users, daily
series with calendar regressors, campaign-type specifics and the channel table.

Who a campaign's *participants* are is defined once (`_participants`): users with an event tagged
with the campaign, users with a paid order attributed to it, and, when the campaign targets one
acquisition channel, the users that channel brought in during the campaign; for a randomized
campaign, only those in a non-control variant. Scorecards, repeat purchase and CAC all use it.
The statistics live in `helpers.stats`; this module only counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from helpers.core.warehouse import Warehouse, day_number, day_to_date
from helpers.core.sql import PAID

ALL_CHANNELS = {"all", "全部", "*", ""}
CONTROL = "control"
UNFOLLOW_EVENT = "unfollow"
DailyMetric = Literal["orders", "gmv", "new_users", "active_users"]
GROUP_COLUMNS = ("channel", "scene", "gender", "age_band", "province", "city", "platform",
                 "is_follower")


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
        return day_to_date(self.start_day)

    @property
    def end(self) -> date | None:
        return None if self.end_day is None else day_to_date(self.end_day)

    @property
    def targets_channel(self) -> bool:
        """The campaign names one acquisition channel (not 'all')."""
        return bool(self.channel) and self.channel.lower() not in ALL_CHANNELS

    def last_day(self, as_of: int) -> int:
        """Last day analysed: the campaign's end, or `as_of` while it is still running."""
        return as_of if self.end_day is None else min(self.end_day, as_of)

    def running(self, as_of: int) -> bool:
        return self.end_day is None or self.end_day > as_of

    def days(self, as_of: int) -> int:
        return self.last_day(as_of) - self.start_day + 1


def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


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
            str(r.campaign_id), _none(r.name) or str(r.campaign_id), _none(r.type) or "other",
            _none(r.channel), int(r.start_day),
            None if _none(r.end_day) is None else int(r.end_day),
            _none(r.cost), _none(r.budget), _none(r.target_metric), _none(r.target_value),
            _none(r.holdout)))
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

def _participants(wh: Warehouse, c: Campaign, randomized: bool) -> str:
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


def _params(c: Campaign, lo: int, hi: int) -> dict[str, Any]:
    return {"cid": c.campaign_id, "lo": lo, "hi": hi, "channel": c.channel or ""}


def scorecard(wh: Warehouse, c: Campaign, as_of: int, randomized: bool) -> dict[str, float | None]:
    """Reach, participants, new users, conversions, orders, GMV, cost, CAC and attributed ROAS of
    one campaign from its start to its end (or `as_of`)."""
    lo, hi = c.start_day, c.last_day(as_of)
    params = _params(c, lo, hi)
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
        WITH p AS (SELECT DISTINCT user_id FROM ({_participants(wh, c, randomized)}) x),
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
        "gmv": float(_none(row.gmv) or 0.0) if has_orders else None, "cost": cost,
    }
    out["conversion_rate"] = _ratio(out["conversions"], out["reach"])
    out["cac"] = _ratio(cost, out["new_users"])
    out["roas_attributed"] = _ratio(out["gmv"], cost)
    out.update(paid_media(wh, c, as_of))
    return out


def _ratio(num: float | None, den: float | None) -> float | None:
    return None if num is None or not den else num / den


def paid_media(wh: Warehouse, c: Campaign, as_of: int) -> dict[str, float | None]:
    """Impressions and clicks of spend rows tagged with the campaign (KOL posts, ads)."""
    if not wh.has("spend", "campaign_id"):
        return {"impressions": None, "clicks": None}
    row = wh.query("SELECT SUM(impressions) AS impressions, SUM(clicks) AS clicks FROM spend "
                   "WHERE campaign_id = :cid AND day BETWEEN :lo AND :hi",
                   {"cid": c.campaign_id, "lo": c.start_day, "hi": c.last_day(as_of)}).iloc[0]
    return {"impressions": _none(row.impressions), "clicks": _none(row.clicks)}


def target_actual(card: dict[str, float | None], target_metric: str | None,
                  treatment_conversion: float | None = None) -> float | None:
    """The scorecard value a campaign's target_metric refers to (None when not supported)."""
    if target_metric == "conversion":
        return treatment_conversion if treatment_conversion is not None else card["conversion_rate"]
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
        ORDER BY a.d0, a.variant""", params)
    for column in frame.columns.drop(["variant"]):
        frame[column] = frame[column].astype(float)
    if not tracks_unfollows:
        frame["unfollowed"] = np.nan
    return frame


# ---------------------------------------------------------------------------------------------
# Daily series and regressors for the counterfactual model
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UserGroup:
    """Users whose `column` (a users column) is (or, with exclude, is not) one of `values`."""

    column: str
    values: tuple[str, ...]
    exclude: bool = False

    def sql(self) -> tuple[str, dict[str, str]]:
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


# ---------------------------------------------------------------------------------------------
# Campaign-type specifics
# ---------------------------------------------------------------------------------------------

def tagged_events(wh: Warehouse, c: Campaign, as_of: int) -> pd.DataFrame:
    """Events tagged with the campaign: event, users, events, buyers (of those users, how many
    placed a paid order in the campaign after their first such event), buyer_rate."""
    if not wh.has("events", "campaign_id"):
        return pd.DataFrame(columns=["event", "users", "events", "buyers", "buyer_rate"])
    buyers = (f"""SUM(CASE WHEN EXISTS (SELECT 1 FROM orders o WHERE o.user_id = t.user_id
                  AND {PAID} AND o.paid_sec >= t.first_sec AND o.paid_day <= :hi)
                  THEN 1 ELSE 0 END)""" if wh.has("orders") else "NULL")
    frame = wh.query(f"""
        WITH t AS (SELECT event, user_id, MIN(event_sec) AS first_sec, COUNT(*) AS n
                   FROM events WHERE campaign_id = :cid AND event_day BETWEEN :lo AND :hi
                   GROUP BY event, user_id)
        SELECT t.event, COUNT(*) AS users, SUM(t.n) AS events, {buyers} AS buyers
        FROM t GROUP BY t.event ORDER BY users DESC""", _params(c, c.start_day, c.last_day(as_of)))
    frame["buyer_rate"] = frame["buyers"] / frame["users"]
    return frame


def coupon_stats(wh: Warehouse, c: Campaign, as_of: int, randomized: bool) -> dict[str, float | None]:
    """Claimers (users with a coupon_claim event of the campaign; in a randomized campaign only
    those of non-control variants, its reach), redeemers (claimers with a paid order of the
    campaign carrying a coupon_id), coupon orders, discount given."""
    params = _params(c, c.start_day, c.last_day(as_of))
    claim = ("SELECT DISTINCT user_id FROM events WHERE campaign_id = :cid AND event = 'coupon_claim' "
             "AND event_day BETWEEN :lo AND :hi") if wh.has("events", "campaign_id") else \
        "SELECT user_id FROM users WHERE 1 = 0"
    if randomized:
        claim = (f"SELECT x.user_id FROM ({claim}) x JOIN assignments a ON a.user_id = x.user_id "
                 f"AND a.campaign_id = :cid AND LOWER(a.variant) <> '{CONTROL}'")
    if not wh.has("orders", "coupon_id", "campaign_id"):
        claimers = wh.scalar(f"SELECT COUNT(*) FROM ({claim}) x", params)
        return {"claimers": float(claimers or 0), "redeemers": None, "coupon_orders": None,
                "discount": None}
    discount = "o.discount" if wh.has("orders", "discount") else "NULL"
    row = wh.query(f"""
        WITH cl AS ({claim}),
        co AS (SELECT o.user_id, {discount} AS discount FROM orders o
               WHERE o.campaign_id = :cid AND o.coupon_id IS NOT NULL AND o.paid_day BETWEEN :lo AND :hi
               AND COALESCE(LOWER(o.status), 'paid') = 'paid')
        SELECT (SELECT COUNT(*) FROM cl) AS claimers,
               (SELECT COUNT(DISTINCT co.user_id) FROM co JOIN cl ON cl.user_id = co.user_id) AS redeemers,
               (SELECT COUNT(*) FROM co) AS coupon_orders, (SELECT SUM(discount) FROM co) AS discount""",
                   params).iloc[0]
    return {"claimers": float(row.claimers), "redeemers": float(row.redeemers),
            "coupon_orders": float(row.coupon_orders), "discount": _none(row.discount)}


def group_buy_stats(wh: Warehouse, c: Campaign, as_of: int, min_size: int) -> dict[str, float | None]:
    """Groups started (distinct group_id among the campaign's orders, or among all orders of its
    days when none is attributed), completed (>= min_size paid orders), completion rate, mean
    size of completed groups, and the completed groups' GMV."""
    if not wh.has("orders", "group_id"):
        return {}
    params = {**_params(c, c.start_day, c.last_day(as_of)), "k": min_size}
    attributed = wh.has("orders", "campaign_id") and bool(wh.scalar(
        "SELECT COUNT(*) FROM orders WHERE campaign_id = :cid AND group_id IS NOT NULL", params))
    scope = "AND campaign_id = :cid" if attributed else ""
    row = wh.query(f"""
        WITH g AS (SELECT group_id, SUM(CASE WHEN {PAID} THEN 1 ELSE 0 END) AS members,
                          SUM(CASE WHEN {PAID} THEN amount ELSE 0 END) AS gmv
                   FROM orders WHERE group_id IS NOT NULL AND paid_day BETWEEN :lo AND :hi {scope}
                   GROUP BY group_id)
        SELECT COUNT(*) AS groups,
               SUM(CASE WHEN members >= :k THEN 1 ELSE 0 END) AS completed,
               AVG(CASE WHEN members >= :k THEN members END) AS mean_size,
               SUM(CASE WHEN members >= :k THEN gmv ELSE 0 END) AS completed_gmv
        FROM g""", params).iloc[0]
    groups = float(row.groups)
    return {"groups": groups, "completed_groups": float(_none(row.completed) or 0),
            "completion_rate": _ratio(float(_none(row.completed) or 0), groups),
            "group_size": _none(row.mean_size), "group_gmv": float(_none(row.completed_gmv) or 0)}


def referral_stats(wh: Warehouse, c: Campaign, as_of: int, cost: float | None
                   ) -> dict[str, float | None]:
    """Fission/referral: inviters (users with a share event during the campaign), invites (those
    share events), joins (new users of the campaign days with a referrer_id), K-factor = joins /
    inviters (new users per inviting user), cost per new user = cost / joins."""
    params = _params(c, c.start_day, c.last_day(as_of))
    shares = wh.query("SELECT COUNT(*) AS invites, COUNT(DISTINCT user_id) AS inviters FROM events "
                      "WHERE event = 'share' AND event_day BETWEEN :lo AND :hi", params).iloc[0]
    joins = (wh.scalar("SELECT COUNT(*) FROM users WHERE referrer_id IS NOT NULL "
                       "AND first_seen_day BETWEEN :lo AND :hi", params)
             if wh.has("users", "referrer_id") else None)
    inviters = float(shares.inviters)
    return {"inviters": inviters, "invites": float(shares.invites),
            "joins": None if joins is None else float(joins),
            "k_factor": _ratio(None if joins is None else float(joins), inviters),
            "cost_per_join": _ratio(cost, None if joins is None else float(joins))}


def repeat_purchase(wh: Warehouse, c: Campaign, as_of: int, window_days: int, randomized: bool
                    ) -> pd.DataFrame:
    """Repeat purchase of the users the campaign brought in against organic users of the same days.

    Campaign-acquired: participants first seen during the campaign; organic: the other users first
    seen during those days. Among those with a paid order during the campaign whose first such
    order is at least `window_days` before `as_of` (observable), the share with another paid order
    within `window_days` after it. Columns: group (campaign / organic), buyers, repeaters.
    """
    if not wh.has("orders"):
        return pd.DataFrame(columns=["group", "buyers", "repeaters"])
    params = {**_params(c, c.start_day, c.last_day(as_of)), "w": window_days, "asof": as_of}
    return wh.query(f"""
        WITH p AS (SELECT DISTINCT user_id FROM ({_participants(wh, c, randomized)}) x),
        nu AS (SELECT u.user_id, CASE WHEN p.user_id IS NULL THEN 'organic' ELSE 'campaign' END AS grp
               FROM users u LEFT JOIN p ON p.user_id = u.user_id
               WHERE u.first_seen_day BETWEEN :lo AND :hi),
        po AS (SELECT o.user_id, o.paid_sec, o.paid_day FROM orders o WHERE {PAID}),
        first_order AS (SELECT nu.user_id, nu.grp, MIN(po.paid_sec) AS t1, MIN(po.paid_day) AS d1
                        FROM nu JOIN po ON po.user_id = nu.user_id
                        WHERE po.paid_day BETWEEN :lo AND :hi GROUP BY nu.user_id, nu.grp)
        SELECT f.grp AS "group", COUNT(*) AS buyers,
               SUM(CASE WHEN EXISTS (SELECT 1 FROM po WHERE po.user_id = f.user_id
                    AND po.paid_sec > f.t1 AND po.paid_day <= f.d1 + :w) THEN 1 ELSE 0 END) AS repeaters
        FROM first_order f WHERE f.d1 + :w <= :asof
        GROUP BY f.grp ORDER BY f.grp""", params)


# ---------------------------------------------------------------------------------------------
# Channels
# ---------------------------------------------------------------------------------------------

def channels(wh: Warehouse, lo: int, hi: int) -> pd.DataFrame:
    """Per channel for [lo, hi]: spend, impressions, clicks, new users (users.channel), new users
    converted (a paid order in the period), and paid orders, buyers and revenue credited by
    first touch (the buyer's acquisition channel, users.channel) and by last touch (orders.channel).
    """
    params = {"lo": lo, "hi": hi}
    frames = []
    if wh.has("spend"):
        frames.append(wh.query("""
            SELECT channel, SUM(cost) AS spend, SUM(impressions) AS impressions, SUM(clicks) AS clicks
            FROM spend WHERE day BETWEEN :lo AND :hi GROUP BY channel""", params))
    has_orders = wh.has("orders")
    converted = (f"""SUM(CASE WHEN EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.user_id
                     AND {PAID} AND o.paid_day BETWEEN :lo AND :hi) THEN 1 ELSE 0 END)"""
                 if has_orders else "NULL")
    frames.append(wh.query(f"""
        SELECT COALESCE(u.channel, 'unknown') AS channel, COUNT(*) AS new_users,
               {converted} AS new_converted
        FROM users u WHERE u.first_seen_day BETWEEN :lo AND :hi
        GROUP BY COALESCE(u.channel, 'unknown')""", params))
    if has_orders:
        paid = f"(SELECT * FROM orders WHERE {PAID} AND paid_day BETWEEN :lo AND :hi)"
        frames.append(wh.query(f"""
            SELECT COALESCE(u.channel, 'unknown') AS channel, COUNT(*) AS ft_orders,
                   COUNT(DISTINCT o.user_id) AS ft_buyers, SUM(o.amount) AS ft_revenue
            FROM {paid} o LEFT JOIN users u ON u.user_id = o.user_id
            GROUP BY COALESCE(u.channel, 'unknown')""", params))
        if wh.has("orders", "channel"):
            frames.append(wh.query(f"""
                SELECT COALESCE(o.channel, 'unknown') AS channel, COUNT(*) AS lt_orders,
                       COUNT(DISTINCT o.user_id) AS lt_buyers, SUM(o.amount) AS lt_revenue
                FROM {paid} o GROUP BY COALESCE(o.channel, 'unknown')""", params))
    out = frames[0]
    for frame in frames[1:]:
        out = out.merge(frame, on="channel", how="outer")
    for column in ("spend", "impressions", "clicks", "ft_orders", "ft_buyers", "ft_revenue",
                   "lt_orders", "lt_buyers", "lt_revenue", "new_users", "new_converted"):
        if column not in out:
            out[column] = np.nan
    out = out.astype({c: "float64" for c in out.columns if c != "channel"})
    counts = ["new_users", "ft_orders", "ft_buyers", "ft_revenue", "lt_orders", "lt_buyers",
              "lt_revenue"]
    present = [c for c in counts if out[c].notna().any()]
    out[present] = out[present].fillna(0.0)
    return out.sort_values(["spend", "ft_revenue"], ascending=False, na_position="last"
                           ).reset_index(drop=True)
