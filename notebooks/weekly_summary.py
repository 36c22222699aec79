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
# The one page a manager reads: the four headline KPIs of the week with week-on-week change,
# their trend, and how the week ran day by day. Prose and labels come from the helpers in the
# report language; this notebook only arranges them. (Markdown cells are for analysts and are
# not shown in the report.)

# %% tags=["parameters"]
# Run by `make report`, the runner replaces this with the resolved params/*.yaml values.
# Interactively, leave it empty or override keys, e.g. {"period": "2026-W45", "language": "en"}.
params = {}

# %%
from helpers.core import kpis
from helpers.render.components import Kpi
from helpers.suite import open_report
from helpers.weekly import charts, findings
from helpers.weekly.headline import aov_card_values, headline, shown_kpis

rep = open_report("weekly_summary", params)
rep.header()

# %%
weekly = kpis.kpi_series(rep.wh, rep.period.shift(1 - rep.params.trend_weeks), rep.period)
daily = kpis.kpi_series(rep.wh, rep.period.previous, rep.period, grain="day")
metrics = rep.publish(headline(weekly))["metrics"]
shown = shown_kpis(metrics)

rep.section("ws_glance")
rep.finding(findings.weekly_summary(metrics, rep.tx))
previous_week = weekly.iloc[-2] if len(weekly) > 1 and weekly.iloc[-2]["complete"] else None
cards = [Kpi(k, metrics[k], metrics[f"{k}_wow"], rep.params.targets.get(k),
              None if previous_week is None else previous_week[k]) for k in shown]
if metrics["aov"] is not None:  # average order value: GMV / paid orders
    aov, aov_wow, aov_before = aov_card_values(weekly)
    cards.append(Kpi("aov", aov, aov_wow, previous=aov_before))
rep.kpi_cards(cards)
if len(shown) < len(kpis.KPIS):
    rep.skipped("ws_orders_table", labels=rep.tx("ws_list_separator").join(
        rep.tx.label(k) for k in kpis.KPIS if k not in shown))

# %%
rep.section("ws_trend", weeks=rep.params.trend_weeks)
if weekly["complete"].sum() >= 2:
    rep.chart(charts.kpi_trend(weekly, shown, rep.tx))
else:
    rep.unavailable("ws_too_few_weeks")

# %%
rep.section("ws_day_by_day")
this_week, last_week = daily.iloc[7:], daily.iloc[:7]
if not weekly["complete"].iloc[-2]:
    rep.unavailable("ws_no_previous_week")
rep.chart(charts.week_over_week(this_week, last_week if weekly["complete"].iloc[-2] else None,
                                [k for k in ("active_users", "gmv") if k in shown], rep.tx))

# %%
rep.footer()
