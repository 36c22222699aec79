"""Mini-program tables from WeChat's analysis APIs (getweanalysisappid*): mp_visits, mp_retention,
mp_portrait, mp_sources, mp_distribution, mp_pages (columns: core.contract).

Each builder returns None when none of its APIs has a raw file, else the rows (dicts keyed by
contract column; a missing optional value is None). Rows are keyed as the contract keys them, so
a record repeated inside the winning file replaces the earlier one instead of duplicating it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from helpers.core import wechat
from helpers.fetch.convert_raw import RawFile, RawStore, code_text, count, listed, real, text, top, window

Row = dict[str, Any]

PREFIX = "getweanalysisappid"
VISIT_TREND = {"day": f"{PREFIX}dailyvisittrend", "week": f"{PREFIX}weeklyvisittrend",
               "month": f"{PREFIX}monthlyvisittrend"}
SUMMARY = f"{PREFIX}dailysummarytrend"
RETENTION = {"day": f"{PREFIX}dailyretaininfo", "week": f"{PREFIX}weeklyretaininfo",
             "month": f"{PREFIX}monthlyretaininfo"}
PORTRAIT = f"{PREFIX}userportrait"
DISTRIBUTION = f"{PREFIX}visitdistribution"
PAGES = f"{PREFIX}visitpage"

# field in WeChat's response -> contract column
VISIT_FIELDS = {"session_cnt": "sessions", "visit_pv": "visits", "visit_uv": "visitors",
                "visit_uv_new": "new_visitors"}
VISIT_AVERAGES = ("stay_time_uv", "stay_time_session", "visit_depth")
SUMMARY_FIELDS = {"visit_total": "cumulative_users", "share_pv": "shares", "share_uv": "sharers"}
COHORTS = {"new": "visit_uv_new", "active": "visit_uv"}
# portrait blocks (WeChat writes most of them in the plural) -> mp_portrait.dimension
DIMENSIONS = {"province": "province", "city": "city", "genders": "gender", "gender": "gender",
              "platforms": "platform", "platform": "platform", "devices": "device",
              "device": "device", "ages": "age", "age": "age"}
SOURCE_SESSIONS, SOURCE_VISITORS = "access_source_session_cnt", "access_source_visit_uv"
KINDS = {"access_staytime_info": "stay_time", "access_depth_info": "depth"}
PAGE_FIELDS = {"page_visit_pv": "page_views", "page_visit_uv": "page_visitors",
               "entrypage_pv": "entry_views", "exitpage_pv": "exit_views",
               "page_share_pv": "shares", "page_share_uv": "sharers"}


def _period_records(f: RawFile) -> list[tuple[date, dict[str, Any]]]:
    """Trend records by the first day of the period their ref_date names."""
    return [(window(f, r.get("ref_date"))[0], r) for r in listed(f)]


def _whole(f: RawFile) -> list[tuple[date, dict[str, Any]]]:
    """A one-record response by the first day of its period."""
    record = top(f)
    return [(window(f, record.get("ref_date"))[0], record)] if record else []


def _records(store: RawStore, api: str, by=_whole) -> list[tuple[date, dict[str, Any]]]:
    """The winning records of an API, by period, in date order."""
    won = store.latest(api, by)
    return [(unit, r) for unit in sorted(won, key=str) for r in won[unit][1]]


def visits(store: RawStore) -> list[Row] | None:
    """Day, week and month rows of the visit trend; the daily summary adds cumulative users and
    shares to the day rows. A row without visitors (required) is left out."""
    if not any(store.has(api) for api in (*VISIT_TREND.values(), SUMMARY)):
        return None
    rows: dict[tuple[str, date], Row] = {}
    for period, api in VISIT_TREND.items():
        for unit, r in _records(store, api, _period_records):
            row: Row = {"date": unit, "period": period}
            row |= {col: count(r.get(field)) for field, col in VISIT_FIELDS.items()}
            row |= {col: _non_negative(r.get(col)) for col in VISIT_AVERAGES}
            rows[(period, unit)] = row
    for unit, r in _records(store, SUMMARY, _period_records):
        if ("day", unit) in rows:
            rows[("day", unit)] |= {col: count(r.get(field)) for field, col in SUMMARY_FIELDS.items()}
    return [row for _, row in sorted(rows.items()) if row["visitors"] is not None]


def _non_negative(value: Any) -> float | None:
    number = real(value)
    return number if number is not None and number >= 0 else None


def retention(store: RawStore) -> list[Row] | None:
    """WeChat's retention table: key 0 = the cohort's size, key k = retained after k periods."""
    if not any(store.has(api) for api in RETENTION.values()):
        return None
    rows: dict[tuple[str, date, str, int], Row] = {}
    for period, api in RETENTION.items():
        for unit, r in _records(store, api):
            for cohort, field in COHORTS.items():
                for item in _items(r.get(field)):
                    offset, users = count(item.get("key")), count(item.get("value"))
                    if offset is not None and offset >= 0 and users is not None:
                        rows[(period, unit, cohort, offset)] = {
                            "date": unit, "period": period, "cohort": cohort,
                            "offset": offset, "users": users}
    return [row for _, row in sorted(rows.items())]


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _portrait_records(f: RawFile) -> list[tuple[tuple[date, date], dict[str, Any]]]:
    """A portrait by its window: the ref_date range when it names one, else the request's."""
    record = top(f)
    if not record:
        return []
    begin, end = window(f, record.get("ref_date"))
    if begin == end and (f.begin, f.end) != (begin, begin):
        begin, end = f.begin, f.end  # a single ref_date in a window request names its last day
    return [((begin, end), record)]


