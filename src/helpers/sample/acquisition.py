"""Marketing spend, users (signups, referral chains, profiles) and the days each user visits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from helpers.sample.world import (
    AGE_BANDS,
    CHANNEL_SCENES,
    CHANNELS,
    CITIES,
    GENDERS,
    PLATFORMS,
    PRE_EXISTING_DAILY,
    PRE_EXISTING_SHARE,
    SECONDS_PER_DAY,
    World,
    probabilities,
    timestamps,
)

SPEND_COLUMNS = ("date", "channel", "campaign_id", "cost", "impressions", "clicks")


def spend(w: World) -> tuple[pa.Table, np.ndarray]:
    """Daily spend by channel; returns the table and the moments-ads spend curve (drives signups)."""
    rng, n = w.rng, w.n_days
    t = np.arange(n)
    ads = 400 * (1 + 0.25 * np.sin(2 * np.pi * t / 45)) * rng.lognormal(0, 0.1, n)
    for cid in ("C618", "C1111"):
        ads = np.where(w.in_window(cid, t), ads * 1.8, ads)
    rows: dict[str, list[Any]] = {k: [] for k in SPEND_COLUMNS}
    everyday = np.ones(n, bool)
    _add_spend(w, rows, everyday, "moments_ads", ads, None, 35.0, 0.012)
    _add_spend(w, rows, everyday, "search", 150 * rng.lognormal(0, 0.15, n), None, 60.0, 0.065)
    _add_spend(w, rows, everyday, "offline", np.full(n, 100.0), None, None, None)
    for cid, channel, cpm, ctr in (("CFIS", "referral", None, None), ("CKOL", "kol", 25.0, 0.02)):
        win = w.in_window(cid, t)
        if win.any():
            total = next(c[6] for c in w.campaigns if c[0] == cid)
            _add_spend(w, rows, win, channel, np.full(n, total / win.sum()), cid, cpm, ctr)
    table = pa.table({
        "date": pa.array(rows["date"], pa.date32()),
        "channel": pa.array(rows["channel"], pa.string()),
        "campaign_id": pa.array(rows["campaign_id"], pa.string()),
        "cost": pa.array(rows["cost"], pa.float64()),
        "impressions": pa.array(rows["impressions"], pa.int64()),
        "clicks": pa.array(rows["clicks"], pa.int64()),
    })
    return table, ads / ads.mean()


def _add_spend(w: World, rows: dict[str, list[Any]], mask: np.ndarray, channel: str, cost: np.ndarray,
               campaign: str | None, cpm: float | None, ctr: float | None) -> None:
    """Append one spend row per day of `mask`; impressions and clicks are drawn day by day."""
    rng = w.rng
    for i in np.flatnonzero(mask):
        rows["date"].append(w.day_date(i))
        rows["channel"].append(channel)
        rows["campaign_id"].append(campaign)
        rows["cost"].append(round(float(cost[i]), 2))
        imp = None if cpm is None else int(cost[i] / cpm * 1000 * rng.lognormal(0, 0.05))
        rows["impressions"].append(imp)
        rows["clicks"].append(None if imp is None or ctr is None else int(rng.binomial(imp, ctr)))


@dataclass
class Users:
    """The latent per-user quantities the later steps draw behaviour from."""

    n: int
    channel: np.ndarray  # index into CHANNELS
    first_day: np.ndarray  # day index; negative for users first seen before the window
    first_sec: np.ndarray  # epoch seconds (local wall time)
    engagement: np.ndarray
    spend: np.ndarray
    is_follower: np.ndarray
    referrer: np.ndarray  # user index or -1

    @property
    def is_new(self) -> np.ndarray:
        """Users first seen inside the data window."""
        return self.first_day >= 0


def users(w: World, ads_curve: np.ndarray) -> tuple[Users, pa.Table, float]:
    """Users, their table, and the planted probability that a new user came by referral."""
    rng, n = w.rng, w.spec.users
    names = list(CHANNELS)
    first_day, channel, first_sec, referral_p = _signups(w, ads_curve)
    engagement = rng.gamma(2.0, 0.5, n)
    spend_factor = np.array([CHANNELS[c][3] for c in names])[channel]
    spending = rng.gamma(0.8, 1 / 0.8, n) * spend_factor
    follow_p = np.array([CHANNELS[c][4] for c in names])[channel]
    is_follower = rng.random(n) < follow_p
    referrer = _referrers(rng, channel == names.index("referral"))
    found = Users(n, channel, first_day, first_sec, engagement, spending, is_follower, referrer)
    return found, _user_table(rng, found), referral_p


def _signups(w: World, ads_curve: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """First day, channel and first-visit time of every user, sorted by first visit; and the
    planted referral share of new users."""
    rng, n_days = w.rng, w.n_days
    n = w.spec.users
    n_pre = round(n * PRE_EXISTING_SHARE)
    n_new = n - n_pre
    names = list(CHANNELS)
    base = np.array([CHANNELS[c][0] for c in names])
    t = np.arange(n_days)
    boost = np.ones((n_days, len(names)))
    boost[:, names.index("moments_ads")] = ads_curve
    boost[:, names.index("referral")] = np.where(w.in_window("CFIS", t), 2.2, 1.0)
    boost[:, names.index("kol")] = np.where(w.in_window("CKOL", t), 5.0, 0.6)
    boost[:, names.index("share")] = np.where(w.in_window("CGRP", t), 1.5, 1.0)
    intensity = w.acquisition[:, None] * base[None, :] * boost
    cells = rng.choice(intensity.size, size=n_new, p=(intensity / intensity.sum()).ravel())
    referral_p = float(intensity[:, names.index("referral")].sum() / intensity.sum())
    new_day, new_channel = np.divmod(cells, len(names))
    pre_day = -rng.integers(1, 366, size=n_pre)
    pre_channel = rng.choice(len(names), size=n_pre, p=base / base.sum())
    first_day = np.concatenate([pre_day, new_day])
    channel = np.concatenate([pre_channel, new_channel])
    first_sec = w.day0 + first_day * SECONDS_PER_DAY + w.seconds_in_day(n)
    order = np.lexsort((first_sec,))  # users sorted by first visit: referrers precede invitees
    return first_day[order], channel[order], first_sec[order], referral_p


def _referrers(rng: np.random.Generator, is_referral: np.ndarray) -> np.ndarray:
    """Referral chains: each referred user picks an earlier user; a few "super-sharers" (and users
    who were themselves referred) invite far more, which gives 2+1 chains and depth."""
    n = len(is_referral)
    referrer = np.full(n, -1)
    referred = np.flatnonzero(is_referral)
    referred = referred[referred > 0]
    weight = rng.pareto(1.5, n) + 0.05
    weight[is_referral] *= 3
    cum = np.cumsum(weight)
    pick = np.searchsorted(cum, rng.random(len(referred)) * cum[referred - 1], side="right")
    referrer[referred] = np.minimum(pick, referred - 1)
    return referrer


def _user_table(rng: np.random.Generator, users: Users) -> pa.Table:
    """The users table: ids, acquisition and the profile drawn here (gender, age, city...)."""
    n, names = users.n, list(CHANNELS)
    uid = np.char.mod("%012x", rng.choice(2**46, size=n, replace=False))
    _, gp = probabilities(GENDERS)
    _, ap = probabilities(AGE_BANDS)
    cities, cp = probabilities(CITIES)
    _, pp = probabilities(PLATFORMS)
    city = rng.choice(len(cities), size=n, p=cp)
    scenes = np.array([rng.choice(CHANNEL_SCENES[names[c]]) for c in users.channel])
    referrer = users.referrer
    return pa.table({
        "user_id": pa.array(uid, pa.string()),
        "first_seen_at": timestamps(users.first_sec),
        "channel": pa.array(np.array(names)[users.channel], pa.string()),
        "scene": pa.array(scenes, pa.int64()),
        "referrer_id": pa.array(np.where(referrer >= 0, uid[referrer], None), pa.string()),
        "gender": pa.array(np.array(list(GENDERS))[rng.choice(len(gp), size=n, p=gp)], pa.string()),
        "age_band": pa.array(np.array(list(AGE_BANDS))[rng.choice(len(ap), size=n, p=ap)],
                             pa.string()),
        "province": pa.array([cities[i][0] for i in city], pa.string()),
        "city": pa.array([cities[i][1] for i in city], pa.string()),
        "platform": pa.array(np.array(list(PLATFORMS))[rng.choice(len(pp), size=n, p=pp)],
                             pa.string()),
        "is_follower": pa.array(users.is_follower, pa.bool_()),
        "consent": pa.array(rng.random(n) < 0.92, pa.bool_()),
    })


def active_days(w: World, users: Users) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """(user, day) pairs with a visit; also the expected retention curve (the planted truth)."""
    rng, n_days = w.rng, w.n_days
    names = list(CHANNELS)
    a = np.array([CHANNELS[c][1] for c in names])[users.channel]
    b = np.array([CHANNELS[c][2] for c in names])[users.channel]
    new = np.flatnonzero(users.is_new)
    remaining = n_days - 1 - users.first_day[new]
    u = np.repeat(new, remaining)
    k = np.arange(len(u)) - np.repeat(np.cumsum(remaining) - remaining, remaining) + 1
    day = users.first_day[u] + k
    p = np.minimum(1.0, a[u] * k.astype(float) ** -b[u] * users.engagement[u]) * w.activity[day]
    p = np.minimum(p, 1.0)
    visit = rng.random(len(u)) < p
    truth_days = [1, 2, 3, 4, 5, 6, 7, 14, 30]
    expected = {f"d{kk}": round(float(p[k == kk].mean()), 4) for kk in truth_days if (k == kk).any()}

    pre = np.flatnonzero(~users.is_new)
    pu = np.repeat(pre, n_days)
    pday = np.tile(np.arange(n_days), len(pre))
    pp = np.minimum(1.0, PRE_EXISTING_DAILY * users.engagement[pu] * w.activity[pday])
    pvisit = rng.random(len(pu)) < pp
    user = np.concatenate([new, u[visit], pu[pvisit]])
    days = np.concatenate([users.first_day[new], day[visit], pday[pvisit]])
    order = np.lexsort((days, user))
    truth = {
        "form": "P(visit on day k after first seen) = min(1, a_channel * k^-b_channel * engagement) "
                "* day multiplier (weekday, holidays, festivals); engagement ~ Gamma(2, 0.5)",
        "channels": {c: {"a": CHANNELS[c][1], "b": CHANNELS[c][2]} for c in CHANNELS},
        "expected_exact_day": expected,
        "note": "expected_exact_day averages the planted probabilities over all new users whose "
                "day k is inside the data; it is what 'returned on exactly day k' estimates",
    }
    return user[order], days[order], truth
