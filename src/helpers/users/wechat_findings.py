"""The sentences of the sections on WeChat's own statistics and of the reconciliation: plain
description of WeChat's counts (no comparison is claimed beyond stating both weeks' figures) and
of the days and pages the reconciliation's thresholds flag.

Every figure a sentence cites is one the section's table or chart shows (privacy applied)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from helpers.render.text import Text

# Catalog words of a day's flag per reconciled measure.
FLAG_TEXT = {("active", "loss"): "ua_rc_flag_active_loss", ("active", "duplication"): "ua_rc_flag_active_dup",
             ("new", "loss"): "ua_rc_flag_new_loss", ("new", "duplication"): "ua_rc_flag_new_dup"}


def visits(this: dict[str, Any], before: dict[str, Any], tx: Text) -> str:
    """The week's visitors, new visitors and opens by WeChat's count; the week before's, stated."""
    text = tx("ua_wx_visits", wx_visitors=this["wx_visitors"])
    if this["wx_weekly_visitors"] is not None:
        text += tx("ua_wx_visits_weekly", wx_weekly_visitors=this["wx_weekly_visitors"])
    if this["wx_new_visitors"] is not None:
        text += tx("ua_wx_visits_new", wx_new_visitors=this["wx_new_visitors"])
    if this["wx_opens"] is not None:
        text += tx("ua_wx_visits_opens", wx_opens=this["wx_opens"])
    text += tx("ua_end")
    if before["wx_visitors"] is not None and before["wx_opens"] is not None:
        text += tx("ua_wx_visits_before", visitors=before["wx_visitors"], opens=before["wx_opens"])
    return text


def retention(new: list[dict[str, Any]], active: list[dict[str, Any]], tx: Text, k: int) -> str:
    """WeChat's day-1/7/30 retention of the newest observable new-visitor cohorts, and day 1 of
    active visitors (`wechat_stats.latest_retention`)."""
    if not new:
        return tx("ua_wx_retention_none", k=k)
    items = [tx("ua_wx_retention_item", day=r["k"], share=r["share"], dates=_dates(r, tx)) for r in new]
    text = tx("ua_wx_retention", items=tx("ua_wx_list_sep").join(items))
    first_day = next((r for r in active if r["k"] == 1), None)
    if first_day is not None:
        text += tx("ua_wx_retention_active", share=first_day["share"], dates=_dates(first_day, tx))
    return text


def _dates(cohorts: dict[str, Any], tx: Text) -> str:
    if cohorts["first"] == cohorts["last"]:
        return tx("ua_wx_one_day", first=cohorts["first"])
    return tx("ua_wx_span", first=cohorts["first"], last=cohorts["last"])


def _top(frame: pd.DataFrame, population: str) -> pd.Series | None:
    rows = frame[frame["population"] == population]
    return rows.sort_values("users", ascending=False).iloc[0] if len(rows) else None


def portrait(frames: dict[str, pd.DataFrame], end: date, tx: Text) -> str:
    """The largest gender and age band of new visitors and the city of most active visitors in
    WeChat's portrait (frames: `wechat_breakdowns.portrait_frames`, privacy applied)."""
    gender, age, city = _top(frames["gender"], "new"), _top(frames["age"], "new"), _top(frames["city"], "active")
    if gender is None or age is None or city is None:
        return tx("ua_wx_portrait_too_few", date=end)
    return tx("ua_wx_portrait", date=end, gender=str(gender["value"]), gender_share=gender["share"],
              age=str(age["value"]), age_share=age["share"], city=str(city["value"]), city_share=city["share"])


def sources(shown: pd.DataFrame, tx: Text) -> str:
    """The sources of most opens (shown: labelled sources, privacy applied, largest first)."""
    if not len(shown):
        return tx("ua_wx_sources_none")
    first = shown.iloc[0]
    if len(shown) == 1:
        return tx("ua_wx_sources_one", first=first["label"], first_share=first["opens_share"])
    second = shown.iloc[1]
    return tx("ua_wx_sources", first=first["label"], first_share=first["opens_share"],
              second=second["label"], second_share=second["opens_share"])


def distribution(stay: pd.DataFrame, depth: pd.DataFrame, tx: Text) -> str:
    """The most common stay-time bucket and depth bucket (shown buckets, privacy applied, each
    with its `label` in the report language)."""
    parts = []
    for frame, key in ((stay, "ua_wx_most_stay"), (depth, "ua_wx_most_depth")):
        rows = frame[frame["opens"] > 0]
        if len(rows):
            top = rows.sort_values(["opens", "bucket"], ascending=[False, True]).iloc[0]
            parts.append(tx(key, bucket=top["label"], share=top["share"]))
    return tx("ua_wx_list_sep").join(parts) + tx("ua_end") if parts else tx("ua_wx_distribution_none")


def pages(shown: pd.DataFrame, tx: Text) -> str:
    """The most viewed page by WeChat's count (shown: privacy applied, most viewed first)."""
    if not len(shown):
        return tx("ua_wx_pages_none")
    top = shown.iloc[0]
    return tx("ua_wx_pages", page=tx.page(top["page"]), wx_page_views=top["page_views"])


def reconciliation(week: pd.DataFrame, typical: dict[str, float | None], pages_flagged: pd.DataFrame,
                   tolerance: float, tx: Text) -> str:
    """The typical gap of active users, then the week's flagged days, each with what was flagged,
    and the pages whose own views are off the typical page's (week: `reconcile.week_table`)."""
    if typical["active"] is None:
        text = tx("ua_rc_no_typical")
    else:
        text = tx("ua_rc_typical", tracking_gap_typical=typical["active"], tolerance=tolerance)
    flagged = [(row.date, row.flags) for row in week.itertuples() if row.flags]
    if flagged:
        days = [tx("ua_rc_day", date=d, what=tx("ua_wx_list_sep").join(tx(FLAG_TEXT[m, f]) for m, f in flags.items()))
                for d, flags in flagged]
        text += tx("ua_rc_flagged", days=tx("ua_wx_list_sep").join(days))
    elif typical["active"] is not None:
        text += tx("ua_rc_none_flagged")
    if len(pages_flagged):
        text += tx("ua_rc_pages_flagged", pages=tx("ua_wx_and_sep").join(tx.page(p) for p in pages_flagged["page"]))
    return text
