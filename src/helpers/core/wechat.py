"""WeChat's own vocabularies: mini-program scene codes -> access sources, follower sources.

From ../shared/reference/wechat-data-formats.md (WeChat's getweanalysisappidvisitdistribution
access-source keys, and getusersummary user_source codes). Unknown codes map to "other", never fail.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AccessSource:
    key: int
    zh: str
    en: str

    def label(self, language: str) -> str:
        return {"zh": self.zh, "en": self.en}[language]


def _ranges(spec: str) -> list[int]:
    codes: list[int] = []
    for part in spec.split("/"):
        lo, _, hi = part.partition("-")
        codes += list(range(int(lo), int(hi or lo) + 1))
    return codes


# key, zh, en, scene codes ("a/b/c-d")
_SOURCES = [
    (1, "小程序历史列表", "Mini-program history", "1001/1002/1004"),
    (2, "搜索", "Search", "1005/1006/1027/1042/1053/1106/1108/1132"),
    (3, "会话", "Chat", "1007/1008/1044/1093/1094/1096"),
    (4, "扫一扫二维码", "Scan QR code", "1011/1025/1047/1105/1124/1150"),
    (5, "公众号主页", "Official account profile", "1020"),
    (6, "聊天顶部", "Top of chat", "1022"),
    (7, "系统桌面", "Home screen", "1023/1113/1114/1117"),
    (8, "小程序主页", "Mini-program profile", "1024/1135"),
    (9, "附近的小程序", "Nearby mini-programs", "1026/1033/1068"),
    (10, "其他", "Other", ""),
    (11, "模板消息", "Template message", "1014/1043/1107/1162"),
    (12, "客服消息", "Customer-service message", "1021"),
    (13, "公众号菜单", "Official account menu", "1035/1102/1130"),
    (14, "APP分享", "Shared from an app", "1036"),
    (15, "支付完成页", "Payment result page", "1034/1060/1072/1097/1109/1137/1149"),
    (16, "长按识别二维码", "Long-press QR code", "1012/1048/1050/1125"),
    (17, "相册选取二维码", "QR code from album", "1013/1049/1126"),
    (18, "公众号文章", "Official account article", "1058/1091"),
    (19, "钱包", "Wallet", "1019/1057/1061/1066/1070/1071"),
    (20, "卡包", "Card holder", "1028/1128/1148"),
    (21, "小程序内卡券", "In-app coupon", "1029/1062"),
    (22, "其他小程序", "Another mini-program", "1037"),
    (23, "其他小程序返回", "Back from another mini-program", "1038"),
    (24, "卡券适用门店列表", "Coupon store list", "1052"),
    (25, "搜索框快捷入口", "Search-box shortcut", "1054"),
    (26, "小程序客服消息", "Mini-program service message", "1073/1081"),
    (27, "公众号下发", "Sent by official account", "1074/1076/1082/1152"),
    (28, "系统会话菜单", "Chat menu", "1080/1083/1088"),
    (29, "任务栏-最近使用", "Task bar: recently used", "1089"),
    (30, "长按小程序菜单圆点", "Long-press menu dot", "1085/1090/1147"),
    (31, "连wifi成功页", "Wi-Fi connected page", "1064/1078"),
    (32, "城市服务", "City services", "1092"),
    (33, "微信广告", "WeChat ads", "1045/1046/1067/1084/1095"),
    (34, "其他移动应用", "Other mobile apps", "1065/1069/1111/1140"),
    (35, "发现入口-我的小程序", "Discover: my mini-programs", "1003/1103"),
    (36, "任务栏-我的小程序", "Task bar: my mini-programs", "1104"),
    (37, "微信圈子", "WeChat circles", "1138/1163"),
    (38, "手机充值", "Mobile top-up", "1098"),
    (39, "H5", "H5 page", "1018/1055"),
    (40, "插件", "Plug-in", "1040/1041/1099"),
    (41, "大家在用", "Popular with others", "1118/1145"),
    (42, "发现页", "Discover page", "1112/1141/1142/1143"),
    (43, "浮窗", "Floating window", "1131"),
    (44, "附近的人", "People nearby", "1075/1134"),
    (45, "看一看", "Top Stories", "1115"),
    (46, "朋友圈", "Moments", "1009/1110/1154/1155"),
    (47, "企业微信", "WeCom", "1119-1123/1156"),
    (48, "视频", "Video", "1136/1144"),
    (49, "收藏", "Favorites", "1010"),
    (50, "微信红包", "Red packet", "1100"),
    (51, "微信游戏中心", "Game center", "1079/1127"),
    (52, "摇一摇", "Shake", "1039/1077"),
    (53, "公众号导购消息", "Official account shopping message", "1157"),
    (54, "识物", "Object recognition", "1153"),
    (55, "小程序订单", "Mini-program order", "1151"),
    (56, "小程序直播", "Mini-program live", "1161"),
    (57, "群工具", "Group tools", "1158/1159/1160"),
]
ACCESS_SOURCES: dict[int, AccessSource] = {k: AccessSource(k, zh, en) for k, zh, en, _ in _SOURCES}
OTHER = ACCESS_SOURCES[10]
SCENE_TO_SOURCE: dict[int, AccessSource] = {
    code: ACCESS_SOURCES[k] for k, _, _, codes in _SOURCES if codes for code in _ranges(codes)
}


def access_source(scene: int | None) -> AccessSource:
    """WeChat's access source of a scene code ("其他" for unknown or missing codes)."""
    if scene is None:
        return OTHER
    return SCENE_TO_SOURCE.get(int(scene), OTHER)


