"""Every public computation of helpers.campaigns, and the findings, tables and charts built on
them, on random valid datasets (tests/datasets.py) with random campaigns (in, before or after the
report week, open-ended, targeting a channel or not), assignments (one variant, no control, late
or missing assignment times) and spend: they must return without error, as the notebook calls
them, and the JSON items hold finite numbers or null."""

from __future__ import annotations

import math
from datetime import date, timedelta

import matplotlib
import matplotlib.pyplot as plt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datasets import Tables, datasets, latest_week, open_warehouse
from helpers.campaigns import charts, detail_tables, findings, method_findings, tables
from helpers.campaigns import evaluation as ca
from helpers.campaigns.channel_queries import attribution_orders, channels
from helpers.campaigns.params import CampaignEvaluationParams
from helpers.core.warehouse import day_number
from helpers.render.text import Text

matplotlib.use("Agg")
TYPES = ("coupon", "coupon", "group_buy", "fission")
VARIANTS = (("control", "treatment"), ("treatment",), ("control",), ("control", "a", "b"))


def _ts(day: date) -> str:
    return f"{day} 10:00:00"


@st.composite
def campaign_tables(draw) -> Tables:
    """A dataset of tests/datasets.py with campaigns, assignments and spend (each maybe absent)."""
    base = draw(datasets())
    end = max(date.fromisoformat(e["event_time"][:10]) for e in base["events"])
    campaigns = []
    for i in range(draw(st.sampled_from((0, 1, 3)))):
        start = end - timedelta(days=draw(st.sampled_from((-2, 3, 6, 10, 20, 45))))
        length = draw(st.sampled_from((1, 4, 12, None)))
        stop = None if length is None else _ts(start + timedelta(days=length))
        campaigns.append({"campaign_id": f"C{i}", "type": draw(st.sampled_from(TYPES)),
                          "channel": draw(st.sampled_from((None, "search", "*"))),
                          "start_at": _ts(start), "end_at": stop,
                          "cost": draw(st.sampled_from((None, 0.0, 500.0))),
                          "target_metric": draw(st.sampled_from((None, "conversion", "gmv", "new_users")))})
    out = Tables(base)
    if campaigns or draw(st.booleans()):
        out["campaigns"] = campaigns
    if campaigns and draw(st.booleans()):
        variants = draw(st.sampled_from(VARIANTS))
        late = draw(st.booleans())
        out["assignments"] = [{"campaign_id": "C0", "user_id": u["user_id"], "variant": variants[i % len(variants)],
                               "assigned_at": _ts(end + timedelta(days=1)) if late and i % 2 else None}
                              for i, u in enumerate(base["users"])]
    if draw(st.booleans()):
        out["spend"] = [{"date": str(end - timedelta(days=d)), "channel": draw(st.sampled_from(("search", "kol"))),
                         "campaign_id": draw(st.sampled_from((None, "C0"))), "cost": 10.0,
                         "impressions": draw(st.sampled_from((None, 0, 1000))), "clicks": 5}
                        for d in range(draw(st.integers(0, 10)))]
    out.origin = f"campaign_tables over {base!r}"
    return out


def _campaign(wh, e: ca.Evaluation, params: CampaignEvaluationParams, tx: Text) -> None:
    """One campaign's blocks, as `campaigns.blocks` calls them."""
    findings.scorecard_note(e, tx, None)
    if e.previous:
        tables.versus_previous(e, tx)
    if e.experiment is not None:
        method_findings.srm_text(e.experiment, tx)
        method_findings.experiment_finding(e, params.alpha, tx)
        tables.variants_table(e.experiment, tx), tables.test_table(e.experiment, tx)
        tables.guardrail_table(e.experiment, tx)
        plt.close(charts.lifts(e.experiment, tx))
        method_findings.power_text(e.experiment, params.planned_lift_rel, params.alpha, tx)
    if e.counterfactual is not None:
        method_findings.counterfactual_finding(e, tx), method_findings.model_note(e, 84, tx)
        method_findings.placebo_finding(e, tx)
        tables.counterfactual_table(e, tx)
        plt.close(charts.counterfactual(e, tx))
    s = ca.specifics(wh, e, params)
    detail_tables.tagged_table(s.tagged, 10, tx)
    if s.coupon is not None:
        detail_tables.coupon_values(s.coupon, e.card["reach"], e, tx)
    detail_tables.repeat_table(s.repeat, 10, tx)


@settings(derandomize=True, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                                    HealthCheck.data_too_large])
@given(campaign_tables(), st.sampled_from(("zh", "en")))
def test_every_campaign_computation_completes_on_any_valid_dataset(dataset, language):
    params, tx = CampaignEvaluationParams(placebos=1), Text(language)
    with open_warehouse(dataset) as wh:
        period = latest_week(wh)
        evals = ca.evaluate_all(wh, period, params)
        for e in evals:
            item = e.item(params.gross_margin)
            assert all(v is None or isinstance(v, str) or math.isfinite(v) for v in item.values()), item
            _campaign(wh, e, params, tx)
        findings.overview_finding(evals, params.gross_margin, tx)
        if evals:
            tables.overview(evals, params.gross_margin, tx), tables.scorecards(evals, tx)
        frame = channels(wh, day_number(period.start), day_number(period.end))
        if len(frame):
            orders = attribution_orders(wh, day_number(period.start), day_number(period.end))
            findings.channel_finding(frame, orders, 10, tx)
            detail_tables.acquisition(frame, 10, tx)
            if wh.has("orders"):
                detail_tables.attribution(frame, 10, tx)
                plt.close(charts.attribution(frame, 10, tx))
