"""The campaign report's sentences about all campaigns: the overview, the ROI note, each
campaign's scorecard note, repeat purchase and the channel attribution. Each clause is a catalog
entry; the logic is written once for both languages."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.campaigns.evaluation import Evaluation
from helpers.campaigns.queries import target_actual
from helpers.campaigns.wording import change, interval, reason, word
from helpers.render.escape import Inline, Strong, runs
from helpers.render.text import Text
from helpers.stats.experiments import Lift

# The scorecard metric a campaign's target_metric is measured by.
TARGET_KEYS = {"gmv": "campaign_gmv", "orders": "campaign_orders", "new_users": "campaign_new_users",
               "participants": "campaign_participants", "reach": "campaign_reach",
               "conversion": "campaign_conversion_rate"}


def _estimate_clause(e: Evaluation, gross_margin: float, tx: Text) -> str:
    lift = e.lift()
    metric = e.metric or ""
    sequential = e.experiment is not None and e.experiment.running
    gmv = e.incremental_gmv()
    money = ""
    if gmv is not None:
        _, roi = e.roas_roi(gross_margin)
        tx.shows("campaign_incremental_gmv")
        money = tx("ce_overview_money", gmv=gmv[0])
        if roi is not None:
            tx.shows("campaign_roi")
            money += tx("ce_overview_roi", roi=roi)
    return tx("ce_overview_estimate", name=e.campaign.name, method=word(e.method, tx),
              metric=word(metric, tx), lift=change(lift["abs"], metric, tx), rel=lift["rel"],
              kind=tx("ce_sequential") if sequential else "",
              ci=interval(lift["low"], lift["high"], metric, tx), p=lift["p"], money=money)


def overview_finding(evals: list[Evaluation], gross_margin: float, tx: Text) -> str:
    """Each campaign's headline effect with its interval, incremental GMV and ROI."""
    if not evals:
        return tx("ce_no_campaigns")
    parts = [tx("ce_overview_none", name=e.campaign.name, reason=reason(e, tx)) if e.method == "none"
             else _estimate_clause(e, gross_margin, tx) for e in evals]
    return tx("ce_overview_finding", parts=tx("ce_clause_separator").join(parts))


def roi_note(gross_margin: float, tx: Text) -> list[Inline]:
    """How ROI and incremental ROAS are computed (the formulas in bold), and how differences are
    written."""
    return runs(tx, "ce_roi_note", roi=Strong(tx("ce_roi_formula", margin=gross_margin)),
                roas=Strong(tx("ce_roas_formula")))


def scorecard_note(e: Evaluation, tx: Text, treatment_conversion: float | None) -> list[Inline]:
    """'name: 12 days. Target ... Compared with ...', the name in bold (a list item)."""
    c = e.campaign
    days = c.days(e.as_of)
    text = tx("ce_days_so_far", days=days) if e.running else tx("ce_days_total", days=days)
    if c.target_metric and c.target_value:
        actual = target_actual(e.card, c.target_metric, treatment_conversion)
        key = TARGET_KEYS.get(c.target_metric)
        if key and actual is not None:
            tx.shows("campaign_target_attainment")
            text += tx("ce_target", label=tx.label(key), target=tx.value(key, c.target_value),
                       actual=tx.value(key, actual), share=actual / c.target_value)
    if e.previous:
        text += tx("ce_previous_below", type=word(c.type, tx), name=e.previous[0].name)
    elif e.uncompared is not None:
        text += tx("ce_previous_not_comparable", type=word(c.type, tx), name=e.uncompared.name)
    else:
        text += tx("ce_no_previous")
    return runs(tx, "ce_scorecard_note", name=Strong(c.name), text=text)


def repeat_gap(gap: Lift, tx: Text) -> str:
    """Repeat purchase of campaign-acquired against organic buyers, the gap in points, its interval."""
    tx.shows("repeat_rate")
    return tx("ce_repeat_gap", campaign=float(gap.treatment), organic=float(gap.control), gap=float(gap.abs),
              ci=interval(float(gap.abs_low), float(gap.abs_high), "conversion", tx))


def channel_finding(frame: pd.DataFrame, k: int, tx: Text) -> str:
    """What changes between first- and last-touch credit: the biggest gainer and loser, and the
    paid channels' ROAS both ways ("" when no channel has k buyers both ways)."""
    ok = (frame["ft_buyers"] >= k) & (frame["lt_buyers"] >= k)
    total_ft, total_lt = frame["ft_revenue"].sum(), frame["lt_revenue"].sum()
    if not total_ft or not total_lt or not ok.any():
        return ""
    shift = (frame["lt_revenue"] / total_lt - frame["ft_revenue"] / total_ft).where(ok)
    up, down = frame.loc[shift.idxmax()], frame.loc[shift.idxmin()]
    tx.shows("channel_share_shift")
    text = tx("ce_channel_shift", up=tx.data(up["channel"]), up_shift=shift.max(),
              down=tx.data(down["channel"]), down_shift=shift.min())
    paid = frame[frame["spend"] > 0]
    if not paid.empty:
        tx.shows("channel_roas_ft", "channel_roas_lt")
        parts = [tx("ce_channel_roas_item", channel=tx.data(r.channel),
                    first=r.ft_revenue / r.spend if r.spend else np.nan,
                    last=r.lt_revenue / r.spend if r.spend else np.nan) for r in paid.itertuples()]
        text += tx("ce_channel_roas", channels=tx("ce_comma").join(parts))
    return text
