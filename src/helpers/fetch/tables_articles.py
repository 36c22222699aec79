"""Official-account articles and article_stats (daily increments) from the article APIs.

Totals per article (cumulative from the publish day to each stat_date, turned into daily
increments): getarticletotaldetail (published content, from 2025-11) and the legacy
getarticletotal. An article with published-content totals ignores its legacy totals (two sources
of one running total would mix). Days the totals do not reach (getarticletotaldetail stops after
30 days, getarticletotal after 7, a rerun fetches only new days) are filled from the daily APIs:
getarticleread + getarticleshare (published content), else the legacy getarticlesummary.

What WeChat says about detail_list: getarticletotaldetail's documentation
(developers.weixin.qq.com/doc/subscription/api/wedata/news/api_getarticletotaldetail) describes
stat_date as "下面统计数据是 [发表日期-统计日期] (包含区间首尾日期) 期间内, 所有指标新产生的数据总和":
every value sums what was produced from the publish day to stat_date, i.e. cumulative, like
getarticletotal's details. Some third-party scripts sum the rows as if they were daily; we follow
WeChat's text (DETAIL_LIST_CUMULATIVE).

Only the publish day is known (no API gives the time): published_at is that day at 00:00.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from helpers.fetch.convert_raw import RawFile, RawStore, count, day, listed, share, text

Row = dict[str, Any]

DETAIL_LIST_CUMULATIVE = True  # getarticletotaldetail's detail_list values run from the publish day
TOTAL_DETAIL, TOTAL = "getarticletotaldetail", "getarticletotal"
ARTICLE_READ, ARTICLE_SHARE, ARTICLE_SUMMARY = "getarticleread", "getarticleshare", "getarticlesummary"
STATS = ("recipients", "readers", "reads", "sharers", "shares", "favorites", "likes", "zaikan",
         "comments", "original_page_readers")
# response field -> article_stats column, per API (favorites: users who added it to favorites)
DETAIL_FIELDS = {"read_user": "readers", "share_user": "sharers", "zaikan_user": "zaikan",
                 "like_user": "likes", "comment_count": "comments", "collection_user": "favorites",
                 "redirect_ori_page_user": "original_page_readers"}
LEGACY_FIELDS = {"int_page_read_user": "readers", "int_page_read_count": "reads",
                 "share_user": "sharers", "share_count": "shares", "add_to_fav_user": "favorites",
                 "ori_page_read_user": "original_page_readers"}
NOT_NOTIFIED = 1  # publish_type 1: published without notifying followers: nobody received it


def _by_day(f: RawFile) -> list[tuple[date, dict[str, Any]]]:
    return [(day(f, r.get("ref_date")), r) for r in listed(f)]


def _won(store: RawStore, api: str) -> list[tuple[RawFile, date, dict[str, Any]]]:
    """(winning file, day, record) of an API, in date order."""
    won = store.latest(api, _by_day)
    return [(won[unit][0], unit, r) for unit in sorted(won) for r in won[unit][1]]


def article_tables(store: RawStore, followers_at: dict[date, int]
                   ) -> tuple[list[Row] | None, list[Row] | None]:
    """(articles, article_stats); None for a table none of whose APIs has a raw file.
    `followers_at`: followers at the end of each day, the recipients estimate of published
    content (see `_recipients`)."""
    has_totals = store.has(TOTAL_DETAIL) or store.has(TOTAL)
    daily_apis = (ARTICLE_READ, ARTICLE_SHARE, ARTICLE_SUMMARY)
    if not (has_totals or any(store.has(api) for api in daily_apis)):
        return None, None
    articles: dict[str, Row] = {}
    stats: dict[tuple[str, date], Row] = {}
    for api, fields in ((TOTAL_DETAIL, DETAIL_FIELDS), (TOTAL, LEGACY_FIELDS)):
        for f, published, r in _won(store, api):  # ref_date: the publish day
            aid = text(r.get("msgid"))
            if aid is None or aid in articles:
                continue
            articles[aid] = _article(aid, r, published)
            details = _dicts(r.get("detail_list" if api == TOTAL_DETAIL else "details"))
            cumulative = DETAIL_LIST_CUMULATIVE or api == TOTAL
            recipients = _recipients(api, r, details, published, followers_at)
            by_date = {day(f, d["stat_date"], "stat_date"): d for d in details
                       if text(d.get("stat_date")) is not None}
            for row in _stat_rows(aid, by_date, fields, cumulative, recipients):
                stats[(aid, row["date"])] = row
    _fill_daily(store, stats)
    return ([articles[a] for a in sorted(articles)] if has_totals else None,
            [stats[k] for k in sorted(stats)])


def _article(aid: str, r: dict[str, Any], published: date) -> Row:
    """msgid is "<msg_data_id>_<index>": the index is the article's position in its push."""
    _, sep, index = aid.rpartition("_")
    position = count(index) if sep else None
    return {"article_id": aid, "title": text(r.get("title")),
            "published_at": datetime.combine(published, time()), "column": None, "format": None,
            "position": position if position else None, "is_original": None, "author": None}


