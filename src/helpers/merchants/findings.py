"""One finding per section of the merchant report, generated from the numbers.

Each finding's logic is written once; its clauses are catalog entries (`merchants/text.yaml`).
Counts and shares are described as they are; a merchant is said to grow, or concentration to rise
or fall, only when a trend test finds it (`stats.regression.trend_test`, p < ALPHA), and merchant
and platform customers' repeat rates are compared with a two-proportion test. A merchant whose
figures privacy hides is never named with a figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from helpers.merchants.concentration import summary as concentration_summary
from helpers.merchants.customers import Repeat
from helpers.merchants.data import MerchantData
from helpers.merchants.growth import fastest
from helpers.merchants.labels import month_label
from helpers.render.text import Text
from helpers.stats.regression import trend_test

ALPHA = 0.05
MIN_TREND_WEEKS = 5


def _end(tx: Text) -> str:
    return tx("mc_end")


def glance(metrics: dict[str, Any], wow: dict[str, float | None], tx: Text) -> str:
    """Merchant GMV (week on week when last week is in the data), its share of all GMV, the
    platform's own sales, and the merchants active, new and dormant."""
    text = tx("mc_glance_gmv", merchant_gmv=metrics["merchant_gmv"])
    if wow.get("merchant_gmv") is not None:
        text += tx("mc_glance_wow", change=wow["merchant_gmv"])
    if metrics["merchant_gmv_share"] is not None:
        text += tx("mc_glance_share", merchant_gmv_share=metrics["merchant_gmv_share"])
    text += tx("mc_glance_merchants", merchants_active=metrics["merchants_active"],
               merchants_new=metrics["merchants_new"], merchants_dormant=metrics["merchants_dormant"])
    return text + _end(tx)


def sales(data: MerchantData, growth: pd.DataFrame, tx: Text) -> str:
    """The largest merchant whose figures are shown, the platform's own GMV, and the fastest
    grower the trend test finds. Merchants are named by id only: findings travel (the JSON
    summary, the index, the poster shared in chats), names stay in the report's tables."""
    shown, _ = data.shown_week()
    ranked = shown[shown["gmv"] > 0].dropna(subset=["gmv"]).sort_values(["gmv", "merchant_id"],
                                                                         ascending=[False, True])
    text = tx("mc_sales_platform", platform_gmv=data.split["platform_gmv"], merchant_gmv=data.split["merchant_gmv"])
    if len(ranked):
        top = ranked.iloc[0]
        key = "mc_sales_top_shown" if data.hidden_now else "mc_sales_top"  # a hidden one may be larger
        text += tx(key, merchant=str(top["merchant_id"]), merchant_week_gmv=top["gmv"],
                   merchant_week_share=top["share"])
    else:
        text += tx("mc_sales_all_hidden")
    grower = fastest(growth, data.hidden_now | data.hidden_prev)
    if grower is not None:
        text += tx("mc_sales_grower", merchant=str(grower["merchant_id"]), weeks=int(grower["weeks"]),
                   merchant_weekly_growth=grower["growth"], p=grower["p_value"])
    elif len(growth):
        text += tx("mc_sales_no_grower")
    return text + _end(tx)


def gini_trend_p(trend: pd.DataFrame) -> float:
    """p of a linear trend in the weekly Gini coefficient (NaN with fewer than five weeks)."""
    values = trend["gini"].dropna().to_numpy(dtype="float64")
    return trend_test(values) if len(values) >= MIN_TREND_WEEKS else float("nan")


def concentration(metrics: dict[str, Any], data: MerchantData, tx: Text) -> str:
    """Top-10 and top-20% shares and Gini of the week, the head's size, and whether the Gini
    coefficient moved over the trend weeks (trend test)."""
    top = concentration_summary(data.week)
    if metrics["top10_share"] is None or "top:top20pct" in data.dropped:  # privacy left them out
        text = tx("mc_conc_gini", gini=metrics["gini"], merchants=int(top["merchants"]))
    else:
        text = tx("mc_conc_shares", top10_share=metrics["top10_share"], top20pct_share=top["top20pct_share"],
                  gini=metrics["gini"], merchants=int(top["merchants"]))
    text += tx("mc_conc_head", head=int((data.week["tier"] == "head").sum()))
    p = gini_trend_p(data.trend)
    weeks = int(data.trend["gini"].notna().sum())
    if not np.isnan(p):
        slope = np.polyfit(np.arange(weeks), data.trend["gini"].dropna().to_numpy(), 1)[0]
        if p < ALPHA:
            text += tx("mc_conc_trend", weeks=weeks, direction=tx("mc_rose" if slope > 0 else "mc_fell"), p=p)
        else:
            text += tx("mc_conc_no_trend", weeks=weeks, p=p)
    return text + _end(tx)


