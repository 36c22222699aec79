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


# --- content_performance ---
_AGE = ("in its first N days after publishing (N = parameter compare_days, default 1; day 1 is "
        "the publish day), so that articles are compared at the same age")
_LAST_TOUCH = ("last touch: each paid order is credited to the buyer's latest read_article event "
               "at most conversion_window_hours (default 72) before it; an article keeps the orders "
               "whose credited read falls in the period")
_CONTENT = dict(
    articles_published=("本期发文数", "Articles published", "count",
                        "articles whose published_at falls in the period",
                        "COUNT(articles) WHERE published_at in the period"),
    readers=("阅读人数", "Readers", "users",
             "sum of article_stats.readers over rows dated in the period (any article)",
             "SUM(article_stats.readers) WHERE date in the period"),
    reads=("阅读次数", "Reads", "count",
           "sum of article_stats.reads over rows dated in the period (any article)",
           "SUM(article_stats.reads) WHERE date in the period"),
    sharers=("分享人数", "Sharers", "users",
             "sum of article_stats.sharers over rows dated in the period (any article)",
             "SUM(article_stats.sharers) WHERE date in the period"),
    read_rate=("阅读率", "Read rate", "fraction",
               "for the articles published in the period: their readers on stat dates within the "
               "period, summed, divided by their recipients, summed (an article's recipients are "
               "those of its publish-day row)",
               "SUM(readers of period articles, dated in the period) / SUM(their recipients)"),
    share_rate=("分享率", "Share rate", "fraction",
                "sharers / readers, both the period sums over article_stats rows dated in the period",
                "sharers / readers"),
    new_followers=("新增关注", "New followers", "users",
                   "sum of followers.new_followers over rows dated in the period (all sources)",
                   "SUM(followers.new_followers) WHERE date in the period"),
    unfollows=("取消关注", "Unfollows", "users",
               "sum of followers.unfollows over rows dated in the period (all sources)",
               "SUM(followers.unfollows) WHERE date in the period", False),
    net_followers=("净增关注", "Net new followers", "users",
                   "new_followers - unfollows", "new_followers - unfollows"),
    best_article_id=("最佳文章", "Best article", "id",
                     "the period's article with the highest read rate " + _AGE + ", after "
                     "empirical-Bayes shrinkage toward its column's average: (readers + a) / "
                     "(recipients + a + b), where the beta prior Beta(a, b) is fitted by maximum "
                     "beta-binomial likelihood to the same-age read rates of the column's articles of "
                     "the last history_weeks weeks (columns with fewer than 5 such articles use all "
                     "articles)",
                     "argmax over period articles of (readers_N + a_column) / (recipients + a_column "
                     "+ b_column)", None),
    article_recipients=("送达人数", "Recipients", "users",
                        "followers the article was sent to (recipients on its publish-day row)",
                        "MAX(article_stats.recipients) per article"),
    article_readers=("阅读人数", "Readers", "users",
                     "the article's readers from publishing up to the end of the period",
                     "SUM(article_stats.readers) per article, dates <= period end"),
    article_read_rate=("阅读率", "Read rate", "fraction",
                       "the article's readers up to the end of the period / its recipients",
                       "article_readers / article_recipients"),
    article_read_rate_days=("首 N 日阅读率", "Read rate, first N days", "fraction",
                            "readers in the first N days after publishing (day 1 = publish day; "
                            "N = each value of parameter same_age_days) / recipients; blank until "
                            "N days are observable",
                            "SUM(readers WHERE date - published day < N) / recipients"),
    article_read_rate_shrunk=("收缩后阅读率", "Shrunk read rate", "fraction",
                              "the read rate " + _AGE + ", shrunk toward the column's average as for "
                              "best_article_id; the ranking of the period's articles",
                              "(readers_N + a_column) / (recipients + a_column + b_column)"),
    article_shrink_weight=("自身数据权重", "Weight of own data", "fraction",
                           "how much of the shrunk read rate comes from the article's own counts; "
                           "the rest is its column's average",
                           "recipients / (recipients + a_column + b_column)", None),
    article_share_rate=("分享率", "Share rate", "fraction",
                        "the article's sharers / its readers, up to the end of the period",
                        "SUM(sharers) / SUM(readers) per article"),
    article_share_rate_shrunk=("收缩后分享率", "Shrunk share rate", "fraction",
                               "sharers / readers " + _AGE + ", shrunk toward the column's average "
                               "share rate in the same way as the read rate",
                               "(sharers_N + a_column) / (readers_N + a_column + b_column)"),
    article_favorites=("收藏", "Favourites", "count", "favourites up to the end of the period",
                       "SUM(article_stats.favorites)"),
    article_likes=("点赞", "Likes", "count", "likes up to the end of the period",
                   "SUM(article_stats.likes)"),
    article_zaikan=("在看", "Zaikan (在看)", "count", "在看 (wow) marks up to the end of the period",
                    "SUM(article_stats.zaikan)"),
    article_comments=("评论", "Comments", "count", "comments up to the end of the period",
                      "SUM(article_stats.comments)"),
    article_interaction_rate=("互动率", "Interaction rate", "fraction",
                              "favourites, likes, 在看 and comments per reader, up to the end of the "
                              "period", "(favorites + likes + zaikan + comments) / readers"),
    article_original_rate=("阅读原文率", "Read-original rate", "fraction",
                           "readers of the 阅读原文 (read original) page / article readers",
                           "SUM(original_page_readers) / SUM(readers)"),
    article_finish_rate=("完读率", "Finish rate", "fraction",
                         "finish_rate averaged over the article's daily rows, weighted by readers",
                         "SUM(finish_rate * readers) / SUM(readers WHERE finish_rate present)"),
    article_readers_days=("首 N 日阅读人数", "Readers, first N days", "users",
                          "readers " + _AGE, "SUM(readers WHERE date - published day < N)"),
    article_expected_readers=("预期阅读人数", "Expected readers", "users",
                              "readers expected " + _AGE + " from the article's column, position "
                              "and recipients: recipients x exp(fit) of a least-squares fit of "
                              "log((readers + 0.5) / recipients) on column and position over the "
                              "articles of the last history_weeks weeks",
                              "recipients * exp(b_column + b_position) - 0.5"),
    article_vs_expected=("实际/预期", "Actual / expected", "ratio",
                         "same-age readers / expected readers; flagged when the fit's residual "
                         "is at least outlier_z (default 2.5) residual standard deviations from 0",
                         "article_readers_days / article_expected_readers", None),
    content_articles=("文章数", "Articles", "count",
                      "articles of the group published in the last history_weeks weeks whose first "
                      "N days are observable", "COUNT(articles)"),
    content_read_rate=("阅读率（首 N 日）", "Read rate (first N days)", "fraction",
                       "the group's readers " + _AGE + " / its recipients; the 95% interval treats "
                       "articles as the units (ratio estimator, t with articles - 1 df)",
                       "SUM(readers_N) / SUM(recipients)"),
    content_read_rate_adjusted=("阅读率（按位置调整）", "Read rate (position-adjusted)", "fraction",
                                "the group's read rate had it the account's mix of push positions: "
                                "the account's read rate x the group's readers / its expected "
                                "readers at each article's position's read rate",
                                "read_rate_all x SUM(readers_N) / SUM(recipients x "
                                "read_rate_position)"),
    content_share_rate=("分享率（首 N 日）", "Share rate (first N days)", "fraction",
                        "the group's sharers / readers " + _AGE + "; 95% interval over articles",
                        "SUM(sharers_N) / SUM(readers_N)"),
    headline_read_rate=("头条阅读率（首 N 日）", "Headline read rate (first N days)", "fraction",
                        "readers / recipients " + _AGE + ", headline articles (position 1) only, so "
                        "that push position is held fixed", "SUM(readers_N) / SUM(recipients)"),
    pushes_per_week=("每周推送次数", "Pushes per week", "count",
                     "group sends (articles sharing one published_at) per ISO week, against the "
                     "target band target_pushes_per_week", "COUNT(DISTINCT published_at) per week",
                     None),
    days_since_push=("距上次推送天数", "Days since previous push", "count",
                     "days between a push's publish day and the previous push's",
                     "published day - previous push's published day", None),
    followers_cumulative=("累计关注", "Total followers", "users",
                          "followers.cumulative of the day (the source's total follower count)",
                          "MAX(followers.cumulative) per day"),
    follower_new_share=("新增占比", "Share of new followers", "fraction",
                        "the source's new followers / all new followers of the period",
                        "new_followers[source] / new_followers", None),
    push_unfollows=("推送后取关", "Unfollows after the push", "users",
                    "unfollows within 48 hours after a push: its publish day and the next day (the "
                    "followers table is daily)",
                    "SUM(unfollows) over the push day and the next", False),
    push_unfollows_usual=("通常取关", "Usual unfollows", "users",
                          "unfollows expected on the same days given the articles pushed each day "
                          "and the day before: least squares of daily unfollows on those two counts "
                          "over the 8 weeks before and the weeks shown, refitted without spike days",
                          "SUM(a + b x articles[d] + c x articles[d - 1]) over the two days", None),
    push_unfollow_ratio=("取关倍数", "Unfollows vs usual", "ratio",
                         "push unfollows / usual unfollows. A day is unusual at unfollow_spike_ratio "
                         "(default 2) times usual or more when that many are unlikely as Poisson "
                         "noise (p < 0.01); a run of unusual days flags the latest push on its first "
                         "day or the day before",
                         "push_unfollows / push_unfollows_usual", False),
    article_openers=("打开小程序人数", "Mini-program openers", "users",
                     "distinct users with a read_article event for the article in the period "
                     "(opened the mini-program from it)",
                     "COUNT(DISTINCT events.user_id) WHERE event = 'read_article'"),
    article_open_rate=("打开率", "Open rate", "fraction",
                       "mini-program openers / the article's readers in the period (two sources: "
                       "our events and WeChat's article statistics)",
                       "article_openers / SUM(article_stats.readers in the period)"),
    article_buyers=("下单人数", "Buyers", "users",
                    "distinct users with a paid order credited to the article; " + _LAST_TOUCH,
                    "COUNT(DISTINCT user_id of credited orders)"),
    article_orders=("带来订单", "Orders credited", "orders",
                    "paid orders credited to the article; " + _LAST_TOUCH,
                    "COUNT(credited paid orders)"),
    article_gmv=("带来成交额", "GMV credited", "CNY",
                 "sum of the amounts of the paid orders credited to the article; " + _LAST_TOUCH,
                 "SUM(orders.amount of credited paid orders)"),
    article_conversion=("下单转化率", "Conversion", "fraction",
                        "buyers / mini-program openers of the article", "article_buyers / article_openers"),
    article_gmv_share=("文章带来成交额占比", "Share of GMV from articles", "fraction",
                       "GMV credited to articles read in the period / GMV of the period's paid "
                       "orders (the credited orders may fall after the period)",
                       "SUM(article_gmv) / gmv"),
    mp_page_views=("浏览次数", "Page views", "count", "page_view events of the page in the period",
                   "COUNT(events WHERE event = 'page_view')"),
    mp_page_visitors=("访问人数", "Visitors", "users", "distinct users who viewed the page",
                      "COUNT(DISTINCT user_id) of page_view events"),
    mp_time_on_page=("平均停留时长", "Average time on page", "seconds",
                     "mean duration_s of the page's page_view events that carry one",
                     "AVG(events.duration_s)"),
    mp_entry_rate=("入口率", "Entry rate", "fraction",
                   "page views that started a session / page views of the page (a session is "
                   "events.session_id or, without one, a run of events without a 30-minute gap)",
                   "COUNT(first page_view of a session) / page views"),
    mp_exit_rate=("退出率", "Exit rate", "fraction",
                  "page views that ended a session / page views of the page",
                  "COUNT(last page_view of a session) / page views", False),
    mp_exit_rate_change=("退出率周变化", "Exit rate change", "points",
                         "exit rate this week - exit rate the week before; flagged when it rose by "
                         "exit_rate_jump (default 5 points) or more and significantly (one-sided "
                         "two-proportion z-test, p < 0.05)",
                         "exit_rate[week] - exit_rate[week - 1]", False),
    mp_page_shares=("分享次数", "Shares", "count",
                    "share events on the page (without a page: the page last viewed before the "
                    "share in the same session)", "COUNT(events WHERE event = 'share')"),
    mp_shares_per_100_views=("每百次浏览分享", "Shares per 100 views", "ratio",
                             "shares / page views x 100", "100 * mp_page_shares / mp_page_views"),
)
register(*(Metric(key, *spec) for key, spec in _CONTENT.items()))
register(*(week_on_week(METRICS[k]) for k in ("articles_published", "readers", "read_rate",
                                               "share_rate", "new_followers", "unfollows")))


