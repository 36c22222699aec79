"""The campaign report's sentences about one campaign's evaluation: the sample-ratio check, the
test's headline, power and guardrails of a randomized campaign; the counterfactual estimate, its
model and placebo check, and difference-in-differences for a campaign without control."""

from __future__ import annotations

import math

from helpers.campaigns.evaluation import Evaluation
from helpers.campaigns.experiment import Experiment
from helpers.campaigns.wording import change, dates, interval, level, word
from helpers.core.calendar import SHOPPING_FESTIVALS
from helpers.core.warehouse import day_to_date
from helpers.render.text import Text
from helpers.stats.causal import PLACEBO_BAD_RATE, placebo_check

# Catalog words of the calendar and covariate regressors of the counterfactual model.
REGRESSOR_WORDS = {"holiday": "ce_regressor_holiday", "spring_festival": "ce_regressor_spring_festival",
                   "makeup_workday": "ce_regressor_makeup_workday",
                   "covariate:active_users": "ce_regressor_active_users",
                   "covariate:other_channels": "ce_regressor_other_channels"}
FESTIVAL_WORDS = {"618": "ce_festival_618", "double_11": "ce_festival_double_11",
                  "double_12": "ce_festival_double_12"}


def srm_text(x: Experiment, tx: Text) -> str:
    """The sample-ratio check: users per variant against the plan, and whether the split is broken."""
    def shares(column: str) -> str:
        return tx("ce_enumeration").join(tx("ce_variant_share", variant=word(v, tx), share=s) for v, s in
                                         zip(x.variants["variant"], x.variants[column], strict=True))

    tx.shows("ab_srm_p_value")
    key = "ce_srm_failed" if bool(x.srm.flagged) else "ce_srm_passed"
    return tx(key, observed=shares("share"), planned=shares("intended"), p=float(x.srm.p_value))


def experiment_finding(e: Evaluation, alpha: float, tx: Text) -> str:
    """Where the test stands and its primary metric: both arms, the lift, its interval, p."""
    x = e.experiment
    row = x.row(x.primary)
    r = row.reported
    c = e.campaign
    if x.running:
        total = c.end_day - c.start_day + 1 if c.end_day is not None else None
        head = tx("ce_test_running", day=x.days, of=tx("ce_test_of_days", days=total) if total else "")
    else:
        head = tx("ce_test_ended", days=x.days)
    several = sum(q.kind == "primary" for q in x.rows) > 1  # one primary row per non-control variant
    p = row.p_holm if several and row.p_holm is not None else float(r.p_value)  # the p the test table shows
    # a failed sample-ratio check gives no verdict until the split is explained
    verdict = tx("ce_untrusted" if e.split_broken else "ce_significant" if p < alpha else "ce_not_significant")
    body = tx("ce_test_primary", metric=word(x.primary, tx), control=level(float(r.control), x.primary, tx),
              treatment=level(float(r.treatment), x.primary, tx), lift=change(float(r.abs), x.primary, tx),
              rel=float(r.rel), ci=interval(float(r.abs_low), float(r.abs_high), x.primary, tx),
              p=p, verdict=verdict)
    if row.narrowing is not None:
        body += tx("ce_test_cuped", days=x.cuped_covariate_days, ab_cuped_narrowing=row.narrowing)
    return head + body


def power_text(x: Experiment, planned_rel: float, alpha: float, tx: Text) -> str:
    """The smallest lift the test can detect now, and the days it still needs for the planned one."""
    p = x.power
    if p is None:
        return ""
    if p.days_needed is None:
        more = ""
    elif p.days_needed == 0:
        more = tx("ce_power_enough", plan=planned_rel)
    else:
        tx.shows("ab_days_needed")
        more = tx("ce_power_more", plan=planned_rel, days=math.ceil(p.days_needed), needed=p.users_needed)
    tx.shows("ab_mde")
    return tx("ce_power", users=float(x.variants["users"].sum()), metric=word(x.primary, tx),
              mde=p.mde_rel, power=p.power, alpha=alpha) + more


def guardrail_note(x: Experiment, tx: Text) -> str:
    """Guardrails stand apart from the multiple-testing family; say when one cannot be computed."""
    return tx("ce_guardrail_note") + ("" if x.unfollows_tracked else tx("ce_no_unfollows"))