# Official-account follower sources (getusersummary user_source), current and legacy codes.
FOLLOWER_SOURCES: dict[int, tuple[str, str]] = {
    0: ("其他合计", "Other sources combined"),
    1: ("公众号搜索", "Account search"),
    17: ("名片分享", "Shared profile card"),
    30: ("扫描二维码", "Scanned QR code"),
    57: ("文章内账号名称", "Account name in an article"),
    100: ("微信广告", "WeChat ads"),
    161: ("他人转载", "Reposted by others"),
    149: ("小程序关注", "Followed from a mini-program"),
    200: ("视频号", "Channels"),
    201: ("直播", "Live"),
    43: ("图文页右上角菜单", "Article page menu (legacy)"),
    51: ("支付后关注", "Followed after payment (legacy)"),
    75: ("公众号文章广告", "Article ads (legacy)"),
    78: ("朋友圈广告", "Moments ads (legacy)"),
    35: ("搜号码", "Searched by ID (legacy)"),
    39: ("查询微信公众帐号", "Account lookup (legacy)"),
}


# The name of the row holding every source at once (deduplicated readers) in `oa_reads`, as WeChat
# names it in getbizsummary and the admin console.
ALL_SOURCES = "全部"

# The one source of the `followers` rows read from the admin console's 用户增长 export, which gives
# daily totals over every source (the console's own "全部来源"), with its English label.
FOLLOWER_EXPORT_SOURCE = "全部来源"
NAMED_FOLLOWER_SOURCES = {FOLLOWER_EXPORT_SOURCE: "All sources (daily totals)"}

