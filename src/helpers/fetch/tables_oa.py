"""Official-account tables from the datacube APIs: followers (getusersummary + getusercumulate) and
oa_reads (getuserread, getbizsummary). Columns: core.contract.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from helpers.core import wechat
from helpers.fetch.convert_raw import RawFile, RawStore, code_text, count, day, listed, text

Row = dict[str, Any]

USER_SUMMARY, USER_CUMULATE = "getusersummary", "getusercumulate"
USER_READ, BIZ_SUMMARY = "getuserread", "getbizsummary"
# A day inside a fetched getusersummary range without any row had no follower flow: WeChat lists
# only the sources that moved. It lands as one zero row of code 0 ("other sources combined"), so
# the content report reads zero flow for that day instead of a day without data.
ZERO_FLOW_SOURCE = "0"
# getusersummary rows without user_source (not seen in WeChat's answers) count as code 0.
MISSING_FOLLOWER_SOURCE = "0"
READ_FIELDS = {"int_page_read_user": "readers", "int_page_read_count": "reads",
               "share_user": "sharers", "share_count": "shares", "add_to_fav_user": "favorites"}
COUNTS = ("readers", "reads", "sharers", "shares", "favorites")


def _by_day(f: RawFile) -> list[tuple[date, dict[str, Any]]]:
    return [(day(f, r.get("ref_date")), r) for r in listed(f)]


def cumulative_followers(store: RawStore) -> dict[date, int]:
    """Followers at the end of each day (getusercumulate; the largest when a day is listed twice)."""
    out: dict[date, int] = {}
    for unit, (_, records) in store.latest(USER_CUMULATE, _by_day).items():
        values = [v for r in records if (v := count(r.get("cumulate_user"))) is not None]
        if values:
            out[unit] = max(values)
    return out


def followers(store: RawStore) -> list[Row] | None:
    """One row per day and user_source code (as text: core.wechat.follower_source_label names
    it; unknown codes are kept), `cumulative` on every row of the day like the sample's. Repeated
    sources of a day are summed; a fetched day without rows is zero flow (ZERO_FLOW_SOURCE). Days
    getusersummary did not cover get no row (new followers and unfollows are required)."""
    if not store.has(USER_SUMMARY):
        return None
    totals = cumulative_followers(store)
    rows: dict[tuple[date, str], Row] = {}
    for unit, (_, records) in store.latest(USER_SUMMARY, _by_day).items():
        for r in records or [{"user_source": ZERO_FLOW_SOURCE}]:
            source = code_text(r.get("user_source")) or MISSING_FOLLOWER_SOURCE
            row = rows.setdefault((unit, source), {
                "date": unit, "source": source, "new_followers": 0, "unfollows": 0,
                "cumulative": totals.get(unit)})
            row["new_followers"] += count(r.get("new_user")) or 0
            row["unfollows"] += count(r.get("cancel_user")) or 0
    return [row for _, row in sorted(rows.items())]


def read_source(code: Any) -> str:
    """getuserread's user_source as oa_reads names it: 99999999 (or no code: WeChat's answers
    before 2020 were totals) -> ALL_SOURCES; known codes by name; unknown codes as text."""
    key = code_text(code)
    if key is None:
        return wechat.ALL_SOURCES
    if key.isdigit() and int(key) in wechat.READ_SOURCES:
        return wechat.READ_SOURCES[int(key)][0]
    return key


def _user_read(store: RawStore) -> dict[date, dict[str, Row]]:
    out: dict[date, dict[str, Row]] = {}
    for unit, (_, records) in store.latest(USER_READ, _by_day).items():
        for r in records:
            source = read_source(r.get("user_source"))
            values = {col: count(r.get(field)) for field, col in READ_FIELDS.items()}
            _add(out.setdefault(unit, {}), unit, source, values)
    return out


def _add(day_rows: dict[str, Row], unit: date, source: str, values: dict[str, int | None]) -> None:
    """Add counts to the (day, source) row; None stays None only while nothing was given."""
    row = day_rows.setdefault(source, {"date": unit, "source": source} | dict.fromkeys(COUNTS))
    for col, value in values.items():
        if value is not None:
            row[col] = (row[col] or 0) + value


def _biz_summary(store: RawStore) -> dict[date, dict[str, Row]]:
    """Readers per scene (read_user_source); the 全部 scene is the ALL_SOURCES row, which also
    takes read_user (WeChat: "the readers of the 全部 source"), share_user and collection_user."""
    out: dict[date, dict[str, Row]] = {}
    for unit, (_, records) in store.latest(BIZ_SUMMARY, _by_day).items():
        for r in records:
            detail = r.get("detail") if isinstance(r.get("detail"), dict) else {}
            day_rows = out.setdefault(unit, {})
            for item in detail.get("read_user_source") or []:
                scene = text(item.get("scene_desc")) if isinstance(item, dict) else None
                if scene is not None:
                    _add(day_rows, unit, scene, {"readers": count(item.get("user_count"))})
            overall = {"sharers": count(detail.get("share_user")),
                       "favorites": count(detail.get("collection_user"))}
            readers = count(detail.get("read_user"))
            if readers is not None:
                day_rows.pop(wechat.ALL_SOURCES, None)  # read_user is the same number, given once
                overall["readers"] = readers
            if any(v is not None for v in overall.values()) or wechat.ALL_SOURCES in day_rows:
                _add(day_rows, unit, wechat.ALL_SOURCES, overall)
    return out


def oa_reads(store: RawStore) -> list[Row] | None:
    """Account-level reads by source per day. A day getbizsummary answered takes its rows only
    (its scenes are not getuserread's sources: mixing them would count readers twice); other
    days take getuserread's."""
    if not (store.has(USER_READ) or store.has(BIZ_SUMMARY)):
        return None
    days = _user_read(store) | {d: rows for d, rows in _biz_summary(store).items() if rows}
    return [days[d][s] for d in sorted(days) for s in sorted(days[d])]
