"""The sample world's parameters, the planted truths derive from them, and the shared generation state.

`World` carries the calendar, the day multipliers and the single random stream: every generator
step draws from `World.rng` in a fixed order, so the same seed gives byte-identical tables.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from helpers.core.calendar import day_calendar

if TYPE_CHECKING:
    from helpers.sample import SampleSpec

SECONDS_PER_DAY = 86_400


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
ORDER_VALUE_SIGMA = 0.45  # lognormal sigma of an order's gross value around its expected value
EVENT_KINDS = ("launch", "read_article", "coupon_claim", "live_view", "page_view", "share",
               "add_to_cart", "checkout", "pay")
# Article titles by column, the topics filled into them, and the author names.
ARTICLE_TITLES = {"新品速递": "本周上新：{}", "穿搭指南": "{}穿搭指南", "会员福利": "会员专享：{}",
                  "品牌故事": "品牌故事｜{}", "限时活动": "限时 48 小时：{}"}
ARTICLE_TOPICS = ["秋冬外套", "通勤好物", "周末出游", "轻奢配饰", "居家好物", "运动装备", "节日礼物",
                  "小个子", "显瘦", "新人礼包"]
AUTHOR = "编辑{}"


# WeChat's own statistics of the same shop (helpers.sample.platform): names as WeChat's user
# portrait and article-read statistics give them, and the planted gap against own tracking.
WECHAT_UNKNOWN = "未知"
WECHAT_GENDERS = {"female": "女", "male": "男", "unknown": WECHAT_UNKNOWN}
WECHAT_PLATFORMS = {"ios": "iPhone", "android": "Android", "other": "其他"}
WECHAT_AGES = {"<18": "17岁以下", "18-24": "18-24岁", "25-29": "25-29岁", "30-39": "30-39岁",
               "40-49": "40-49岁", "50+": "50岁以上"}
DEVICES = {  # per platform: device model -> weight
    "ios": {"iPhone 15": 3.0, "iPhone 14": 3.0, "iPhone 13": 2.5, "iPhone 12": 1.5, "iPhone 11": 1.0},
    "android": {"华为 Mate 60": 3.0, "荣耀 90": 2.0, "小米 14": 2.5, "OPPO Reno11": 2.0,
                "vivo X100": 2.0, "OPPO R9": 0.3},
    "other": {"其他": 1.0},
}
OA_READ_SOURCES = {"公众号消息": 0.42, "聊天会话": 0.24, "朋友圈": 0.12, "公众号主页": 0.06,
                   "推荐": 0.09, "搜一搜": 0.04, "其他": 0.03}
OA_DEDUPLICATED_READERS = 0.9  # readers of all articles of a day, deduplicated / summed per article
# Days own tracking missed visits WeChat counted (its SDK failed to start after a release), as days
# before the data's last day, and the visits missed: returning visitors (share of that day's
# tracked visitors) and new visitors who never reached the users table (share of its new users).
UNTRACKED_DAYS_BEFORE_END = (10, 9)
UNTRACKED_RETURNING_SHARE, UNTRACKED_NEW_SHARE = 0.18, 0.30


def probabilities(weights: dict[Any, float]) -> tuple[list[Any], np.ndarray]:
    """Keys and normalised probabilities of a weight table (the order of `rng.choice`'s outcomes)."""
    keys = list(weights)
    w = np.array([weights[k] for k in keys], dtype=float)
    return keys, w / w.sum()


def epoch_seconds(d: date) -> int:
    """Seconds from 1970-01-01 to the start of `d` (local wall time, as the tables store it)."""
    return (d - date(1970, 1, 1)).days * SECONDS_PER_DAY


def timestamps(seconds: np.ndarray) -> pa.Array:
    """Epoch seconds as an Arrow timestamp column (the contract's second resolution)."""
    return pa.array(np.asarray(seconds, dtype="int64").astype("datetime64[s]"), pa.timestamp("s"))


def sequential_ids(prefix: str, n: int, width: int = 6) -> pa.Array:
    """Readable ids prefix000001.. for tables whose rows have no natural key."""
    return pa.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], pa.string())


class World:
    """Shared state while generating: the calendar, day multipliers and the random stream."""

    def __init__(self, spec: SampleSpec):
        self.spec = spec
        self.rng = np.random.default_rng(spec.seed)
        cal = day_calendar(spec.start, spec.end)
        self.cal = cal
        self.n_days = len(cal)
        self.day0 = epoch_seconds(spec.start)
        self.end_sec = self.day0 + self.n_days * SECONDS_PER_DAY  # first second after the data
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
        """Index of a date in the data window (negative before it)."""
        return (d - self.spec.start).days

    def day_date(self, index: int) -> date:
        """The date of a day index."""
        return self.spec.start + timedelta(days=int(index))

    def window(self, campaign_id: str) -> tuple[int, int] | None:
        """Day-index range [first, last] of a campaign clipped to the data, or None."""
        for c in self.campaigns:
            if c[0] == campaign_id:
                return max(0, self.day_index(c[4])), min(self.n_days - 1, self.day_index(c[5]))
        return None

    def in_window(self, campaign_id: str, days: np.ndarray) -> np.ndarray:
        """Which of the day indices fall inside a campaign (all False if it is outside the data)."""
        w = self.window(campaign_id)
        return np.zeros(len(days), bool) if w is None else (days >= w[0]) & (days <= w[1])

    def seconds_in_day(self, n: int) -> np.ndarray:
        """Random times of day (seconds) following the hourly activity profile."""
        hours = self.rng.choice(24, size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
        return hours * 3600 + self.rng.integers(0, 3600, size=n)
