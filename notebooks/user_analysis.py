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
# Without own tracking (WeChat's statistics only: no events table) the sections on WeChat's numbers
# replace the event-based ones (`users.wechat_sections`); with both, a last section reconciles them.

# %% tags=["parameters"]
# Run by `make report`, the runner replaces this with the resolved params/*.yaml values.
# Interactively, leave it empty or override keys, e.g. {"period": "2026-W45", "language": "en"}.
params = {}

# %%
from helpers.core.warehouse import day_number, day_to_date
from helpers.render import privacy
from helpers.stats.anomaly import DIP_WEEKS
from helpers.suite import open_report
from helpers.users import (activity, charts, clv, findings, funnel, growth, headline, lifecycle, portrait,
                           reconcile_report, referral, retention, rfm, tables, value, wechat_sections)

rep = open_report("user_analysis", params)
p, wh, tx = rep.params, rep.wh, rep.tx
own = wh.has("events")  # own tracking; without it only WeChat's statistics (the mp_* tables)
k_min = p.min_cell_size
min_group = max(p.min_group_size, k_min)  # smaller groups are described, never ranked
lo, hi = day_number(rep.period.start), day_number(rep.period.end)
chart_from = lo - 7 * (p.chart_weeks - 1)
window_s = int(p.funnel_window_hours * 3600)
# week-on-week figures only when the previous week lies entirely inside the data
comparable = lo - 7 >= wh.meta["first_day"]
no_comparison = tx("ua_no_previous_week", week=rep.period.previous.start)
paid_orders = value.has_paid_orders(wh)
reconciled = reconcile_report.reconcile_week(wh, rep.period, p)  # None without own tracking and WeChat's visits
if own:
    published = headline.headline(wh, rep.period, p.funnel_steps, window_s, k_min), {}
else:
    published = headline.platform_headline(wh, rep.period), headline.platform_definitions()
metrics = rep.publish(published[0] | reconcile_report.published(reconciled), published[1])["metrics"]
rep.header()

# %%
if not own:
    wechat_sections.visits(rep, p)
    wechat_sections.retention(rep, p)
    wechat_sections.portrait(rep, p)

# %%
if not own:
    wechat_sections.sources(rep, p)
    wechat_sections.distributions(rep, p)
    wechat_sections.pages(rep, p)

# %%
if own:
    rep.section("ua_section_growth")
    weekly_new = growth.weekly_new_users(wh, chart_from, lo)
    if not weekly_new.to_numpy().sum():
        rep.unavailable("ua_why_no_new_users", weeks=len(weekly_new))
    else:
        rep.finding(findings.growth(weekly_new, tx, min_group))
        rep.chart(charts.new_users_by_channel(weekly_new, tx), alt=tx("ua_alt_new_users_by_channel"))
        rep.chart(charts.daily_line(growth.new_users(wh, max(chart_from, wh.meta["first_day"]), hi), "new_users",
                                    tx("ua_new_users_per_day"), tx),
                  alt=tx("ua_alt_daily_line", title=tx("ua_new_users_per_day")))

# %%
if own:
    sources = growth.new_users(wh, lo, hi, "week", "source", tx)
    shown, hidden_rows = privacy.large_only(sources, "new_users", k_min, total=True)  # new_users is published
    if not wh.has("users", "scene"):
        rep.skipped("ua_missing_scene")
    elif len(shown):
        rep.chart(charts.top_bars(shown.set_index("key")["new_users"].head(12), "new_users", tx("ua_new_user_sources"),
                                  tx), alt=tx("ua_alt_top_bars", title=tx("ua_new_user_sources")))
    if hidden_rows and wh.has("users", "scene"):
        rep.say("ua_sources_hidden", rows=hidden_rows, k=k_min)

# %%
if own:
    rep.section("ua_section_activity")
    # the DAU warning judges each day against the weeks before it (stats.anomaly.weekday_dips)
    daily = activity.daily_active(wh, max(min(chart_from, lo - 7 * DIP_WEEKS), wh.meta["first_day"]), hi)
    this_sessions = activity.session_stats(wh, lo, hi).iloc[0]
    if not metrics["wau"]:
        rep.unavailable("ua_why_no_activity")
    else:
        rep.finding(findings.activity(metrics, this_sessions, daily, tx, week_start=lo))
        rep.chart(charts.active_users(daily[daily["day"] >= chart_from], tx), alt=tx("ua_alt_active_users"))
        if comparable:
            last_sessions = activity.session_stats(wh, lo - 7, hi - 7).iloc[0]
            rep.compare_table({k: this_sessions[k] for k in activity.SESSION_KEYS},
                              {k: last_sessions[k] for k in activity.SESSION_KEYS})
        else:
            rep.note(no_comparison)
        heatmap_from = max(hi - 7 * p.heatmap_weeks + 1, wh.meta["first_day"])
        rep.chart(charts.hour_weekday_heatmap(activity.hour_weekday(wh, heatmap_from, hi), tx),
                  alt=tx("ua_alt_hour_weekday"))

