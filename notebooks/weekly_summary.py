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
from IPython.display import HTML, display

from helpers.context import open_report
from helpers.metrics import summary
from helpers.report import charts, components, findings

rep = open_report("weekly_summary", params)
rep.header()

# %%
weekly = summary.kpi_series(rep.wh, rep.period.shift(1 - rep.params.trend_weeks), rep.period)
daily = summary.kpi_series(rep.wh, rep.period.previous, rep.period, grain="day")
metrics = rep.publish(summary.headline(weekly))["metrics"]

rep.section("本周要点", "This week at a glance")
rep.finding(findings.weekly_summary(metrics, rep.lang))
kpis = [components.Kpi(k, metrics[k], metrics[f"{k}_wow"], rep.params.targets.get(k))
        for k in summary.KPIS]
display(HTML(components.kpi_cards(kpis, rep.lang)))

# %%
rep.section(f"近 {rep.params.trend_weeks} 周趋势", f"Last {rep.params.trend_weeks} weeks")
rep.chart(charts.kpi_trend(weekly, list(summary.KPIS), rep.lang))

# %%
rep.section("逐日对比上周", "Day by day against the previous week")
this_week, last_week = daily.iloc[7:], daily.iloc[:7]
rep.chart(charts.week_over_week(this_week, last_week, ["active_users", "gmv"], rep.lang))

# %%
rep.footer(list(metrics))
