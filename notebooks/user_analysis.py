# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: wxreport
#     language: python
#     name: wxreport
# ---

# %% [markdown]
# # User analysis
# Growth, activity, retention, lifecycle, value, portrait, funnel and referral for the report
# week. Each section opens with a finding generated from its numbers; the helpers in
# `helpers.metrics` compute everything (tested there), this notebook only arranges it.

# %% tags=["parameters"]
# Run by `make report`, the runner replaces this with the resolved params/*.yaml values.
# Interactively, leave it empty or override keys, e.g. {"period": "2026-W45", "language": "en"}.
params = {}

# %%
import pandas as pd

from helpers.render.report import open_report
from helpers.metrics import activity, funnel, growth, lifecycle, portrait, referral, retention, users, value
from helpers.render import privacy
from helpers.report import user_charts as charts
from helpers.report import user_findings as findings
from helpers.render.text import label
from helpers.core.warehouse import day_number, day_to_date

rep = open_report("user_analysis", params)
p, wh = rep.params, rep.wh
k_min = p.min_cell_size
lo, hi = day_number(rep.period.start), day_number(rep.period.end)
chart_from = lo - 7 * (p.chart_weeks - 1)
window_s = int(p.funnel_window_hours * 3600)
metrics = rep.publish(users.headline(wh, rep.period, p.funnel_steps, window_s))["metrics"]
rep.header()

# %%
rep.section("增长", "Growth")
weekly_new = growth.wide(growth.new_users(wh, chart_from, hi, "week", "channel"))
rep.finding(findings.growth(weekly_new, rep.lang))
rep.chart(charts.new_users_by_channel(weekly_new, rep.lang))
rep.chart(charts.daily_line(growth.new_users(wh, chart_from, hi), "new_users",
                            rep.text("每日新增用户", "New users per day"), "users", rep.lang))

# %%
sources = growth.new_users(wh, lo, hi, "week", "source", rep.lang)
shown, hidden_rows = privacy.large_only(sources, "new_users", k_min)
rep.chart(charts.top_bars(shown.set_index("key")["new_users"].head(12),
                          rep.text("本周新增用户的访问来源（微信场景值）", "Access source of this week's new users (scene codes)"),
                          "users", rep.lang))
if hidden_rows:
    rep.say(f"另有 {hidden_rows} 个来源不足 {k_min} 人，未显示。",
            f"{hidden_rows} more sources with fewer than {k_min} users are not shown.")

# %%
rep.section("活跃", "Activity")
daily = activity.daily_active(wh, chart_from, hi)
this_sessions = activity.session_stats(wh, lo, hi).iloc[0]
last_sessions = activity.session_stats(wh, lo - 7, hi - 7).iloc[0]
rep.finding(findings.activity(metrics, this_sessions, daily[daily["day"] >= lo], rep.lang))
rep.chart(charts.active_users(daily, rep.lang))
session_keys = ["sessions", "opens_per_user", "session_seconds", "pages_per_session", "bounce_rate"]
rep.compare_table({k: this_sessions[k] for k in session_keys}, {k: last_sessions[k] for k in session_keys})
rep.chart(charts.hour_weekday_heatmap(activity.hour_weekday(wh, hi - 7 * p.heatmap_weeks + 1, hi), rep.lang))

# %%
rep.section("留存", "Retention")
cohort_week = retention.latest_complete_cohort_week(wh.meta["last_day"], 7)
rep.finding(findings.retention(retention.cohort_change(wh, cohort_week - 7, cohort_week),
                               day_to_date(cohort_week), 7, "channel", rep.lang))
mode_text = {"exact": ("当天回访（第 k 天有任意事件）", "returned on exactly day k"),
             "on_or_after": ("第 k 天或之后回访", "returned on day k or later")}[p.retention_mode]
rep.say(f"以下留存按“{mode_text[0]}”计算；尚无法观察的格子留空，不计为 0。",
        f"Retention below counts users who {mode_text[1]}; cells not observable yet are blank, never 0.")
cohorts = retention.daily_cohorts(wh, hi - 27, hi, mode=p.retention_mode)
cohorts = cohorts[cohorts["size"] >= k_min]
rep.chart(charts.cohort_heatmap(cohorts, [f"d{k}" for k in retention.WECHAT_DAYS],
                                [f"{d:%m-%d} ({n})" for d, n in zip(cohorts["date"], cohorts["size"], strict=True)],
                                rep.text("每日新用户留存（日期，人数）", "Daily cohorts: retention (date, size)")))

