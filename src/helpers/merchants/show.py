"""The merchant report's sections, one call each from the notebook: the heading, then the finding,
charts and tables, or one line saying why the section cannot be shown (`rep.skipped` for what the
data source lacks, `rep.unavailable` for what this week lacks). Nothing here raises for missing
data: the rest of the report goes on."""

from __future__ import annotations

from typing import Any

from helpers.core.kpis import relative_change
from helpers.core.warehouse import day_to_date
from helpers.merchants import chains as chain_levels
from helpers.merchants import charts, cohorts, findings, privacy, queries, tables
from helpers.merchants import concentration as spread
from helpers.merchants import customers as buyers
from helpers.merchants.data import MerchantData
from helpers.merchants.growth import weekly_growth
from helpers.merchants.labels import Names
from helpers.render import fmt
from helpers.render.components import Kpi
from helpers.render.report import Report

SECTIONS = ("mc_section_glance", "mc_section_sales", "mc_section_concentration", "mc_section_lifecycle",
            "mc_section_retention", "mc_section_customers", "mc_section_chains")
RECENT_DAYS = 28  # what a merchant turning dormant sold before it stopped (merchant_recent_gmv)


def _ready(rep: Report, data: MerchantData, week_sales: bool = False) -> bool:
    """Whether the section can be shown; otherwise one line says why."""
    if data.missing:
        rep.skipped(data.missing)
    elif data.why:
        rep.unavailable(data.why)
    elif week_sales and not (data.week["gmv"] > 0).any():
        rep.unavailable("mc_why_no_week_sales")
    else:
        return True
    return False


def names(rep: Report, data: MerchantData) -> Names:
    return Names(data.info, rep.params.show_merchant_names)


def _previous(data: MerchantData) -> dict[str, float | None]:
    """Last week's headline figures when that week is in the data."""
    if not data.previous_complete:
        return {}
    counts = data.counts.set_index("wk")
    trend = data.trend.set_index("wk")
    last = data.lo - 7
    total = data.split_prev["merchant_gmv"] + data.split_prev["platform_gmv"]
    out: dict[str, float | None] = {
        "merchant_gmv": data.split_prev["merchant_gmv"],
        "merchant_gmv_share": data.split_prev["merchant_gmv"] / total if total > 0 else None,
        "top10_share": trend.at[last, "top10_share"] if last in trend.index else None}
    out = {k: None if v is None or v != v else v for k, v in out.items()}  # NaN: hidden last week
    if last in counts.index:
        out |= {"merchants_active": counts.at[last, "active"], "merchants_new": counts.at[last, "new"],
                "merchants_dormant": counts.at[last, "dormant"]}
    return out


def glance(rep: Report, data: MerchantData, metrics: dict[str, Any]) -> None:
    """The week at a glance: one finding and the headline cards with their week-on-week change."""
    rep.section(SECTIONS[0])
    if not _ready(rep, data):
        return
    before = _previous(data)
    keys = ("merchant_gmv", "merchant_gmv_share", "merchants_active", "merchants_new", "merchants_dormant",
            "top10_share")
    wow = {}
    for key in keys:
        now, last = metrics[key], before.get(key)
        rate = key.endswith("share")
        wow[key] = (None if now is None or last is None else now - last) if rate else relative_change(now, last)
    rep.finding(findings.glance(metrics, wow, rep.tx))
    # a card says "0 last week" only when last week's value was 0, not when either week's is hidden
    rep.kpi_cards([Kpi(k, metrics[k], wow[k], previous=before.get(k) if metrics[k] is not None else None)
                   for k in keys])
    rep.for_analysts("mc_params_analyst")


def sales(rep: Report, data: MerchantData) -> None:
    """Sales by merchant: the finding, weekly merchant and platform GMV, the top merchants."""
    rep.section(SECTIONS[1])
    if not _ready(rep, data, week_sales=True):
        return
    tx, p, labels = rep.tx, rep.params, names(rep, data)
    growth = weekly_growth(data.weekly, data.week_starts)
    rep.finding(findings.sales(data, growth, tx))
    split = queries.weekly_split(rep.wh, data.week_starts[0], data.hi)
    rep.chart(charts.sales_split(split, tx), alt=tx("mc_alt_split"))
    rep.table(*tables.sales(data, labels, p.top_n, tx))
    active = int((data.week["gmv"] > 0).sum())
    if active > p.top_n:
        rep.note(tx("mc_note_top", n=p.top_n, total=active))
    if data.hidden_now:
        rep.note(tx("mc_note_hidden", k=data.k))


