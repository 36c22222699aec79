"""Tables of the campaign-type details (tagged events, coupon, group-buy, referral and paid-media
figures, repeat purchase) and of the channels (acquisition, first- and last-touch attribution).
Cells of fewer than k users read "<k" (privacy)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from helpers.campaigns.evaluation import Evaluation
from helpers.campaigns.findings import repeat_gap
from helpers.campaigns.wording import word
from helpers.core.metrics import METRICS
from helpers.render import fmt
from helpers.render.text import Text
from helpers.stats import experiments as ex

ACQUISITION = ("channel_spend", "channel_impressions", "channel_clicks", "channel_ctr", "channel_cpc",
               "channel_new_users", "channel_cac", "channel_conversion")
PER_NEW_USER = ("channel_new_users", "channel_cac", "channel_conversion")
TOUCH = {"ft": ("channel_orders_ft", "channel_revenue_ft", "channel_aov_ft", "channel_roas_ft"),
         "lt": ("channel_orders_lt", "channel_revenue_lt", "channel_aov_lt", "channel_roas_lt")}


def tagged_table(frame: pd.DataFrame, k: int, tx: Text) -> pd.DataFrame:
    """Events tagged with the campaign; rows of fewer than k users read "<k" (privacy)."""
    hide = [0 < n < k for n in frame["users"]]

    def cells(values: pd.Series, show: Any) -> list[str]:
        return [f"<{k}" if h else show(v) for v, h in zip(values, hide, strict=True)]

    def count(v: float) -> str:
        return fmt.number(v, tx.language)

    return pd.DataFrame({
        tx("ce_col_event"): [word(v, tx) for v in frame["event"]],
        tx("ce_col_users"): cells(frame["users"], count),
        tx("ce_col_events"): cells(frame["events"], count),
        tx("ce_col_buyers"): cells(frame["buyers"], count),
        tx("ce_col_buyer_rate"): cells(frame["buyer_rate"], fmt.percent),
    })


def key_value_table(values: dict[str, Any], tx: Text) -> pd.DataFrame:
    """Metric | value, each value formatted by its metric's unit (text is shown as given)."""
    return pd.DataFrame({tx("col_metric"): [tx.label(k) for k in values],
                         tx("ce_col_value"): [v if isinstance(v, str) else tx.value(k, v)
                                              for k, v in values.items()]})


def _share(num: float | None, den: float | None) -> float | None:
    return num / den if num is not None and den else None


def coupon_values(stats: dict[str, float | None], reach: float | None, e: Evaluation, tx: Text
                  ) -> dict[str, Any]:
    """Claimers, claim and redemption rates, discount; with a holdout, the share of redeemers who
    would have bought anyway."""
    claimers = stats["claimers"]
    out: dict[str, Any] = {"coupon_claimers": claimers, "coupon_claim_rate": _share(claimers, reach),
                           "coupon_redemption_rate": _share(stats["redeemers"], claimers),
                           "coupon_discount": stats["discount"]}
    row = e.experiment.row("conversion") if e.experiment else None
    if row is not None:
        d = ex.deadweight(row.reported)
        out["coupon_deadweight"] = tx("ce_deadweight", share=d.share, low=d.low, high=d.high)
    return out


def group_values(stats: dict[str, float | None]) -> dict[str, Any]:
    """Groups started, completion rate, average size of completed groups."""
    return {"group_started": stats["groups"], "group_completion_rate": stats["completion_rate"],
            "group_size": stats["group_size"]}


def referral_values(stats: dict[str, float | None]) -> dict[str, Any]:
    """Inviters, invites, invited new users, K-factor, cost per invited new user."""
    return {"referral_inviters": stats["inviters"], "referral_invites": stats["invites"],
            "referral_joins": stats["joins"], "referral_k_factor": stats["k_factor"],
            "referral_cost_per_join": stats["cost_per_join"]}


def media_values(card: dict[str, float | None]) -> dict[str, Any]:
    """Paid media of the campaign's tagged spend: impressions, clicks, CTR, CPC, and its CAC."""
    imp, clicks, cost = card.get("impressions"), card.get("clicks"), card.get("cost")
    return {"campaign_impressions": imp, "campaign_clicks": clicks,
            "channel_ctr": _share(clicks, imp), "channel_cpc": _share(cost, clicks) if cost else None,
            "campaign_cac": card.get("cac")}


