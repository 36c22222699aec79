"""Data vocabularies: values of data-contract columns as people say them, in zh and en.

Acquisition channels, event names, genders, platforms, customer-pyramid tiers and kinds of
merchants; the shopping festivals of the business calendar; the words accepted as true/false in
CSV files. Unknown values are shown as they are. (WeChat's own codes, scene and follower sources,
are in `core.wechat`.)
"""

from __future__ import annotations

from helpers.core.wechat import READ_SOURCE_LABELS

VALUE_LABELS: dict[str, dict[str, str]] = {
    "search": {"zh": "搜索", "en": "Search"},
    "share": {"zh": "分享", "en": "Share"},
    "qr_code": {"zh": "二维码", "en": "QR code"},
    "official_account": {"zh": "公众号", "en": "Official account"},
    "moments_ads": {"zh": "朋友圈广告", "en": "Moments ads"},
    "kol": {"zh": "KOL", "en": "KOL"},
    "referral": {"zh": "邀请", "en": "Referral"},
    "offline": {"zh": "线下", "en": "Offline"},
    "other": {"zh": "其他", "en": "Other"},
    "unknown": {"zh": "未知", "en": "Unknown"},
    "launch": {"zh": "启动", "en": "Launch"},
    "page_view": {"zh": "浏览页面", "en": "Page view"},
    "add_to_cart": {"zh": "加入购物车", "en": "Add to cart"},
    "checkout": {"zh": "提交订单", "en": "Checkout"},
    "pay": {"zh": "支付", "en": "Pay"},
    "share_event": {"zh": "分享", "en": "Share"},
    "female": {"zh": "女", "en": "Female"},
    "male": {"zh": "男", "en": "Male"},
    "ios": {"zh": "iOS", "en": "iOS"},
    "android": {"zh": "安卓", "en": "Android"},
    "loyal": {"zh": "忠诚客户", "en": "Loyal"},
    "active": {"zh": "活跃客户", "en": "Active"},
    "new": {"zh": "新客户", "en": "New"},
    "potential": {"zh": "潜在客户", "en": "Potential"},
    # kinds of merchants (merchants.kind); "kol" and "other" are above
    "store": {"zh": "门店", "en": "Store"},
    "group_leader": {"zh": "团长", "en": "Group leader"},
    "distributor": {"zh": "分销商", "en": "Distributor"},
}
# where official-account readers came from, as WeChat names it (oa_reads.source)
VALUE_LABELS |= {zh: {"zh": zh, "en": en} for zh, en in READ_SOURCE_LABELS.items()}


def label(value: object, language: str) -> str:
    """A data value (channel, event, gender, tier, ...) in the report language."""
    text = str(value)
    return VALUE_LABELS.get(text, {}).get(language, text)


# Words of mini-program page paths ('pages/product/detail'), as WeChat projects usually name them:
# a page reads "商品详情" / "Product detail" instead of its path (issue 14: no page paths in
# manager-facing text). A path with a segment not listed here is shown as it is.
PAGE_WORDS: dict[str, dict[str, str]] = {
    "index": {"zh": "首页", "en": "Home"}, "home": {"zh": "首页", "en": "Home"},
    "product": {"zh": "商品", "en": "Product"}, "goods": {"zh": "商品", "en": "Product"},
    "detail": {"zh": "详情", "en": "detail"}, "category": {"zh": "分类", "en": "Categories"},
    "search": {"zh": "搜索", "en": "Search"}, "me": {"zh": "我的", "en": "Me"},
    "mine": {"zh": "我的", "en": "Me"}, "user": {"zh": "个人中心", "en": "Account"},
    "cart": {"zh": "购物车", "en": "Cart"}, "coupon": {"zh": "优惠券", "en": "Coupons"},
    "list": {"zh": "列表", "en": "list"}, "group": {"zh": "拼团", "en": "Group buy"},
    "article": {"zh": "文章", "en": "Article"}, "webview": {"zh": "网页", "en": "web view"},
    "live": {"zh": "直播", "en": "Live"}, "room": {"zh": "间", "en": "room"},
    "order": {"zh": "订单", "en": "Order"}, "confirm": {"zh": "确认", "en": "confirmation"},
    "pay": {"zh": "支付", "en": "Payment"}, "checkout": {"zh": "结算", "en": "Checkout"},
}


WORD_JOINER = {"zh": "", "en": " "}  # Chinese words run together; English ones take a space


def page_label(path: object, language: str) -> str:
    """A mini-program page as people say it: 'pages/product/detail' -> '商品详情' / 'Product
    detail', 'pages/index/index' -> '首页'; a path with unknown words as it is."""
    text = str(path)
    parts = [p for p in text.strip("/").split("/") if p and p != "pages"]
    if parts and parts[-1] == "index" and len(parts) > 1:
        parts = parts[:-1]  # 'category/index' is the category page
    if not parts or any(p.lower() not in PAGE_WORDS for p in parts):
        return text
    return WORD_JOINER[language].join(PAGE_WORDS[p.lower()][language] for p in parts)


# Shopping festivals of core.calendar, by key.
FESTIVAL_LABELS: dict[str, dict[str, str]] = {
    "618": {"zh": "618 年中大促", "en": "618 mid-year sale"},
    "double_11": {"zh": "双11", "en": "Double 11"},
    "double_12": {"zh": "双12", "en": "Double 12"},
}

# Boolean cells as people type them (lower case), e.g. in is_follower / consent columns.
TRUE_WORDS = ("true", "t", "1", "yes", "y", "是")
FALSE_WORDS = ("false", "f", "0", "no", "n", "否")
