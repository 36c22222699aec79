"""Referral and fission: who came by invitation, who invites, how deep chains go, viral K."""

from __future__ import annotations

import hashlib

import pandas as pd

from helpers.core.sql import week_start
from helpers.core.warehouse import Warehouse, day_to_date
from helpers.render import privacy

MAX_DEPTH = 50


def referral_share(wh: Warehouse, first_day: int, last_day: int) -> float | None:
    """Share of the period's new users with a referrer_id (report-outputs `referral_share`)."""
    row = wh.query("""
        SELECT COUNT(*) AS n, SUM(CASE WHEN referrer_id IS NULL THEN 0 ELSE 1 END) AS referred
        FROM users WHERE first_seen_day BETWEEN :lo AND :hi""", {"lo": first_day, "hi": last_day}).iloc[0]
    return float(row.referred / row.n) if row.n else None


def invites(wh: Warehouse, first_day: int, last_day: int) -> pd.DataFrame:
    """Per referrer, the new users of the range they brought: referrer_id, invites and listable
    (False when the referrer refused analytics consent: counted in totals, never listed)."""
    frame = wh.query("""
        SELECT n.referrer_id, COUNT(*) AS invites,
               MIN(CASE WHEN COALESCE(r.consent, TRUE) THEN 1 ELSE 0 END) AS listable
        FROM users n LEFT JOIN users r ON r.user_id = n.referrer_id
        WHERE n.first_seen_day BETWEEN :lo AND :hi AND n.referrer_id IS NOT NULL
        GROUP BY n.referrer_id""", {"lo": first_day, "hi": last_day})
    return frame.astype({"listable": bool})


def chain_depth(links: pd.DataFrame) -> pd.Series:
    """Depth of every referred user in its invitation chain (1 = invited by someone who was not
    invited). `links` has user_id and referrer_id (user-level rows, not events); cycles stop at
    MAX_DEPTH."""
    parent = dict(zip(links["user_id"], links["referrer_id"], strict=True))
    depth = {u: 1 for u in parent}
    frontier = {u: parent[u] for u in parent}
    for _ in range(MAX_DEPTH):
        frontier = {u: parent[p] for u, p in frontier.items() if p in parent}
        if not frontier:
            break
        for u in frontier:
            depth[u] += 1
    return pd.Series(depth, name="depth")


def depth_distribution(wh: Warehouse, first_day: int, last_day: int) -> pd.DataFrame:
    """Chain depth of the range's referred new users: depth, users."""
    links = wh.query("SELECT user_id, referrer_id FROM users WHERE referrer_id IS NOT NULL")
    recent = wh.query("""SELECT user_id FROM users WHERE referrer_id IS NOT NULL
                         AND first_seen_day BETWEEN :lo AND :hi""", {"lo": first_day, "hi": last_day})
    depth = chain_depth(links).reindex(recent["user_id"]).dropna().astype(int)
    return depth.value_counts().sort_index().rename_axis("depth").reset_index(name="users")


def weekly_k(wh: Warehouse, first_week_day: int, last_week_day: int) -> pd.DataFrame:
    """Per ISO week: referred new users, active users and K = referred new users / active users
    (new users each active user brought that week)."""
    frame = wh.query(f"""
        WITH r AS (SELECT {week_start('first_seen_day')} AS wk, COUNT(*) AS referred FROM users
                   WHERE referrer_id IS NOT NULL AND first_seen_day BETWEEN :lo AND :hi + 6
                   GROUP BY {week_start('first_seen_day')}),
             a AS (SELECT wk, COUNT(*) AS active FROM
                       (SELECT DISTINCT user_id, {week_start('event_day')} AS wk FROM events
                        WHERE event_day BETWEEN :lo AND :hi + 6) x GROUP BY wk)
        SELECT a.wk, COALESCE(r.referred, 0) AS referred, a.active
        FROM a LEFT JOIN r ON r.wk = a.wk ORDER BY a.wk""", {"lo": first_week_day, "hi": last_week_day})
    # every week of the range that lies in the data, so the last row is the range's last week;
    # a week without active users has no K
    first, last = wh.meta["first_day"], wh.meta["last_day"]
    weeks = [w for w in range(first_week_day, last_week_day + 1, 7) if w + 6 >= first and w <= last]
    frame = frame.set_index("wk").reindex(weeks).astype("float64").fillna({"referred": 0, "active": 0})
    frame["k"] = frame["referred"] / frame["active"].where(frame["active"] > 0)
    frame.insert(0, "week", [day_to_date(d) for d in frame.index])
    return frame.reset_index(drop=True)


def pseudonym(user_id: str, salt: str) -> str:
    """A short, stable-per-dataset alias: reports never show user ids."""
    return "R-" + hashlib.sha256(f"{salt}|{user_id}".encode()).hexdigest()[:6].upper()


def top_referrers(counts: pd.DataFrame, n: int, salt: str) -> pd.DataFrame:
    """The `n` listable referrers (`invites`) with most invites, by pseudonym only: a referrer who
    refused analytics consent is never listed, not even by pseudonym."""
    listed = counts[counts["listable"].astype(bool)]
    top = listed.sort_values(["invites", "referrer_id"], ascending=[False, True]).head(n)
    return pd.DataFrame({"referrer": [pseudonym(u, salt) for u in top["referrer_id"]],
                         "invites": top["invites"].to_numpy()})


def invite_summary(counts: pd.DataFrame) -> dict[str, float | None]:
    """Referrers, mean invites per referrer (None without referrers) and referrers with two or
    more (the 2+1 chain)."""
    n = len(counts)
    return {"referrers": n,
            "invites_per_referrer": float(counts["invites"].mean()) if n else None,
            "referrers_2plus": int((counts["invites"] >= 2).sum())}


def depth_shown(depth: pd.DataFrame, k: int) -> tuple[pd.DataFrame, int | None]:
    """The chain-depth distribution as the report may show it (privacy): deep levels of fewer than
    k users folded into the level before ("3+"), then levels under k left out (with complementary
    suppression, the total being the week's referred new users). Returns the rows with `depth` as
    labels, and the longest chain's depth when it can be named (nothing was folded and its level
    is shown), else None."""
    coded, folded = privacy.top_code(depth.reset_index(drop=True), "users", k)
    labels = coded["depth"].astype(str)
    if folded:
        labels.iloc[-1] += "+"
    shown, _ = privacy.large_only(coded.assign(depth=labels), "users", k, total=True)
    named = not folded and len(shown) and shown.index[-1] == coded.index[-1]
    return shown, int(coded["depth"].iloc[-1]) if named else None
