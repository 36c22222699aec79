"""Tables of the campaign evaluations for `Report.table`: the overview, scorecards, a randomized
test's variants, lifts and guardrails, and the estimates of campaigns without control. Cells are
worded here (`campaigns.wording`); columns named by metric keys are labelled from the registry by
the report, which also records them as shown."""

from __future__ import annotations

import pandas as pd

from helpers.campaigns.evaluation import Evaluation
from helpers.campaigns.experiment import Experiment, LiftRow
from helpers.campaigns.wording import campaign_title, change, dates, interval, level, p_value, roi, untrusted, word
from helpers.core.metrics import METRICS
from helpers.render import fmt
from helpers.render.text import Text

# Registry keys of a test's metrics (their labels head the test table's rows).
TEST_KEYS = {"conversion": "ab_conversion", "revenue_per_user": "ab_revenue_per_user",
             "orders_per_user": "ab_orders_per_user", "aov": "ab_aov", "refund_rate": "ab_refund_rate",
             "unfollow_rate": "ab_unfollow_rate"}
# Scorecard rows: registry key -> the scorecard's field.
SCORECARD = {"campaign_reach": "reach", "campaign_participants": "participants",
             "campaign_new_users": "new_users", "campaign_conversions": "conversions",
             "campaign_conversion_rate": "conversion_rate", "campaign_orders": "orders",
             "campaign_gmv": "gmv", "campaign_cost": "cost", "campaign_cac": "cac",
             "campaign_roas_attributed": "roas_attributed", "campaign_impressions": "impressions",
             "campaign_clicks": "clicks"}
MEDIA_ROWS = ("campaign_impressions", "campaign_clicks")


def overview(evals: list[Evaluation], gross_margin: float, tx: Text) -> pd.DataFrame:
    """One row per campaign: method, metric, lift (absolute, relative), 95% interval, p, cost, and
    one return figure: incremental ROI with its 95% interval (then the incremental GMV it comes
    from); attributed figures are in the scorecards only."""
    rows = []
    costs = tx.column("campaign_cost", [e.cost for e in evals])  # one precision down the column
    for e, cost in zip(evals, costs, strict=True):
        lift, metric = e.lift(), e.metric or ""
        gmv = e.incremental_gmv()
        rows.append({
            tx("ce_col_campaign"): campaign_title(e, tx),
            "campaign_method": word(e.method, tx),
            tx("col_metric"): word(e.metric, tx) if e.metric else fmt.MISSING,
            "campaign_lift_abs": change(lift["abs"], metric, tx),
            "campaign_lift_rel": fmt.relative_change(lift["rel"]),
            "campaign_ci": interval(lift["low"], lift["high"], metric, tx),
            "campaign_p_value": p_value(lift["p"], tx),
            "campaign_cost": cost,
            "campaign_roi": roi(e, gross_margin, tx),
            "campaign_incremental_gmv": change(None if gmv is None else gmv[0], "gmv", tx),
        })
        if e.split_broken:  # the lift shown, marked; no return figure from it
            rows[-1] |= {"campaign_lift_abs": untrusted(rows[-1]["campaign_lift_abs"], tx),
                         "campaign_roi": tx("ce_untrusted"),
                         "campaign_incremental_gmv": untrusted(rows[-1]["campaign_incremental_gmv"], tx)}
    return pd.DataFrame(rows)


def _scorecard_keys(cards: list[dict[str, float | None]]) -> list[str]:
    """Scorecard rows; impressions and clicks only when some campaign has tagged spend; the rows
    no card has at all (counts of people on WeChat's statistics alone: `queries.aggregate_scorecard`)
    left out."""
    return [k for k in SCORECARD if any(SCORECARD[k] in card for card in cards)
            and (k not in MEDIA_ROWS or any(card.get(SCORECARD[k]) is not None for card in cards))]


def scorecards(evals: list[Evaluation], tx: Text) -> pd.DataFrame:
    """Metric | one column per campaign."""
    keys = _scorecard_keys([e.card for e in evals])
    rows = [tx.column(k, [e.card.get(SCORECARD[k]) for e in evals]) for k in keys]  # one precision a row
    frame = pd.DataFrame({tx("col_metric"): [tx.label(k) for k in keys]})
    for i, e in enumerate(evals):
        frame[e.campaign.name] = [row[i] for row in rows]
    return frame


def _change(key: str, now: float | None, before: float | None, tx: Text) -> str:
    """Rates change in points, everything else relatively."""
    if pd.isna(now) or pd.isna(before):
        return fmt.MISSING
    if METRICS[key].unit == "fraction":
        return fmt.points(now - before, tx.language)
    return fmt.relative_change(now / before - 1) if before else fmt.MISSING


