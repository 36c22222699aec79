"""The reconciliation section (data with own tracking and WeChat's numbers) and the JSON keys it
publishes: `tracking_gap_days` (the week's flagged days) and `tracking_gap_typical`.

The window judged is `reconcile_weeks` weeks ending on the report week's Sunday: each day is
judged against the typical gap of those weeks (`users.reconcile`); the table shows the report
week's days, the chart the whole window."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, day_number
from helpers.render import privacy
from helpers.render.report import Report
from helpers.users import reconcile, wechat_charts, wechat_findings
from helpers.users.params import UserAnalysisParams

KEYS = ("tracking_gap_days", "tracking_gap_typical")
# Catalog words of a day's or a page's flag.
FLAG_WORDS = {"loss": "ua_rc_loss", "duplication": "ua_rc_duplication", "": "ua_rc_ok"}


@dataclass
class Reconciliation:
    days: pd.DataFrame  # reconcile.daily over the window
    typical: dict[str, float | None]
    week: pd.DataFrame  # reconcile.week_table of the report week
    pages: pd.DataFrame  # reconcile.page_views of the report week
    flagged: list[str]  # ISO dates of the report week's flagged days


def reconcile_week(wh: Warehouse, period: Period, p: UserAnalysisParams) -> Reconciliation | None:
    """Own tracking against WeChat's numbers for the report week (judged over the window), or
    None without both."""
    if not reconcile.available(wh):
        return None
    lo, hi = day_number(period.start), day_number(period.end)
    days, typical = reconcile.daily(wh, hi - 7 * p.reconcile_weeks + 1, hi, p.reconcile_tolerance,
                                    p.reconcile_min_count)
    pages = (reconcile.page_views(wh, lo, hi, p.reconcile_tolerance, p.reconcile_min_count)[0]
             if wh.has("mp_pages") and wh.has("events", "page") else pd.DataFrame())
    return Reconciliation(days, typical, reconcile.week_table(days, lo, hi), pages,
                          reconcile.flagged_days(days, lo, hi))


def published(rec: Reconciliation | None) -> dict[str, Any]:
    """The JSON additions: null without both own tracking and WeChat's visits; the typical gap
    null (and no day flagged) when the window has too few judged days."""
    if rec is None:
        return dict.fromkeys(KEYS)
    judged = any(v is not None for v in rec.typical.values())
    return {"tracking_gap_days": rec.flagged if judged else None, "tracking_gap_typical": rec.typical["active"]}


def _week_frame(rec: Reconciliation, k: int, tx: Any) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """The week's table: own and WeChat's counts and gaps per day, every count under k hidden
    with the gap it reveals; and each day's flags in words."""
    week = rec.week
    frame = pd.DataFrame({
        tx("ua_rc_col_day"): [tx("ua_rc_date", date=d) for d in week["date"]],
        "dau": week["own_active"], "wx_visitors": week["wechat_active"], "tracking_gap_active": week["gap_active"],
        "new_users": week["own_new"], "wx_new_visitors": week["wechat_new"], "tracking_gap_new": week["gap_new"],
    })
    reveals = {"dau": ["tracking_gap_active"], "wx_visitors": ["tracking_gap_active"],
               "new_users": ["tracking_gap_new"], "wx_new_visitors": ["tracking_gap_new"]}
    _, small = privacy.suppress_counts(frame, k, reveals)
    table = frame.mask(small)
    table[tx("ua_rc_col_flag")] = [tx("ua_wx_list_sep").join(tx(wechat_findings.FLAG_TEXT[m, f])
                                                            for m, f in flags.items()) or tx("ua_rc_ok")
                                   for flags in week["flags"]]
    units = {"dau": "users", "wx_visitors": "users", "tracking_gap_active": "relative_change",
             "new_users": "users", "wx_new_visitors": "users", "tracking_gap_new": "relative_change"}
    return table, small, units


def _pages_frame(rec: Reconciliation, k: int, top: int, tx: Any) -> tuple[pd.DataFrame, dict[str, str], int]:
    """The pages WeChat lists, most viewed first: own and WeChat's views, the gap and the flag;
    pages of fewer than k own viewers or WeChat visitors on their busiest day left out."""
    pages = rec.pages
    people = pages[["own_viewers", "wechat_floor"]].min(axis=1)
    keep = ~privacy.small(people, k) & (people >= k)
    shown = pages[keep].head(top)
    frame = pd.DataFrame({
        tx("ua_wx_col_page"): [tx.page(x) for x in shown["page"]],
        "mp_page_views": shown["own"], "wx_page_views": shown["wechat"], "tracking_gap_views": shown["gap"],
        tx("ua_rc_col_flag"): [tx(FLAG_WORDS[f]) for f in shown["flag"]],
    })
    return frame, {"mp_page_views": "count", "wx_page_views": "count", "tracking_gap_views": "relative_change"}, \
        int((~keep).sum())


def show(rep: Report, rec: Reconciliation, p: UserAnalysisParams) -> None:
    """The section: finding (typical gap, flagged days and pages), the week's table, the window's
    chart, the page table and how it judges."""
    rep.section("ua_section_reconcile")
    k = p.min_cell_size
    pages_flagged = rec.pages[rec.pages["flag"] != ""] if len(rec.pages) else rec.pages
    rep.finding(wechat_findings.reconciliation(rec.week, rec.typical, pages_flagged, p.reconcile_tolerance,
                                               rep.tx))
    if rec.flagged:
        dates = rep.tx("ua_wx_and_sep").join(rep.tx("ua_rc_date", date=pd.Timestamp(d).date()) for d in rec.flagged)
        rep.alert("tracking_gap", "tracking_gap_days", rep.tx("ua_rc_alert", dates=dates), dates=rec.flagged)
    table, small, units = _week_frame(rec, k, rep.tx)
    rep.table(table, units, hidden=small)
    active = rec.days[rec.days["measure"] == "active"]
    active = active.assign(gap=active["gap"].where((active["own"] >= k) & (active["wechat"] >= k)))  # privacy
    if active["gap"].notna().any():
        rep.chart(wechat_charts.reconciliation(active, rec.typical["active"], p.reconcile_tolerance, rep.tx),
                  alt=rep.tx("ua_rc_alt_chart", weeks=p.reconcile_weeks))
    if len(rec.pages):
        frame, page_units, hidden = _pages_frame(rec, k, p.top_pages, rep.tx)
        rep.say("ua_rc_pages_intro")
        if len(frame):
            rep.table(frame, page_units)
        if hidden:
            rep.say("ua_wx_pages_hidden", rows=hidden, k=k)
    rep.say("ua_rc_method", tolerance=p.reconcile_tolerance, weeks=p.reconcile_weeks,
            min_count=p.reconcile_min_count)
