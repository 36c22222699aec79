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
# `helpers.users` compute and word everything (tested there), this notebook only arranges it.

# %% tags=["parameters"]
# Run by `make report`, the runner replaces this with the resolved params/*.yaml values.
# Interactively, leave it empty or override keys, e.g. {"period": "2026-W45", "language": "en"}.
params = {}

# %%
from helpers.core.warehouse import day_number, day_to_date
from helpers.render import privacy
from helpers.suite import open_report
from helpers.users import (activity, charts, clv, findings, funnel, growth, headline, lifecycle, portrait,
                           referral, retention, rfm, tables, value)

rep = open_report("user_analysis", params)
p, wh, tx = rep.params, rep.wh, rep.tx
k_min = p.min_cell_size
lo, hi = day_number(rep.period.start), day_number(rep.period.end)
chart_from = lo - 7 * (p.chart_weeks - 1)
window_s = int(p.funnel_window_hours * 3600)
metrics = rep.publish(headline.headline(wh, rep.period, p.funnel_steps, window_s))["metrics"]
rep.header()

# %%
rep.section("ua_section_growth")
weekly_new = growth.wide(growth.new_users(wh, chart_from, hi, "week", "channel"))
rep.finding(findings.growth(weekly_new, tx))
rep.chart(charts.new_users_by_channel(weekly_new, tx))
rep.chart(charts.daily_line(growth.new_users(wh, chart_from, hi), "new_users", tx("ua_new_users_per_day"), tx))

# %%
sources = growth.new_users(wh, lo, hi, "week", "source", tx)
shown, hidden_rows = privacy.large_only(sources, "new_users", k_min)
rep.chart(charts.top_bars(shown.set_index("key")["new_users"].head(12), "new_users", tx("ua_new_user_sources"), tx))
if hidden_rows:
    rep.say("ua_sources_hidden", rows=hidden_rows, k=k_min)

# %%
rep.section("ua_section_activity")
daily = activity.daily_active(wh, chart_from, hi)
this_sessions = activity.session_stats(wh, lo, hi).iloc[0]
last_sessions = activity.session_stats(wh, lo - 7, hi - 7).iloc[0]
rep.finding(findings.activity(metrics, this_sessions, daily[daily["day"] >= lo], tx))
rep.chart(charts.active_users(daily, tx))
rep.compare_table({k: this_sessions[k] for k in activity.SESSION_KEYS},
                  {k: last_sessions[k] for k in activity.SESSION_KEYS})
rep.chart(charts.hour_weekday_heatmap(activity.hour_weekday(wh, hi - 7 * p.heatmap_weeks + 1, hi), tx))

# %%
rep.section("ua_section_retention")
cohort_week = retention.latest_complete_cohort_week(wh.meta["last_day"], 7)
rep.finding(findings.retention(retention.cohort_change(wh, cohort_week - 7, cohort_week),
                               day_to_date(cohort_week), 7, "channel", tx))
rep.say("ua_retention_reading", mode=tx(retention.MODE_TEXT[p.retention_mode]))
cohorts = retention.daily_cohorts(wh, hi - 27, hi, mode=p.retention_mode)
rep.chart(charts.daily_cohorts(cohorts[cohorts["size"] >= k_min], retention.WECHAT_DAYS, tx))

# %%
weekly_cohorts = retention.weekly_cohorts(wh, lo - 7 * (p.cohort_weeks - 1), lo, weeks=8)
rep.chart(charts.weekly_cohorts(weekly_cohorts[weekly_cohorts["size"] >= k_min], 8, tx))
curves = retention.pooled(wh, hi - 7 * p.chart_weeks - 29, hi, tuple(range(1, 31)), p.retention_mode, "channel")
rep.chart(charts.retention_curves(curves[curves["users"] >= k_min], "channel",
                                  tx("ua_retention_curves", weeks=p.chart_weeks), tx))

# %%
rep.section("ua_section_lifecycle")
life = lifecycle.weekly_lifecycle(wh, chart_from, lo)
at_risk = lifecycle.churn_risk(wh, hi, p.churn_days)
win_back = lifecycle.win_back(wh, lo - 1, lo, hi, p.churn_days)
rep.finding(findings.lifecycle(life.iloc[-1], at_risk, activity.distinct_active(wh, hi - 29, hi),
                               win_back, p.churn_days, tx))