def lifecycle(metrics: dict[str, Any], data: MerchantData, tx: Text) -> str:
    """This week's lifecycle counts, described as counts."""
    s = data.statuses
    reactivated = int((s["status"] == "reactivated").sum())
    turned = int((s["turned"] == "dormant").sum())
    churned = int((s["turned"] == "churned").sum())
    text = tx("mc_life_active", merchants_active=metrics["merchants_active"], merchants_new=metrics["merchants_new"],
              merchants_reactivated=reactivated)
    text += tx("mc_life_dormant", merchants_dormant=metrics["merchants_dormant"], merchants_turned_dormant=turned,
               merchants_churned=churned)
    if turned:
        text += tx("mc_life_follow_up")
    return text + _end(tx)


def retention(table: pd.DataFrame, tx: Text) -> str | None:
    """The newest cohort whose next month has ended: its size and share still selling a month
    later; None when no cohort has an observable month 1."""
    observable = table[table[1].notna()] if 1 in table.columns else table.iloc[0:0]
    if observable.empty:
        return None
    cohort = observable.index[-1]
    row = observable.iloc[-1]
    return tx("mc_retention", month=month_label(cohort, tx), merchant_cohort_size=int(row["size"]),
              merchant_retention_month=row[1]) + _end(tx)


def customers(new: pd.DataFrame, repeat: Repeat | None, k: int, tx: Text) -> str:
    """New buyers of the week and how many came through merchants; merchant against platform
    customers' repeat rate, called different only when the test finds it; a rate of fewer than k
    customers is not given."""
    via = int(new.loc[new["merchant_id"].notna(), "new_buyers"].sum())
    own = int(new.loc[new["merchant_id"].isna(), "new_buyers"].sum())
    if 0 < min(via, own) < k:  # a split of fewer than k people is not given
        text = tx("mc_cust_new_small", buyers=via + own, k=k)
    else:
        text = tx("mc_cust_new", new_buyers_merchants=via, new_buyers_platform=own)
    if repeat is None:
        return text + _end(tx)
    if min(repeat.merchant_customers, repeat.platform_customers) < k:
        return text + tx("mc_cust_repeat_small", k=k) + _end(tx)
    values = {"merchant_customer_repeat_rate": repeat.merchant_rate,
              "platform_customer_repeat_rate": repeat.platform_rate, "days": repeat.days}
    if np.isnan(repeat.p_value):
        return text + tx("mc_cust_repeat", **values) + _end(tx)
    if repeat.differs:
        higher = repeat.merchant_rate > repeat.platform_rate
        return text + tx("mc_cust_repeat_differs", **values, direction=tx("mc_higher" if higher else "mc_lower"),
                         p=repeat.p_value) + _end(tx)
    return text + tx("mc_cust_repeat_same", **values, p=repeat.p_value) + _end(tx)


def chains(chain: pd.DataFrame, hidden: pd.DataFrame, tx: Text) -> str:
    """How many levels, and the first level's merchants and share of merchant GMV (when shown)."""
    levels = chain[chain["level"].notna()]
    first = levels.iloc[0]
    text = tx("mc_chain_levels", levels=len(levels), chain_merchants=int(first["merchants"]))
    if not hidden.loc[first.name, "gmv"] and pd.notna(first["gmv_share"]):
        text += tx("mc_chain_first_share", chain_gmv_share=first["gmv_share"])
    recruited = levels["recruited"].sum()
    text += tx("mc_chain_recruited", chain_recruited=int(recruited))
    return text + _end(tx)
