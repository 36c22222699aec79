"""The `merchant_performance` JSON metrics of report-outputs.md, in the output contract's order;
null where the data cannot tell, and each merchant's figures null where privacy hides them."""

from __future__ import annotations

from typing import Any

import pandas as pd

from helpers.merchants.concentration import summary
from helpers.merchants.data import MerchantData
from helpers.merchants.lifecycle import ACTIVE

KEYS = ("merchants_active", "merchants_new", "merchants_dormant", "merchant_gmv", "merchant_gmv_share",
        "top10_share", "gini", "merchants")
ITEM_KEYS = ("id", "gmv", "orders", "buyers", "status")
LISTED = (*ACTIVE, "dormant", "churned")  # the statuses of the `merchants` list
DEFINITIONS = {
    "merchants": (
        "one object per merchant with a paid order in the period (status new: its first paid order "
        "falls in the period; reactivated: dormant or churned at the end of the previous week; active: "
        "the others) or turning dormant or churned in it (status dormant: its last paid order is now "
        "dormant_days to churn_days - 1 days before the period's end and was fewer than dormant_days "
        "days before the previous week's end; churned: now churn_days or more, fewer at the previous "
        "week's end). id: orders.merchant_id (never the name); gmv: paid GMV of its orders in the "
        "period (CNY); orders: its paid orders in the period; buyers: distinct users among them. gmv, "
        "orders and buyers are null when drawn from fewer than min_cell_size buyers, or hidden so that "
        "subtraction from the totals shown cannot reveal such a merchant. Order: merchants with a paid "
        "order by gmv (largest first; hidden ones after, by id), then dormant, then churned, by id."),
}


def headline(data: MerchantData | None) -> dict[str, Any]:
    """The contract's keys: null when not computable (no orders, no merchant_id column), 0 counts
    and GMV when the source has the column but no merchant sale yet."""
    m: dict[str, Any] = dict.fromkeys(KEYS)
    m["merchants"] = []
    if data is None or data.missing:
        return m
    total = data.split.get("merchant_gmv", 0.0) + data.split.get("platform_gmv", 0.0)
    m["merchant_gmv"] = data.split.get("merchant_gmv", 0.0)
    m["merchant_gmv_share"] = m["merchant_gmv"] / total if total > 0 else None
    if not data.ok:
        m |= {"merchants_active": 0, "merchants_new": 0, "merchants_dormant": 0}
        return m
    status = data.statuses["status"]
    m["merchants_active"] = int(status.isin(ACTIVE).sum())
    m["merchants_new"] = int((status == "new").sum())
    m["merchants_dormant"] = int((status == "dormant").sum())
    concentration = summary(data.week)
    m["top10_share"], m["gini"] = concentration["top10_share"], concentration["gini"]
    if "top:top10" in data.dropped:  # it would give a hidden merchant's sales away
        m["top10_share"] = None
    m["merchants"] = merchant_items(data)
    return m


def merchant_items(data: MerchantData) -> list[dict[str, Any]]:
    """The `merchants` list (DEFINITIONS), ids only, hidden figures null."""
    s = data.statuses
    listed = s[s["status"].isin(ACTIVE) | s["turned"].notna()].copy()
    listed["status"] = listed["turned"].where(listed["turned"].notna(), listed["status"])
    week = data.week.set_index("merchant_id")
    listed["gmv"] = week["gmv"].reindex(listed["merchant_id"]).fillna(0.0).to_numpy()
    listed["hidden"] = listed["merchant_id"].isin(data.hidden_now) & listed["status"].isin(ACTIVE)
    listed["group"] = [0 if st in ACTIVE and not h else 1 if st in ACTIVE else 2 if st == "dormant" else 3
                       for st, h in zip(listed["status"], listed["hidden"], strict=True)]
    listed["rank"] = -listed["gmv"].where(listed["group"] == 0, 0.0)
    listed = listed.sort_values(["group", "rank", "merchant_id"])
    items = []
    for row in listed.itertuples():
        figures = week.loc[row.merchant_id] if row.merchant_id in week.index else None
        items.append({"id": row.merchant_id, **_figures(figures, row.hidden), "status": row.status})
    return items


def _figures(row: pd.Series | None, hidden: bool) -> dict[str, Any]:
    if hidden:
        return {"gmv": None, "orders": None, "buyers": None}
    if row is None:
        return {"gmv": 0.0, "orders": 0, "buyers": 0}
    return {"gmv": float(row["gmv"]), "orders": int(row["orders"]), "buyers": int(row["buyers"])}