# %%
if own:
    rep.section("ua_section_retention")
    earlier_week, cohort_week = retention.compared_cohort_weeks(wh, hi, 7)
    retention_text = findings.retention(retention.cohort_change(wh, earlier_week, cohort_week),
                                        day_to_date(cohort_week), 7, "channel", tx, min_group)
    if retention_text is None:
        rep.unavailable("ua_why_no_cohort", week=day_to_date(cohort_week), k=7)
    else:
        rep.finding(retention_text)
    rep.paragraph(findings.retention_latest(metrics, tx))
    rep.say("ua_retention_reading", mode=tx(retention.MODE_TEXT[p.retention_mode]))
    cohorts = retention.daily_cohorts(wh, hi - 27, hi, mode=p.retention_mode)
    cohorts = cohorts[cohorts["size"] >= k_min]
    if len(cohorts):
        rep.chart(charts.daily_cohorts(cohorts, retention.WECHAT_DAYS, tx), alt=tx("ua_alt_daily_cohorts"))
    else:
        rep.note(tx("ua_chart_too_small", k=k_min))

# %%
if own:
    weekly_cohorts = retention.weekly_cohorts(wh, lo - 7 * (p.cohort_weeks - 1), lo, weeks=8)
    weekly_cohorts = weekly_cohorts[weekly_cohorts["size"] >= k_min]
    curves = retention.pooled(wh, hi - 7 * p.chart_weeks - 29, hi, tuple(range(1, 31)), p.retention_mode, "channel")
    curves = curves[curves["users"] >= k_min]
    if len(weekly_cohorts):
        rep.chart(charts.weekly_cohorts(weekly_cohorts, 8, tx), alt=tx("ua_alt_weekly_cohorts"))
    if curves["retention"].notna().any():
        rep.chart(charts.retention_curves(curves, "channel", tx("ua_retention_curves", weeks=p.chart_weeks), tx),
                  alt=tx("ua_alt_retention_curves"))
    if not len(weekly_cohorts) or not curves["retention"].notna().any():
        rep.note(tx("ua_chart_too_small", k=k_min))

# %%
if own:
    rep.section("ua_section_lifecycle")
    life = lifecycle.weekly_lifecycle(wh, chart_from, lo)
    at_risk = lifecycle.churn_risk(wh, hi, p.churn_days)
    win_back = lifecycle.win_back(wh, lo - 1, lo, hi, p.churn_days)
    rep.finding(findings.lifecycle(life.iloc[-1], at_risk, activity.distinct_active(wh, hi - 29, hi),
                                   win_back, p.churn_days, tx, metrics["churn_rate"]))
    rep.chart(charts.lifecycle_bars(life, tx), alt=tx("ua_alt_lifecycle"))
    churn = lifecycle.weekly_churn(wh, chart_from, lo)
    if churn["churn_rate"].notna().sum() >= 2:
        rep.chart(charts.daily_line(churn[["week", "churn_rate"]], "churn_rate", tx("ua_churn_trend"), tx),
                  alt=tx("ua_alt_daily_line", title=tx("ua_churn_trend")))
    if wh.has("users", "is_follower") and metrics["follower_activity"] is None:
        rep.say("ua_follower_activity_hidden", k=k_min)
    elif wh.has("users", "is_follower"):
        rep.say("ua_follower_activity", follower_activity=metrics["follower_activity"])
    if wh.has("orders"):
        rep.chart(charts.pyramid(lifecycle.pyramid(wh, hi, p.pyramid), k_min, tx), alt=tx("ua_alt_pyramid"))
        rep.say("ua_pyramid_rules", **p.pyramid.model_dump())
    else:
        rep.skipped("ua_missing_orders")

# %%
rep.section("ua_section_value")
if not wh.has("orders"):
    rep.skipped("ua_missing_orders")
elif not paid_orders:
    rep.unavailable("ua_why_no_paid_orders")
elif not own:
    wechat_sections.orders_value(rep, metrics, comparable)  # from orders alone; RFM, CLV, LTV need own tracking
else:
    scored = rfm.rfm_scores(rfm.rfm_frame(wh, hi, p.rfm_window_days), p.rfm_bins, p.rfm_frequency_thresholds)
    segments, tiers = rfm.segment_sizes(scored, tx), rfm.tier_sizes(scored, tx)
    clv_result = clv.clv_estimate(wh, hi, p.clv_horizon_days, p.clv_holdout_weeks)
    # only segments and tiers the tables show are named (privacy), the largest only from min_group up
    rep.finding(findings.value(metrics, rfm.largest_segment(segments, k_min, min_group), clv_result, tx,
                               rfm.high_value_tier(tiers, k_min)))
    if comparable:
        previous = value.buyer_metrics(wh, lo - 7, hi - 7, activity.distinct_active(wh, lo - 7, hi - 7))
        rep.compare_table({k: metrics[k] for k in (*headline.BUYER_KEYS, "aov")},
                          {**{k: previous[k] for k in headline.BUYER_KEYS},
                           "aov": headline.week_aov(wh, rep.period.previous)})
    else:
        rep.note(no_comparison)
    ltv = value.ltv_curves(wh, lo - 7 * 26, lo - 1, max_weeks=12)
    ltv = ltv[ltv["users"] >= k_min]
    if len(ltv):
        rep.chart(charts.ltv_lines(ltv, "channel", tx), alt=tx("ua_alt_ltv"))