# Admin-console exports (公众号后台 "下载表格", core.exports): the header names of each export, by
# the field they fill; the first alias of a field wins when several columns could fill it. Names
# are compared after NFKC normalisation, without spaces and a trailing "(unit)".
EXPORT_TITLES = {"followers": "用户增长", "oa_reads": "内容分析", "articles": "单篇图文"}
EXPORT_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "followers": {
        "date": ("时间", "日期", "统计日期"),
        "new_followers": ("新关注人数", "新增关注人数", "新增人数", "新关注"),
        "unfollows": ("取消关注人数", "取关人数", "取消关注"),
        "net": ("净增关注人数", "净增人数", "净增关注"),
        "cumulative": ("累积关注人数", "累计关注人数", "累积人数", "累计人数", "总关注人数"),
    },
    "oa_reads": {
        "date": ("日期", "时间", "统计日期"),
        "hour": ("小时", "时段", "时刻", "时间"),
        "source": ("渠道", "传播渠道", "阅读来源", "流量来源", "来源"),
        "readers": ("阅读人数", "图文阅读人数"),
        "reads": ("阅读次数", "图文阅读次数"),
        "sharers": ("分享人数", "分享转发人数"),
        "shares": ("分享次数", "分享转发次数"),
        "favorites": ("收藏次数",),
        "favorite_users": ("收藏人数",),
        "original_reads": ("阅读原文次数",),
        "original_readers": ("阅读原文人数",),
        "posts": ("群发篇数",),
    },
    "articles": {
        "published_at": ("发布时间", "发表时间", "群发时间", "发送时间"),
        "title": ("标题", "文章标题", "图文标题"),
        "recipients": ("送达人数",),
        "readers": ("图文阅读人数", "阅读人数"),
        "reads": ("图文阅读次数", "阅读次数"),
        "sharers": ("分享人数",),
        "shares": ("分享次数",),
        "favorite_users": ("收藏人数",),
        "favorites": ("收藏次数",),
    },
}
# Channels of the 内容分析 export (one file per channel, or a channel column); names that mean every
# channel at once land as ALL_SOURCES.
OA_READ_CHANNELS = ("公众号消息", "聊天会话", "朋友圈", "公众号主页", "推荐", "搜一搜", "看一看", "其他")
ALL_CHANNEL_NAMES = (ALL_SOURCES, "全部渠道", "全部来源", "所有渠道")
EXPORT_TOTAL_ROWS = ("合计", "总计", "汇总")  # a summary row under the days, not a day
DATE_MARKS = ("年", "月", "日")  # 2026年11月16日

# Official-account read sources of getuserread / getuserreadhour (`user_source`), as `oa_reads`
# names them: 99999999 is every source at once (ALL_SOURCES); 3 腾讯微博 is retired. Unknown codes
# keep their code as text (helpers.fetch.convert).
READ_SOURCE_ALL_CODE = 99999999
READ_SOURCES: dict[int, tuple[str, str]] = {
    READ_SOURCE_ALL_CODE: (ALL_SOURCES, "All sources"),
    0: ("会话", "Chats"),
    1: ("好友", "Friends"),
    2: ("朋友圈", "Moments"),
    3: ("腾讯微博", "Tencent Weibo (legacy)"),
    4: ("历史消息页", "Message history"),
    5: ("其他", "Other"),
    6: ("看一看", "Top Stories"),
    7: ("搜一搜", "Search"),
}
# Every source name `oa_reads` may hold -> its English label: the getuserread sources above and the
# scene names of the 2025-11 published-content APIs and the admin console's 内容分析.
READ_SOURCE_LABELS: dict[str, str] = {zh: en.removesuffix(" (legacy)") for zh, en in READ_SOURCES.values()} | {
    "公众号消息": "Account messages", "聊天会话": "Chats", "公众号主页": "Account profile",
    "推荐": "Recommended"}


def follower_source_label(source: str | int, language: str) -> str:
    """A follower source given as code or (zh) name, labelled in the report language."""
    text = str(source).strip()
    if text.isdigit():
        zh, en = FOLLOWER_SOURCES.get(int(text), (f"来源 {text}", f"source {text}"))
    else:  # a name as WeChat's admin console writes it: translated when it is a known source
        zh, en = text, next((en for zh, en in FOLLOWER_SOURCES.values() if zh == text),
                            NAMED_FOLLOWER_SOURCES.get(text, text))
    return {"zh": zh, "en": en}[language]
