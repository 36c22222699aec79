"""One campaign's block of each section, written through the report (`rep`): the notebook loops
over the campaigns and calls these, so that its cells stay short."""

from __future__ import annotations

import pandas as pd

from helpers.campaigns import charts, detail_tables, findings, method_findings, tables
from helpers.campaigns.channel_queries import attribution_orders
from helpers.campaigns.evaluation import Evaluation, specifics
from helpers.campaigns.params import CampaignEvaluationParams
from helpers.campaigns.wording import campaign_title, word
from helpers.core.kpis import platform_only
from helpers.core.warehouse import day_number
from helpers.render.report import Report


def scorecard_notes(rep: Report, evals: list[Evaluation]) -> None:
    """One bullet per campaign (days, target, previous campaign), then each comparison table."""
    notes = []
    for e in evals:
        conversion = e.experiment.row("conversion") if e.experiment else None
        treated = None if conversion is None else float(conversion.fixed.treatment)
        notes.append(findings.scorecard_note(e, rep.tx, treated))
    rep.bullets(notes)
    if platform_only(rep.wh):
        rep.note(rep.tx("ce_scorecard_aggregate"))
    for e in evals:
        if e.previous:
            rep.table(tables.versus_previous(e, rep.tx), {})


def randomized_test(rep: Report, e: Evaluation, params: CampaignEvaluationParams) -> None:
    """The sample-ratio check first (an alert when the split is broken), then the effects."""
    x, tx = e.experiment, rep.tx
    rep.subsection(campaign_title(e, tx))
    srm = method_findings.srm_text(x, tx)
    if bool(x.srm.flagged):
        rep.alarm(srm)
        rep.alert("srm", "ab_srm_p_value", srm, campaign_id=e.campaign.campaign_id,
                  p_value=float(x.srm.p_value))
    else:
        rep.note(srm)
    rep.finding(method_findings.experiment_finding(e, params.alpha, tx))
    rep.table(tables.variants_table(x, tx), {})
    rep.table(tables.test_table(x, tx), {})
    rep.chart(charts.lifts(x, tx), alt=tx("ce_alt_lifts"))
    guardrails = tables.guardrail_table(x, tx)
    if not guardrails.empty:
        rep.table(guardrails, {})
    rep.paragraph(method_findings.guardrail_note(x, tx))
    rep.paragraph(method_findings.power_text(x, params.planned_lift_rel, params.alpha, tx))


def untested(rep: Report, e: Evaluation) -> None:
    """One line for a campaign whose assignments hold a test that cannot be analysed yet."""
    rep.unavailable("ce_why_no_test", name=e.campaign.name, reason=rep.tx(e.test_reason.key, **e.test_reason.values))


def without_control(rep: Report, e: Evaluation, params: CampaignEvaluationParams) -> None:
    """Difference-in-differences and the counterfactual model, whichever the data allowed."""
    tx = rep.tx
    rep.subsection(campaign_title(e, tx))
    if e.did is not None:
        rep.finding(method_findings.did_finding(e, tx))
        rep.chart(charts.did(e, tx), alt=tx("ce_alt_did", campaign=e.campaign.name, metric=word(e.did.metric, tx)))
        rep.table(tables.did_table(e, tx), {})
    if e.counterfactual is not None:
        rep.finding(method_findings.counterfactual_finding(e, tx))
        rep.chart(charts.counterfactual(e, tx), alt=tx("ce_alt_counterfactual", campaign=e.campaign.name,
                                                         metric=word(e.counterfactual.metric, tx)))
        rep.table(tables.counterfactual_table(e, tx), {})
        rep.paragraph(method_findings.model_note(e, params.pre_period_days, tx))
        rep.paragraph(method_findings.placebo_finding(e, tx))
        if not e.counterfactual.placebos.empty:
            rep.chart(charts.placebos(e, tx), alt=tx("ce_alt_placebos", campaign=e.campaign.name))
    if e.reason:
        rep.unavailable(e.reason.key, **e.reason.values)


def type_details(rep: Report, e: Evaluation, params: CampaignEvaluationParams) -> None:
    """Tagged events, the coupon / group-buy / referral / paid-media figures, repeat purchase."""
    tx, k = rep.tx, params.min_cell_size
    rep.subsection(campaign_title(e, tx))
    s = specifics(rep.wh, e, params)
    if not s.tagged.empty:
        rep.table(detail_tables.tagged_table(s.tagged, k, tx), {})
    figures = [detail_tables.coupon_values(s.coupon, e.card["reach"], e, tx) if s.coupon is not None else None,
               detail_tables.group_values(s.group_buy) if s.group_buy is not None else None,
               detail_tables.referral_values(s.referral) if s.referral is not None else None,
               detail_tables.media_values(e.card) if e.card.get("impressions") else None]
    for values in figures:
        if values is not None:
            rep.table(detail_tables.key_value_table(values, tx), {})
    repeat, gap = detail_tables.repeat_table(s.repeat, k, tx)
    if not rep.wh.has("orders"):
        rep.skipped("ce_missing_orders")
    elif repeat.empty:
        rep.say("ce_repeat_none", days=params.repeat_days)
    else:
        rep.table(repeat, {})
        rep.paragraph(gap)


def channels(rep: Report, frame: pd.DataFrame) -> None:
    """The channel finding, the acquisition table and, with paid orders, the attribution table and
    chart; a period with one channel or none says so in one line."""
    tx, p = rep.tx, rep.params
    k = p.min_cell_size
    if frame.empty:
        rep.unavailable("ce_why_no_channels")
        return
    if len(frame) == 1:
        rep.unavailable("ce_why_one_channel", channel=tx.data(frame["channel"].iat[0]))
    else:
        orders = attribution_orders(rep.wh, day_number(rep.period.start), day_number(rep.period.end))
        rep.finding(findings.channel_finding(frame, orders, k, tx, p.min_group_size, p.alpha)
                    or tx("ce_no_channel"))
    rep.table(*detail_tables.acquisition(frame, k, tx))
    if not rep.wh.has("orders"):
        return
    if not frame["ft_orders"].sum() > 0:
        rep.unavailable("ce_why_no_paid_orders")
        return
    rep.table(*detail_tables.attribution(frame, k, tx))
    rep.chart(charts.attribution(frame, k, tx), alt=tx("ce_alt_attribution"))
