"""The fixed words of reports in Chinese and English (metric labels live in the registry)."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "weekly_summary": {"zh": "每周经营摘要", "en": "Weekly summary"},
    "user_analysis": {"zh": "用户分析", "en": "User analysis"},
    "content_performance": {"zh": "内容表现", "en": "Content performance"},
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
