"""Why a content section cannot be shown this week, said once for the sections that share a
reason: the report writes one line through `rep.skipped` / `rep.unavailable` instead."""

from __future__ import annotations

from helpers.content.history import History, stats_last_day
from helpers.core.warehouse import Warehouse, day_to_date
from helpers.render.report import Report


def history_shown(rep: Report, hist: History | None) -> bool:
    """Sections on the articles of the last weeks (what works, timing, outliers) need some article
    with recipients and its first `compare_days` days of stats; otherwise one line says why."""
    if hist is None:
        rep.skipped("cp_missing_articles")
        return False
    if hist.observed.empty:
        rep.unavailable("cp_why_unobserved", days=hist.compare_days)
        return False
    return True


def week_articles_shown(rep: Report, wh: Warehouse, hist: History | None, published: int | None
                        ) -> bool:
    """The ranking of the week's articles needs them published, with stats, observed at the same
    age; otherwise one line says which is missing."""
    if hist is None:
        rep.skipped("cp_missing_articles")
        return False
    current, last = hist.current, stats_last_day(wh)
    if not published:
        rep.unavailable("cp_why_no_articles")
    elif current.empty and last is not None:
        rep.unavailable("cp_why_stats_end", date=day_to_date(last))
    elif without_recipients(hist):
        rep.unavailable("cp_why_no_recipients")
    elif current["read_shrunk"].isna().all():
        rep.unavailable("cp_why_week_unobserved", days=hist.compare_days)
    else:
        return True
    return False


def events_missing(wh: Warehouse, own: str, platform: str) -> str:
    """What a section resting on user-level events misses: `own` (a column or table of own
    tracking) when the source has events, else `platform` (WeChat's statistics alone: the section
    needs user-level events, which no WeChat statistic can stand in for)."""
    return own if wh.has("events") else platform


def without_recipients(hist: History | None) -> bool:
    """The week's articles have statistics but none has recipients (WeChat's published-content
    statistics give none): they cannot be ranked by read rate, but their readers, shares and 在看
    can still be shown."""
    if hist is None or hist.current.empty:
        return False
    current = hist.current
    return not current["recipients"].gt(0).any() and current["readers"].notna().any()