def counterfactual_finding(e: Evaluation, tx: Text) -> str:
    """Actual against expected during the campaign, incremental GMV, and the days after it."""
    a = e.counterfactual
    d, m = a.fit.during, a.metric
    c = e.campaign
    text = tx("ce_cf_during", dates=dates(c.start, day_to_date(c.last_day(e.as_of)), tx), metric=word(m, tx),
              actual=level(d.actual, m, tx), expected=level(d.expected, m, tx), lift=change(d.abs, m, tx),
              rel=d.rel, ci=interval(d.abs_low, d.abs_high, m, tx), p=d.p_value)
    if a.gmv is not None and m != "gmv":
        g = a.gmv
        text += tx("ce_cf_gmv", gmv=g.abs, ci=interval(g.abs_low, g.abs_high, "gmv", tx))
    after = a.fit.after
    if after is not None:
        lasting = not (after.abs_low <= 0 <= after.abs_high)
        text += tx("ce_cf_after", days=after.days, lift=change(after.abs, m, tx),
                   ci=interval(after.abs_low, after.abs_high, m, tx),
                   verdict=tx("ce_lasting") if lasting else tx("ce_not_lasting"))
    elif e.running:
        text += tx("ce_cf_running")
    return text


def regressor_name(regressor: str, tx: Text) -> str:
    """A regressor of the counterfactual model as people say it ('Double 11 day', 'campaign CAB')."""
    kind, _, rest = regressor.partition(":")
    if kind in ("campaign", "event"):
        return tx("ce_regressor_campaign", campaign=rest)
    if regressor in REGRESSOR_WORDS:
        return tx(REGRESSOR_WORDS[regressor])
    for f in SHOPPING_FESTIVALS:
        if regressor == f"festival_{f.key}":
            return tx("ce_regressor_festival", festival=tx(FESTIVAL_WORDS[f.key]))
        if regressor == f"presale_{f.key}":
            return tx("ce_regressor_presale", festival=tx(FESTIVAL_WORDS[f.key]))
    return regressor


def model_note(e: Evaluation, pre_days_param: int, tx: Text) -> str:
    """The counterfactual model: its terms, scale, pre-period, and regressors it could not learn."""
    a = e.counterfactual
    fit = a.fit
    names = tx("ce_enumeration")
    terms = (tx("ce_model_terms", terms=names.join(regressor_name(r, tx) for r in fit.regressors))
             if fit.regressors else "")
    text = tx("ce_model_note", days=fit.pre_days, metric=word(a.metric, tx), terms=terms,
              scale=tx("ce_log_scale") if fit.log_scale else tx("ce_original_scale"))
    if fit.pre_days < pre_days_param:
        text += tx("ce_model_short", days=fit.pre_days, param=pre_days_param)
    if fit.unseen:
        text += tx("ce_model_unseen", names=names.join(regressor_name(r, tx) for r in fit.unseen))
    return text


PLACEBO_VERDICTS = {"sound": "ce_placebo_sound", "inconclusive": "ce_placebo_inconclusive",
                    "unsound": "ce_placebo_unsound"}


def placebo_finding(e: Evaluation, tx: Text) -> str:
    """The same method on earlier campaign-free windows: how often it 'finds' an effect there."""
    frame = e.counterfactual.placebos
    if frame.empty:
        return tx("ce_placebo_none")
    m = e.counterfactual.metric
    check = placebo_check(frame)
    scale = e.counterfactual.scale
    widening = tx("ce_placebo_widened", factor=scale) if scale > 1 else ""
    return tx("ce_placebo", windows=check.windows, alarms=check.alarms, rate=check.rate,
              rate_high=check.rate_high, low=change(check.low, m, tx), high=change(check.high, m, tx),
              verdict=tx(PLACEBO_VERDICTS[check.verdict], bad=PLACEBO_BAD_RATE)) + widening


def did_finding(e: Evaluation, tx: Text) -> str:
    """The difference-in-differences groups, and whether they moved in parallel before."""
    d = e.did
    g = d.group
    trend = tx("ce_did_parallel") if d.result.pre_trend_p >= 0.05 else tx("ce_did_not_parallel")
    return tx("ce_did", column=g.column, treated=", ".join(g.treated), comparison=", ".join(g.comparison),
              metric=word(d.metric, tx)) + trend
