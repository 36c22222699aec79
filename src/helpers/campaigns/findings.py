"""The campaign report's sentences about all campaigns: the overview, the ROI note, each
campaign's scorecard note, repeat purchase and the channel attribution. Each clause is a catalog
entry; the logic is written once for both languages."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.campaigns.evaluation import Evaluation
from helpers.campaigns.queries import target_actual
from helpers.campaigns.wording import change, interval, reason, roi, word
from helpers.render.escape import Inline, Strong, runs
from helpers.render.text import Text
from helpers.stats.experiments import Lift
from helpers.stats.shares import share_shift

# The scorecard metric a campaign's target_metric is measured by.
TARGET_KEYS = {"gmv": "campaign_gmv", "orders": "campaign_orders", "new_users": "campaign_new_users",
               "participants": "campaign_participants", "reach": "campaign_reach",
               "conversion": "campaign_conversion_rate"}


def _estimate_clause(e: Evaluation, gross_margin: float, tx: Text) -> str:
    lift = e.lift()
    metric = e.metric or ""
    if e.split_broken:  # no verdict, no interval read as evidence, no return figure
        return tx("ce_overview_untrusted", name=e.campaign.name, method=word(e.method, tx),
                  metric=word(metric, tx), lift=change(lift["abs"], metric, tx), untrusted=tx("ce_untrusted"))
    sequential = e.experiment is not None and e.experiment.running
    gmv = e.incremental_gmv()
    money = ""
    if gmv is not None:
        if e.roas_roi(gross_margin)[1] is not None:
            tx.shows("campaign_roi", "campaign_roi_low", "campaign_roi_high")
            money = tx("ce_overview_roi", roi=roi(e, gross_margin, tx))
        tx.shows("campaign_incremental_gmv")
        money += tx("ce_overview_money", gmv=gmv[0])
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


def channel_finding(frame: pd.DataFrame, orders: pd.DataFrame, k: int, tx: Text, min_group: int = 30,
                    alpha: float = 0.05) -> str:
    """What changes between first- and last-touch credit, and the paid channels' ROAS both ways
    (channels with at least k buyers both ways: a ROAS is one small cell's revenue otherwise)
    ("" when no channel has max(k, min_group) buyers both ways). A channel is named as gaining or
    losing the most revenue share only when it has that many buyers both ways and its shift is
    significant at `alpha` (`stats.shares.share_shift` on the period's paid `orders`, buyers as
    units: a few big orders cannot make a channel "gain"); the sentence gives the 95% intervals.
    frame: `channel_queries.channels`; orders: `channel_queries.attribution_orders`."""
    big = max(k, min_group)
    ok = (frame["ft_buyers"] >= big) & (frame["lt_buyers"] >= big)
    if not frame["ft_revenue"].sum() or not frame["lt_revenue"].sum() or not ok.any() or orders.empty:
        return ""
    shifts = share_shift(orders["amount"], orders["first_touch"], orders["last_touch"], orders["user_id"])
    clear = shifts[shifts["group"].isin(frame.loc[ok, "channel"]) & (shifts["p_value"] < alpha)]
    up, down = clear[clear["shift"] > 0].nlargest(1, "shift"), clear[clear["shift"] < 0].nsmallest(1, "shift")
    tx.shows("channel_share_shift")
    key = {(True, True): "ce_channel_shift", (True, False): "ce_channel_shift_up",
           (False, True): "ce_channel_shift_down", (False, False): "ce_channel_shift_none"}[len(up) > 0, len(down) > 0]
    text = tx(key, n=big, **_shift_values("up", up, tx), **_shift_values("down", down, tx))
    paid = frame[(frame["spend"] > 0) & (frame["ft_buyers"] >= k) & (frame["lt_buyers"] >= k)]  # privacy
    if not paid.empty:
        tx.shows("channel_roas_ft", "channel_roas_lt")
        parts = [tx("ce_channel_roas_item", channel=tx.data(r.channel),
                    first=r.ft_revenue / r.spend if r.spend else np.nan,
                    last=r.lt_revenue / r.spend if r.spend else np.nan) for r in paid.itertuples()]
        text += tx("ce_channel_roas", channels=tx("ce_comma").join(parts))
    return text


def _shift_values(side: str, row: pd.DataFrame, tx: Text) -> dict[str, object]:
    """The placeholders {side}, {side}_shift and {side}_ci of a share-shift sentence (none when
    `row`, one row of `share_shift` or none, is empty)."""
    if row.empty:
        return {}
    r = row.iloc[0]
    return {side: tx.data(r["group"]), f"{side}_shift": float(r["shift"]),
            f"{side}_ci": interval(float(r["low"]), float(r["high"]), "conversion", tx)}
