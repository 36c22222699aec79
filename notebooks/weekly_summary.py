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

# %% tags=["parameters"]
# Run by `make report`, the runner replaces this with the resolved params/*.yaml values.
# Interactively, leave it empty or override keys, e.g. {"period": "2026-W45", "language": "en"}.
params = {}

# %%
from helpers.core import kpis
from helpers.suite import open_report
from helpers.weekly import charts, context, findings, judgement
from helpers.weekly.expected import load_expected
from helpers.weekly.headline import aov_card_values, headline, shown_kpis
from helpers.weekly.poster import save_poster

rep = open_report("weekly_summary", params)
rep.header()

# %%
weekly = kpis.kpi_series(rep.wh, rep.period.shift(1 - rep.params.trend_weeks), rep.period)
daily = kpis.kpi_series(rep.wh, rep.period.previous, rep.period, grain="day")
metrics = headline(weekly)
shown = shown_kpis(metrics)
events = context.week_events(rep.wh, rep.period)
expected = load_expected(rep.params.out, rep.period)
items = judgement.statuses(metrics, shown, rep.params.targets, expected)
if metrics["aov"] is not None:  # average order value: GMV / paid orders
    aov, aov_wow, _ = aov_card_values(weekly)
    items.append(judgement.KpiStatus("aov", aov, aov_wow))
published = rep.publish(metrics | judgement.published(items, events), judgement.DEFINITIONS)["metrics"]

rep.section("ws_glance")
rep.finding(judgement.verdict(items, events, rep.tx))
rep.kpi_status_cards(published["kpi_status"])
for alert in judgement.target_alerts(items, rep.tx):
    rep.alert(**alert)
rep.finding(findings.weekly_summary(metrics, rep.tx))
rep.note(rep.tx("ws_how_judged"))
if expected:
    rep.note(rep.tx("ws_forecast_range_note", week=rep.period.previous.label))
else:
    rep.for_analysts("ws_no_forecast_analyst")
if not rep.params.targets:
    rep.for_analysts("ws_targets_analyst")
if len(shown) < len(kpis.KPIS):
    rep.skipped("ws_orders_table", labels=rep.tx("ws_list_separator").join(
        rep.tx.label(k) for k in kpis.KPIS if k not in shown))

# %%
rep.section("ws_context")
if events:
    rep.bullets(context.lines(events, rep.tx))
else:
    rep.say("ws_no_context")

# %%
rep.section("ws_trend", weeks=rep.params.trend_weeks)
if weekly["complete"].sum() >= 2:
    rep.charts([charts.kpi_trend(weekly, k, events, rep.tx) for k in shown])
else:
    rep.unavailable("ws_too_few_weeks")

# %%
rep.section("ws_day_by_day")
this_week, last_week = daily.iloc[7:], daily.iloc[:7]
if not weekly["complete"].iloc[-2]:
    rep.unavailable("ws_no_previous_week")
rep.charts([charts.week_over_week(this_week, last_week if weekly["complete"].iloc[-2] else None, k, events,
                                  rep.tx) for k in ("active_users", "gmv") if k in shown])

# %%
rep.footer()
save_poster(rep)  # weekly_summary.png, drawn from the JSON just written