# %%
if own and paid_orders:
    rep.say("ua_rfm_method", window_days=p.rfm_window_days, bins=p.rfm_bins,
            levels=rfm.frequency_level_text(p.rfm_frequency_thresholds))
    if not len(scored):
        rep.unavailable("ua_why_no_rfm", window_days=p.rfm_window_days)
    else:
        shown = [tables.rfm_segments(segments, k_min, tx), tables.value_tiers(tiers, k_min, tx)]
        for table in shown:
            rep.table(*table)
        before = rfm.rfm_scores(rfm.rfm_frame(wh, lo - 1, p.rfm_window_days), p.rfm_bins, p.rfm_frequency_thresholds)
        shown.append(tables.rfm_migration(rfm.segment_migration(before, scored), rfm.segment_sizes(before, tx),
                                          segments, k_min))
        rep.chart(charts.migration_heatmap(*shown[-1], k_min, tx), alt=tx("ua_alt_migration"))
        if tables.complemented(*shown):
            rep.say("ua_privacy_complement", k=k_min)

# %%
if own and paid_orders:
    rep.say("ua_clv_method", holdout_weeks=p.clv_holdout_weeks)
    if clv_result is None:
        rep.unavailable("ua_why_clv", customers=clv.MIN_CLV_CUSTOMERS)
    else:
        rep.chart(charts.clv_holdout(clv.holdout_shown(clv_result.holdout, k_min), tx), alt=tx("ua_alt_clv_holdout"))
        clv_table = tables.clv_by_channel(clv_result.customers, k_min, tx)
        rep.table(*clv_table)
        if tables.complemented(clv_table):
            rep.say("ua_privacy_complement", k=k_min)

# %%
if own:
    rep.section("ua_section_portrait")
    if not portrait.has_attributes(wh):
        rep.skipped("ua_missing_portrait")
    else:
        frames = portrait.portrait_frames(wh, lo, hi, k_min)
        rep.finding(findings.portrait(frames, tx))
        rep.charts(charts.portrait_panels(frames, tx))
        for place, title in (("province", "ua_top_provinces"), ("city", "ua_top_cities")):
            if (frames[place]["population"] == "active").any():
                rep.chart(charts.top_places(frames[place], tx(title), tx), alt=tx("ua_alt_top_bars", title=tx(title)))
        rep.say("ua_portrait_note", k=k_min)

# %%
if own:
    rep.section("ua_section_funnel")
    absent = funnel.missing_steps(wh, p.funnel_steps)
    all_paths = funnel.funnel_paths(wh, lo, hi, p.funnel_steps, window_s)
    paths, censored = funnel.observed_paths(all_paths)  # windows cut off by the end of the data: left out
    if absent:
        rep.skipped("ua_missing_funnel_events", events=", ".join(tx.data(s) for s in absent))
    elif not len(all_paths):
        rep.unavailable("ua_why_no_funnel_starters", step=tx.data(p.funnel_steps[0]))
    elif not len(paths):
        rep.unavailable("ua_why_funnel_censored", funnel_censored=censored, hours=p.funnel_window_hours)
    else:
        steps = funnel.summarise(paths, p.funnel_steps)
        drop = funnel.biggest_drop(steps)
        channels = funnel.by_channel(paths, p.funnel_steps)
        # each cell hidden by the smallest count it reveals
        channel_table = tables.funnel_by_channel(channels, k_min, tx)
        citable = channels[channel_table[0]["conversion"].notna().to_numpy()]  # the sentence cites what the table shows
        rep.finding(findings.funnel(steps, drop, citable, funnel.median_minutes_to_convert(paths, p.funnel_steps),
                                    p.funnel_window_hours, tx, censored, min_group))
        rep.chart(charts.funnel_bars(steps, drop, tx), alt=tx("ua_alt_funnel"))
        if (channels["starters"] >= k_min).any():
            rep.table(*channel_table)
            if tables.complemented(channel_table):
                rep.say("ua_privacy_complement", k=k_min)

# %%
if own:
    rep.section("ua_section_referral")
    if not wh.has("users", "referrer_id"):
        rep.skipped("ua_missing_referrer")
    else:
        invites = referral.invites(wh, lo, hi)
        depth, deepest = referral.depth_shown(referral.depth_distribution(wh, lo, hi), k_min)  # privacy
        k_weekly = referral.weekly_k(wh, chart_from, lo)
        rep.finding(findings.referral(metrics["referral_share"], referral.invite_summary(invites),
                                      k_weekly["k"].iloc[-1], deepest, tx, k_min))
        rep.charts(charts.referral_panels(depth, k_weekly, tx))
        if p.top_referrers and len(invites):
            rep.say("ua_top_referrers")
            rep.table(referral.top_referrers(invites, p.top_referrers, wh.meta["data_fingerprint"]),
                      {"invites": "users"})

# %%
if not own:
    wechat_sections.needs_events(rep)
if reconciled is not None:
    reconcile_report.show(rep, reconciled, p)

# %%
rep.footer()
