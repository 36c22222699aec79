"""The sections of the user analysis on WeChat's own statistics (platform-only data: no events),
each written through `rep` and each standing alone: a section whose table is missing says so in one
line and the others go on. `needs_events` names, one line each, the analyses that need own
tracking."""

from __future__ import annotations

from datetime import date
from typing import Any

from helpers.core.warehouse import day_number
from helpers.render.report import Report
from helpers.users import charts, headline, value, wechat_charts, wechat_findings
from helpers.users import wechat_breakdowns as wb
from helpers.users import wechat_stats as ws
from helpers.users.params import UserAnalysisParams

# Catalog words of each WeChat table, for the line saying it is missing or empty.
TABLE_TEXT = {"mp_visits": "ua_wx_what_visits", "mp_retention": "ua_wx_what_retention",
              "mp_portrait": "ua_wx_what_portrait", "mp_sources": "ua_wx_what_sources",
              "mp_distribution": "ua_wx_what_distribution", "mp_pages": "ua_wx_what_pages"}
# The analyses that need user-level events, as the one line each says.
# (The value analysis says it in its own section, which shows the buyers when orders are present.)
NEEDS_EVENTS = ("ua_own_growth", "ua_own_activity", "ua_own_retention", "ua_own_lifecycle", "ua_own_funnel",
                "ua_own_referral")
PERIOD_TEXT = {"day": "ua_wx_period_day", "week": "ua_wx_period_week", "month": "ua_wx_period_month"}
COHORT_TEXT = {"new": "ua_wx_cohort_new", "active": "ua_wx_cohort_active"}
TOP_SOURCES = 12
MONTHS_SHOWN = 12  # monthly cohorts: the report week's month and the 11 before it


def _week(rep: Report) -> tuple[int, int]:
    return day_number(rep.period.start), day_number(rep.period.end)


def _present(rep: Report, table: str) -> bool:
    """The table is in the data; else one line says it is missing (the section is skipped)."""
    if rep.wh.has(table):
        return True
    rep.skipped("ua_wx_missing", kind=rep.tx(TABLE_TEXT[table]), table=table)
    return False


def _no_rows(rep: Report, table: str, first_day: int, last_day: int) -> bool:
    """The table holds no rows of the days; then one line says so."""
    if wb.has_rows(rep.wh, table, first_day, last_day):
        return False
    rep.unavailable("ua_wx_why_no_rows", kind=rep.tx(TABLE_TEXT[table]), start=rep.period.start, end=rep.period.end)
    return True


def visits(rep: Report, p: UserAnalysisParams) -> None:
    """WeChat's daily visitors, new visitors and opens over the last weeks; the week's figures
    against the week before's (stated, not judged)."""
    rep.section("ua_wx_section_visits")
    lo, hi = _week(rep)
    if not _present(rep, "mp_visits") or _no_rows(rep, "mp_visits", lo, hi):
        return
    this, before = ws.week_figures(rep.wh, lo), ws.week_figures(rep.wh, lo - 7)
    if this["wx_visitors"] is None:
        rep.unavailable("ua_wx_why_visits_incomplete")
    else:
        rep.finding(wechat_findings.visits(this, before, rep.tx))
    days = ws.daily_visits(rep.wh, max(lo - 7 * (p.chart_weeks - 1), rep.wh.meta["first_day"]), hi)
    rep.chart(wechat_charts.visit_trend(days, rep.tx), alt=rep.tx("ua_wx_alt_visit_trend"))
    rep.compare_table({k: this[k] for k in ws.WEEK_KEYS}, {k: before[k] for k in ws.WEEK_KEYS})
    rep.say("ua_wx_visits_reading")