# --- campaign_evaluation ---
_WINDOW = "from the campaign's start to its end (or to the period's last day while it runs)"
_PARTICIPANTS = ("participants: users with an event tagged with the campaign (events.campaign_id), "
                 "with a paid order attributed to it (orders.campaign_id), or, for a campaign naming "
                 "one acquisition channel, first seen through that channel " + _WINDOW + "; in a "
                 "randomized campaign only users of non-control variants")
_INCREMENTAL = ("incremental GMV: the GMV the campaign caused by its evaluation method (randomized: "
                "revenue-per-user lift x treated users; counterfactual / difference-in-differences: "
                "actual - estimated GMV without the campaign over its days)")
_TEST = "among the users assigned to the variant, from their assignment to the end of the test or period"
_CHANNEL = "per channel, over the period"
register(
    Metric("campaign_method", "评估方法", "Method", "id",
           "randomized (assignments with a control variant), diff_in_diff (a named comparison "
           "group), counterfactual (model fitted on the days before the campaign) or none",
           "chosen per campaign from the data available", None),
    Metric("campaign_lift_abs", "绝对提升", "Absolute lift", "count",
           "effect on the campaign's metric in the metric's unit: for conversion, treatment - "
           "control in percentage points; for revenue per user, CNY; for counterfactual and "
           "difference-in-differences, the total over the campaign days (paid orders, CNY of GMV "
           "or new users) of actual - estimated without the campaign",
           "treatment - control, or SUM(actual - counterfactual) over the campaign days"),
    Metric("campaign_lift_rel", "相对提升", "Relative lift", "relative_change",
           "the absolute lift relative to the control (or counterfactual) level: a relative change, "
           "not percentage points", "lift_abs / control (or counterfactual total)"),
    Metric("campaign_ci", "95% 区间", "95% interval", "count",
           "95% interval of the absolute lift; for a randomized test still running, the always-"
           "valid sequential interval (asymptotic confidence sequence, Waudby-Smith et al. 2023) "
           "that keeps its coverage however many weekly looks are taken",
           "Welch / delta method; sequential: estimate ± se x sqrt(2(nρ²+1)/(nρ²) "
           "log(sqrt(nρ²+1)/α)); counterfactual: 2.5th-97.5th percentiles of simulated paths", None),
    Metric("campaign_p_value", "p 值", "p-value", "ratio",
           "probability of an effect at least this large if the campaign had none (two-sided); "
           "always-valid for a running randomized test", "Welch t / simulated paths", None),
    Metric("campaign_cost", "成本", "Cost", "CNY",
           "spend rows tagged with the campaign up to the period's last day, else campaigns.cost, "
           "pro rata to the days elapsed while the campaign runs",
           "SUM(spend.cost WHERE campaign_id) or cost x elapsed days / planned days",
           higher_is_better=False),
    Metric("campaign_incremental_gmv", "增量成交额", "Incremental GMV", "CNY", _INCREMENTAL,
           "revenue-per-user lift x treated users, or SUM(actual GMV - counterfactual GMV)"),
    Metric("campaign_roas", "增量ROAS", "Incremental ROAS", "ratio",
           "incremental GMV (campaign_incremental_gmv) per yuan of cost", "incremental GMV / cost"),
    Metric("campaign_roi", "ROI", "ROI", "fraction",
           "return on the campaign's cost from the gross profit of its incremental GMV "
           "(campaign_incremental_gmv), with the gross margin a report parameter",
           "(incremental GMV x gross_margin - cost) / cost"),
    Metric("campaign_reach", "触达用户", "Reach", "users",
           "randomized: users assigned to non-control variants; otherwise distinct users with any "
           "event " + _WINDOW,
           "COUNT(assignments of non-control variants) or COUNT(DISTINCT events.user_id in window)"),
    Metric("campaign_participants", "参与用户", "Participants", "users", _PARTICIPANTS,
           "COUNT(DISTINCT participants)"),
    Metric("campaign_new_users", "活动新增用户", "New users acquired", "users",
           "participants first seen " + _WINDOW, "COUNT(participants WITH first_seen_at in window)"),
    Metric("campaign_conversions", "转化用户", "Converted users", "users",
           "participants with a paid order " + _WINDOW, "COUNT(DISTINCT participants WITH paid order)"),
    Metric("campaign_conversion_rate", "转化率", "Conversion", "fraction",
           "converted participants / reach", "campaign_conversions / campaign_reach"),
    Metric("campaign_orders", "活动订单", "Orders", "orders",
           "paid orders of the participants " + _WINDOW, "COUNT(paid orders of participants in window)"),
    Metric("campaign_gmv", "活动成交额", "GMV", "CNY",
           "paid amount of the participants' paid orders " + _WINDOW + " (attributed, not incremental)",
           "SUM(amount of participants' paid orders in window)"),
    Metric("campaign_cac", "获客成本（CAC）", "CAC", "CNY", "cost per new user acquired",
           "campaign_cost / campaign_new_users", higher_is_better=False),
    Metric("campaign_roas_attributed", "归因ROAS", "Attributed ROAS", "ratio",
           "participants' GMV per yuan of cost (attributed: includes purchases that would have "
           "happened anyway)", "campaign_gmv / campaign_cost"),
    Metric("campaign_impressions", "曝光", "Impressions", "count",
           "impressions of spend rows tagged with the campaign", "SUM(spend.impressions WHERE campaign_id)"),
    Metric("campaign_clicks", "点击", "Clicks", "count",
           "clicks of spend rows tagged with the campaign", "SUM(spend.clicks WHERE campaign_id)"),
    Metric("campaign_target_attainment", "目标达成", "Of target", "fraction",
           "the campaign's target_metric value so far / its target_value (campaigns table)",
           "actual(target_metric) / target_value"),
    Metric("ab_users", "分组用户", "Users", "users", "users assigned to the variant by the period's "
           "last day", "COUNT(assignments)"),
    Metric("ab_srm_p_value", "样本比例检验 p 值", "Sample-ratio p-value", "ratio",
           "chi-square goodness of fit of users per variant against the intended split (the "
           "campaign's holdout share for control, else the intended_split parameter, else equal); "
           "below 0.001 the assignment is broken and the test's results cannot be trusted",
           "scipy.stats.chisquare(users, total x intended shares)", None),
    Metric("ab_conversion", "转化率", "Conversion", "fraction",
           "share of users with at least one paid order, " + _TEST,
           "COUNT(users with a paid order after assignment) / users"),
    Metric("ab_revenue_per_user", "人均收入", "Revenue per user", "CNY",
           "paid amount per user, " + _TEST, "SUM(paid amount after assignment) / users"),
    Metric("ab_orders_per_user", "人均订单", "Orders per user", "ratio",
           "paid orders per user, " + _TEST, "COUNT(paid orders after assignment) / users"),
    Metric("ab_aov", "客单价", "Average order value", "CNY",
           "paid amount per paid order, " + _TEST + "; its interval uses the delta method for a "
           "ratio of per-user sums", "SUM(paid amount) / COUNT(paid orders)"),
    Metric("ab_refund_rate", "退款率（护栏）", "Refund rate (guardrail)", "fraction",
           "refunded orders / orders placed (any status), " + _TEST + "; a guardrail: shown apart "
           "and not part of the multiple-testing family", "COUNT(refunded) / COUNT(orders)",
           higher_is_better=False),
    Metric("ab_unfollow_rate", "取关率（护栏）", "Unfollow rate (guardrail)", "fraction",
           "share of users with an 'unfollow' event, " + _TEST + "; a guardrail (only when the "
           "events record unfollows)", "COUNT(users with unfollow) / users", higher_is_better=False),
    Metric("ab_p_holm", "Holm 校正 p 值", "Holm-adjusted p-value", "ratio",
           "p-value corrected for testing several metrics at once (Holm's step-down method over the "
           "primary and secondary metrics of the test, guardrails excluded)",
           "statsmodels multipletests(method='holm')", None),
    Metric("ab_cuped_narrowing", "CUPED 区间收窄", "CUPED narrowing", "fraction",
           "how much narrower the interval became by adjusting each user's metric for its value in "
           "the covariate_days before assignment (CUPED)",
           "1 - se(adjusted) / se(unadjusted); y - θ(x - mean x), θ = cov(x, y) / var(x)"),
    Metric("ab_mde", "最小可检测效应", "Minimum detectable effect", "relative_change",
           "the smallest relative lift of the primary metric the test detects with the chosen "
           "power at the chosen significance level with its current users (fixed-horizon)",
           "statsmodels NormalIndPower: (z(1-α/2) + z(power)) x sd x sqrt(1/n_c + 1/n_t) / control"),
    Metric("ab_days_needed", "尚需天数", "Days still needed", "count",
           "days the test must still run at its current daily intake of users to detect the "
           "planned relative lift (parameter planned_lift_rel) with the chosen power",
           "(users needed - users so far) / users assigned per day", higher_is_better=False),
    Metric("cf_actual", "实际值", "Actual", "count", "the metric observed over the days",
           "SUM(metric over the days)"),
    Metric("cf_expected", "无活动时的预计值", "Expected without the campaign", "count",
           "counterfactual: the metric a model fitted on the days before the campaign predicts "
           "(local level, weekly pattern, holidays, make-up workdays, shopping festivals, other "
           "campaigns; mean of simulated paths)",
           "statsmodels UnobservedComponents forecast; SUM over the days"),
    Metric("cf_placebo_rate", "安慰剂误报率", "Placebo false-alarm rate", "fraction",
           "share of placebo windows (same length, earlier days with no campaign or festival) whose "
           "95% interval excludes zero; about 5% when the method is sound",
           "COUNT(placebo intervals excluding 0) / COUNT(placebos)", higher_is_better=False),
    Metric("did_pre_trend_p", "平行趋势检验 p 值", "Parallel-trend p-value", "ratio",
           "test of a trend in the gap between treated and comparison groups before the campaign; "
           "small values mean the groups were not moving together and the estimate is doubtful",
           "OLS of the daily gap on time over the pre-period, Newey-West errors", None),
    Metric("coupon_claimers", "领券用户", "Claimers", "users",
           "users with a coupon_claim event of the campaign", "COUNT(DISTINCT coupon_claim users)"),
    Metric("coupon_claim_rate", "领券率", "Claim rate", "fraction", "claimers / reach",
           "coupon_claimers / campaign_reach"),
    Metric("coupon_redemption_rate", "核销率", "Redemption rate", "fraction",
           "claimers with a paid order of the campaign carrying a coupon_id / claimers",
           "COUNT(claimers with coupon order) / coupon_claimers"),
    Metric("coupon_discount", "优惠金额", "Discount given", "CNY",
           "sum of orders.discount over the campaign's paid coupon orders",
           "SUM(discount of paid coupon orders)", higher_is_better=False),
    Metric("coupon_deadweight", "本会购买的核销者占比", "Redeemers who would have bought anyway",
           "fraction", "estimated share of the treated buyers who would have bought without the "
           "coupon: control conversion / treatment conversion (needs a holdout); its interval "
           "comes from the interval of the relative lift", "1 / (1 + relative lift in conversion)",
           higher_is_better=False),
    Metric("group_started", "开团数", "Groups started", "count",
           "distinct group_id among the campaign's orders (all orders of its days when none is "
           "attributed)", "COUNT(DISTINCT group_id)"),
    Metric("group_completion_rate", "成团率", "Completion rate", "fraction",
           "groups with at least group_min_size paid orders / groups started",
           "COUNT(groups with >= k paid orders) / group_started"),
    Metric("group_size", "平均成团人数", "Average group size", "ratio",
           "paid orders per completed group", "AVG(paid orders of completed groups)"),
    Metric("referral_inviters", "邀请人", "Inviters", "users",
           "distinct users with a share event during the campaign", "COUNT(DISTINCT share users)"),
    Metric("referral_invites", "邀请次数", "Invites", "count", "share events during the campaign",
           "COUNT(share events)"),
    Metric("referral_joins", "受邀新用户", "Invited new users", "users",
           "users first seen during the campaign with a referrer_id",
           "COUNT(new users WITH referrer_id)"),
    Metric("referral_k_factor", "K 因子", "K-factor", "ratio",
           "invited new users per inviting user during the campaign (invites per inviter x joins "
           "per invite)", "referral_joins / referral_inviters"),
    Metric("referral_cost_per_join", "每个受邀新用户成本", "Cost per invited new user", "CNY",
           "campaign cost / invited new users", "campaign_cost / referral_joins",
           higher_is_better=False),
    Metric("repeat_rate", "复购率", "Repeat purchase rate", "fraction",
           "among new users first seen during the campaign who bought during it and whose first "
           "such order is at least repeat_days before the period's end, the share with another paid "
           "order within repeat_days after it; campaign-acquired (participants) against organic "
           "(the other new users of those days); the gap is in percentage points",
           "COUNT(buyers with a 2nd paid order within repeat_days) / COUNT(observable buyers)"),
    Metric("channel_spend", "花费", "Spend", "CNY", "spend.cost " + _CHANNEL, "SUM(spend.cost)",
           higher_is_better=False),
    Metric("channel_impressions", "曝光", "Impressions", "count", "spend.impressions " + _CHANNEL,
           "SUM(spend.impressions)"),
    Metric("channel_clicks", "点击", "Clicks", "count", "spend.clicks " + _CHANNEL, "SUM(spend.clicks)"),
    Metric("channel_ctr", "点击率（CTR）", "CTR", "fraction", "clicks / impressions " + _CHANNEL,
           "SUM(clicks) / SUM(impressions)"),
    Metric("channel_cpc", "单次点击成本（CPC）", "CPC", "CNY", "spend / clicks " + _CHANNEL,
           "SUM(cost) / SUM(clicks)", higher_is_better=False),
    Metric("channel_new_users", "新增用户", "New users", "users",
           "users first seen in the period whose acquisition channel (users.channel) is the channel",
           "COUNT(users WITH first_seen_at in the period) GROUP BY users.channel"),
    Metric("channel_cac", "获客成本（CAC）", "CAC", "CNY", "spend / new users " + _CHANNEL,
           "channel_spend / channel_new_users", higher_is_better=False),
    Metric("channel_conversion", "新用户转化率", "New-user conversion", "fraction",
           "share of the channel's new users of the period with a paid order in the period",
           "COUNT(new users with a paid order) / channel_new_users"),
    Metric("channel_orders_ft", "订单（首次触点）", "Orders (first touch)", "orders",
           "paid orders of the period credited to the buyer's acquisition channel (users.channel)",
           "COUNT(paid orders) GROUP BY users.channel"),
    Metric("channel_revenue_ft", "收入（首次触点）", "Revenue (first touch)", "CNY",
           "paid amount of the period credited to the buyer's acquisition channel (users.channel)",
           "SUM(paid amount) GROUP BY users.channel"),
    Metric("channel_aov_ft", "客单价（首次触点）", "AOV (first touch)", "CNY",
           "first-touch revenue / first-touch orders", "channel_revenue_ft / channel_orders_ft"),
    Metric("channel_roas_ft", "ROAS（首次触点）", "ROAS (first touch)", "ratio",
           "first-touch revenue / spend " + _CHANNEL, "channel_revenue_ft / channel_spend"),
    Metric("channel_orders_lt", "订单（末次触点）", "Orders (last touch)", "orders",
           "paid orders of the period credited to the order's channel (orders.channel, the last touch)",
           "COUNT(paid orders) GROUP BY orders.channel"),
    Metric("channel_revenue_lt", "收入（末次触点）", "Revenue (last touch)", "CNY",
           "paid amount of the period credited to the order's channel (orders.channel)",
           "SUM(paid amount) GROUP BY orders.channel"),
    Metric("channel_aov_lt", "客单价（末次触点）", "AOV (last touch)", "CNY",
           "last-touch revenue / last-touch orders", "channel_revenue_lt / channel_orders_lt"),
    Metric("channel_roas_lt", "ROAS（末次触点）", "ROAS (last touch)", "ratio",
           "last-touch revenue / spend " + _CHANNEL, "channel_revenue_lt / channel_spend"),
    Metric("channel_share_shift", "收入占比变化", "Revenue share shift", "points",
           "the channel's share of period revenue under last touch minus under first touch, in "
           "percentage points", "revenue_lt / total - revenue_ft / total"),
)


