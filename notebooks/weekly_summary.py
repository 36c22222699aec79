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
# # Weekly summary
# The one page a manager reads: was the week good or bad, and why. Each KPI against its target,
# against the forecast last week's forecasting report made for this week, and week on week, with
# the calendar events and campaigns of both weeks; the trend and the week day by day. Prose and
# labels come from the helpers in the report language; this notebook only arranges them. (Markdown cells are for analysts and are
# not shown in the report.)
#
# On WeChat's own statistics (We分析) without own tracking, active and new users are WeChat's
# (`core.kpis`): the week row's deduplicated visitors and the sum of the days' new visitors; WeChat's
# visits, opens and stay time get cards whenever the data has `mp_visits`. An official account's
# statistics alone give no KPI: the summary says so in one line.

# %% tags=["parameters"]
# Run by `make report`, the runner replaces this with the resolved params/*.yaml values.
# Interactively, leave it empty or override keys, e.g. {"period": "2026-W45", "language": "en"}.
params = {}

# %%
from helpers.core import kpis
from helpers.suite import open_report
from helpers.weekly import charts, context, findings, judgement, wechat
from helpers.weekly.expected import load_expected
from helpers.weekly.headline import aov_card_values, headline, shown_kpis
from helpers.weekly.poster import save_poster

rep = open_report("weekly_summary", params)
rep.header()

# %%
first = rep.period.shift(1 - rep.params.trend_weeks)
weekly = kpis.kpi_series(rep.wh, first, rep.period)
daily = kpis.kpi_series(rep.wh, rep.period.previous, rep.period, grain="day")
wx_weekly = kpis.wechat_series(rep.wh, first, rep.period)  # WeChat's visits, opens, stay times
metrics, wx = headline(weekly), wechat.metrics(wx_weekly)
shown, wx_shown = shown_kpis(metrics), wechat.card_keys(wx)
nothing = wechat.nothing_to_show(rep.wh, shown, wx_shown)
events = context.week_events(rep.wh, rep.period)
expected = load_expected(rep.params.out, rep.period)
items = judgement.statuses(metrics, shown, rep.params.targets, expected)
if metrics["aov"] is not None:  # average order value: GMV / paid orders
    aov, aov_wow, _ = aov_card_values(weekly)
    items.append(judgement.KpiStatus("aov", aov, aov_wow))
wx_items = wechat.statuses(wx_weekly, wx_shown)  # cards of WeChat's figures: value, week on week
items += wx_items
published = rep.publish(metrics | wx | judgement.published(items, events), judgement.DEFINITIONS)["metrics"]

rep.section("ws_glance")
if nothing:  # an official account's statistics only: what the data lacks, in one line
    rep.finding(rep.tx("ws_nothing_to_show"))
else:
    rep.finding(judgement.verdict(items, events, rep.tx))
    rep.kpi_status_cards(published["kpi_status"])
    for alert in judgement.target_alerts(items, rep.tx):
        rep.alert(**alert)
    if sentence := findings.weekly_summary(metrics | wx, rep.tx, wechat.wows(wx_items)):
        rep.finding(sentence)
    if note := wechat.source_note(rep.wh, rep.tx):  # said once: which numbers are WeChat's
        rep.note(note)
    rep.note(rep.tx("ws_how_judged"))
    if expected:
        rep.note(rep.tx("ws_forecast_range_note", week=rep.period.previous.label))
    else:
        rep.for_analysts("ws_no_forecast_analyst")
    if not rep.params.targets:
        rep.for_analysts("ws_targets_analyst")
    for how, key, labels in wechat.lacking(rep.wh, shown):
        (rep.skipped if how == "skipped" else rep.unavailable)(
            key, labels=rep.tx("ws_list_separator").join(rep.tx.label(k) for k in labels))

# %%
if not nothing:
    rep.section("ws_context")
    if events:
        rep.bullets(context.lines(events, rep.tx))
    else:
        rep.say("ws_no_context")

# %%
trend = weekly.join(wx_weekly[list(kpis.WECHAT)])
trend_keys = shown + [k for k in ("visits", "opens") if k in wx_shown]
if not nothing:
    rep.section("ws_trend", weeks=rep.params.trend_weeks)
    if weekly["complete"].sum() < 2:
        rep.unavailable("ws_too_few_weeks")
    elif trend_keys:
        rep.charts([charts.kpi_trend(trend, k, events, rep.tx) for k in trend_keys])

# %%
day_keys = [k for k in ("active_users", "gmv") if k in shown]
if not nothing:
    rep.section("ws_day_by_day")
    this_week, last_week = daily.iloc[7:], daily.iloc[:7]
    if not weekly["complete"].iloc[-2]:
        rep.unavailable("ws_no_previous_week")
    if day_keys:
        rep.charts([charts.week_over_week(this_week, last_week if weekly["complete"].iloc[-2] else None, k,
                                          events, rep.tx) for k in day_keys])

# %%
rep.footer()
save_poster(rep)  # weekly_summary.png, drawn from the JSON just written
