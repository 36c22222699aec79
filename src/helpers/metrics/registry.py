"""Every reported number, defined once: key, zh/en label, unit, definition and formula.

Notebooks display these labels, the JSON outputs carry the definitions, and each metric's
computation is tested against an independent one. Keys match ../shared/reference/report-outputs.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

Unit = Literal["users", "orders", "CNY", "fraction", "relative_change", "points", "count", "ratio",
               "seconds", "minutes", "id"]


@dataclass(frozen=True)
class Metric:
    key: str
    zh: str
    en: str
    unit: Unit
    definition: str  # plain English, exactly what the JSON "definitions" carries
    formula: str  # the computation, in terms of the data-contract columns
    higher_is_better: bool | None = True

    def label(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


METRICS: dict[str, Metric] = {}


def register(*metrics: Metric) -> None:
    for m in metrics:
        if m.key in METRICS:
            raise ValueError(f"metric {m.key!r} is defined twice")
        METRICS[m.key] = m


def week_on_week(base: Metric) -> Metric:
    """The relative change of `base` against the previous ISO week."""
    return Metric(
        key=f"{base.key}_wow",
        zh=f"{base.zh}周环比",
        en=f"{base.en}, week on week",
        unit="relative_change",
        definition=f"relative change of {base.key} against the previous ISO week: "
                   f"(this week - previous week) / previous week; null when the previous week is "
                   f"not entirely inside the data or its value is 0",
        formula=f"{base.key}[week] / {base.key}[week - 1] - 1",
        higher_is_better=base.higher_is_better,
    )


PAID_ORDER = ("orders with status 'paid' or no status (refunded and cancelled orders are "
              "excluded), dated by paid_at")

ACTIVE_USERS = Metric(
    "active_users", "活跃用户", "Active users", "users",
    "distinct users with any event in the period",
    "COUNT(DISTINCT events.user_id) WHERE event_time in the period")
NEW_USERS = Metric(
    "new_users", "新增用户", "New users", "users",
    "users whose first_seen_at falls in the period",
    "COUNT(users) WHERE first_seen_at in the period")
ORDERS = Metric(
    "orders", "支付订单", "Paid orders", "orders",
    f"paid orders: {PAID_ORDER}",
    "COUNT(orders) WHERE status is paid (or empty) AND paid_at in the period")
GMV = Metric(
    "gmv", "成交额（GMV）", "GMV", "CNY",
    f"sum of paid order amounts (CNY yuan) of {PAID_ORDER}",
    "SUM(orders.amount) WHERE status is paid (or empty) AND paid_at in the period")

register(ACTIVE_USERS, NEW_USERS, ORDERS, GMV)
register(*(week_on_week(m) for m in (ACTIVE_USERS, NEW_USERS, ORDERS, GMV)))


# --- user_analysis ---
_SESSION = ("a session is a tracked session_id or, when events carry none, a run of events with no "
            "gap over 30 minutes")
register(
    Metric("dau_mean", "日活跃用户均值（DAU）", "Mean DAU", "users",
           "mean over the period's days of distinct active users per day",
           "AVG over days d of COUNT(DISTINCT user_id WITH event on d)"),
    Metric("wau", "周活跃用户（WAU）", "WAU", "users",
           "distinct active users in the period",
           "COUNT(DISTINCT events.user_id) over the 7 days of the period"),
    Metric("mau", "月活跃用户（MAU）", "MAU", "users",
           "distinct active users in the 30 days ending on the period's last day",
           "COUNT(DISTINCT events.user_id) over [last day - 29, last day]; null when the data "
           "does not cover the 30 days"),
    Metric("stickiness", "粘性（DAU/MAU）", "Stickiness (DAU/MAU)", "fraction",
           "dau_mean / mau", "dau_mean / mau"),
    Metric("dau", "日活跃用户", "DAU", "users", "distinct users with any event on the day",
           "COUNT(DISTINCT user_id) per day"),
    Metric("wau_rolling", "滚动7日活跃用户", "Rolling 7-day active users", "users",
           "distinct users with any event in the 7 days ending on the day",
           "COUNT(DISTINCT user_id) over [d - 6, d]; missing when the window starts before the data"),
    Metric("mau_rolling", "滚动30日活跃用户", "Rolling 30-day active users", "users",
           "distinct users with any event in the 30 days ending on the day",
           "COUNT(DISTINCT user_id) over [d - 29, d]; missing when the window starts before the data"),
    Metric("sessions", "访问次数（打开次数）", "Sessions (opens)", "count",
           f"sessions that started in the period; {_SESSION}", "COUNT(sessions)"),
    Metric("opens_per_user", "人均打开次数", "Opens per user", "ratio",
           f"sessions / distinct users with a session; {_SESSION}", "sessions / users"),
    Metric("session_seconds", "次均停留时长", "Average session length", "seconds",
           f"mean time from a session's first to its last event; {_SESSION}",
           "AVG(MAX(event_time) - MIN(event_time)) per session"),
    Metric("pages_per_session", "次均访问页数", "Pages per session", "ratio",
           f"mean page_view events per session; {_SESSION}", "AVG(page views per session)"),
    Metric("bounce_rate", "跳出率", "Bounce rate", "fraction",
           "share of sessions with page views that have exactly one (single-page sessions)",
           "sessions with 1 page view / sessions with >= 1 page view", higher_is_better=False),
    Metric("retention_d1", "次日留存率", "Day-1 retention", "fraction",
           "among the period's new users for whom day 1 is observable (first-seen date + 1 <= last "
           "date in the data), the share with any event on exactly calendar day 1 after their "
           "first-seen date; null when no new user of the period is observable",
           "COUNT(new users active on first_seen_day + 1) / COUNT(observable new users)"),
    Metric("retention_d7", "7日留存率", "Day-7 retention", "fraction",
           "among the period's new users for whom day 7 is observable (first-seen date + 7 <= last "
           "date in the data), the share with any event on exactly calendar day 7 after their "
           "first-seen date; null when no new user of the period is observable",
           "COUNT(new users active on first_seen_day + 7) / COUNT(observable new users)"),
    Metric("retention_d30", "30日留存率", "Day-30 retention", "fraction",
           "among the period's new users for whom day 30 is observable (first-seen date + 30 <= "
           "last date in the data), the share with any event on exactly calendar day 30 after "
           "their first-seen date; null when no new user of the period is observable",
           "COUNT(new users active on first_seen_day + 30) / COUNT(observable new users)"),
    Metric("retention_dk", "第k日留存率", "Day-k retention", "fraction",
           "share of a cohort's new users active on day k after their first-seen day (exact: on "
           "that day; or later: on that day or any later one); masked when day k is beyond the data",
           "COUNT(cohort users active on day k [or later]) / cohort size"),
    Metric("retention_wk", "第j周留存率", "Week-j retention", "fraction",
           "share of a weekly cohort (ISO week of first seen) active in the j-th ISO week after; "
           "masked until that week is entirely in the data",
           "COUNT(cohort users active in week + j) / cohort size"),
    Metric("lifecycle_new", "新增", "New", "users", "active users first seen this ISO week",
           "users active in week w with first_seen week = w"),
    Metric("lifecycle_returning", "持续活跃", "Returning", "users",
           "users active this ISO week and the previous one", "active in w and in w - 1"),
    Metric("lifecycle_resurrecting", "回流", "Resurrecting", "users",
           "users active this ISO week, not the previous one, first seen earlier",
           "active in w, not in w - 1, first seen before w"),
    Metric("lifecycle_dormant", "流失（沉默）", "Dormant", "users",
           "users active the previous ISO week but not this one (drawn negative)",
           "-(active in w - 1, not in w)", higher_is_better=False),
    Metric("quick_ratio", "增长质量（Quick ratio）", "Quick ratio", "ratio",
           "(new + resurrecting) / dormant users of the week; above 1 the active base grows",
           "(new + resurrecting) / |dormant|"),
    Metric("churn_risk_users", "流失风险用户", "Churn-risk users", "users",
           "users active in the 30 days up to the period's last day whose last event is at least N "
           "days old (no activity for N consecutive days; N is the churn_days parameter)",
           "COUNT(users with last event in [end - 29, end - N])", higher_is_better=False),
    Metric("win_back_rate", "召回率", "Win-back rate", "fraction",
           "share of the users at churn risk at the end of the previous week who were active in "
           "the period", "COUNT(at risk at end of w - 1 AND active in w) / COUNT(at risk)"),
    Metric("pyramid_users", "用户金字塔人数", "Users per pyramid tier", "users",
           "users per tier as of the period's last day, checked top down: loyal (>= loyal_orders "
           "paid orders in loyal_days), new (first paid order within new_days), active (a paid order "
           "within active_days), potential (visited within active_days without one)",
           "rules of the pyramid parameter"),
    Metric("buyers", "购买用户数", "Buyers", "users",
           "distinct users with a paid order in the period",
           "COUNT(DISTINCT orders.user_id) WHERE paid in the period"),
    Metric("repurchase_rate", "复购率", "Repurchase rate", "fraction",
           "share of the period's buyers with two or more paid orders in the period",
           "COUNT(buyers with >= 2 paid orders) / buyers"),
    Metric("returning_buyer_share", "老客占比", "Returning-buyer share", "fraction",
           "share of the period's buyers who had a paid order before the period",
           "COUNT(buyers with a paid order before the period) / buyers"),
    Metric("arpu", "ARPU（人均贡献）", "ARPU", "CNY", "period GMV / wau", "gmv / wau"),
    Metric("arppu", "ARPPU（付费用户人均贡献）", "ARPPU", "CNY", "period GMV / buyers",
           "gmv / buyers"),
    Metric("ltv", "累计人均贡献（LTV）", "Cumulative revenue per user (LTV)", "CNY",
           "paid GMV per cohort user accumulated over the weeks since first seen; an age counts "
           "only for cohorts whose every user has reached it", "SUM(paid amount, age <= a) / cohort size"),
    Metric("rfm_customers", "RFM分群客户数", "Customers per RFM segment", "users",
           "consenting buyers of the last rfm_window_days scored 1-5 on recency, frequency and "
           "spend by percentile rank (ties share a score), grouped by R and F scores",
           "quantile scores of (days since last order, paid orders, paid amount)"),
    Metric("clv", "预测客户价值（CLV）", "Predicted customer value (CLV)", "CNY",
           "expected paid amount per customer over the next clv_horizon_days: BG/NBD expected "
           "purchases x Gamma-Gamma expected spend, fitted on consenting customers' purchase days",
           "E[purchases in horizon | frequency, recency, T] x E[spend | frequency, monetary]"),
    Metric("p_alive", "存活概率", "Probability still active", "fraction",
           "BG/NBD probability that a customer has not silently churned", "1 / (1 + death odds)"),
    Metric("portrait_users", "画像人数", "Users", "users",
           "users with analytics consent among the period's new or active users, per attribute value",
           "COUNT(users) GROUP BY attribute"),
    Metric("funnel_conversion", "漏斗转化率", "Funnel conversion", "fraction",
           "share of users starting the default funnel (launch -> page_view -> add_to_cart -> "
           "checkout -> pay, each step after the previous one) in the period who reach its last "
           "step within the conversion window from their first start in the period",
           "COUNT(users reaching the last step in the window) / COUNT(users with step 1 in period)"),
    Metric("step_conversion", "步骤转化率", "Step conversion", "fraction",
           "users reaching a step / users reaching the previous step", "n(step) / n(step - 1)"),
    Metric("minutes_to_convert", "转化时长中位数", "Median time to convert", "minutes",
           "median time from the first step to the last among converters",
           "MEDIAN(t_last - t_first)", higher_is_better=False),
    Metric("referral_share", "邀请新增占比", "Referral share", "fraction",
           "share of the period's new users with a referrer_id",
           "COUNT(new users with referrer_id) / new_users"),
    Metric("invites_per_referrer", "人均邀请数", "Invites per referrer", "ratio",
           "new users of the period per user who referred at least one of them",
           "COUNT(referred new users) / COUNT(DISTINCT referrer_id)"),
    Metric("referrers_2plus", "邀请2人及以上的用户", "Referrers with 2+ invites", "users",
           "users who brought two or more of the period's new users (the 2+1 chain)",
           "COUNT(referrers with >= 2 invites)"),
    Metric("viral_k", "病毒系数K", "Viral coefficient K", "ratio",
           "referred new users of the ISO week / active users of the week: new users each active "
           "user brought", "referred new users / active users"),
)


def definitions_table(keys: list[str], language: str) -> pd.DataFrame:
    """The definitions of `keys` as a table for a report's appendix."""
    zh = language == "zh"
    rows = [{
        ("指标" if zh else "Metric"): METRICS[k].label(language),
        ("键" if zh else "Key"): k,
        ("单位" if zh else "Unit"): METRICS[k].unit,
        ("定义" if zh else "Definition"): METRICS[k].definition,
        ("计算" if zh else "Formula"): METRICS[k].formula,
    } for k in keys]
    return pd.DataFrame(rows)