def retention(rep: Report, p: UserAnalysisParams) -> None:
    """WeChat's retention table: daily cohorts of new and of active visitors (offsets 1-7, 14,
    30), weekly and monthly cohorts when WeChat's rows hold them; cohorts under k left out."""
    rep.section("ua_wx_section_retention")
    lo, hi = _week(rep)
    k = p.min_cell_size
    if not _present(rep, "mp_retention"):
        return
    span = max(p.wechat_retention_days, max(ws.LATEST_OFFSETS) + ws.LATEST_COHORTS)
    daily = {c: ws.retention_table(rep.wh, "day", c, hi - span + 1, hi, hi) for c in wb.SEGMENTS}
    weekly = {c: ws.retention_table(rep.wh, "week", c, lo - 7 * (p.cohort_weeks - 1), lo, hi) for c in wb.SEGMENTS}
    year, month = divmod(12 * rep.period.end.year + rep.period.end.month - MONTHS_SHOWN, 12)
    first_month = day_number(date(year, month + 1, 1))
    monthly = {c: ws.retention_table(rep.wh, "month", c, first_month, hi, hi) for c in wb.SEGMENTS}
    if not any(len(t) for tables in (daily, weekly, monthly) for t in tables.values()):
        rep.unavailable("ua_wx_why_no_rows", kind=rep.tx(TABLE_TEXT["mp_retention"]),
                        start=rep.period.start, end=rep.period.end)
        return
    rep.finding(wechat_findings.retention(ws.latest_retention(daily["new"], hi, k),
                                          ws.latest_retention(daily["active"], hi, k), rep.tx, k))
    rep.say("ua_wx_retention_reading", date=rep.period.end, k=k)
    hidden = 0
    for period, tables, days in (("day", daily, p.wechat_retention_days), ("week", weekly, None),
                                 ("month", monthly, None)):
        panels = []
        for cohort, table in tables.items():
            table = table.tail(days) if days else table
            shown = table[table["size"] >= k]
            hidden += len(table) - len(shown)
            if len(shown):
                title = rep.tx("ua_wx_cohorts", period=rep.tx(PERIOD_TEXT[period]),
                               cohort=rep.tx(COHORT_TEXT[cohort]))
                panels.append((wechat_charts.retention_heatmap(shown, period, title, rep.tx),
                               rep.tx("ua_wx_alt_cohorts", title=title)))
        if panels:
            rep.charts(panels)
    if hidden:
        rep.say("ua_wx_cohorts_hidden", rows=hidden, k=k)


def portrait(rep: Report, p: UserAnalysisParams) -> None:
    """WeChat's portrait of the 7 days ending on the week's Sunday: gender, age and platform of
    new and active visitors, and where active visitors are; every value under k left out, also
    against subtraction."""
    rep.section("ua_wx_section_portrait")
    if not _present(rep, "mp_portrait"):
        return
    frame = wb.portrait(rep.wh, day_number(rep.period.end))
    if frame.empty:
        rep.unavailable("ua_wx_why_no_portrait", date=rep.period.end)
        return
    frames, hidden = wb.portrait_frames(frame, p.min_cell_size)
    rep.finding(wechat_findings.portrait(frames, rep.period.end, rep.tx))
    rep.charts(charts.portrait_panels(frames, rep.tx, metric="wx_portrait_users", age="age"))
    for place, title in (("province", "ua_wx_top_provinces"), ("city", "ua_wx_top_cities"),
                         ("device", "ua_wx_top_devices")):
        if (frames[place]["population"] == "active").any():
            rep.chart(charts.top_places(frames[place], rep.tx(title), rep.tx, metric="wx_portrait_users"),
                      alt=rep.tx("ua_alt_top_bars", title=rep.tx(title)))
    rep.say("ua_wx_portrait_note", date=rep.period.end, k=p.min_cell_size, hidden=hidden)


def sources(rep: Report, p: UserAnalysisParams) -> None:
    """Opens and visitor-days by access source over the week; sources whose busiest day had
    fewer than k visitors left out."""
    rep.section("ua_wx_section_sources")
    lo, hi = _week(rep)
    if not _present(rep, "mp_sources") or _no_rows(rep, "mp_sources", lo, hi):
        return
    shown, hidden = wb.sources_shown(wb.sources(rep.wh, lo, hi), p.min_cell_size)
    shown = shown.assign(label=[wb.source_label(key, name, rep.lang)
                                for key, name in zip(shown["source_key"], shown["source"], strict=True)])
    rep.finding(wechat_findings.sources(shown, rep.tx))
    top = shown.head(TOP_SOURCES)
    if len(top):
        rep.chart(wechat_charts.share_bars(top.rename(columns={"opens_share": "share"}), "wx_source_share",
                                           rep.tx("ua_wx_sources_chart"), rep.tx),
                  alt=rep.tx("ua_alt_top_bars", title=rep.tx("ua_wx_sources_chart")))
        table = top.rename(columns={"label": rep.tx("ua_wx_col_source"), "opens": "wx_source_opens",
                                    "opens_share": "wx_source_share", "visitor_days": "wx_visitor_days"})
        rep.table(table[[rep.tx("ua_wx_col_source"), "wx_source_opens", "wx_source_share", "wx_visitor_days"]],
                  {"wx_source_opens": "count", "wx_source_share": "fraction", "wx_visitor_days": "count"})
    rep.say("ua_wx_visitor_days_note")
    if hidden:
        rep.say("ua_sources_hidden", rows=hidden, k=p.min_cell_size)


