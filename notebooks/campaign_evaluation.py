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
# the channel table with first- and last-touch attribution. The helpers compute everything
# (`helpers.report.campaign_analysis`, `helpers.stats`, tested there); this notebook arranges it.

# %% tags=["parameters"]
# Run by `make report`, the runner replaces this with the resolved params/*.yaml values.
# Interactively, leave it empty or override keys, e.g. {"period": "2026-W45", "language": "en"}.
params = {}

# %%
from IPython.display import HTML, Markdown, display

from helpers.render.report import open_report
from helpers.metrics import campaigns as cm
from helpers.report import campaign_analysis as ca
from helpers.report import campaign_charts as charts
from helpers.report import campaign_tables as tables
from helpers.core.warehouse import day_number

rep = open_report("campaign_evaluation", params)
p, wh, lang, k = rep.params, rep.wh, rep.lang, rep.params.min_cell_size
evals = ca.evaluate_all(wh, rep.period, p)
rep.publish({"campaigns": [e.item(p.gross_margin) for e in evals]}, ca.DEFINITIONS)
shown = ["campaign_method", "campaign_lift_abs", "campaign_lift_rel", "campaign_ci",
         "campaign_p_value", "campaign_cost", "campaign_incremental_gmv", "campaign_roas",
         "campaign_roi"]


def heading(e):
    display(Markdown(f"### {tables.campaign_title(e, lang)}"))


def say(text):
    if text:
        rep.say(text, text)


rep.header()

# %%
rep.section("本期活动一览", "Campaigns this period")
if not wh.has("campaigns"):
    rep.skipped("活动表（campaigns）", "campaigns table")
else:
    rep.finding(tables.overview_finding(evals, p.gross_margin, lang))
    if evals:
        rep.table(tables.overview(evals, p.gross_margin, lang), {})
    say(tables.roi_note(p.gross_margin, lang))

# %%
if evals:
    rep.section("活动计分卡", "Scorecards")
    rep.table(tables.scorecards(evals, lang), {})
    notes = []
    for e in evals:
        conversion = e.experiment.row("conversion") if e.experiment else None
        notes.append(tables.scorecard_note(e, lang, None if conversion is None else float(conversion.fixed.treatment)))
    say("\n".join(notes))
    for e in evals:
        if e.previous:
            rep.table(tables.versus_previous(e, lang), {})
    shown += list(tables.SCORECARD_KEYS) + ["campaign_target_attainment"]

# %%
tests = [e for e in evals if e.experiment is not None]
if evals:
    rep.section("随机对照实验", "Randomized tests")
    if not wh.has("assignments"):
        rep.skipped("实验分组表（assignments）", "assignments table")
    elif not tests:
        rep.say("本期评估的活动都没有对照组分组。", "None of the campaigns evaluated has a randomized control group.")
for e in tests:
    x = e.experiment
    heading(e)
    display(HTML(tables.srm_html(x, lang)))
    rep.finding(tables.experiment_finding(e, p.alpha, lang))
    rep.table(tables.variants_table(x, lang), {})
    rep.table(tables.test_table(x, lang), {})
    rep.chart(charts.lifts(x, lang))
    guardrails = tables.guardrail_table(x, lang)
    if not guardrails.empty:
        rep.table(guardrails, {})
    say(tables.guardrail_note(x, lang))
    say(tables.power_text(x, p.planned_lift_rel, p.alpha, lang))
if tests:
    shown += ["ab_users", "ab_srm_p_value", "ab_conversion", "ab_revenue_per_user", "ab_orders_per_user",
              "ab_aov", "ab_refund_rate", "ab_unfollow_rate", "ab_p_holm", "ab_cuped_narrowing", "ab_mde",
              "ab_days_needed"]

# %%
uncontrolled = [e for e in evals if e.experiment is None]
if uncontrolled:
    rep.section("无对照组的活动", "Campaigns without a control group")
for e in uncontrolled:
    heading(e)
    if e.did is not None:
        rep.finding(tables.did_finding(e, lang))
        rep.chart(charts.did(e, lang))
        rep.table(tables.did_table(e, lang), {})
        shown += ["did_pre_trend_p"]
    if e.counterfactual is not None:
        rep.finding(tables.counterfactual_finding(e, lang))
        rep.chart(charts.counterfactual(e, lang))
        rep.table(tables.counterfactual_table(e, lang), {})
        say(tables.model_note(e, p.pre_period_days, lang))
        say(tables.placebo_finding(e, lang))
        if not e.counterfactual.placebos.empty:
            rep.chart(charts.placebos(e, lang))
        shown += ["cf_actual", "cf_expected", "cf_placebo_rate"]
    if e.reason:
        rep.say(f"未能使用的方法：{tables.reason(e, lang)}。", f"Method not available: {tables.reason(e, lang)}.")

# %%
if evals:
    rep.section("活动类型细节", "By campaign type")
for e in evals:
    heading(e)
    s = ca.specifics(wh, e, p)
    if not s.tagged.empty:
        rep.table(tables.tagged_table(s.tagged, k, lang), {})
    if s.coupon is not None:
        rep.table(tables.key_value_table(tables.coupon_values(s.coupon, e.card["reach"], e, lang), lang), {})
        shown += ["coupon_claimers", "coupon_claim_rate", "coupon_redemption_rate", "coupon_discount",
                  "coupon_deadweight"]
    if s.group_buy is not None:
        rep.table(tables.key_value_table(tables.group_values(s.group_buy, lang), lang), {})
        shown += ["group_started", "group_completion_rate", "group_size"]
    if s.referral is not None:
        rep.table(tables.key_value_table(tables.referral_values(s.referral, lang), lang), {})
        shown += ["referral_inviters", "referral_invites", "referral_joins", "referral_k_factor",
                  "referral_cost_per_join"]
    if e.card.get("impressions"):
        rep.table(tables.key_value_table(tables.media_values(e.card, lang), lang), {})
    repeat, gap = tables.repeat_table(s.repeat, k, lang)
    if repeat.empty:
        rep.say(f"复购：活动带来的新用户还没有人满 {p.repeat_days} 天可观察期。",
                f"Repeat purchase: none of the new buyers has been observable for {p.repeat_days} days yet.")
    else:
        rep.table(repeat, {})
        say(gap)
    shown += ["repeat_rate"]

# %%
rep.section("渠道", "Channels")
lo, hi = day_number(rep.period.start), day_number(rep.period.end)
frame = cm.channels(wh, lo, hi)
if not wh.has("spend"):
    rep.skipped("投放花费表（spend）", "spend table")
rep.finding(tables.channel_finding(frame, k, lang) or rep.text("本期没有可比较的渠道。", "No channel to compare."))
acq, acq_units, acq_hidden, att, att_units, att_hidden = tables.channel_frames(frame, k, lang)
rep.table(acq, acq_units, acq_hidden)
if wh.has("orders"):
    rep.table(att, att_units, att_hidden)
    rep.chart(charts.attribution(frame, k, lang))
shown += ["channel_spend", "channel_impressions", "channel_clicks", "channel_ctr", "channel_cpc",
          "channel_new_users", "channel_cac", "channel_conversion", "channel_orders_ft", "channel_revenue_ft",
          "channel_aov_ft", "channel_roas_ft", "channel_orders_lt", "channel_revenue_lt", "channel_aov_lt",
          "channel_roas_lt", "channel_share_shift"]

# %%
rep.footer(list(dict.fromkeys(shown)))
