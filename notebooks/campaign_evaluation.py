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
# # Campaign evaluation
# Did the campaigns of the week work, and what did they return? Each campaign gets the strongest
# method its data allows: a randomized comparison when `assignments` holds a control group
# (sample-ratio check, CUPED, Holm, sequential intervals while it runs, power), otherwise a
# counterfactual model fitted on the days before it (with a placebo check) or a
# difference-in-differences against a named comparison group. Then campaign-type details and
# the channel table with first- and last-touch attribution. On WeChat's statistics alone (no own
# events), campaigns are evaluated without control on the daily totals (`campaigns.series` decides
# the series), and the sections needing users say so. The helpers compute everything
# (`helpers.campaigns`, `helpers.stats`, tested there); this notebook arranges it.

# %% tags=["parameters"]
# Run by `make report`, the runner replaces this with the resolved params/*.yaml values.
# Interactively, leave it empty or override keys, e.g. {"period": "2026-W45", "language": "en"}.
params = {}

# %%
from helpers.campaigns import blocks, findings, tables
from helpers.campaigns import evaluation as ca
from helpers.campaigns.channel_queries import channels
from helpers.core.kpis import platform_only
from helpers.core.warehouse import day_number
from helpers.suite import open_report

rep = open_report("campaign_evaluation", params)
p, wh = rep.params, rep.wh
evals = ca.evaluate_all(wh, rep.period, p)
rep.publish({"campaigns": [e.item(p.gross_margin) for e in evals]}, ca.DEFINITIONS)
rep.header()

# %%
rep.section("ce_overview")
if not wh.has("campaigns"):
    rep.skipped("ce_missing_campaigns")
else:
    rep.finding(findings.overview_finding(evals, p.gross_margin, rep.tx))
    if evals:
        rep.table(tables.overview(evals, p.gross_margin, rep.tx), {})
    rep.paragraph(findings.roi_note(p.gross_margin, rep.tx))

# %%
if evals:
    rep.section("ce_scorecards")
    rep.table(tables.scorecards(evals, rep.tx), {})
    blocks.scorecard_notes(rep, evals)

# %%
tests = [e for e in evals if e.experiment is not None]
untested = [e for e in evals if e.test_reason is not None]
if evals:
    rep.section("ce_tests")
    if platform_only(wh):
        rep.skipped("ce_missing_events_tests")
    elif not wh.has("assignments"):
        rep.skipped("ce_missing_assignments")
    elif not wh.has("orders"):
        rep.skipped("ce_missing_orders")
    elif not tests and not untested:
        rep.say("ce_no_tests")
for e in untested:
    blocks.untested(rep, e)
for e in tests:
    blocks.randomized_test(rep, e, p)

# %%
uncontrolled = [e for e in evals if e.experiment is None]
if uncontrolled:
    rep.section("ce_uncontrolled")
if uncontrolled and platform_only(wh):
    rep.paragraph(rep.tx("ce_aggregate_note"))
for e in uncontrolled:
    blocks.without_control(rep, e, p)

# %%
if evals:
    rep.section("ce_by_type")
if evals and platform_only(wh):
    rep.skipped("ce_missing_events_types")
elif evals:
    for e in evals:
        blocks.type_details(rep, e, p)

# %%
rep.section("ce_channels")
if platform_only(wh):
    rep.skipped("ce_missing_events_channels")
else:
    if not wh.has("spend"):
        rep.skipped("ce_missing_spend")
    blocks.channels(rep, channels(wh, day_number(rep.period.start), day_number(rep.period.end)))

# %%
rep.footer()