def distributions(rep: Report, p: UserAnalysisParams) -> None:
    """Opens by WeChat's stay-time buckets and by pages per open over the week."""
    rep.section("ua_wx_section_distribution")
    lo, hi = _week(rep)
    if not _present(rep, "mp_distribution") or _no_rows(rep, "mp_distribution", lo, hi):
        return
    shown, hidden = {}, 0
    for kind in ("stay_time", "depth"):
        frame, left_out = wb.distribution_shown(wb.distribution(rep.wh, kind, lo, hi), p.min_cell_size)
        shown[kind] = frame.rename(columns={"label": "key"}).assign(
            label=[rep.tx(key, bucket=int(b)) for key, b in zip(frame["label"], frame["bucket"], strict=True)])
        hidden += left_out
    rep.finding(wechat_findings.distribution(shown["stay_time"], shown["depth"], rep.tx))
    titles = {"stay_time": rep.tx("ua_wx_stay_chart"), "depth": rep.tx("ua_wx_depth_chart")}
    rep.charts([(wechat_charts.share_bars(shown[kind], "wx_bucket_share", titles[kind], rep.tx),
                 rep.tx("ua_wx_alt_distribution", title=titles[kind])) for kind in shown if len(shown[kind])])
    rep.say("ua_wx_distribution_note", k=p.min_cell_size, hidden=hidden)


def pages(rep: Report, p: UserAnalysisParams) -> None:
    """The week's most viewed pages by WeChat's count (each day's top 200 only: said)."""
    rep.section("ua_wx_section_pages")
    lo, hi = _week(rep)
    if not _present(rep, "mp_pages") or _no_rows(rep, "mp_pages", lo, hi):
        return
    shown, hidden = wb.pages_shown(wb.pages(rep.wh, lo, hi), p.min_cell_size, p.top_pages)
    rep.finding(wechat_findings.pages(shown, rep.tx))
    if len(shown):
        page = rep.tx("ua_wx_col_page")
        table = shown.assign(page=[rep.tx.page(x) for x in shown["page"]]).rename(columns={
            "page": page, "page_views": "wx_page_views", "visitor_days": "wx_visitor_days",
            "time_on_page": "wx_time_on_page", "exit_rate": "wx_exit_rate", "days_listed": "wx_days_listed"})
        units = {"wx_page_views": "count", "wx_visitor_days": "count", "wx_time_on_page": "seconds",
                 "wx_exit_rate": "fraction", "wx_days_listed": "count"}
        rep.table(table[[page, *units]], units)
    rep.say("ua_wx_pages_note")
    if hidden:
        rep.say("ua_wx_pages_hidden", rows=hidden, k=p.min_cell_size)


def needs_events(rep: Report) -> None:
    """One line per analysis that needs own tracking (users and events): what WeChat's
    aggregates cannot give."""
    rep.section("ua_wx_section_own_tracking")
    rep.say("ua_wx_own_tracking_intro")
    for key in NEEDS_EVENTS:
        rep.skipped("ua_needs_events", analysis=rep.tx(key))


def orders_value(rep: Report, metrics: dict[str, Any], comparable: bool) -> None:
    """Platform-only data with paid orders: the week's buyers, repurchase, ARPU (over WeChat's
    weekly visitors), ARPPU and AOV against the week before's, from the orders table alone; the
    analyses that need own tracking said in one line."""
    lo, hi = _week(rep)
    if comparable:
        previous = value.buyer_metrics(rep.wh, lo - 7, hi - 7, ws.week_figures(rep.wh, lo - 7)["wx_weekly_visitors"])
        rep.compare_table({k: metrics[k] for k in (*headline.BUYER_KEYS, "aov")},
                          {**{k: previous[k] for k in headline.BUYER_KEYS},
                           "aov": headline.orders_aov(rep.wh, lo - 7, hi - 7)})
    else:
        rep.note(rep.tx("ua_no_previous_week", week=rep.period.previous.start))
    rep.skipped("ua_needs_events", analysis=rep.tx("ua_own_value"))
