"""The fixed words of reports in Chinese and English (metric labels live in the registry)."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "weekly_summary": {"zh": "每周经营摘要", "en": "Weekly summary"},
    "user_analysis": {"zh": "用户分析", "en": "User analysis"},
    "content_performance": {"zh": "内容表现", "en": "Content performance"},
    # content_performance: table headings and values
    "cp_rank": {"zh": "排名", "en": "Rank"},
    "cp_title": {"zh": "标题", "en": "Title"},
    "cp_headline_title": {"zh": "头条标题", "en": "Headline"},
    "cp_column": {"zh": "栏目", "en": "Column"},
    "cp_format": {"zh": "形式", "en": "Format"},
    "cp_position": {"zh": "位置", "en": "Position"},
    "cp_published": {"zh": "发布时间", "en": "Published"},
    "cp_interval": {"zh": "95% 区间", "en": "95% interval"},
    "cp_dimension": {"zh": "维度", "en": "By"},
    "cp_group": {"zh": "分组", "en": "Group"},
    "cp_hour": {"zh": "发布时段", "en": "Publish hour"},
    "cp_weekday": {"zh": "星期", "en": "Weekday"},
    "cp_articles_in_push": {"zh": "篇数", "en": "Articles"},
    "cp_source": {"zh": "来源", "en": "Source"},
    "cp_page": {"zh": "页面", "en": "Page"},
    "cp_flag": {"zh": "标记", "en": "Flag"},
    "cp_flag_spike": {"zh": "取关异常偏高", "en": "unusually many unfollows"},
    "cp_flag_above": {"zh": "高于预期", "en": "above expected"},
    "cp_flag_below": {"zh": "低于预期", "en": "below expected"},
    "cp_flag_exit": {"zh": "退出率上升", "en": "exit rate jumped"},
    "cp_headline": {"zh": "头条", "en": "Headline"},
    "cp_secondary": {"zh": "次条及以后", "en": "Secondary"},
    "cp_nth": {"zh": "第{n}条", "en": "No. {n}"},
    "cp_format_article": {"zh": "图文", "en": "Article"},
    "cp_format_video": {"zh": "视频", "en": "Video"},
    "cp_format_image": {"zh": "图片", "en": "Image"},
    "cp_format_audio": {"zh": "音频", "en": "Audio"},
    "cp_weekdays": {"zh": "周一,周二,周三,周四,周五,周六,周日", "en": "Mon,Tue,Wed,Thu,Fri,Sat,Sun"},
    "campaign_evaluation": {"zh": "活动评估", "en": "Campaign evaluation"},
    "forecasting": {"zh": "预测与监控", "en": "Forecasting and monitoring"},
    "data_source": {"zh": "数据源", "en": "Data source"},
    "generated": {"zh": "生成时间", "en": "Generated"},
    "data_range": {"zh": "数据覆盖", "en": "Data covers"},
    "contents": {"zh": "目录", "en": "Contents"},
    "wow": {"zh": "周环比", "en": "week on week"},
    "vs_target": {"zh": "目标", "en": "target"},
    "of_target": {"zh": "达成", "en": "of target"},
    "no_previous": {"zh": "上周无完整数据", "en": "no complete previous week"},
    "definitions": {"zh": "指标定义", "en": "Metric definitions"},
    "data_quality": {"zh": "数据质量", "en": "Data quality"},
    "no_quality_issues": {"zh": "加载数据时未发现问题。",
                          "en": "No problems were found while loading the data."},
    "quality_events_before_first_seen": {"zh": "早于用户首次访问时间（first_seen_at）的事件",
                                         "en": "events before the user's first_seen_at"},
    "quality_events_unknown_user": {"zh": "用户表中不存在的用户的事件",
                                    "en": "events of users missing from the users table"},
    "quality_orders_unknown_user": {"zh": "用户表中不存在的用户的订单",
                                    "en": "orders of users missing from the users table"},
    "quality_kept": {"zh": "已保留并计入", "en": "kept and counted"},
    "privacy": {"zh": "隐私", "en": "Privacy"},
    "privacy_note": {
        "zh": "报告不含任何用户 ID；少于 {k} 名用户的细分单元格将被隐藏；"
              "未同意分析的用户不参与画像、RFM 与 CLV。",
        "en": "No user ids appear in this report; breakdown cells with fewer than {k} users are "
              "suppressed; users without analytics consent are left out of portrait, RFM and CLV.",
    },
    "skipped_section": {"zh": "本节已跳过：数据源缺少 {what}。",
                        "en": "Section skipped: the data source has no {what}."},
    "index_title": {"zh": "周报", "en": "Weekly reports"},
    "status_ok": {"zh": "成功", "en": "ok"},
    "status_failed": {"zh": "失败", "en": "failed"},
    "status_skipped": {"zh": "跳过", "en": "skipped"},
    "open_report": {"zh": "打开报告", "en": "open report"},
    "open_failed": {"zh": "查看出错的笔记本", "en": "open the failing notebook"},
    "last_good": {"zh": "上一次成功的报告", "en": "last good report"},
    "notebook": {"zh": "报告", "en": "Report"},
    "status": {"zh": "状态", "en": "Status"},
    "duration": {"zh": "耗时", "en": "Time"},
}


def t(key: str, language: str, **values: object) -> str:
    """The text for `key` in `language` (zh or en), with {placeholders} filled."""
    return TEXT[key][language].format(**values)


def notebook_title(notebook: str, language: str) -> str:
    """A notebook's report title; notebooks the suite does not know keep their file name."""
    return t(notebook, language) if notebook in TEXT else notebook.replace("_", " ")


