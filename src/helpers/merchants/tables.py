"""The merchant report's tables for people: each function returns (frame, units, hidden) for
`Report.table`. Columns named by metric keys are labelled from the registry (and count as shown);
text columns take catalog words; merchant ids and names stay raw text, which `Report.table`
escapes. Hidden cells (privacy) read "<k"."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.core.warehouse import day_to_date
from helpers.merchants.customers import Repeat
from helpers.merchants.data import MerchantData
from helpers.merchants.labels import Names, month_label, status, tier
from helpers.render import fmt
from helpers.render.text import Text

Table = tuple[pd.DataFrame, dict[str, str], pd.DataFrame | None]
SALES_METRICS = {"gmv": "merchant_week_gmv", "orders": "merchant_week_orders", "buyers": "merchant_week_buyers",
                 "aov": "merchant_week_aov", "gmv_wow": "merchant_week_gmv_wow", "share": "merchant_week_share"}
CHAIN_METRICS = {"merchants": "chain_merchants", "joined": "chain_joined", "active": "chain_active",
                 "gmv": "chain_gmv", "gmv_share": "chain_gmv_share", "orders": "chain_orders",
                 "buyers": "chain_buyers", "recruited": "chain_recruited", "recruited_week": "chain_recruited_week"}
UNITS = {"merchant_week_gmv": "CNY", "merchant_week_orders": "orders", "merchant_week_buyers": "users",
         "merchant_week_aov": "CNY", "merchant_week_gmv_wow": "relative_change", "merchant_week_share": "fraction",
         "chain_merchants": "count", "chain_joined": "count", "chain_active": "count", "chain_gmv": "CNY",
         "chain_gmv_share": "fraction", "chain_orders": "orders", "chain_buyers": "users", "chain_recruited": "count",
         "chain_recruited_week": "count", "tier_merchants": "count", "tier_gmv_share": "fraction",
         "tier_merchants_last": "count", "merchant_recent_gmv": "CNY", "merchant_new_buyers": "users",
         "merchant_new_buyers_share": "fraction", "merchant_cohort_size": "count"}


def _frame(columns: list[tuple[str, list]]) -> tuple[pd.DataFrame, dict[str, str]]:
    frame = pd.DataFrame({name: values for name, values in columns})
    return frame, {name: UNITS[name] for name, _ in columns if name in UNITS}


def ranked_rows(data: MerchantData) -> pd.DataFrame:
    """The week's merchants with GMV as shown: figures shown first, largest GMV first; hidden
    ones after, by id (their place in the GMV order would tell what is hidden)."""
    shown, mask = data.shown_week()
    active = shown[data.week["gmv"] > 0].copy()
    active["hidden"] = mask.loc[active.index, "gmv"]
    active["rank"] = -active["gmv"].fillna(0)
    return active.sort_values(["hidden", "rank", "merchant_id"]).drop(columns="rank")


def sales(data: MerchantData, names: Names, rows: int, tx: Text) -> Table:
    """The first `rows` merchants of `ranked_rows` with their kind (when known), GMV, paid orders,
    buyers, AOV, GMV week on week, share of merchant GMV, tier and status (new, reactivated, active)."""
    ranked = ranked_rows(data).head(rows)
    _, mask = data.shown_week()
    columns: list[tuple[str, list]] = [(tx("mc_col_merchant"), [names.label(m) for m in ranked["merchant_id"]])]
    if names.has_kinds:
        columns.append((tx("mc_col_kind"), [names.kind(m, tx) for m in ranked["merchant_id"]]))
    for column, key in SALES_METRICS.items():
        if column == "gmv_wow" and not data.previous_complete:
            continue
        columns.append((key, ranked[column].tolist()))
    columns.append((tx("mc_col_tier"), [tier(t, tx) for t in ranked["tier"]]))
    state = data.statuses.set_index("merchant_id")["status"]
    columns.append((tx("mc_col_status"), [status(state.get(m, "active"), tx) for m in ranked["merchant_id"]]))
    frame, units = _frame(columns)
    hidden = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for column, key in SALES_METRICS.items():
        if key in hidden:
            hidden[key] = mask.loc[ranked.index, column].to_numpy()
    hidden[tx("mc_col_tier")] = mask.loc[ranked.index, "gmv"].to_numpy()  # a tier tells a range of GMV
    return frame, units, hidden


def tiers(data: MerchantData, table: pd.DataFrame, tx: Text) -> Table:
    """Merchants and share of merchant GMV per tier this week, and merchants per tier last week; a
    tier's share is hidden when it would give a hidden merchant away (`data.dropped`)."""
    columns = [(tx("mc_col_tier"), [tier(t, tx) for t in table["tier"]]),
               ("tier_merchants", table["merchants"].tolist()), ("tier_gmv_share", table["gmv_share"].tolist())]
    if data.previous_complete:
        columns.append(("tier_merchants_last", table["merchants_last"].tolist()))
    frame, units = _frame(columns)
    hidden = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    hidden["tier_gmv_share"] = [f"tier:{t}" in data.dropped for t in table["tier"]]
    return frame, units, hidden