def _recipients(api: str, r: dict[str, Any], details: list[dict[str, Any]], published: date,
                followers_at: dict[date, int]) -> int | None:
    """Who the push reached. Legacy: target_user (WeChat's 送达人数). Published content gives no
    such count: 0 when followers were not notified (publish_type 1), else the followers at the
    end of the day before the publish day (WeChat: deliveries are "generally the number of
    followers"), or of the publish day; None without follower totals."""
    if api == TOTAL:
        values = [count(d.get("target_user")) for d in details]
        return max((v for v in values if v is not None), default=None)
    if count(r.get("publish_type")) == NOT_NOTIFIED:
        return 0
    before = followers_at.get(published - timedelta(days=1))
    return before if before is not None else followers_at.get(published)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _stat_rows(aid: str, by_date: dict[date, dict[str, Any]], fields: dict[str, str],
               cumulative: bool, recipients: int | None) -> list[Row]:
    """One row per stat_date: daily values (increments of the running totals when cumulative);
    recipients on the first row, 0 on the next ones (an article reaches its followers once)."""
    dates = sorted(by_date)
    rows = [{"article_id": aid, "date": d, **dict.fromkeys(STATS), "finish_rate": None}
            for d in dates]
    for field, col in fields.items():
        values = [count(by_date[d].get(field)) for d in dates]
        for row, value in zip(rows, increments(values) if cumulative else values, strict=True):
            row[col] = value
    rates = [share(by_date[d].get("read_finish_rate")) for d in dates]
    readers = [count(by_date[d].get("read_user")) for d in dates]
    daily = daily_rates(rates, readers) if cumulative else rates
    for row, rate in zip(rows, daily, strict=True):
        row["finish_rate"] = rate
    for i, row in enumerate(rows):
        row["recipients"] = recipients if i == 0 else (0 if recipients is not None else None)
    return rows


def increments(totals: list[int | None]) -> list[int | None]:
    """Daily increments of a running total. A total below an earlier one (WeChat revising its
    count) adds nothing, and the next days count from the highest total seen, so the increments
    never go negative and add up to the highest total. A missing total -> None that day (its
    growth lands on the next day given)."""
    highest, out = 0, []
    for total in totals:
        if total is None:
            out.append(None)
            continue
        out.append(max(0, total - highest))
        highest = max(highest, total)
    return out


def daily_rates(rates: list[float | None], readers: list[int | None]) -> list[float | None]:
    """Daily finish rates from cumulative ones: finishers so far = rate * readers so far; the day's
    rate = its new finishers / its new readers (clipped to [0, 1]). Weighted by the day's readers,
    as the content report averages them, the days give back the last cumulative rate. A day
    after one without a rate is unknown (its finishers so far are)."""
    out: list[float | None] = []
    finished: float | None = 0.0
    seen = 0
    for rate, total in zip(rates, readers, strict=True):
        if total is None:
            out.append(None)
            finished = None
            continue
        now = None if rate is None else rate * total
        new = total - seen
        known = now is not None and finished is not None and new > 0
        out.append(min(1.0, max(0.0, (now - finished) / new)) if known else None)
        finished, seen = now, max(seen, total)
    return out


def _fill_daily(store: RawStore, stats: dict[tuple[str, date], Row]) -> None:
    """Article days the totals do not reach, from the daily APIs (published content first)."""
    fill: dict[tuple[str, date], Row] = {}
    for api, field, col in ((ARTICLE_READ, "read_user", "readers"),
                            (ARTICLE_SHARE, "share_user", "sharers")):
        for _, unit, r in _won(store, api):
            aid = text(r.get("msgid"))
            detail = r.get("detail") if isinstance(r.get("detail"), dict) else {}
            if aid is not None and (aid, unit) not in stats:
                fill.setdefault((aid, unit), _empty(aid, unit))[col] = count(detail.get(field))
    for _, unit, r in _won(store, ARTICLE_SUMMARY):
        aid = text(r.get("msgid"))
        if aid is not None and (aid, unit) not in stats and (aid, unit) not in fill:
            fill[(aid, unit)] = _empty(aid, unit) | {
                col: count(r.get(field)) for field, col in LEGACY_FIELDS.items()}
    stats.update(fill)


def _empty(aid: str, unit: date) -> Row:
    return {"article_id": aid, "date": unit, **dict.fromkeys(STATS), "finish_rate": None}