# %%
weekly_cohorts = retention.weekly_cohorts(wh, lo - 7 * (p.cohort_weeks - 1), lo, weeks=8)
weekly_cohorts = weekly_cohorts[weekly_cohorts["size"] >= k_min]
rep.chart(charts.cohort_heatmap(weekly_cohorts, [f"w{j}" for j in range(9)],
                                [f"{d:%Y-%m-%d} ({n})" for d, n in zip(weekly_cohorts["week"], weekly_cohorts["size"],
                                                                         strict=True)],
                                rep.text("每周新用户留存 W0-W8（周一，人数）", "Weekly cohorts W0-W8 (Monday, size)")))
curves = retention.pooled(wh, hi - 7 * p.chart_weeks - 29, hi, tuple(range(1, 31)), p.retention_mode, "channel")
rep.chart(charts.retention_curves(curves[curves["users"] >= k_min], "channel", rep.lang,
                                  rep.text(f"近 {p.chart_weeks} 周新用户留存曲线（按渠道）",
                                           f"Retention curves of the last {p.chart_weeks} weeks' new users by channel")))

# %%
rep.section("生命周期", "Lifecycle")
life = lifecycle.weekly_lifecycle(wh, chart_from, lo)
at_risk = lifecycle.churn_risk(wh, hi, p.churn_days)
win_back = lifecycle.win_back(wh, lo - 1, lo, hi, p.churn_days)
rep.finding(findings.lifecycle(life.iloc[-1], at_risk, activity.distinct_active(wh, hi - 29, hi),
                               win_back, p.churn_days, rep.lang))
rep.chart(charts.lifecycle_bars(life, rep.lang))
rep.chart(charts.pyramid(lifecycle.pyramid(wh, hi, p.pyramid), rep.lang))
r = p.pyramid
rep.say(f"金字塔规则（自上而下）：忠诚 = {r.loyal_days} 天内支付 ≥{r.loyal_orders} 单；新客 = 首单在 {r.new_days} 天内；"
        f"活跃 = {r.active_days} 天内有支付；潜在 = {r.active_days} 天内访问但未支付。",
        f"Pyramid rules (top down): loyal = {r.loyal_orders}+ paid orders in {r.loyal_days} days; new = first "
        f"paid order within {r.new_days} days; active = a paid order within {r.active_days} days; potential = "
        f"visited within {r.active_days} days without one.")

# %%
rep.section("价值", "Value")
scored = value.rfm_scores(value.rfm_frame(wh, hi, p.rfm_window_days), p.rfm_bins)
segments = value.segment_sizes(scored, rep.lang)
clv = value.clv_estimate(wh, hi, p.clv_horizon_days, p.clv_holdout_weeks)
top_segment = segments.loc[segments["customers"].idxmax()] if len(segments) else None
rep.finding(findings.value(metrics, top_segment, clv, rep.lang))
value_keys = ["buyers", "repurchase_rate", "returning_buyer_share", "arpu", "arppu"]
previous = value.buyer_metrics(wh, lo - 7, hi - 7, activity.distinct_active(wh, lo - 7, hi - 7))
rep.compare_table({k: metrics[k] for k in value_keys}, {k: previous[k] for k in value_keys})
ltv = value.ltv_curves(wh, lo - 7 * 26, lo - 1, max_weeks=12)
rep.chart(charts.ltv_lines(ltv[ltv["users"] >= k_min], "channel", rep.lang))

# %%
rep.say(f"RFM：近 {p.rfm_window_days} 天有支付的客户（已同意分析），按最近一次购买、购买次数和金额的百分位排名打 1-{p.rfm_bins} 分（并列同分），"
        "再按 R、F 分数归入分群。",
        f"RFM: customers with paid orders in the last {p.rfm_window_days} days (with analytics consent), scored "
        f"1-{p.rfm_bins} on recency, frequency and spend by percentile rank (ties share a score), grouped by R and "
        "F scores.")
segment_table, hidden = privacy.suppress(segments, "customers", k_min, also=["share"])
rep.table(segment_table[["segment_label", "customers", "share", "recency_days", "frequency", "monetary"]],
          {"customers": "users", "share": "fraction", "recency_days": "ratio", "frequency": "ratio",
           "monetary": "CNY"}, hidden)
before = value.rfm_scores(value.rfm_frame(wh, lo - 1, p.rfm_window_days), p.rfm_bins)
matrix, small = privacy.suppress_matrix(value.segment_migration(before, scored), k_min)
small.attrs["k"] = k_min
rep.chart(charts.migration_heatmap(matrix, small, [value.segment_label(k, rep.lang) for k in matrix.index],
                                   rep.lang))

# %%
rep.say(f"预测客户价值：BG/NBD（复购次数）+ Gamma-Gamma（客单价）模型，以支付日为购买单位；先用 {p.clv_holdout_weeks} "
        "周前的数据拟合并预测留出期的复购，再与实际比较（下图），然后用全部数据预测未来。",
        f"Predicted customer value: BG/NBD (repeat purchases) and Gamma-Gamma (spend) on purchase days. The model "
        f"is first fitted on data up to {p.clv_holdout_weeks} weeks ago and its prediction for the held-out weeks "
        "compared with what happened (below); then refitted on all data to predict ahead.")
