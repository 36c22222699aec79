"""Campaign-type figures in portable SQL: events tagged with a campaign, coupons, group-buys,
referrals, and the repeat purchase of the users a campaign brought in."""

from __future__ import annotations

import pandas as pd

from helpers.campaigns.queries import CONTROL, Campaign, none_if_nan, participants_sql, ratio, window_params
from helpers.core.sql import PAID
from helpers.core.warehouse import Warehouse


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
        FROM t GROUP BY t.event ORDER BY users DESC""", window_params(c, c.start_day, c.last_day(as_of)))
    frame["buyer_rate"] = frame["buyers"] / frame["users"]
    return frame


def coupon_stats(wh: Warehouse, c: Campaign, as_of: int, randomized: bool) -> dict[str, float | None]:
    """Claimers (users with a coupon_claim event of the campaign; in a randomized campaign only
    those of non-control variants, its reach), redeemers (claimers with a paid order of the
    campaign carrying a coupon_id), coupon orders, discount given."""
    params = window_params(c, c.start_day, c.last_day(as_of))
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
            "coupon_orders": float(row.coupon_orders), "discount": none_if_nan(row.discount)}


def group_buy_stats(wh: Warehouse, c: Campaign, as_of: int, min_size: int) -> dict[str, float | None]:
    """Groups started (distinct group_id among the campaign's orders, or among all orders of its
    days when none is attributed), completed (>= min_size paid orders), completion rate, mean
    size of completed groups, and the completed groups' GMV."""
    if not wh.has("orders", "group_id"):
        return {}
    params = {**window_params(c, c.start_day, c.last_day(as_of)), "k": min_size}
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
    return {"groups": groups, "completed_groups": float(none_if_nan(row.completed) or 0),
            "completion_rate": ratio(float(none_if_nan(row.completed) or 0), groups),
            "group_size": none_if_nan(row.mean_size), "group_gmv": float(none_if_nan(row.completed_gmv) or 0)}


def referral_stats(wh: Warehouse, c: Campaign, as_of: int, cost: float | None
                   ) -> dict[str, float | None]:
    """Fission/referral: inviters (users with a share event during the campaign), invites (those
    share events), joins (new users of the campaign days with a referrer_id), K-factor = joins /
    inviters (new users per inviting user), cost per new user = cost / joins."""
    params = window_params(c, c.start_day, c.last_day(as_of))
    shares = wh.query("SELECT COUNT(*) AS invites, COUNT(DISTINCT user_id) AS inviters FROM events "
                      "WHERE event = 'share' AND event_day BETWEEN :lo AND :hi", params).iloc[0]
    joins = (wh.scalar("SELECT COUNT(*) FROM users WHERE referrer_id IS NOT NULL "
                       "AND first_seen_day BETWEEN :lo AND :hi", params)
             if wh.has("users", "referrer_id") else None)
    inviters = float(shares.inviters)
    return {"inviters": inviters, "invites": float(shares.invites),
            "joins": None if joins is None else float(joins),
            "k_factor": ratio(None if joins is None else float(joins), inviters),
            "cost_per_join": ratio(cost, None if joins is None else float(joins))}


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
    params = {**window_params(c, c.start_day, c.last_day(as_of)), "w": window_days, "asof": as_of}
    return wh.query(f"""
        WITH p AS (SELECT DISTINCT user_id FROM ({participants_sql(wh, c, randomized)}) x),
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