def versus_previous(e: Evaluation, tx: Text) -> pd.DataFrame:
    """Metric | this campaign | the previous campaign of the same type | change."""
    prev, before = e.previous
    keys = _scorecard_keys([e.card, before])
    pairs = [tx.column(k, [e.card.get(SCORECARD[k]), before.get(SCORECARD[k])]) for k in keys]
    return pd.DataFrame({
        tx("col_metric"): [tx.label(k) for k in keys],
        e.campaign.name: [pair[0] for pair in pairs],
        tx("ce_col_previous", name=prev.name, dates=dates(prev.start, prev.end, tx)): [pair[1] for pair in pairs],
        tx("col_change"): [_change(k, e.card.get(SCORECARD[k]), before.get(SCORECARD[k]), tx) for k in keys],
    })


def variants_table(x: Experiment, tx: Text) -> pd.DataFrame:
    """Users per variant: actual and planned shares."""
    return pd.DataFrame({
        tx("ce_col_group"): [word(v, tx) for v in x.variants["variant"]],
        "ab_users": [tx.value("ab_users", v) for v in x.variants["users"]],
        tx("ce_col_share"): [fmt.percent(v) for v in x.variants["share"]],
        tx("ce_col_planned"): [fmt.percent(v) for v in x.variants["intended"]],
    })


def _test_row(x: Experiment, r: LiftRow, tx: Text, guardrail: bool) -> dict[str, str]:
    f, rep = r.fixed, r.reported
    label = tx.label(TEST_KEYS[r.metric])
    row = {tx("col_metric"): tx("ce_primary_metric", label=label) if r.kind == "primary" else label}
    if len(x.variants) > 2:
        row[tx("ce_col_variant")] = word(r.variant, tx)
    sequential = x.running
    lift = change(float(f.abs), r.metric, tx)
    row |= {
        tx("ce_col_control"): level(float(f.control), r.metric, tx),
        tx("ce_col_treatment"): level(float(f.treatment), r.metric, tx),
        "campaign_lift_abs": untrusted(lift, tx) if bool(x.srm.flagged) else lift,
        "campaign_lift_rel": fmt.relative_change(float(f.rel)),
        (tx("ce_col_sequential_interval") if sequential else "campaign_ci"):
            interval(float(rep.abs_low), float(rep.abs_high), r.metric, tx),
        (tx("ce_col_sequential_p") if sequential else "campaign_p_value"): p_value(float(rep.p_value), tx),
    }
    if not guardrail:
        row["ab_p_holm"] = p_value(r.p_holm, tx)
        if sequential:
            row[tx("ce_col_fixed_interval")] = interval(float(f.abs_low), float(f.abs_high), r.metric, tx)
        row["ab_cuped_narrowing"] = tx.value("ab_cuped_narrowing", r.narrowing)
    return row


def test_table(x: Experiment, tx: Text) -> pd.DataFrame:
    """The primary and secondary metrics: both arms, lift, interval (sequential while running),
    Holm-adjusted p, the fixed-horizon interval and CUPED's narrowing."""
    return pd.DataFrame([_test_row(x, r, tx, guardrail=False) for r in x.rows if r.kind != "guardrail"])


def guardrail_table(x: Experiment, tx: Text) -> pd.DataFrame:
    """The guardrail metrics, apart from the multiple-testing family."""
    return pd.DataFrame([_test_row(x, r, tx, guardrail=True) for r in x.rows if r.kind == "guardrail"])


def counterfactual_table(e: Evaluation, tx: Text) -> pd.DataFrame:
    """Actual against expected during the campaign (its metric, then GMV) and after it."""
    a = e.counterfactual
    phases = [("during", a.fit.during, a.metric), ("after", a.fit.after, a.metric)]
    if a.gmv is not None and a.metric != "gmv":
        phases.insert(1, ("during", a.gmv, "gmv"))
    return pd.DataFrame([{
        tx("ce_col_days"): tx("ce_phase_days", phase=word(phase, tx), days=effect.days),
        tx("col_metric"): word(metric, tx),
        "cf_actual": level(effect.actual, metric, tx),
        "cf_expected": level(effect.expected, metric, tx),
        "campaign_lift_abs": change(effect.abs, metric, tx),
        "campaign_lift_rel": fmt.relative_change(effect.rel),
        "campaign_ci": interval(effect.abs_low, effect.abs_high, metric, tx),
        "campaign_p_value": p_value(effect.p_value, tx),
    } for phase, effect, metric in phases if effect is not None])


def did_table(e: Evaluation, tx: Text) -> pd.DataFrame:
    """The difference-in-differences estimate on the metric (and on GMV), with the pre-trend test."""
    d = e.did
    estimates = ((d.metric, d.result), ("gmv", d.gmv if d.metric != "gmv" else None))
    return pd.DataFrame([{
        tx("col_metric"): word(metric, tx),
        "campaign_lift_abs": change(r.abs, metric, tx),
        "campaign_lift_rel": fmt.relative_change(r.rel),
        "campaign_ci": interval(r.abs_low, r.abs_high, metric, tx),
        "campaign_p_value": p_value(r.p_value, tx),
        "did_pre_trend_p": p_value(r.pre_trend_p, tx),
    } for metric, r in estimates if r is not None])