def concentration(rep: Report, data: MerchantData, metrics: dict[str, Any]) -> None:
    """Concentration: top shares and Gini, the Lorenz curve and the weekly trend, tiers and their
    movement week on week."""
    rep.section(SECTIONS[2])
    if not _ready(rep, data, week_sales=True):
        return
    tx, p = rep.tx, rep.params
    rep.finding(findings.concentration(metrics, data, tx))
    people, share = spread.lorenz_points(data.week, data.lorenz)
    panels = [(charts.lorenz(people, share, tx), tx("mc_alt_lorenz"))]
    if data.trend["gini"].notna().sum() >= 2:
        panels.append((charts.concentration_trend(data.trend, tx), tx("mc_alt_concentration")))
    rep.charts(panels)
    this = data.week[["merchant_id", "gmv", "buyers"]]
    last = data.week.assign(gmv=data.week["gmv_prev"].fillna(0))[["merchant_id", "gmv", "buyers"]]
    table = spread.tier_table(this, last if data.previous_complete else None, p.head_share, p.waist_share)
    rep.table(*tables.tiers(data, table, tx))
    rep.note(tx("mc_note_tiers", head=p.head_share, waist=p.waist_share))
    if data.previous_complete:
        rep.table(*tables.movement(spread.movement(this, last, p.head_share, p.waist_share), tx))


def lifecycle(rep: Report, data: MerchantData, metrics: dict[str, Any]) -> None:
    """Lifecycle counts per week, and the merchants that turned dormant this week for follow-up."""
    rep.section(SECTIONS[3])
    if not _ready(rep, data):
        return
    tx, p = rep.tx, rep.params
    rep.finding(findings.lifecycle(metrics, data, tx))
    if len(data.counts) >= 2:
        rep.chart(charts.lifecycle(data.counts, tx), alt=tx("mc_alt_lifecycle"))
    turned = data.statuses[data.statuses["turned"] == "dormant"].sort_values(["last_day", "merchant_id"],
                                                                             ascending=[False, True])
    if len(turned):
        listed = turned.head(p.dormant_list)
        recent = queries.recent_sales(rep.wh, listed["merchant_id"].tolist(), RECENT_DAYS, data.hi)
        frame = listed.merge(recent, on="merchant_id", how="left").fillna({"gmv": 0.0, "orders": 0, "buyers": 0})
        shown, hidden = privacy.recent(frame, data.k)
        rep.table(*tables.dormant(shown, hidden, names(rep, data), data.hi, tx))
        if len(turned) > len(listed):
            rep.note(tx("mc_note_dormant_cut", n=len(listed), total=len(turned)))
    rep.note(tx("mc_note_lifecycle", dormant=p.dormant_days, churn=p.churn_days))


def retention(rep: Report, data: MerchantData) -> None:
    """Monthly cohorts of first sale and the share still selling k months later."""
    rep.section(SECTIONS[4])
    if not _ready(rep, data):
        return
    table = cohorts.retention_table(cohorts.cohort_counts(rep.wh, data.hi), data.hi, rep.params.cohort_months)
    if table.empty:
        rep.unavailable("mc_why_no_cohorts")
        return
    text = findings.retention(table, rep.tx)
    rep.finding(text if text else rep.tx("mc_retention_young"))
    rep.table(*tables.cohorts(table, rep.tx))
    rep.note(rep.tx("mc_note_retention"))


def customers(rep: Report, data: MerchantData) -> None:
    """New buyers by the merchant of their first paid order; merchant against platform customers'
    repeat purchase."""
    rep.section(SECTIONS[5])
    if not _ready(rep, data):
        return
    tx, p = rep.tx, rep.params
    new = buyers.new_buyers(rep.wh, data.lo, data.hi)
    repeat = buyers.repeat_purchase(rep.wh, data.hi, p.repeat_days, p.acquisition_weeks,
                                       int(rep.wh.meta["first_day"]))
    if not new["new_buyers"].sum() and repeat is None:
        rep.unavailable("mc_why_no_new_buyers")
        return
    rep.finding(findings.customers(new, repeat, data.k, tx))
    by = buyers.new_buyers_by_merchant(new)
    if len(by):
        rep.table(*tables.new_buyers(*privacy.new_buyers(by, data.k), names(rep, data), p.top_n, tx))
    if repeat is not None and repeat.merchant_customers + repeat.platform_customers:
        rep.table(*tables.repeat(repeat, data.k, tx))
        span = fmt.day_span(day_to_date(repeat.first), day_to_date(repeat.last), tx.language)
        rep.note(tx("mc_note_repeat", span=span, days=repeat.days))


def chains(rep: Report, data: MerchantData) -> None:
    """Distributor chains: per level, merchants, recruits and the week's sales."""
    rep.section(SECTIONS[6])
    if not _ready(rep, data):
        return
    if not rep.wh.has("merchants", "parent_id"):
        rep.skipped("mc_missing_parent_id")
    elif data.chain is None:
        rep.unavailable("mc_why_no_chains")
    else:
        rep.finding(findings.chains(data.chain, data.chain_hidden, rep.tx))
        rep.table(*tables.chains(data.chain, data.chain_hidden, rep.tx))
        rep.note(rep.tx("mc_note_chains", deepest=chain_levels.MAX_LEVEL))