def portrait(store: RawStore) -> list[Row] | None:
    """Visitors by province, city, gender, platform, device and age, new and active, per window
    (date = its last day). Items without a name keep their id; repeated names are summed."""
    if not store.has(PORTRAIT):
        return None
    rows: dict[tuple[Any, ...], Row] = {}
    won = store.latest(PORTRAIT, _portrait_records, days=False)
    for (begin, end) in sorted(won):
        for record in won[(begin, end)][1]:
            for segment, field in COHORTS.items():
                block = record.get(field)
                for name, users in _portrait_cells(block if isinstance(block, dict) else {}):
                    dimension, label = name
                    key = (end, (end - begin).days + 1, segment, dimension, label)
                    if key in rows:
                        rows[key]["users"] += users
                    else:
                        rows[key] = dict(zip(("date", "window_days", "segment", "dimension",
                                              "name"), key, strict=True)) | {"users": users}
    return [row for _, row in sorted(rows.items(), key=lambda kv: str(kv[0]))]


def _portrait_cells(block: dict[str, Any]) -> list[tuple[tuple[str, str], int]]:
    cells = []
    for field, dimension in DIMENSIONS.items():
        for item in _items(block.get(field)):
            name = text(item.get("name")) or code_text(item.get("id"))
            users = count(item.get("value"))
            if name is not None and users is not None:
                cells.append(((dimension, name), users))
    return cells


def sources(store: RawStore) -> list[Row] | None:
    """Opens and visitors by access source. Visitors come as their own index block or as a field
    of each opens item (both are read); unknown source keys keep their key as the name."""
    if not store.has(DISTRIBUTION):
        return None
    rows = []
    for unit, r in _records(store, DISTRIBUTION):
        sessions: dict[int, int | None] = {}
        visitors: dict[int, int | None] = {}
        for block in _items(r.get("list")):
            index = block.get("index")
            for item in _items(block.get("item_list")):
                key = count(item.get("key"))
                if key is None or key < 0:
                    continue
                if index == SOURCE_SESSIONS:
                    sessions[key] = count(item.get("value"))
                    if item.get(SOURCE_VISITORS) is not None:
                        visitors[key] = count(item.get(SOURCE_VISITORS))
                elif index == SOURCE_VISITORS:
                    visitors[key] = count(item.get("value"))
        for key in sorted(set(sessions) | set(visitors)):
            rows.append({"date": unit, "source_key": key, "source": source_name(key),
                         "sessions": sessions.get(key), "visitors": visitors.get(key)})
    return rows


def source_name(key: int) -> str:
    """WeChat's (zh) name of an access-source key; an unknown key is named by itself."""
    found = wechat.ACCESS_SOURCES.get(key)
    return found.zh if found else str(key)


def distribution(store: RawStore) -> list[Row] | None:
    """Opens by stay-time bucket and by depth bucket (WeChat's bucket keys, 1 = the first)."""
    if not store.has(DISTRIBUTION):
        return None
    rows: dict[tuple[date, str, int], Row] = {}
    for unit, r in _records(store, DISTRIBUTION):
        for block in _items(r.get("list")):
            kind = KINDS.get(block.get("index"))
            for item in _items(block.get("item_list")) if kind else []:
                bucket, sessions = count(item.get("key")), count(item.get("value"))
                if bucket is not None and bucket >= 1 and sessions is not None:
                    rows[(unit, kind, bucket)] = {"date": unit, "kind": kind, "bucket": bucket,
                                                  "sessions": sessions}
    return [row for _, row in sorted(rows.items())]


def pages(store: RawStore) -> list[Row] | None:
    """WeChat's top pages of each day (top 200 by views); a page without views is left out."""
    if not store.has(PAGES):
        return None
    rows: dict[tuple[date, str], Row] = {}
    for unit, r in _records(store, PAGES):
        for item in _items(r.get("list")):
            page = text(item.get("page_path"))
            row: Row = {"date": unit, "page": page}
            row |= {col: count(item.get(field)) for field, col in PAGE_FIELDS.items()}
            row["stay_time_pv"] = _non_negative(item.get("page_staytime_pv"))
            if page is not None and row["page_views"] is not None:
                rows[(unit, page)] = row
    return [row for _, row in sorted(rows.items())]