rep.chart(charts.lifecycle_bars(life, tx))
rep.chart(charts.pyramid(lifecycle.pyramid(wh, hi, p.pyramid), tx))
rep.say("ua_pyramid_rules", **p.pyramid.model_dump())

# %%
rep.section("ua_section_value")
scored = rfm.rfm_scores(rfm.rfm_frame(wh, hi, p.rfm_window_days), p.rfm_bins)
segments = rfm.segment_sizes(scored, tx)
clv_result = clv.clv_estimate(wh, hi, p.clv_horizon_days, p.clv_holdout_weeks)
top_segment = segments.loc[segments["customers"].idxmax()] if len(segments) else None
rep.finding(findings.value(metrics, top_segment, clv_result, tx))
previous = value.buyer_metrics(wh, lo - 7, hi - 7, activity.distinct_active(wh, lo - 7, hi - 7))
rep.compare_table({k: metrics[k] for k in headline.BUYER_KEYS}, {k: previous[k] for k in headline.BUYER_KEYS})
ltv = value.ltv_curves(wh, lo - 7 * 26, lo - 1, max_weeks=12)
rep.chart(charts.ltv_lines(ltv[ltv["users"] >= k_min], "channel", tx))

# %%
rep.say("ua_rfm_method", window_days=p.rfm_window_days, bins=p.rfm_bins)
rep.table(*tables.rfm_segments(segments, k_min, tx))
before = rfm.rfm_scores(rfm.rfm_frame(wh, lo - 1, p.rfm_window_days), p.rfm_bins)
matrix, small = privacy.suppress_matrix(rfm.segment_migration(before, scored), k_min)
rep.chart(charts.migration_heatmap(matrix, small, k_min, tx))

# %%
rep.say("ua_clv_method", holdout_weeks=p.clv_holdout_weeks)
if clv_result is None:
    rep.caveat("ua_clv_too_little", customers=clv.MIN_CLV_CUSTOMERS)
else:
    rep.chart(charts.clv_holdout(clv_result.holdout, tx))
    rep.table(*tables.clv_by_channel(clv_result.customers, k_min, tx))

# %%
rep.section("ua_section_portrait")
frames = portrait.portrait_frames(wh, lo, hi, k_min)
rep.finding(findings.portrait(frames, tx))
rep.chart(charts.portrait_panels(frames, tx))
rep.chart(charts.top_places(frames["province"], tx("ua_top_provinces"), tx))
rep.chart(charts.top_places(frames["city"], tx("ua_top_cities"), tx))
rep.say("ua_portrait_note", k=k_min)

# %%
rep.section("ua_section_funnel")
paths = funnel.funnel_paths(wh, lo, hi, p.funnel_steps, window_s)
steps = funnel.summarise(paths, p.funnel_steps)
drop = funnel.biggest_drop(steps)
channels = funnel.by_channel(paths, p.funnel_steps)
channels = channels[channels["starters"] >= k_min]
rep.finding(findings.funnel(steps, drop, channels, funnel.median_minutes_to_convert(paths, p.funnel_steps),
                            p.funnel_window_hours, tx))
rep.chart(charts.funnel_bars(steps, drop, tx))
rep.table(*tables.funnel_by_channel(channels, tx))

# %%
rep.section("ua_section_referral")
invites = referral.invites(wh, lo, hi)
depth = referral.depth_distribution(wh, lo, hi)
k_weekly = referral.weekly_k(wh, chart_from, lo)
rep.finding(findings.referral(metrics["referral_share"], referral.invite_summary(invites),
                              k_weekly["k"].iloc[-1], int(depth["depth"].max()) if len(depth) else None, tx))
rep.chart(charts.referral_panels(depth, k_weekly, tx))
if p.top_referrers:
    rep.say("ua_top_referrers")
    rep.table(referral.top_referrers(invites, p.top_referrers, wh.meta["data_fingerprint"]), {"invites": "users"})

# %%
rep.footer()