# Values of data-contract columns, as people say them. Unknown values are shown as they are.
VALUE_LABELS: dict[str, dict[str, str]] = {
    # acquisition channels (users.channel)
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
    # events
    "launch": {"zh": "启动", "en": "Launch"},
    "page_view": {"zh": "浏览页面", "en": "Page view"},
    "add_to_cart": {"zh": "加入购物车", "en": "Add to cart"},
    "checkout": {"zh": "提交订单", "en": "Checkout"},
    "pay": {"zh": "支付", "en": "Pay"},
    "share_event": {"zh": "分享", "en": "Share"},
    # users.gender / platform
    "female": {"zh": "女", "en": "Female"},
    "male": {"zh": "男", "en": "Male"},
    "ios": {"zh": "iOS", "en": "iOS"},
    "android": {"zh": "安卓", "en": "Android"},
    # customer pyramid tiers
    "loyal": {"zh": "忠诚客户", "en": "Loyal"},
    "active": {"zh": "活跃客户", "en": "Active"},
    "new": {"zh": "新客户", "en": "New"},
    "potential": {"zh": "潜在客户", "en": "Potential"},
}


def label(value: object, language: str) -> str:
    """A data value (channel, event, gender, tier, ...) in the report language."""
    text = str(value)
    return VALUE_LABELS.get(text, {}).get(language, text)


# Column headers of report tables (metric keys use their registry labels instead).
COLUMN_LABELS: dict[str, dict[str, str]] = {
    "users": {"zh": "用户数", "en": "Users"},
    "customers": {"zh": "客户数", "en": "Customers"},
    "share": {"zh": "占比", "en": "Share"},
    "starters": {"zh": "开始人数", "en": "Starters"},
    "converters": {"zh": "转化人数", "en": "Converters"},
    "conversion": {"zh": "转化率", "en": "Conversion"},
    "median_minutes": {"zh": "中位用时", "en": "Median time"},
    "referrer": {"zh": "邀请人（化名）", "en": "Referrer (pseudonym)"},
    "invites": {"zh": "邀请人数", "en": "Invites"},
    "recency_days": {"zh": "距上次购买（天）", "en": "Days since last order"},
    "frequency": {"zh": "购买次数", "en": "Orders"},
    "monetary": {"zh": "消费金额", "en": "Spend"},
    "channel": {"zh": "渠道", "en": "Channel"},
    "segment_label": {"zh": "分群", "en": "Segment"},
    "value": {"zh": "取值", "en": "Value"},
}


def column_label(column: str, language: str) -> str:
    """A table header: the registry label of a metric key, a known column's label, or as is."""
    from ..metrics.registry import METRICS

    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column][language]
    if column in METRICS:
        return METRICS[column].label(language)
    return column
