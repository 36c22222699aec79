"""Sessions on the visit days, the A/B test's assignment, the purchase funnel and the events."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.sample.acquisition import Users
from helpers.sample.world import (
    AB_PAY_MULTIPLIER,
    CHANNEL_SCENES,
    CHANNELS,
    EVENT_KINDS,
    LIVE_CART_MULTIPLIER,
    PAGES,
    RETURN_SCENES,
    SECONDS_PER_DAY,
    World,
    probabilities,
)


@dataclass
class Sessions:
    """One row per session, sorted by user and start."""

    user: np.ndarray
    day: np.ndarray
    start: np.ndarray  # epoch seconds
    scene: np.ndarray
    is_signup: np.ndarray  # the new user's first session
    article: np.ndarray  # index of the readable article on the session's day (-1: none)
    reads: np.ndarray  # opened from a fresh article

    @property
    def n(self) -> int:
        """Number of sessions."""
        return len(self.user)


@dataclass
class Assignment:
    """The A/B test: users with a session in the test window, assigned at their first such session."""

    first: np.ndarray  # per session: the user's assignment session
    users: np.ndarray  # assigned user indices, in assignment order
    treated_user: np.ndarray  # per user
    in_test: np.ndarray  # per session: from the assignment onwards
    treated: np.ndarray  # per session: in the test and treated


@dataclass
class Funnel:
    """Per-session funnel probabilities and outcomes. The live campaign (no control group) raises
    add-to-cart on its days, the A/B treatment's coupon raises the chance that a checkout is paid."""

    live: np.ndarray
    cart_base: np.ndarray  # add-to-cart probability without the live campaign
    cart_p: np.ndarray
    checkout_p: float
    pay_base: np.ndarray  # pay probability under control
    pay_treat: np.ndarray  # pay probability under treatment
    cart: np.ndarray
    checkout: np.ndarray
    pay: np.ndarray
    incremental: np.ndarray  # paid only because of the live campaign (same draws, effect removed)


@dataclass
class Events:
    """One row per event (sorted by session and time), plus which sessions viewed the live room."""

    session: np.ndarray
    time: np.ndarray  # epoch seconds
    kind: np.ndarray
    page: np.ndarray
    duration: np.ndarray  # seconds on page views, NaN otherwise
    article: np.ndarray
    campaign: np.ndarray
    live_view: np.ndarray  # per session


def sessions(w: World, users: Users, visit_user: np.ndarray, visit_day: np.ndarray,
             readable: np.ndarray) -> Sessions:
    """Sessions: one or more per visit day; a new user's first session starts at first_seen_at.
    Followers sometimes open the mini-program from a fresh article."""
    rng = w.rng
    names = list(CHANNELS)
    extra = rng.poisson(0.4 * np.minimum(users.engagement[visit_user], 2.5))
    s_user = np.repeat(visit_user, 1 + extra)
    s_day = np.repeat(visit_day, 1 + extra)
    s_start = w.day0 + s_day * SECONDS_PER_DAY + w.seconds_in_day(len(s_user))
    signup_day = s_day == users.first_day[s_user]
    s_start = np.where(signup_day, np.maximum(s_start, users.first_sec[s_user]), s_start)
    order = np.lexsort((s_start, s_user))
    s_user, s_day, s_start = s_user[order], s_day[order], s_start[order]
    first_of_user = np.r_[True, s_user[1:] != s_user[:-1]]
    is_signup = first_of_user & (s_day == users.first_day[s_user])
    s_start = np.where(is_signup, users.first_sec[s_user], s_start)
    n_s = len(s_user)
    ret_scenes, ret_p = probabilities(RETURN_SCENES)
    user_scene = np.array([CHANNEL_SCENES[names[c]][0] for c in users.channel])
    s_scene = np.where(is_signup, user_scene[s_user], rng.choice(ret_scenes, size=n_s, p=ret_p))
    art = readable[s_day]
    reads = (art >= 0) & users.is_follower[s_user] & (rng.random(n_s) < 0.18) & ~is_signup
    s_scene = np.where(reads, 1058, s_scene)
    return Sessions(s_user, s_day, s_start, s_scene, is_signup, art, reads)


