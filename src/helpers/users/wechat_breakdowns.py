"""WeChat's breakdowns of the mini-program's visitors (tables `mp_portrait`, `mp_sources`,
`mp_distribution`, `mp_pages`), summed over the report week, with privacy applied.

Privacy: a breakdown cell is shown only when it describes at least k people. WeChat's daily
visitors are deduplicated within the day only, so a week's sum of them counts visitor-days, not
people; the people behind a row over the week are at least its largest day's visitors, which is
what is checked against k (`people_floor`). Rows whose shares are shown (the shares give the total
away) also take the next-smallest row with a lone hidden one (`render.privacy.large_only(...,
total=True)`).
"""

from __future__ import annotations

import pandas as pd

from helpers.core.warehouse import Warehouse
from helpers.core.wechat import ACCESS_SOURCES
from helpers.render import privacy

PORTRAIT_WINDOW_DAYS = 7  # the portrait of the 7 days ending on the report week's Sunday
PORTRAIT_DIMENSIONS = ("gender", "age", "platform", "device", "province", "city")
SEGMENTS = ("new", "active")
# Catalog words of WeChat's stay-time and depth buckets (getweanalysisappidvisitdistribution).
STAY_BUCKETS = {1: "ua_wx_stay_1", 2: "ua_wx_stay_2", 3: "ua_wx_stay_3", 4: "ua_wx_stay_4",
                5: "ua_wx_stay_5", 6: "ua_wx_stay_6", 7: "ua_wx_stay_7", 8: "ua_wx_stay_8"}
DEPTH_BUCKETS = {1: "ua_wx_depth_1", 2: "ua_wx_depth_2", 3: "ua_wx_depth_3", 4: "ua_wx_depth_4",
                 5: "ua_wx_depth_5", 6: "ua_wx_depth_6", 7: "ua_wx_depth_7"}
BUCKETS = {"stay_time": STAY_BUCKETS, "depth": DEPTH_BUCKETS}
UNKNOWN_BUCKET = "ua_wx_bucket_other"


def _floats(frame: pd.DataFrame, keep: list[str]) -> pd.DataFrame:
    """Every column but `keep` as float64: a count WeChat did not give is NaN (never pandas' NA)."""
    return frame.astype({c: "float64" for c in frame.columns if c not in keep})


def has_rows(wh: Warehouse, table: str, first_day: int, last_day: int) -> bool:
    """Whether `table` holds rows dated first_day..last_day."""
    return wh.has(table) and bool(wh.scalar(f"SELECT COUNT(*) FROM {table} WHERE day BETWEEN :lo AND :hi",
                                            {"lo": first_day, "hi": last_day}))


# --------------------------------------------------------------------------------------------
# Portrait
# --------------------------------------------------------------------------------------------

def portrait(wh: Warehouse, last_day: int, window_days: int = PORTRAIT_WINDOW_DAYS) -> pd.DataFrame:
    """WeChat's portrait of the window ending on `last_day`: segment, dimension, value, users, and
    share (of the users WeChat lists for that segment and dimension)."""
    columns = ["segment", "dimension", "value", "users", "share"]
    if not wh.has("mp_portrait"):
        return pd.DataFrame(columns=columns)
    frame = wh.query("""SELECT segment, dimension, name AS value, SUM(users) AS users FROM mp_portrait
                        WHERE day = :day AND window_days = :window GROUP BY segment, dimension, name""",
                     {"day": last_day, "window": window_days})
    totals = frame.groupby(["segment", "dimension"])["users"].transform("sum")
    frame["share"] = frame["users"] / totals.where(totals > 0)
    return frame.sort_values(["segment", "dimension", "users", "value"], ascending=[True, True, False, True]
                             )[columns].reset_index(drop=True)


def portrait_frames(frame: pd.DataFrame, k: int) -> tuple[dict[str, pd.DataFrame], int]:
    """Per dimension, the values of new and active visitors (value, users, share, population) with
    every value under k users left out, also against subtraction (the shares give each segment's
    total away); and how many values were left out."""
    frames, hidden = {}, 0
    for dimension in PORTRAIT_DIMENSIONS:
        parts = []
        for segment in SEGMENTS:
            rows = frame[(frame["dimension"] == dimension) & (frame["segment"] == segment)]
            shown, left_out = privacy.large_only(rows.reset_index(drop=True), "users", k, total=True)
            parts.append(shown.drop(columns=["segment", "dimension"]).assign(population=segment))
            hidden += left_out
        frames[dimension] = pd.concat(parts, ignore_index=True)
    return frames, hidden


# --------------------------------------------------------------------------------------------
# Access sources
# --------------------------------------------------------------------------------------------

def source_label(key: int, name: object, language: str) -> str:
    """An access source in the report language: WeChat's documented key, else the name WeChat gave,
    else the key."""
    if int(key) in ACCESS_SOURCES:
        return ACCESS_SOURCES[int(key)].label(language)
    return str(name) if isinstance(name, str) and name.strip() else f"#{int(key)}"


