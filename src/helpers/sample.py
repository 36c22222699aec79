"""Deterministic sample data: a mini-program shop with an official account, and its planted truths.

The generator draws a realistic world from a few latent quantities (per-user engagement and spend,
per-channel retention curves, a business calendar with holidays and shopping festivals) and writes
the contract tables as Parquet, plus `truth.json` with the quantities that analyses should recover:
the retention curve, the referral share, the A/B test's true lift, the no-control campaign's
incremental orders, planted content effects, the unfollow spike and the tracking outage.

Everything is vectorised with numpy; the same seed gives byte-identical tables.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from helpers.core import contract
from helpers.core.calendar import day_calendar
from helpers.core.paths import PACKAGE_DIR, sample_data_dir

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class SampleSpec:
    seed: int = 7
    users: int = 50_000
    days: int = 180
    end: date = date(2026, 11, 22)  # a Sunday: the latest complete ISO week is 2026-W47

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.days - 1)


# ----------------------------------------------------------------------------------------------
# The world's parameters (the planted truths are derived from these)
# ----------------------------------------------------------------------------------------------

# channel: (acquisition share, retention a, retention b, spend factor, follower probability)
CHANNELS: dict[str, tuple[float, float, float, float, float]] = {
    "search": (0.15, 0.32, 0.50, 1.30, 0.25),
    "share": (0.17, 0.30, 0.58, 0.90, 0.20),
    "qr_code": (0.08, 0.26, 0.60, 1.00, 0.30),
    "official_account": (0.12, 0.42, 0.45, 1.20, 0.90),
    "moments_ads": (0.14, 0.18, 0.70, 0.80, 0.10),
    "kol": (0.07, 0.22, 0.62, 1.10, 0.25),
    "referral": (0.16, 0.36, 0.52, 1.00, 0.30),
    "offline": (0.06, 0.28, 0.55, 1.40, 0.35),
    "other": (0.05, 0.20, 0.65, 0.80, 0.15),
}
CHANNEL_SCENES: dict[str, list[int]] = {
    "search": [1005, 1006, 1053],
    "share": [1007, 1008, 1044],
    "qr_code": [1011, 1012, 1047],
    "official_account": [1035, 1074, 1058],
    "moments_ads": [1045, 1084],
    "kol": [1058, 1091, 1036],
    "referral": [1007, 1044],
    "offline": [1011, 1025],
    "other": [1001, 1089, 1023],
}
# Scenes of later visits, and the marketing channel each one counts as for last-touch attribution.
RETURN_SCENES = {1001: 0.30, 1089: 0.24, 1007: 0.10, 1035: 0.07, 1023: 0.05, 1005: 0.07,
                 1074: 0.06, 1058: 0.05, 1011: 0.04, 1045: 0.02}
SCENE_CHANNEL = {1005: "search", 1006: "search", 1053: "search", 1007: "share", 1008: "share",
                 1044: "share", 1011: "qr_code", 1012: "qr_code", 1047: "qr_code", 1025: "offline",
                 1035: "official_account", 1074: "official_account", 1058: "official_account",
                 1091: "official_account", 1045: "moments_ads", 1084: "moments_ads", 1036: "kol"}
PRE_EXISTING_SHARE = 0.30  # users first seen before the window, active from its first day
PRE_EXISTING_DAILY = 0.05  # their mean daily visit probability
WEEKDAY_ACTIVITY = np.array([0.93, 0.94, 0.96, 0.98, 1.03, 1.11, 1.05])
WEEKDAY_ACQUISITION = np.array([0.95, 0.95, 0.97, 1.00, 1.05, 1.10, 0.98])
HOUR_WEIGHTS = np.array([0.6, 0.3, 0.2, 0.15, 0.15, 0.25, 0.6, 1.2, 2.0, 2.3, 2.4, 2.6, 3.2, 3.0,
                         2.4, 2.3, 2.4, 2.6, 3.0, 3.6, 4.2, 4.5, 3.6, 1.8])
PAGES = {"pages/category/index": 0.22, "pages/product/detail": 0.38, "pages/search/index": 0.10,
         "pages/cart/index": 0.08, "pages/me/index": 0.08, "pages/coupon/list": 0.06,
         "pages/group/detail": 0.05, "pages/article/webview": 0.03}
STATUS_PROBS = {"paid": 0.93, "refunded": 0.055, "cancelled": 0.015}
GENDERS = {"female": 0.58, "male": 0.38, "unknown": 0.04}
AGE_BANDS = {"<18": 0.04, "18-24": 0.22, "25-29": 0.26, "30-39": 0.28, "40-49": 0.13, "50+": 0.07}
PLATFORMS = {"ios": 0.45, "android": 0.53, "other": 0.02}
CITIES = {  # (province, city): weight; a long tail of small cells exercises privacy suppression
    ("广东省", "广州"): 5.0, ("广东省", "深圳"): 6.0, ("广东省", "东莞"): 2.0, ("广东省", "佛山"): 1.5,
    ("浙江省", "杭州"): 5.0, ("浙江省", "宁波"): 2.0, ("江苏省", "南京"): 3.0, ("江苏省", "苏州"): 3.5,
    ("上海市", "上海"): 7.0, ("北京市", "北京"): 6.0, ("四川省", "成都"): 4.5, ("湖北省", "武汉"): 3.5,
    ("山东省", "济南"): 2.0, ("山东省", "青岛"): 2.0, ("福建省", "厦门"): 1.5, ("福建省", "福州"): 1.5,
    ("河南省", "郑州"): 2.5, ("湖南省", "长沙"): 2.5, ("陕西省", "西安"): 2.0, ("重庆市", "重庆"): 3.0,
    ("天津市", "天津"): 1.5, ("安徽省", "合肥"): 1.5, ("辽宁省", "沈阳"): 1.0, ("云南省", "昆明"): 1.0,
    ("广西壮族自治区", "南宁"): 0.8, ("黑龙江省", "哈尔滨"): 0.6, ("贵州省", "贵阳"): 0.6,
    ("海南省", "海口"): 0.4, ("甘肃省", "兰州"): 0.4, ("内蒙古自治区", "呼和浩特"): 0.3,
    ("新疆维吾尔自治区", "乌鲁木齐"): 0.2, ("宁夏回族自治区", "银川"): 0.08, ("青海省", "西宁"): 0.06,
    ("西藏自治区", "拉萨"): 0.04,
}
# Official account: columns with their (read-rate, share-rate) multipliers; one planted winner each.
COLUMNS = {"新品速递": (1.00, 1.00), "穿搭指南": (1.10, 1.00), "会员福利": (1.05, 1.80),
           "品牌故事": (0.85, 0.90), "限时活动": (1.00, 1.10)}
FORMATS = {"article": 0.6, "video": 0.2, "image": 0.15, "audio": 0.05}
PUBLISH_HOURS = {8: 0.25, 12: 0.2, 18: 0.2, 20: 0.25, 21: 0.1}
BEST_PUBLISH_HOUR, BEST_HOUR_READ_MULTIPLIER = 20, 1.3
POSITION_READ_RATE = {1: 0.060, 2: 0.025, 3: 0.015}
READ_DECAY = np.array([0.52, 0.2, 0.08, 0.05, 0.03, 0.025, 0.02] + [0.004] * 23)
FOLLOWER_SOURCES = {"公众号搜索": 9.0, "名片分享": 4.0, "扫描二维码": 6.0, "文章内账号名称": 3.0,
                    "微信广告": 5.0, "他人转载": 2.0, "小程序关注": 7.0, "其他合计": 3.0}
OUTAGE_DATE, OUTAGE_HOURS = date(2026, 11, 21), (9, 17)
UNFOLLOW_SPIKE_DATE, UNFOLLOW_SPIKE_MULTIPLIER = date(2026, 11, 18), 5.0
AB_PAY_MULTIPLIER = 1.25  # treatment's coupon raises the chance that a checkout is paid
LIVE_CART_MULTIPLIER = 1.5  # the no-control live campaign raises add-to-cart on its days
AB_COUPON_VALUE, AB_COUPON_THRESHOLD = 10.0, 59.0

# campaign_id: name, type, channel, start, end, cost, budget, target_metric, target_value, holdout
CAMPAIGNS: list[tuple[Any, ...]] = [
    ("C618", "618 年中大促", "flash_sale", "all", date(2026, 6, 1), date(2026, 6, 18), 60_000.0,
     80_000.0, "gmv", 900_000.0, None),
    ("CFIS", "老带新 2+1 裂变", "fission", "referral", date(2026, 7, 15), date(2026, 8, 15), 25_000.0,
     30_000.0, "new_users", 3_000.0, None),
    ("CGRP", "拼团节", "group_buy", "share", date(2026, 8, 20), date(2026, 8, 31), 12_000.0,
     15_000.0, "orders", 3_500.0, None),
    ("CKOL", "KOL 种草周", "kol", "kol", date(2026, 9, 14), date(2026, 9, 20), 30_000.0, 30_000.0,
     "new_users", 800.0, None),
    ("C1111", "双11 预售", "flash_sale", "all", date(2026, 10, 31), date(2026, 11, 11), 80_000.0,
     100_000.0, "gmv", 1_000_000.0, None),
    ("CAB", "新人券 A/B 测试", "coupon", "all", date(2026, 11, 9), date(2026, 11, 29), 15_000.0,
     20_000.0, "conversion", None, 0.5),
    ("CLIVE", "会员日直播", "live", "official_account", date(2026, 11, 17), date(2026, 11, 20),
     8_000.0, 10_000.0, "orders", 600.0, None),
]


def _p(weights: dict[Any, float]) -> tuple[list[Any], np.ndarray]:
    keys = list(weights)
    w = np.array([weights[k] for k in keys], dtype=float)
    return keys, w / w.sum()


def _seconds(d: date) -> int:
    return (d - date(1970, 1, 1)).days * SECONDS_PER_DAY


def _ts(seconds: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(seconds, dtype="int64").astype("datetime64[s]"), pa.timestamp("s"))


def _ids(prefix: str, n: int, width: int = 6) -> pa.Array:
    return pa.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], pa.string())


class _World:
    """Shared state while generating: the calendar, day multipliers and the random stream."""

    def __init__(self, spec: SampleSpec):
        self.spec = spec
        self.rng = np.random.default_rng(spec.seed)
        cal = day_calendar(spec.start, spec.end)
        self.cal = cal
        self.n_days = len(cal)
        self.day0 = _seconds(spec.start)
        dow = cal["weekday"].to_numpy()
        spring = cal["holiday"].str.contains("Spring Festival|New Year's Eve").to_numpy()
        day_off_holiday = cal["is_day_off"].to_numpy() & (dow < 5)
        festival, presale = cal["festival"].to_numpy(), cal["presale"].to_numpy()
        self.activity = (WEEKDAY_ACTIVITY[dow] * np.where(day_off_holiday, 1.12, 1.0)
                         * np.where(spring, 0.85, 1.0) * np.where(festival != "", 1.3, 1.0)
                         * np.where(presale != "", 1.06, 1.0))
        self.orders = (np.where(festival == "double_11", 3.0, 1.0)
                       * np.where(festival == "618", 2.6, 1.0)
                       * np.where(festival == "double_12", 1.8, 1.0)
                       * np.where(presale != "", 1.22, 1.0) * np.where(spring, 0.5, 1.0)
                       * np.where(day_off_holiday, 1.1, 1.0))
        growth = np.linspace(0.8, 1.2, self.n_days)
        self.acquisition = (growth * WEEKDAY_ACQUISITION[dow] * np.where(festival != "", 1.6, 1.0)
                            * np.where(presale != "", 1.15, 1.0))
        self.campaigns = [c for c in CAMPAIGNS if c[5] >= spec.start and c[4] <= spec.end]

    def day_index(self, d: date) -> int:
        return (d - self.spec.start).days

    def window(self, campaign_id: str) -> tuple[int, int] | None:
        """Day-index range [first, last] of a campaign clipped to the data, or None."""
        for c in self.campaigns:
            if c[0] == campaign_id:
                return max(0, self.day_index(c[4])), min(self.n_days - 1, self.day_index(c[5]))
        return None

    def in_window(self, campaign_id: str, days: np.ndarray) -> np.ndarray:
        w = self.window(campaign_id)
        return np.zeros(len(days), bool) if w is None else (days >= w[0]) & (days <= w[1])

    def seconds_in_day(self, n: int) -> np.ndarray:
        hours = self.rng.choice(24, size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
        return hours * 3600 + self.rng.integers(0, 3600, size=n)


# ----------------------------------------------------------------------------------------------
# Spend and users
# ----------------------------------------------------------------------------------------------

def _spend(w: _World) -> tuple[pa.Table, np.ndarray]:
    """Daily spend by channel; returns the table and the moments-ads spend curve (drives signups)."""
    rng, n = w.rng, w.n_days
    t = np.arange(n)
    ads = 400 * (1 + 0.25 * np.sin(2 * np.pi * t / 45)) * rng.lognormal(0, 0.1, n)
    for cid in ("C618", "C1111"):
        ads = np.where(w.in_window(cid, t), ads * 1.8, ads)
    rows: dict[str, list[Any]] = {k: [] for k in ("date", "channel", "campaign_id", "cost",
                                                  "impressions", "clicks")}

    def add(mask: np.ndarray, channel: str, cost: np.ndarray, campaign: str | None,
            cpm: float | None, ctr: float | None) -> None:
        for i in np.flatnonzero(mask):
            rows["date"].append(w.spec.start + timedelta(days=int(i)))
            rows["channel"].append(channel)
            rows["campaign_id"].append(campaign)
            rows["cost"].append(round(float(cost[i]), 2))
            imp = None if cpm is None else int(cost[i] / cpm * 1000 * rng.lognormal(0, 0.05))
            rows["impressions"].append(imp)
            rows["clicks"].append(None if imp is None or ctr is None else int(rng.binomial(imp, ctr)))

    everyday = np.ones(n, bool)
    add(everyday, "moments_ads", ads, None, 35.0, 0.012)
    add(everyday, "search", 150 * rng.lognormal(0, 0.15, n), None, 60.0, 0.065)
    add(everyday, "offline", np.full(n, 100.0), None, None, None)
    for cid, channel, cpm, ctr in (("CFIS", "referral", None, None), ("CKOL", "kol", 25.0, 0.02)):
        win = w.in_window(cid, t)
        if win.any():
            total = next(c[6] for c in w.campaigns if c[0] == cid)
            add(win, channel, np.full(n, total / win.sum()), cid, cpm, ctr)
    table = pa.table({
        "date": pa.array(rows["date"], pa.date32()),
        "channel": pa.array(rows["channel"], pa.string()),
        "campaign_id": pa.array(rows["campaign_id"], pa.string()),
        "cost": pa.array(rows["cost"], pa.float64()),
        "impressions": pa.array(rows["impressions"], pa.int64()),
        "clicks": pa.array(rows["clicks"], pa.int64()),
    })
    return table, ads / ads.mean()


@dataclass
class _Users:
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
        return self.first_day >= 0


def _users(w: _World, ads_curve: np.ndarray) -> tuple[_Users, pa.Table, float]:
    """Users, their table, and the planted probability that a new user came by referral."""
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
    first_day, channel, first_sec = first_day[order], channel[order], first_sec[order]

    engagement = rng.gamma(2.0, 0.5, n)
    spend_factor = np.array([CHANNELS[c][3] for c in names])[channel]
    spend = rng.gamma(0.8, 1 / 0.8, n) * spend_factor
    follow_p = np.array([CHANNELS[c][4] for c in names])[channel]
    is_follower = rng.random(n) < follow_p

    # Referral chains: each referred user picks an earlier user; a few "super-sharers" (and users
    # who were themselves referred) invite far more, which gives 2+1 chains and depth.
    referrer = np.full(n, -1)
    referred = np.flatnonzero(channel == names.index("referral"))
    referred = referred[referred > 0]
    weight = rng.pareto(1.5, n) + 0.05
    weight[channel == names.index("referral")] *= 3
    cum = np.cumsum(weight)
    pick = np.searchsorted(cum, rng.random(len(referred)) * cum[referred - 1], side="right")
    referrer[referred] = np.minimum(pick, referred - 1)

    uid = np.char.mod("%012x", rng.choice(2**46, size=n, replace=False))
    _, gp = _p(GENDERS)
    _, ap = _p(AGE_BANDS)
    cities, cp = _p(CITIES)
    _, pp = _p(PLATFORMS)
    city = rng.choice(len(cities), size=n, p=cp)
    users = _Users(n, channel, first_day, first_sec, engagement, spend, is_follower, referrer)
    scenes = np.array([rng.choice(CHANNEL_SCENES[names[c]]) for c in channel])
    table = pa.table({
        "user_id": pa.array(uid, pa.string()),
        "first_seen_at": _ts(first_sec),
        "channel": pa.array(np.array(names)[channel], pa.string()),
        "scene": pa.array(scenes, pa.int64()),
        "referrer_id": pa.array(np.where(referrer >= 0, uid[referrer], None), pa.string()),
        "gender": pa.array(np.array(list(GENDERS))[rng.choice(len(gp), size=n, p=gp)], pa.string()),
        "age_band": pa.array(np.array(list(AGE_BANDS))[rng.choice(len(ap), size=n, p=ap)],
                             pa.string()),
        "province": pa.array([cities[i][0] for i in city], pa.string()),
        "city": pa.array([cities[i][1] for i in city], pa.string()),
        "platform": pa.array(np.array(list(PLATFORMS))[rng.choice(len(pp), size=n, p=pp)],
                             pa.string()),
        "is_follower": pa.array(is_follower, pa.bool_()),
        "consent": pa.array(rng.random(n) < 0.92, pa.bool_()),
    })
    return users, table, referral_p


def _retention_params(users: _Users) -> tuple[np.ndarray, np.ndarray]:
    names = list(CHANNELS)
    a = np.array([CHANNELS[c][1] for c in names])[users.channel]
    b = np.array([CHANNELS[c][2] for c in names])[users.channel]
    return a, b


def _active_days(w: _World, users: _Users) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """(user, day) pairs with a visit; also the expected retention curve (the planted truth)."""
    rng, n_days = w.rng, w.n_days
    a, b = _retention_params(users)
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
    per_channel = {c: {"a": CHANNELS[c][1], "b": CHANNELS[c][2]} for c in CHANNELS}

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
        "channels": per_channel,
        "expected_exact_day": expected,
        "note": "expected_exact_day averages the planted probabilities over all new users whose "
                "day k is inside the data; it is what 'returned on exactly day k' estimates",
    }
    return user[order], days[order], truth


# ----------------------------------------------------------------------------------------------
# Official account: followers, articles, article stats
# ----------------------------------------------------------------------------------------------

def _content(w: _World) -> tuple[pa.Table, pa.Table, pa.Table, dict[str, Any], np.ndarray]:
    rng, n_days = w.rng, w.n_days
    start = w.spec.start
    # Push days: most weekdays, a few weekends; 1-3 articles per push.
    dow = w.cal["weekday"].to_numpy()
    push = rng.random(n_days) < np.where(dow < 5, 0.72, 0.2)
    hours, hp = _p(PUBLISH_HOURS)
    cols, cw = list(COLUMNS), np.full(len(COLUMNS), 1 / len(COLUMNS))
    fmts, fp = _p(FORMATS)
    # Follower flow first: recipients of a push are the followers on its day.
    src_names, sw = _p(FOLLOWER_SOURCES)
    base_new = 38.0 * np.linspace(0.9, 1.2, n_days) * w.acquisition / w.acquisition.mean()
    new_f = rng.poisson(base_new[:, None] * sw[None, :])
    n_articles_day = np.where(push, rng.choice([1, 2, 3], size=n_days, p=[0.35, 0.4, 0.25]), 0)
    unfollow_rate = 14.0 + 7.0 * n_articles_day + 7.0 * np.roll(n_articles_day, 1)
    spike = w.day_index(UNFOLLOW_SPIKE_DATE)
    if 0 <= spike < n_days:
        push[spike], n_articles_day[spike] = True, max(n_articles_day[spike], 1)
        for d in (spike, spike + 1):
            if d < n_days:
                unfollow_rate[d] *= UNFOLLOW_SPIKE_MULTIPLIER
    unf = rng.poisson(unfollow_rate[:, None] * sw[None, :])
    cumulative = 18_000 + np.cumsum(new_f.sum(1) - unf.sum(1))
    followers = pa.table({
        "date": pa.array(np.repeat([start + timedelta(days=int(i)) for i in range(n_days)],
                                   len(src_names)), pa.date32()),
        "source": pa.array(np.tile(src_names, n_days), pa.string()),
        "new_followers": pa.array(new_f.ravel(), pa.int64()),
        "unfollows": pa.array(unf.ravel(), pa.int64()),
        "cumulative": pa.array(np.repeat(cumulative, len(src_names)), pa.int64()),
    })

    art: dict[str, list[Any]] = {k: [] for k in ("article_id", "title", "published_at", "column",
                                                 "format", "position", "is_original", "author")}
    stats: dict[str, list[Any]] = {k: [] for k in ("article_id", "date", "recipients", "readers",
                                                   "reads", "sharers", "shares", "favorites",
                                                   "likes", "zaikan", "comments",
                                                   "original_page_readers", "finish_rate")}
    article_day = np.full(n_days, -1)  # newest headline article index published on each day
    titles = {"新品速递": "本周上新：{}", "穿搭指南": "{}穿搭指南", "会员福利": "会员专享：{}",
              "品牌故事": "品牌故事｜{}", "限时活动": "限时 48 小时：{}"}
    topics = ["秋冬外套", "通勤好物", "周末出游", "轻奢配饰", "居家好物", "运动装备", "节日礼物",
              "小个子", "显瘦", "新人礼包"]
    spike_article = None
    idx = 0
    for d in np.flatnonzero(push):
        hour = int(rng.choice(hours, p=hp))
        published = datetime.combine(start + timedelta(days=int(d)), time(hour, int(rng.integers(0, 50))))
        for position in range(1, int(n_articles_day[d]) + 1):
            idx += 1
            aid = f"A{idx:04d}"
            column = cols[int(rng.choice(len(cols), p=cw))]
            art["article_id"].append(aid)
            art["title"].append(titles[column].format(topics[int(rng.integers(len(topics)))]))
            art["published_at"].append(published)
            art["column"].append(column)
            art["format"].append(fmts[int(rng.choice(len(fmts), p=fp))])
            art["position"].append(position)
            art["is_original"].append(bool(rng.random() < 0.8))
            art["author"].append(f"编辑{int(rng.integers(1, 5))}")
            if position == 1:
                article_day[d] = idx - 1
                if d == spike:
                    spike_article = aid
            read_mult, share_mult = COLUMNS[column]
            hour_mult = BEST_HOUR_READ_MULTIPLIER if hour == BEST_PUBLISH_HOUR else 1.0
            read_rate = POSITION_READ_RATE[position] * read_mult * hour_mult * rng.lognormal(0, 0.2)
            share_rate = 0.035 * share_mult * rng.lognormal(0, 0.2)
            recipients = int(cumulative[d])
            readers_total = rng.binomial(recipients, min(read_rate, 1.0))
            span = min(len(READ_DECAY), n_days - d)
            split = rng.multinomial(readers_total, READ_DECAY[:span] / READ_DECAY[:span].sum())
            for offset, readers in enumerate(split):
                sharers = rng.binomial(readers, min(share_rate, 1.0))
                stats["article_id"].append(aid)
                stats["date"].append(start + timedelta(days=int(d + offset)))
                stats["recipients"].append(recipients if offset == 0 else 0)
                stats["readers"].append(int(readers))
                stats["reads"].append(int(readers + rng.poisson(0.25 * readers)))
                stats["sharers"].append(int(sharers))
                stats["shares"].append(int(sharers + rng.poisson(0.25 * sharers)))
                for key, rate in (("favorites", 0.02), ("likes", 0.03), ("zaikan", 0.015),
                                  ("comments", 0.004), ("original_page_readers", 0.03)):
                    stats[key].append(int(rng.binomial(readers, rate)))
                stats["finish_rate"].append(round(float(np.clip(rng.normal(0.55, 0.1), 0, 1)), 3)
                                            if readers else None)
    articles = pa.table({
        "article_id": pa.array(art["article_id"], pa.string()),
        "title": pa.array(art["title"], pa.string()),
        "published_at": pa.array(art["published_at"], pa.timestamp("s")),
        "column": pa.array(art["column"], pa.string()),
        "format": pa.array(art["format"], pa.string()),
        "position": pa.array(art["position"], pa.int64()),
        "is_original": pa.array(art["is_original"], pa.bool_()),
        "author": pa.array(art["author"], pa.string()),
    })
    stats_types = {"article_id": pa.string(), "date": pa.date32(), "finish_rate": pa.float64()}
    article_stats = pa.table({k: pa.array(v, stats_types.get(k, pa.int64())) for k, v in stats.items()})
    truth = {
        "high_share_column": max(COLUMNS, key=lambda c: COLUMNS[c][1]),
        "share_rate_multipliers": {c: v[1] for c, v in COLUMNS.items()},
        "read_rate_multipliers": {c: v[0] for c, v in COLUMNS.items()},
        "best_publish_hour": BEST_PUBLISH_HOUR,
        "best_publish_hour_read_multiplier": BEST_HOUR_READ_MULTIPLIER,
        "headline_read_rate": POSITION_READ_RATE[1],
        "unfollow_spike": {"date": UNFOLLOW_SPIKE_DATE.isoformat(), "article_id": spike_article,
                           "multiplier": UNFOLLOW_SPIKE_MULTIPLIER, "days": 2}
        if spike_article else None,
    }
    # Articles users can read on each day: the newest headline published today or yesterday.
    readable = np.full(n_days, -1)
    for d in range(n_days):
        for back in (0, 1):
            if d - back >= 0 and article_day[d - back] >= 0:
                readable[d] = article_day[d - back]
                break
    return followers, articles, article_stats, truth, readable


# ----------------------------------------------------------------------------------------------
# Sessions, events and orders
# ----------------------------------------------------------------------------------------------

EVENT_KINDS = ("launch", "read_article", "coupon_claim", "live_view", "page_view", "share",
               "add_to_cart", "checkout", "pay")


def _behaviour(w: _World, users: _Users, uid: np.ndarray, visit_user: np.ndarray,
               visit_day: np.ndarray, readable: np.ndarray, article_ids: list[str]
               ) -> tuple[pa.Table, pa.Table, pa.Table, dict[str, Any]]:
    rng = w.rng
    names = list(CHANNELS)
    # Sessions: one or more per visit day; a new user's first session starts at first_seen_at.
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
    ret_scenes, ret_p = _p(RETURN_SCENES)
    user_scene = np.array([CHANNEL_SCENES[names[c]][0] for c in users.channel])
    s_scene = np.where(is_signup, user_scene[s_user], rng.choice(ret_scenes, size=n_s, p=ret_p))

    # Reading: followers who open the mini-program from a fresh article.
    art = readable[s_day]
    reads = (art >= 0) & users.is_follower[s_user] & (rng.random(n_s) < 0.18) & ~is_signup
    s_scene = np.where(reads, 1058, s_scene)

    # A/B test: users with a session in the test window are assigned at their first such session.
    ab = w.in_window("CAB", s_day)
    idx_ab = np.flatnonzero(ab)
    ab_first = np.zeros(n_s, bool)
    ab_first[idx_ab[np.r_[True, s_user[idx_ab][1:] != s_user[idx_ab][:-1]]] if len(idx_ab) else []] = True
    assigned_users = s_user[ab_first]
    is_assigned = np.zeros(users.n, bool)
    is_assigned[assigned_users] = True
    treated_user = np.zeros(users.n, bool)
    treated_user[assigned_users] = rng.random(len(assigned_users)) < 0.5
    in_test = ab & is_assigned[s_user]  # sessions from the assignment onwards
    treated = in_test & treated_user[s_user]

    # Funnel per session; the live campaign (no control group) raises add-to-cart on its days,
    # the A/B treatment's coupon raises the chance that a checkout is paid.
    boost = np.sqrt(w.orders[s_day])
    live = w.in_window("CLIVE", s_day)
    cart_base = np.clip(0.16 * np.sqrt(users.spend[s_user]) * boost * np.where(reads, 1.3, 1.0),
                        0, 0.9)
    cart_p = np.clip(cart_base * np.where(live, LIVE_CART_MULTIPLIER, 1.0), 0, 0.95)
    checkout_p = 0.6
    pay_base = np.clip(0.72 * boost, 0, 0.97)
    pay_treat = np.clip(pay_base * AB_PAY_MULTIPLIER, 0, 0.99)
    pay_p = np.where(treated, pay_treat, pay_base)
    u_cart, u_chk, u_pay = rng.random(n_s), rng.random(n_s), rng.random(n_s)
    cart = u_cart < cart_p
    checkout = cart & (u_chk < checkout_p)
    pay = checkout & (u_pay < pay_p)
    incremental = pay & ~(u_cart < cart_base) & live  # same draws, campaign effect removed

    # Events: per session, counts of each kind in EVENT_KINDS order, then timed one after another.
    n_pv = np.where(rng.random(n_s) < 0.33, 1, 2 + rng.geometric(0.35, n_s))
    share = rng.random(n_s) < 0.06 * np.where(w.in_window("CFIS", s_day), 2.0, 1.0)
    live_view = live & (rng.random(n_s) < 0.2)
    counts = np.column_stack([np.ones(n_s, int), reads, ab_first & treated_user[s_user], live_view,
                              np.where(cart, np.maximum(n_pv, 2), n_pv), share, cart, checkout,
                              pay]).astype(int)
    n_ev = counts.sum(1)
    kind_idx = np.repeat(np.tile(np.arange(len(EVENT_KINDS)), n_s), counts.ravel())
    kinds = np.array(EVENT_KINDS)[kind_idx]
    e_sess = np.repeat(np.arange(n_s), n_ev)
    gaps = rng.exponential(35.0, len(e_sess)).astype(int) + 2
    gaps[np.r_[0, np.cumsum(n_ev)[:-1]]] = 0
    e_time = s_start[e_sess] + _group_cumsum(gaps, n_ev)
    is_pv = kinds == "page_view"
    page_names, page_p = _p(PAGES)
    page = np.where(is_pv, np.array(page_names)[rng.choice(len(page_names), size=len(e_sess),
                                                               p=page_p)], None)
    first_pv = is_pv & np.r_[True, kinds[:-1] != "page_view"]
    landing = np.select([live_view, reads], ["pages/live/room", "pages/article/webview"],
                        "pages/index/index")
    page = np.where(first_pv, landing[e_sess], page)
    page = np.where(kinds == "add_to_cart", "pages/product/detail", page)
    page = np.where(np.isin(kinds, ["checkout", "pay"]), "pages/order/confirm", page)
    duration = np.where(is_pv, np.round(rng.lognormal(3.2, 0.8, len(e_sess)), 1), np.nan)
    e_article = np.where(kinds == "read_article",
                         np.array([*article_ids, None], dtype=object)[art[e_sess]], None)
    e_campaign = np.select([kinds == "coupon_claim", kinds == "live_view"], ["CAB", "CLIVE"], None)

    # Orders: one per pay event inside the data window.
    end_sec = w.day0 + w.n_days * SECONDS_PER_DAY
    pay_event = (kinds == "pay") & (e_time < end_sec)
    o_sess = e_sess[pay_event]
    n_o = len(o_sess)
    o_user, o_day = s_user[o_sess], s_day[o_sess]
    gross_mean = _order_value(users.spend[o_user], w.orders[o_day])
    gross = np.round(gross_mean / math.exp(ORDER_VALUE_SIGMA**2 / 2)
                     * rng.lognormal(0, ORDER_VALUE_SIGMA, n_o), 2)
    statuses, sp = _p(STATUS_PROBS)
    status = np.array(statuses)[rng.choice(len(statuses), size=n_o, p=sp)]
    ab_coupon = treated[o_sess] & (gross >= AB_COUPON_THRESHOLD)
    other_coupon = ~in_test[o_sess] & (rng.random(n_o) < 0.12)
    discount = np.select([ab_coupon, other_coupon],
                         [AB_COUPON_VALUE, np.round(np.minimum(gross * 0.1, 20.0), 2)], 0.0)
    coupon_id = np.select([ab_coupon, other_coupon], ["CP-AB-10", "CP-GENERAL"], None)
    group_share = np.where(w.in_window("CGRP", o_day), 0.3, 0.08)
    group_id = _group_ids(rng, np.flatnonzero(rng.random(n_o) < group_share), o_day, n_o)
    o_campaign = np.select(
        [in_test[o_sess], live_view[o_sess], w.in_window("C618", o_day),
         w.in_window("C1111", o_day), w.in_window("CGRP", o_day) & (group_id != None)],  # noqa: E711
        ["CAB", "CLIVE", "C618", "C1111", "CGRP"], None)
    touch = np.array([SCENE_CHANNEL.get(int(s)) for s in s_scene[o_sess]], dtype=object)
    o_channel = np.where(touch == None, np.array(names)[users.channel[o_user]], touch)  # noqa: E711
    merchants = np.array([f"M{i:03d}" for i in range(1, 41)])
    mw = rng.pareto(1.2, 40) + 0.1
    merchant = np.where(rng.random(n_o) < 0.6,
                        merchants[rng.choice(40, size=n_o, p=mw / mw.sum())], None)
    orders = pa.table({
        "order_id": _ids("O", n_o, 7),
        "user_id": pa.array(uid[o_user], pa.string()),
        "paid_at": _ts(e_time[pay_event]),
        "amount": pa.array(np.round(gross - discount, 2), pa.float64()),
        "status": pa.array(status, pa.string()),
        "discount": pa.array(discount, pa.float64()),
        "coupon_id": pa.array(coupon_id, pa.string()),
        "campaign_id": pa.array(o_campaign, pa.string()),
        "channel": pa.array(o_channel, pa.string()),
        "group_id": pa.array(group_id, pa.string()),
        "merchant_id": pa.array(merchant, pa.string()),
    })

    # The tracking outage loses events (not orders, which come from the payment backend).
    out_day = w.day_index(OUTAGE_DATE)
    e_day = s_day[e_sess]
    sec_in_day = e_time - (w.day0 + e_day * SECONDS_PER_DAY)
    lost = (e_day == out_day) & (sec_in_day >= OUTAGE_HOURS[0] * 3600) & (
        sec_in_day < OUTAGE_HOURS[1] * 3600)
    keep = ~lost & (e_time < end_sec)
    session_ids = np.char.add(np.char.add(uid[s_user].astype(str), "-"),
                              (np.arange(n_s) + 1).astype(str))
    events = pa.table({
        "user_id": pa.array(uid[s_user[e_sess[keep]]], pa.string()),
        "event_time": _ts(e_time[keep]),
        "event": pa.array(kinds[keep], pa.string()),
        "session_id": pa.array(session_ids[e_sess[keep]], pa.string()),
        "page": pa.array(page[keep], pa.string()),
        "scene": pa.array(s_scene[e_sess[keep]], pa.int64()),
        "duration_s": pa.array(duration[keep], pa.float64(), mask=np.isnan(duration[keep])),
        "article_id": pa.array(e_article[keep], pa.string()),
        "campaign_id": pa.array(e_campaign[keep], pa.string()),
    })
    assignments = pa.table({
        "campaign_id": pa.array(np.full(len(assigned_users), "CAB"), pa.string()),
        "user_id": pa.array(uid[assigned_users], pa.string()),
        "variant": pa.array(np.where(treated_user[assigned_users], "treatment", "control"),
                            pa.string()),
        "assigned_at": _ts(s_start[ab_first]),
    })

    truth: dict[str, Any] = {"outage": None, "ab_test": None, "no_control_campaign": None}
    if 0 <= out_day < w.n_days:
        truth["outage"] = {"date": OUTAGE_DATE.isoformat(), "hours": list(OUTAGE_HOURS),
                           "events_lost": int(lost.sum()), "kind": "tracking_outage",
                           "affects": ["events"], "not_affected": ["orders"]}
    if len(assigned_users):
        truth["ab_test"] = _ab_truth(users, s_user, s_day, in_test, cart_p * checkout_p,
                                     pay_base, pay_treat, w.orders, assigned_users)
    live_w = w.window("CLIVE")
    if live_w:
        paid = np.zeros(n_s, bool)
        paid[o_sess] = status == "paid"
        net = np.zeros(n_s)
        net[o_sess] = gross - discount
        inc = incremental & paid
        days = [w.spec.start + timedelta(days=d) for d in range(live_w[0], live_w[1] + 1)]
        per_day = np.bincount(s_day[inc] - live_w[0], minlength=len(days))
        truth["no_control_campaign"] = {
            "campaign_id": "CLIVE", "metric": "orders",
            "cart_multiplier": LIVE_CART_MULTIPLIER,
            "incremental_paid_orders": int(inc.sum()),
            "incremental_paid_gmv": round(float(net[inc].sum()), 2),
            "incremental_paid_orders_by_day": {d.isoformat(): int(v)
                                               for d, v in zip(days, per_day, strict=True)},
            "note": "realised: paid orders that happened only because of the campaign (the same "
                    "random draws with and without its effect)",
        }
    return events, orders, assignments, truth


ORDER_VALUE_SIGMA = 0.45


def _order_value(spend: np.ndarray, order_multiplier: np.ndarray) -> np.ndarray:
    """Expected gross order value (CNY): bigger spenders and festival baskets are larger."""
    return (55.0 * np.sqrt(spend) + 25.0) * np.where(order_multiplier > 1.5, 1.15, 1.0)


def _ab_truth(users: _Users, s_user: np.ndarray, s_day: np.ndarray, in_test: np.ndarray,
              p_checkout: np.ndarray, pay_control: np.ndarray, pay_treatment: np.ndarray,
              order_multiplier: np.ndarray, assigned: np.ndarray) -> dict[str, Any]:
    """Expected conversion and revenue per assigned user under each arm (both potential outcomes)."""
    p_paid = STATUS_PROBS["paid"]
    mean_gross = _order_value(users.spend[s_user], order_multiplier[s_day])
    z = np.log(AB_COUPON_THRESHOLD / mean_gross) / ORDER_VALUE_SIGMA + ORDER_VALUE_SIGMA / 2
    p_coupon = 1 - _norm_cdf(z)  # P(gross >= threshold) for a lognormal with that mean
    out: dict[str, float] = {}
    for arm, pay, discount in (("control", pay_control, 0.0),
                               ("treatment", pay_treatment, AB_COUPON_VALUE * p_coupon)):
        p_order = np.where(in_test, p_checkout * pay * p_paid, 0.0)
        log_none = np.bincount(s_user, weights=np.log1p(-p_order), minlength=users.n)
        revenue = np.bincount(s_user, weights=p_order * (mean_gross - discount), minlength=users.n)
        out[f"conversion_{arm}"] = float((1 - np.exp(log_none[assigned])).mean())
        out[f"revenue_{arm}"] = float(revenue[assigned].mean())
    c, t = out["conversion_control"], out["conversion_treatment"]
    return {
        "campaign_id": "CAB", "metric": "conversion",
        "definition": "share of assigned users with at least one paid order from assignment to the "
                      "end of the test or of the data",
        "intended_split": {"control": 0.5, "treatment": 0.5},
        "assigned": len(assigned),
        "true_conversion_control": round(c, 5),
        "true_conversion_treatment": round(t, 5),
        "true_lift_abs": round(t - c, 5),
        "true_lift_rel": round(t / c - 1, 4),
        "true_revenue_per_user_control": round(out["revenue_control"], 3),
        "true_revenue_per_user_treatment": round(out["revenue_treatment"], 3),
        "pay_multiplier": AB_PAY_MULTIPLIER,
        "note": "expected values over the assigned users under each arm (both potential outcomes), "
                "i.e. the sample's true average treatment effect",
    }


def _group_cumsum(values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    return total - np.r_[0, total][starts]


def _group_ids(rng: np.random.Generator, members: np.ndarray, day: np.ndarray, n: int) -> np.ndarray:
    """Group-buy groups of 1-3 orders from the same day (a group of one never completed)."""
    out = np.full(n, None, dtype=object)
    members = members[np.argsort(day[members], kind="stable")]
    sizes = rng.choice([1, 2, 3], size=len(members), p=[0.2, 0.5, 0.3])
    group, i, g = [], 0, 0
    while i < len(members):
        g += 1
        size = int(sizes[g - 1])
        chunk = members[i:i + size]
        chunk = chunk[day[chunk] == day[chunk[0]]]
        group.append((chunk, f"G{g:06d}"))
        i += len(chunk)
    for chunk, gid in group:
        out[chunk] = gid
    return out


def _norm_cdf(x: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return ndtr(x)


def _campaigns(w: _World) -> pa.Table:
    cols = list(zip(*w.campaigns, strict=True)) if w.campaigns else [[] for _ in range(11)]
    return pa.table({
        "campaign_id": pa.array(cols[0], pa.string()),
        "name": pa.array(cols[1], pa.string()),
        "type": pa.array(cols[2], pa.string()),
        "channel": pa.array(cols[3], pa.string()),
        "start_at": pa.array([datetime.combine(d, time(0)) for d in cols[4]], pa.timestamp("s")),
        "end_at": pa.array([datetime.combine(d, time(23, 59, 59)) for d in cols[5]], pa.timestamp("s")),
        "cost": pa.array(cols[6], pa.float64()),
        "budget": pa.array(cols[7], pa.float64()),
        "target_metric": pa.array(cols[8], pa.string()),
        "target_value": pa.array(cols[9], pa.float64()),
        "holdout": pa.array(cols[10], pa.float64()),
    })


# ----------------------------------------------------------------------------------------------
# Entry points
# ----------------------------------------------------------------------------------------------

def generate(spec: SampleSpec) -> dict[str, pa.Table | dict[str, Any]]:
    """All contract tables plus the truth document, in memory."""
    w = _World(spec)
    spend, ads_curve = _spend(w)
    users, users_table, referral_p = _users(w, ads_curve)
    followers, articles, article_stats, content_truth, readable = _content(w)
    visit_user, visit_day, retention_truth = _active_days(w, users)
    uid = np.asarray(users_table["user_id"].to_numpy(zero_copy_only=False), dtype=object)
    events, orders, assignments, behaviour_truth = _behaviour(
        w, users, uid, visit_user, visit_day, readable,
        articles["article_id"].to_pylist())
    # A few users register a little after their first tracked event (client clock skew): the
    # loader must warn about such events, not fail.
    skew = w.rng.choice(np.flatnonzero(users.is_new), size=max(1, users.n // 2000), replace=False)
    first_seen = users.first_sec.copy()
    first_seen[skew] += 90
    users_table = users_table.set_column(1, "first_seen_at", _ts(first_seen))
    new_users = users.is_new
    truth = {
        "generator": generator_version(),
        "spec": {**asdict(spec), "start": spec.start.isoformat(), "end": spec.end.isoformat()},
        "timezone": "Asia/Shanghai",
        "retention": retention_truth,
        "referral_share": {
            "expected": round(referral_p, 4),
            "realised": round(float((users.referrer[new_users] >= 0).mean()), 4),
            "note": "share of new users (first seen inside the data) with a referrer_id",
        },
        "events_before_first_seen": {"users": len(skew), "seconds": 90},
        "content": content_truth,
        **behaviour_truth,
        "calendar": {
            "festivals": sorted({r.festival for r in w.cal.itertuples() if r.festival}),
            "holidays_in_range": sorted({r.holiday for r in w.cal.itertuples() if r.holiday}),
        },
        "campaigns": {c[0]: {"type": c[2], "start": c[4].isoformat(), "end": c[5].isoformat()}
                      for c in w.campaigns},
    }
    tables: dict[str, Any] = {
        "users": users_table, "events": events, "orders": orders, "articles": articles,
        "article_stats": article_stats, "followers": followers, "campaigns": _campaigns(w),
        "assignments": assignments, "spend": spend,
    }
    assert set(tables) == set(contract.TABLES)
    return {**tables, "truth": truth}


def write_sample(out: Path, spec: SampleSpec = SampleSpec()) -> dict[str, Any]:
    """Write the tables as Parquet and truth.json into `out`, atomically (a folder swap)."""
    out = Path(out)
    generated = generate(spec)
    truth = generated.pop("truth")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for name, table in generated.items():
            pq.write_table(table, tmp / f"{name}.parquet", compression="zstd")
        (tmp / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n",
                                        encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return truth


def generator_version() -> str:
    """Hash of the generator's code: a sample made by older code is regenerated."""
    h = hashlib.sha256()
    for name in ("sample.py", "core/calendar.py", "core/contract.py"):
        h.update((PACKAGE_DIR / name).read_bytes())
    return h.hexdigest()[:16]