def assign(w: World, users: Users, s: Sessions) -> Assignment:
    """Assign users to the A/B test at their first session in its window, half to treatment."""
    ab = w.in_window("CAB", s.day)
    idx_ab = np.flatnonzero(ab)
    ab_first = np.zeros(s.n, bool)
    ab_first[idx_ab[np.r_[True, s.user[idx_ab][1:] != s.user[idx_ab][:-1]]] if len(idx_ab) else []] = True
    assigned_users = s.user[ab_first]
    is_assigned = np.zeros(users.n, bool)
    is_assigned[assigned_users] = True
    treated_user = np.zeros(users.n, bool)
    treated_user[assigned_users] = w.rng.random(len(assigned_users)) < 0.5
    in_test = ab & is_assigned[s.user]
    return Assignment(ab_first, assigned_users, treated_user, in_test, in_test & treated_user[s.user])


def funnel(w: World, users: Users, s: Sessions, a: Assignment) -> Funnel:
    """Add-to-cart, checkout and pay per session, with both campaigns' planted effects."""
    rng, n_s = w.rng, s.n
    boost = np.sqrt(w.orders[s.day])
    live = w.in_window("CLIVE", s.day)
    cart_base = np.clip(0.16 * np.sqrt(users.spend[s.user]) * boost * np.where(s.reads, 1.3, 1.0),
                        0, 0.9)
    cart_p = np.clip(cart_base * np.where(live, LIVE_CART_MULTIPLIER, 1.0), 0, 0.95)
    checkout_p = 0.6
    pay_base = np.clip(0.72 * boost, 0, 0.97)
    pay_treat = np.clip(pay_base * AB_PAY_MULTIPLIER, 0, 0.99)
    pay_p = np.where(a.treated, pay_treat, pay_base)
    u_cart, u_chk, u_pay = rng.random(n_s), rng.random(n_s), rng.random(n_s)
    cart = u_cart < cart_p
    checkout = cart & (u_chk < checkout_p)
    pay = checkout & (u_pay < pay_p)
    incremental = pay & ~(u_cart < cart_base) & live
    return Funnel(live, cart_base, cart_p, checkout_p, pay_base, pay_treat, cart, checkout, pay,
                  incremental)


def events(w: World, s: Sessions, a: Assignment, f: Funnel, article_ids: list[str]) -> Events:
    """Events: per session, counts of each kind in EVENT_KINDS order, then timed one after another."""
    rng, n_s = w.rng, s.n
    n_pv = np.where(rng.random(n_s) < 0.33, 1, 2 + rng.geometric(0.35, n_s))
    share = rng.random(n_s) < 0.06 * np.where(w.in_window("CFIS", s.day), 2.0, 1.0)
    live_view = f.live & (rng.random(n_s) < 0.2)
    counts = np.column_stack([np.ones(n_s, int), s.reads, a.first & a.treated_user[s.user], live_view,
                              np.where(f.cart, np.maximum(n_pv, 2), n_pv), share, f.cart, f.checkout,
                              f.pay]).astype(int)
    n_ev = counts.sum(1)
    kind_idx = np.repeat(np.tile(np.arange(len(EVENT_KINDS)), n_s), counts.ravel())
    kinds = np.array(EVENT_KINDS)[kind_idx]
    e_sess = np.repeat(np.arange(n_s), n_ev)
    gaps = rng.exponential(35.0, len(e_sess)).astype(int) + 2
    gaps[np.r_[0, np.cumsum(n_ev)[:-1]]] = 0
    e_time = s.start[e_sess] + _group_cumsum(gaps, n_ev)
    is_pv = kinds == "page_view"
    page_names, page_p = probabilities(PAGES)
    page = np.where(is_pv, np.array(page_names)[rng.choice(len(page_names), size=len(e_sess),
                                                               p=page_p)], None)
    first_pv = is_pv & np.r_[True, kinds[:-1] != "page_view"]
    landing = np.select([live_view, s.reads], ["pages/live/room", "pages/article/webview"],
                        "pages/index/index")
    page = np.where(first_pv, landing[e_sess], page)
    page = np.where(kinds == "add_to_cart", "pages/product/detail", page)
    page = np.where(np.isin(kinds, ["checkout", "pay"]), "pages/order/confirm", page)
    duration = np.where(is_pv, np.round(rng.lognormal(3.2, 0.8, len(e_sess)), 1), np.nan)
    e_article = np.where(kinds == "read_article",
                         np.array([*article_ids, None], dtype=object)[s.article[e_sess]], None)
    e_campaign = np.select([kinds == "coupon_claim", kinds == "live_view"], ["CAB", "CLIVE"], None)
    return Events(e_sess, e_time, kinds, page, duration, e_article, e_campaign, live_view)


def _group_cumsum(values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Cumulative sums restarting at each group of `sizes` consecutive values."""
    total = np.cumsum(values)
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    return total - np.r_[0, total][starts]