if clv is None:
    rep.caveat(f"购买历史不足（留出期前少于 {value.MIN_CLV_CUSTOMERS} 名客户），本节跳过。",
               f"Not enough purchase history (fewer than {value.MIN_CLV_CUSTOMERS} customers before the "
               "holdout): section skipped.")
else:
    rep.chart(charts.clv_holdout(clv.holdout, rep.lang))
    by_channel = clv.customers.groupby("channel").agg(customers=("clv", "size"), clv=("clv", "mean"),
                                                       p_alive=("p_alive", "mean")).reset_index()
    by_channel, hidden = privacy.suppress(by_channel, "customers", k_min, also=["clv", "p_alive"])
    by_channel["channel"] = [label(c, rep.lang) for c in by_channel["channel"]]
    rep.table(by_channel, {"customers": "users", "clv": "CNY", "p_alive": "fraction"}, hidden)

# %%
rep.section("用户画像", "Portrait")
frames = {}
for dimension in ("gender", "age_band", "platform", "province", "city"):
    parts = []
    for population in ("new", "active"):
        frame = portrait.portrait(wh, lo, hi, dimension, population).assign(population=population)
        parts.append(privacy.large_only(frame, "users", k_min)[0])
    frames[dimension] = pd.concat(parts, ignore_index=True)
rep.finding(findings.portrait(frames, rep.lang))
titles = {"gender": rep.text("性别", "Gender"), "age_band": rep.text("年龄", "Age"),
          "platform": rep.text("平台", "Platform")}
rep.chart(charts.portrait_panels({titles[d]: frames[d] for d in titles}, rep.lang,
                                 rep.text("本周新增与活跃用户画像", "New and active users this week")))
for dimension, title in (("province", rep.text("省份", "Province")), ("city", rep.text("城市", "City"))):
    top = frames[dimension].query("population == 'active'").head(10)
    rep.chart(charts.top_bars(top.set_index("value")["users"], rep.text(f"活跃用户 Top 10 {title}",
                                                             f"Top 10 {title.lower()} of active users"),
                    "users", rep.lang))
rep.say(f"仅包含同意分析的用户；少于 {k_min} 人的取值不显示。",
        f"Users with analytics consent only; values with fewer than {k_min} users are not shown.")

# %%
rep.section("转化漏斗", "Funnel")
paths = funnel.funnel_paths(wh, lo, hi, p.funnel_steps, window_s)
steps = funnel.summarise(paths, p.funnel_steps)
drop = funnel.biggest_drop(steps)
channels = funnel.by_channel(paths, p.funnel_steps)
channels = channels[channels["starters"] >= k_min]
rep.finding(findings.funnel(steps, drop, channels, funnel.median_minutes_to_convert(paths, p.funnel_steps),
                            p.funnel_window_hours, rep.lang))
rep.chart(charts.funnel_bars(steps, drop, rep.lang))
channels["channel"] = [label(c, rep.lang) for c in channels["channel"]]
rep.table(channels, {"starters": "users", "converters": "users", "conversion": "fraction",
                    "median_minutes": "minutes"})

# %%
rep.section("邀请与裂变", "Referral and fission")
invites = referral.invites(wh, lo, hi)
depth = referral.depth_distribution(wh, lo, hi)
k_weekly = referral.weekly_k(wh, chart_from, lo)
rep.finding(findings.referral(metrics["referral_share"], referral.invite_summary(invites),
                              k_weekly["k"].iloc[-1], int(depth["depth"].max()) if len(depth) else None, rep.lang))
rep.chart(charts.referral_panels(depth, k_weekly, rep.lang))
if p.top_referrers:
    rep.say("邀请最多的用户（仅显示化名）：", "Top referrers (pseudonyms only):")
    rep.table(referral.top_referrers(invites, p.top_referrers, wh.meta["fingerprint"]), {"invites": "users"})

# %%
rep.footer([*users.HEADLINE_KEYS, "sessions", "opens_per_user", "session_seconds", "pages_per_session",
            "bounce_rate", "retention_dk", "retention_wk", "lifecycle_new", "lifecycle_returning",
            "lifecycle_resurrecting", "lifecycle_dormant", "quick_ratio", "churn_risk_users", "win_back_rate",
            "pyramid_users", "ltv", "rfm_customers", "clv", "p_alive", "portrait_users", "step_conversion",
            "minutes_to_convert", "invites_per_referrer", "referrers_2plus", "viral_k"])