# --- forecasting ---
_DAY = "days counted in the source timezone"
_BACKTEST = ("over the rolling backtest origins that end before the report week (each origin: fit on "
             "the history before it, forecast horizon_days ahead)")
register(
    Metric("daily_active_users", "日活跃用户", "Daily active users", "users",
           f"distinct users with any event on the day ({_DAY})",
           "COUNT(DISTINCT events.user_id) GROUP BY event day"),
    Metric("daily_new_users", "日新增用户", "Daily new users", "users",
           "users whose first_seen_at falls on the day", "COUNT(users) GROUP BY first_seen day"),
    Metric("daily_orders", "日支付订单", "Daily paid orders", "orders",
           f"paid orders on the day: {PAID_ORDER}", "COUNT(paid orders) GROUP BY paid day"),
    Metric("daily_gmv", "日成交额（GMV）", "Daily GMV", "CNY",
           f"sum of paid order amounts on the day (CNY yuan): {PAID_ORDER}",
           "SUM(orders.amount) of paid orders GROUP BY paid day"),
    Metric("daily_reads", "日文章阅读次数", "Daily article reads", "count",
           "article reads (int_page_read_count) on the day, summed over all articles; days inside "
           "the article_stats range without a row count as 0",
           "SUM(article_stats.reads) GROUP BY date"),
    Metric("daily_net_followers", "日净增关注", "Daily net followers", "users",
           "new followers minus unfollows on the day, summed over sources",
           "SUM(followers.new_followers) - SUM(followers.unfollows) GROUP BY date"),
    Metric("daily_unfollow_rate", "日取关率", "Daily unfollow rate", "fraction",
           "unfollows on the day / followers at the start of the day (the day's cumulative minus its "
           "new followers plus its unfollows)",
           "SUM(unfollows) / (cumulative - SUM(new_followers) + SUM(unfollows)) GROUP BY date",
           False),
    Metric("forecast_series", "预测序列", "Forecast series", "id",
           "one object per forecast daily series: metric, model (chosen by backtest MASE), "
           "horizon_days, mase_backtest, mase_seasonal_naive, coverage80, coverage95, plus "
           "transform, coverage80_raw, coverage95_raw, recalibrated and notes; the daily forecasts "
           "are in forecast.csv", "see the metric keys of each field"),
    Metric("forecast_anomalies", "异常日", "Anomalies", "id",
           "days of the report week whose actual value lies outside the 95% prediction interval of "
           "a model fitted on the data before the week: metric, date, actual, expected, lo95, hi95, "
           "direction (up = above hi95, down = below lo95), deviation (actual / expected - 1)",
           "actual < lo95 or actual > hi95"),
    Metric("forecast_alerts", "阈值告警", "Threshold alerts", "id",
           "days of the report week on which a metric crossed a threshold rule of the parameters "
           "(alerts: metric, above / below): metric, date, value, threshold, rule",
           "value > above or value < below"),
    Metric("mase_backtest", "回测 MASE", "Backtest MASE", "ratio",
           f"mean absolute error of the chosen model's forecasts {_BACKTEST}, divided by the mean "
           "absolute 7-day difference of that origin's history, averaged over origins; below 1 = "
           "better than the in-sample seasonal naive error", "mean_o(MAE_o / MAE(y_t - y_t-7))",
           False),
    Metric("mase_seasonal_naive", "季节性朴素 MASE", "Seasonal naive MASE", "ratio",
           f"MASE of the seasonal naive forecast (same weekday of the last week) {_BACKTEST}",
           "as mase_backtest, forecast y_t = y_t-7k", False),
    Metric("coverage80", "80% 区间覆盖率", "80% interval coverage", "fraction",
           f"share of backtest days whose actual value fell inside the published 80% interval "
           f"{_BACKTEST}; when the interval was recalibrated, estimated leaving each origin out of "
           "the calibration in turn", "mean(lo80 <= actual <= hi80)", None),
    Metric("coverage95", "95% 区间覆盖率", "95% interval coverage", "fraction",
           "as coverage80 for the 95% interval", "mean(lo95 <= actual <= hi95)", None),
    Metric("interval_factor", "区间校准系数", "Interval calibration factor", "ratio",
           "factor applied to the model's interval half-width so that the backtest coverage is "
           "nominal; applied only when the model's own coverage is further than the tolerance from "
           "nominal (1 = not recalibrated)", "quantile_level(|z|) / z_level, z = error / forecast sd",
           None),
    Metric("forecast_yhat", "预测值", "Forecast", "count",
           "the chosen model's forecast for a day (the median on the log scale for positive "
           "series), in the unit of its metric", "yhat", None),
    Metric("prediction_interval", "预测区间", "Prediction interval", "count",
           "range expected to hold the actual value with the stated probability (80% or 95%), "
           "calibrated on backtest errors", "[lo, hi]", None),
    Metric("anomaly_deviation", "偏离预期", "Deviation from expected", "relative_change",
           "actual / expected - 1 on an anomaly day", "actual / expected - 1", None),
    Metric("calendar_effect", "日历效应", "Calendar effect", "relative_change",
           "estimated change on days of a calendar feature (holiday, make-up workday, shopping "
           "festival or its pre-sale, user event) against an ordinary day of the same weekday, from "
           "the structural model: exp(coefficient) - 1 for log-scale series, else the coefficient",
           "exp(beta) - 1", None),
    Metric("weekly_forecast", "周预测合计", "Weekly forecast total", "count",
           "sum of the daily forecasts of an ISO week; its interval treats the daily errors as "
           "equally correlated, with the correlation measured on the backtest", "SUM(yhat) per week",
           None),
    Metric("target_attainment", "预计目标达成", "Expected share of target", "fraction",
           "weekly forecast total / the week's target from the parameters", "weekly_forecast / target"),
    Metric("forecast_wape", "历史预测误差（WAPE）", "Past forecast error (WAPE)", "fraction",
           "for forecasts published in earlier reports: sum of |forecast - actual| / sum of actual "
           "over the days now known", "SUM(|yhat - actual|) / SUM(actual)", False),
    Metric("forecast_bias", "历史预测偏差", "Past forecast bias", "relative_change",
           "for forecasts published in earlier reports: sum of (forecast - actual) / sum of actual; "
           "positive = forecasts were too high", "SUM(yhat - actual) / SUM(actual)", None),
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