def repeat_table(frame: pd.DataFrame, k: int, tx: Text) -> tuple[pd.DataFrame, str]:
    """Repeat purchase, campaign-acquired vs organic, and the gap in points with its interval;
    groups of fewer than k buyers are hidden (privacy)."""
    rows = {g: r for g, r in zip(frame["group"], frame.itertuples(), strict=True) if r.buyers >= k}
    table = pd.DataFrame({
        tx("ce_col_users"): [word(g, tx) for g in rows],
        tx("ce_col_observable"): [fmt.number(r.buyers, tx.language) for r in rows.values()],
        "repeat_rate": [tx.value("repeat_rate", r.repeaters / r.buyers) for r in rows.values()],
    })
    if not {"campaign", "organic"} <= set(rows):
        return table, ""
    organic, campaign = rows["organic"], rows["campaign"]
    gap = ex.proportion_difference(organic.buyers, organic.repeaters, campaign.buyers, campaign.repeaters)
    return table, repeat_gap(gap, tx)


def _div(a: pd.Series, b: pd.Series) -> pd.Series:
    return (a / b.where(b > 0)).astype("float64")


def acquisition(frame: pd.DataFrame, k: int, tx: Text) -> tuple[pd.DataFrame, dict[str, str], pd.DataFrame]:
    """Per channel: spend, impressions, clicks, CTR, CPC, new users, CAC, new-user conversion
    (frame, units, hidden cells: new-user figures of channels under k new users)."""
    table = pd.DataFrame({
        "channel": [tx.data(v) for v in frame["channel"]],
        "channel_spend": frame["spend"], "channel_impressions": frame["impressions"],
        "channel_clicks": frame["clicks"], "channel_ctr": _div(frame["clicks"], frame["impressions"]),
        "channel_cpc": _div(frame["spend"], frame["clicks"]), "channel_new_users": frame["new_users"],
        "channel_cac": _div(frame["spend"], frame["new_users"]),
        "channel_conversion": _div(frame["new_converted"], frame["new_users"]),
    })
    hidden = pd.DataFrame(False, index=table.index, columns=table.columns)
    small = (frame["new_users"] > 0) & (frame["new_users"] < k)
    for key in PER_NEW_USER:
        hidden[key] = small
    return table, {key: METRICS[key].unit for key in ACQUISITION}, hidden


def attribution(frame: pd.DataFrame, k: int, tx: Text) -> tuple[pd.DataFrame, dict[str, str], pd.DataFrame]:
    """Per channel: orders, revenue, AOV and ROAS by first touch and by last touch, and the shift
    of revenue share (frame, units, hidden cells: figures of fewer than k buyers)."""
    total_ft, total_lt = frame["ft_revenue"].sum(), frame["lt_revenue"].sum()
    columns: dict[str, Any] = {"channel": [tx.data(v) for v in frame["channel"]]}
    for touch, (orders, revenue, aov, roas) in TOUCH.items():
        columns |= {orders: frame[f"{touch}_orders"], revenue: frame[f"{touch}_revenue"],
                    aov: _div(frame[f"{touch}_revenue"], frame[f"{touch}_orders"]),
                    roas: _div(frame[f"{touch}_revenue"], frame["spend"])}
    columns["channel_share_shift"] = (_div(frame["lt_revenue"], pd.Series(total_lt, index=frame.index))
                                      - _div(frame["ft_revenue"], pd.Series(total_ft, index=frame.index)))
    table = pd.DataFrame(columns)
    hidden = pd.DataFrame(False, index=table.index, columns=table.columns)
    for touch, keys in TOUCH.items():
        small = (frame[f"{touch}_buyers"] > 0) & (frame[f"{touch}_buyers"] < k)
        for key in keys:
            hidden[key] = small
        hidden["channel_share_shift"] |= small
    units = {key: METRICS[key].unit for keys in TOUCH.values() for key in keys}
    return table, units | {"channel_share_shift": METRICS["channel_share_shift"].unit}, hidden