def ensure_sample(path: Path | None = None) -> Path:
    """The default sample source, generated on first use (and again when the generator changed)."""
    path = Path(path or sample_data_dir())
    truth = path / "truth.json"
    if not truth.exists() or json.loads(truth.read_text(encoding="utf-8")).get(
            "generator") != generator_version():
        print(f"wxreport: generating the sample data in {path} (first use; a few seconds)",
              flush=True)
        write_sample(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wxreport sample", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SampleSpec.seed)
    parser.add_argument("--users", type=int, default=SampleSpec.users)
    parser.add_argument("--days", type=int, default=SampleSpec.days)
    parser.add_argument("--end", type=date.fromisoformat, default=SampleSpec.end,
                        help="last day of the data (default %(default)s)")
    parser.add_argument("--out", type=Path, default=sample_data_dir())
    args = parser.parse_args(argv)
    if args.users < 100 or args.days < 14:
        parser.error("--users must be >= 100 and --days >= 14")
    spec = SampleSpec(seed=args.seed, users=args.users, days=args.days, end=args.end)
    write_sample(args.out, spec)
    counts = {p.stem: pq.read_metadata(p).num_rows for p in sorted(args.out.glob("*.parquet"))}
    print(f"wxreport: wrote {args.out} ({spec.start} .. {spec.end}): "
          + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