def movement(matrix: pd.DataFrame, tx: Text) -> Table:
    """Merchants by tier last week (rows) and this week (columns)."""
    tx.shows("tier_moves")
    frame = pd.DataFrame(matrix.to_numpy(), columns=[tier(c, tx) for c in matrix.columns])
    frame.insert(0, tx("mc_col_last_this"), [tier(r, tx) for r in matrix.index])
    return frame, {c: "count" for c in frame.columns[1:]}, None


def dormant(frame: pd.DataFrame, hidden: pd.DataFrame, names: Names, end: int, tx: Text) -> Table:
    """Merchants that turned dormant this week: kind, last paid day, days since, what they sold in
    the 28 days up to it (hidden under k buyers)."""
    columns: list[tuple[str, list]] = [(tx("mc_col_merchant"), [names.label(m) for m in frame["merchant_id"]])]
    if names.has_kinds:
        columns.append((tx("mc_col_kind"), [names.kind(m, tx) for m in frame["merchant_id"]]))
    columns += [(tx("mc_col_last_paid"), [fmt.table_date(day_to_date(int(d))) for d in frame["last_day"]]),
                (tx("mc_col_days_since"), [int(end - d) for d in frame["last_day"]]),
                ("merchant_recent_gmv", frame["gmv"].tolist())]
    table, units = _frame(columns)
    mask = pd.DataFrame(False, index=table.index, columns=table.columns)
    mask["merchant_recent_gmv"] = hidden["gmv"].to_numpy()
    return table, units, mask


def cohorts(table: pd.DataFrame, tx: Text) -> Table:
    """Cohorts by month of first sale: merchants, and the share still selling k months later
    (blank until that month has ended)."""
    tx.shows("merchant_retention_month")
    ages = [c for c in table.columns if c != "size"]
    frame = pd.DataFrame({tx("mc_col_cohort"): [month_label(d, tx) for d in table.index],
                          "merchant_cohort_size": table["size"].to_numpy()})
    for age in ages:
        frame[tx("mc_col_month_k", k=int(age))] = table[age].to_numpy(dtype="float64")
    units = {"merchant_cohort_size": "count", **{tx("mc_col_month_k", k=int(a)): "fraction" for a in ages}}
    return frame, units, None


def new_buyers(shown: pd.DataFrame, hidden: pd.DataFrame, names: Names, rows: int, tx: Text) -> Table:
    """The first `rows` merchants by new buyers brought this week (hidden ones after, by id)."""
    order = np.lexsort((shown["merchant_id"].to_numpy(), -shown["new_buyers"].fillna(0).to_numpy(),
                        hidden["new_buyers"].to_numpy()))[:rows]
    data, mask = shown.iloc[order], hidden.iloc[order]
    frame, units = _frame([(tx("mc_col_merchant"), [names.label(m) for m in data["merchant_id"]]),
                           ("merchant_new_buyers", data["new_buyers"].tolist()),
                           ("merchant_new_buyers_share", data["share"].tolist())])
    out = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    out["merchant_new_buyers"] = mask["new_buyers"].to_numpy()
    out["merchant_new_buyers_share"] = mask["share"].to_numpy()
    return frame, units, out


def repeat(result: Repeat, k: int, tx: Text) -> Table:
    """Merchant and platform customers acquired in the same weeks, and their repeat rates; a group
    of fewer than k customers is hidden."""
    counts = [result.merchant_customers, result.platform_customers]
    rates = [result.merchant_rate, result.platform_rate]
    frame = pd.DataFrame({tx("mc_col_customers_of"): [tx.label("merchant_customers"), tx.label("platform_customers")],
                          tx("col_customers"): counts,
                          tx("mc_col_repeat_rate", days=result.days): [np.nan if r is None else r for r in rates]})
    tx.shows("merchant_customer_repeat_rate", "platform_customer_repeat_rate")
    small = [0 < c < k for c in counts]
    hidden = pd.DataFrame({c: small for c in frame.columns[1:]}, index=frame.index)
    hidden.insert(0, frame.columns[0], False)
    return frame, {tx("col_customers"): "users", tx("mc_col_repeat_rate", days=result.days): "fraction"}, hidden


def chains(chain: pd.DataFrame, hidden: pd.DataFrame, tx: Text) -> Table:
    """Per chain level: merchants, joined this week, active, GMV, share, orders, buyers, merchants
    recruited and recruited this week (join columns only with merchants.joined_at)."""
    deepest = chain["level"].max()
    labels = [tx("mc_level_unlisted") if pd.isna(v) else tx("mc_level_deepest", level=int(v))
              if v == deepest and v >= 5 else tx("mc_level", level=int(v)) for v in chain["level"]]
    keep = [c for c in CHAIN_METRICS if not (c in ("joined", "recruited_week") and chain[c].isna().all())]
    frame, units = _frame([(tx("mc_col_level"), labels), *((CHAIN_METRICS[c], chain[c].tolist()) for c in keep)])
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for c in keep:
        mask[CHAIN_METRICS[c]] = hidden[c].to_numpy() if c in hidden else False
    return frame, units, mask