def sources(wh: Warehouse, first_day: int, last_day: int) -> pd.DataFrame:
    """Opens and visitors per access source over first_day..last_day: source_key, source (WeChat's
    name), opens, opens_share, visitor_days (the days' visitors summed: a person counts once per
    day), people_floor (the largest day's visitors: at least this many people; the opens when
    WeChat gave no visitors). Largest first."""
    frame = wh.query("""
        SELECT source_key, MAX(source) AS source, SUM(sessions) AS opens,
               SUM(visitors) AS visitor_days, MAX(visitors) AS most_in_a_day, MAX(sessions) AS most_opens,
               COUNT(visitors) AS days_with_visitors, COUNT(*) AS days
        FROM mp_sources WHERE day BETWEEN :lo AND :hi GROUP BY source_key""",
                     {"lo": first_day, "hi": last_day})
    frame = _floats(frame, ["source_key", "source"])
    known = frame["days_with_visitors"] == frame["days"]
    frame["visitor_days"] = frame["visitor_days"].where(known)
    frame["people_floor"] = frame["most_in_a_day"].where(known, frame["most_opens"]).fillna(0)
    total = frame["opens"].sum()
    frame["opens_share"] = frame["opens"] / total if total else float("nan")
    frame = frame.sort_values(["opens", "source_key"], ascending=[False, True])
    return frame[["source_key", "source", "opens", "opens_share", "visitor_days", "people_floor"]
                 ].reset_index(drop=True)


def sources_shown(frame: pd.DataFrame, k: int) -> tuple[pd.DataFrame, int]:
    """The sources whose people floor reaches k, a lone hidden one taking the next-smallest with it
    (the shares of opens give the total away); and how many were left out."""
    return privacy.large_only(frame, "people_floor", k, total=True)


# --------------------------------------------------------------------------------------------
# Stay-time and depth distributions
# --------------------------------------------------------------------------------------------

def distribution(wh: Warehouse, kind: str, first_day: int, last_day: int) -> pd.DataFrame:
    """Opens per WeChat bucket of `kind` (stay_time or depth) over the days, in bucket order:
    bucket, label (catalog key), opens, share. Every documented bucket is listed (0 when WeChat
    gave none); undocumented buckets follow."""
    frame = wh.query("""SELECT bucket, SUM(sessions) AS opens FROM mp_distribution
                        WHERE kind = :kind AND day BETWEEN :lo AND :hi GROUP BY bucket""",
                     {"kind": kind, "lo": first_day, "hi": last_day})
    documented = pd.DataFrame({"bucket": list(BUCKETS[kind])})
    frame = documented.merge(frame, on="bucket", how="outer").fillna({"opens": 0}).sort_values("bucket")
    frame["label"] = [BUCKETS[kind].get(int(b), UNKNOWN_BUCKET) for b in frame["bucket"]]
    total = frame["opens"].sum()
    frame["share"] = frame["opens"] / total if total else float("nan")
    return frame[["bucket", "label", "opens", "share"]].reset_index(drop=True)


def distribution_shown(frame: pd.DataFrame, k: int) -> tuple[pd.DataFrame, int]:
    """Buckets of fewer than k opens (so fewer than k people) left out, a lone one taking the
    next-smallest with it (the shares give the total away); and how many non-empty buckets were
    left out. Empty buckets stay (they describe nobody)."""
    hidden = privacy.complementary(privacy.small(frame["opens"], k), frame["opens"])
    return frame[~hidden], int(hidden.sum())


# --------------------------------------------------------------------------------------------
# Top pages
# --------------------------------------------------------------------------------------------

def pages(wh: Warehouse, first_day: int, last_day: int) -> pd.DataFrame:
    """WeChat's pages over the days (each day lists only its top 200 pages by views): page,
    page_views, visitor_days (the days' page visitors summed), time on page (seconds per view,
    weighted by views), exit_rate (exit views / views), shares, days_listed, people_floor (the
    largest day's page visitors; the views when WeChat gave none). Most viewed first."""
    frame = wh.query("""
        SELECT page, SUM(page_views) AS page_views, SUM(page_visitors) AS visitor_days,
               SUM(stay_time_pv * page_views) / NULLIF(SUM(CASE WHEN stay_time_pv IS NOT NULL
                   THEN page_views END), 0) AS time_on_page,
               SUM(exit_views) AS exit_views, SUM(shares) AS shares, COUNT(*) AS days_listed,
               COUNT(page_visitors) AS days_with_visitors, MAX(page_visitors) AS most_in_a_day,
               MAX(page_views) AS most_views
        FROM mp_pages WHERE day BETWEEN :lo AND :hi GROUP BY page""", {"lo": first_day, "hi": last_day})
    frame = _floats(frame, ["page"])
    known = frame["days_with_visitors"] == frame["days_listed"]
    frame["visitor_days"] = frame["visitor_days"].where(known)
    frame["people_floor"] = frame["most_in_a_day"].where(known, frame["most_views"]).fillna(0)
    frame["exit_rate"] = frame["exit_views"] / frame["page_views"].where(frame["page_views"] > 0)
    frame = frame.sort_values(["page_views", "page"], ascending=[False, True])
    return frame[["page", "page_views", "visitor_days", "time_on_page", "exit_rate", "shares", "days_listed",
                  "people_floor"]].reset_index(drop=True)


def pages_shown(frame: pd.DataFrame, k: int, top: int) -> tuple[pd.DataFrame, int]:
    """The `top` most viewed pages of at least k people (no total of pages is shown: WeChat's list
    is cut at 200 a day), and how many pages under k were left out."""
    shown, hidden = privacy.large_only(frame, "people_floor", k)
    return shown.head(top), hidden
