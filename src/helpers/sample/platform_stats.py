"""WeChat's statistics of the sample shop, computed from WeChat's view (platform_view.View) the way
WeChat's datacube APIs define them (../shared/reference/wechat-data-formats.md):

- periods: days, ISO weeks (Monday-Sunday) and calendar months lying entirely inside the data (WeChat
  publishes a week or a month once it is over; one cut by the data's edges would be a partial count);
- a visitor of a period is a person with any event in it, counted once per period (visit_uv); a new
  visitor is a person first seen in it; an open is a session, counted on the day it starts; a visit
  is a page view (visit_pv); stay time is the seconds on a session's pages;
- the retention table: for each cohort (new / active visitors of a period) its size (offset 0) and
  how many of them visited k periods later, for the offsets WeChat gives (daily 0-7, 14, 30; weekly
  0-4; monthly 0-1) and only when period + k is itself complete inside the data.
"""

from __future__ import annotations

import calendar
from datetime import timedelta

import numpy as np
import pandas as pd
import pyarrow as pa

from helpers.core import contract
from helpers.core.wechat import ACCESS_SOURCES, ALL_SOURCES, OTHER, access_source
from helpers.sample.platform_view import PORTRAIT, View
from helpers.sample.world import OA_DEDUPLICATED_READERS, OA_READ_SOURCES, probabilities

OFFSETS = {"day": (0, 1, 2, 3, 4, 5, 6, 7, 14, 30), "week": (0, 1, 2, 3, 4), "month": (0, 1)}
STAY_BUCKETS = (2, 5, 10, 20, 30, 50, 100)  # upper bounds (s) of buckets 1..7; 8 = more than 100 s
DEPTH_BUCKETS = (1, 2, 3, 4, 5, 10)  # upper bounds (pages) of buckets 1..6; 7 = more than 10
TOP_PAGES = 200
ARROW = {contract.ColumnType.STRING: pa.string(), contract.ColumnType.INT: pa.int64(),
         contract.ColumnType.FLOAT: pa.float64(), contract.ColumnType.BOOL: pa.bool_(),
         contract.ColumnType.DATE: pa.date32(), contract.ColumnType.TIMESTAMP: pa.timestamp("s")}


def arrow(frame: pd.DataFrame, table: str) -> pa.Table:
    """A frame as the contract table: its columns in order, with their types (missing: nulls)."""
    columns = {}
    for c in contract.TABLES[table].columns:
        values = frame[c.name] if c.name in frame else pd.Series([None] * len(frame), dtype=object)
        values = values.astype(object).where(values.notna(), None)
        columns[c.name] = pa.array(values.tolist(), ARROW[c.type])
    return pa.table(columns)


def periods(v: View, kind: str) -> pd.DataFrame:
    """The complete periods of a kind inside the data: first and last day index, oldest first."""
    last = v.n_days - 1
    if kind == "day":
        firsts = list(range(v.n_days))
        return pd.DataFrame({"first": firsts, "last": firsts})
    if kind == "week":
        firsts = list(range((7 - v.start.weekday()) % 7, v.n_days - 6, 7))
        return pd.DataFrame({"first": firsts, "last": [f + 6 for f in firsts]})
    rows = []
    d = v.start if v.start.day == 1 else (v.start.replace(day=28) + timedelta(days=4)).replace(day=1)
    while True:
        first = (d - v.start).days
        end = first + calendar.monthrange(d.year, d.month)[1] - 1
        if end > last:
            break
        rows.append((first, end))
        d = v.start + timedelta(days=end + 1)
    return pd.DataFrame(rows, columns=["first", "last"], dtype="int64")


def period_of(v: View, per: pd.DataFrame) -> np.ndarray:
    """For each day index, the number of its period in `per` (-1: in no complete period); one
    extra slot at the end for days outside the data (people first seen before it)."""
    out = np.full(v.n_days + 1, -1)
    for i, (a, b) in enumerate(zip(per["first"], per["last"], strict=True)):
        out[a:b + 1] = i
    return out


def _days(v: View, day: pd.Series | np.ndarray) -> np.ndarray:
    d = np.asarray(day)
    return np.where((d >= 0) & (d < v.n_days), d, v.n_days)


def _count(keys: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    ok = keys >= 0
    return np.bincount(keys[ok], weights=None if weights is None else weights[ok], minlength=n)[:n]


def _distinct(users: np.ndarray, keys: np.ndarray, n: int) -> np.ndarray:
    """Distinct users per period number."""
    ok = keys >= 0
    pairs = np.unique(np.column_stack([keys[ok], users[ok]]), axis=0)
    return np.bincount(pairs[:, 0], minlength=n)[:n] if len(pairs) else np.zeros(n, int)


def mp_visits(v: View) -> pa.Table:
    """Day, week and month rows of visits (getweanalysisappid*visittrend), the day rows with the
    daily summary's cumulative users and shares (getweanalysisappiddailysummarytrend)."""
    return arrow(pd.concat([_visit_rows(v, kind) for kind in ("day", "week", "month")],
                           ignore_index=True), "mp_visits")


def _visit_rows(v: View, kind: str) -> pd.DataFrame:
    per = periods(v, kind)
    n, of = len(per), period_of(v, per)
    ev, se = v.events, v.sessions
    ev_p, se_p = of[_days(v, ev["day"])], of[_days(v, se["day"])]
    visitors = _distinct(ev["user"].to_numpy(), ev_p, n)
    sessions = _count(se_p, n)
    stay = _count(se_p, n, se["stay"].to_numpy(dtype=float))
    out = pd.DataFrame({
        "date": [v.date(f) for f in per["first"]], "period": kind, "sessions": sessions,
        "visits": _count(ev_p[(ev["kind"] == "page_view").to_numpy()], n),
        "visitors": visitors, "new_visitors": _count(of[_days(v, v.people["first_day"])], n),
        "stay_time_uv": _ratio(stay, visitors), "stay_time_session": _ratio(stay, sessions),
        "visit_depth": _ratio(_count(se_p, n, se["pages"].to_numpy(dtype=float)), sessions)})
    if kind == "day":
        first = np.sort(v.people["first_day"].to_numpy())
        out["cumulative_users"] = np.searchsorted(first, per["last"].to_numpy(), side="right")
        shares = (ev["kind"] == "share").to_numpy()
        out["shares"] = _count(ev_p[shares], n)
        out["sharers"] = _distinct(ev["user"].to_numpy()[shares], ev_p[shares], n)
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> list[float | None]:
    return [round(float(a) / float(b), 4) if b else None for a, b in zip(num, den, strict=True)]


def mp_retention(v: View) -> pa.Table:
    """WeChat's retention table (getweanalysisappid*retaininfo), observable offsets only."""
    rows = []
    size = len(v.people) + 1  # pair (period, person) encoded as period * size + person
    for kind, offsets in OFFSETS.items():
        per = periods(v, kind)
        n, of = len(per), period_of(v, per)
        ev_p = of[_days(v, v.events["day"])]
        active = np.unique(ev_p[ev_p >= 0] * size + v.events["user"].to_numpy()[ev_p >= 0])
        first = of[_days(v, v.people["first_day"])]
        new = first[first >= 0] * size + v.people.index.to_numpy()[first >= 0]
        for cohort, pairs in (("new", new), ("active", active)):
            for k in offsets:
                kept = pairs if k == 0 else pairs[np.isin(pairs + k * size, active)]
                counts = np.bincount(kept // size, minlength=n)[:n]
                rows += [(v.date(per["first"][p]), kind, cohort, k, int(counts[p]))
                         for p in range(n - k)]
    frame = pd.DataFrame(rows, columns=["date", "period", "cohort", "offset", "users"])
    return arrow(frame, "mp_retention")


def mp_portrait(v: View) -> pa.Table:
    """One 7-day window per complete ISO week (getweanalysisappiduserportrait), new and active
    visitors by province, city, gender, platform, device and age; only names with visitors."""
    per = periods(v, "week")
    of = period_of(v, per)
    ev_p = of[_days(v, v.events["day"])]
    active = pd.DataFrame({"p": ev_p, "user": v.events["user"].to_numpy()})
    active = active[active["p"] >= 0].drop_duplicates()
    first = of[_days(v, v.people["first_day"])]
    new = pd.DataFrame({"p": first, "user": v.people.index.to_numpy()})
    frames = []
    for segment, who in (("new", new[new["p"] >= 0]), ("active", active)):
        people = who.join(v.people[list(PORTRAIT)], on="user")
        for dimension in PORTRAIT:
            counts = people.groupby(["p", dimension]).size().rename("users").reset_index()
            frames.append(counts.rename(columns={dimension: "name"}).assign(
                segment=segment, dimension=dimension))
    frame = pd.concat(frames, ignore_index=True)
    frame["date"] = [v.date(per["last"][p]) for p in frame["p"]]
    frame = frame.assign(window_days=7).sort_values(["date", "segment", "dimension", "users", "name"],
                                                    ascending=[True, True, True, False, True])
    return arrow(frame, "mp_portrait")


def mp_sources(v: View) -> pa.Table:
    """Opens and visitors per day by WeChat's access source (getweanalysisappidvisitdistribution)."""
    se = v.sessions[(v.sessions["day"] >= 0) & (v.sessions["day"] < v.n_days)]
    keys = {s: access_source(int(s)).key for s in se["scene"].dropna().unique()}
    frame = pd.DataFrame({"day": se["day"], "user": se["user"],
                          "source_key": se["scene"].map(keys).fillna(OTHER.key).astype("int64")})
    out = frame.groupby(["day", "source_key"]).agg(sessions=("user", "size"),
                                                     visitors=("user", "nunique")).reset_index()
    out["date"] = [v.date(d) for d in out["day"]]
    out["source"] = [ACCESS_SOURCES[k].zh for k in out["source_key"]]
    return arrow(out, "mp_sources")


def mp_distribution(v: View) -> pa.Table:
    """Opens per day by stay time and by depth, in WeChat's buckets (only buckets with opens)."""
    se = v.sessions[(v.sessions["day"] >= 0) & (v.sessions["day"] < v.n_days)]
    stay = np.searchsorted(STAY_BUCKETS, np.round(se["stay"].to_numpy()), side="left") + 1
    depth = np.searchsorted(DEPTH_BUCKETS, np.maximum(se["pages"].to_numpy(), 1), side="left") + 1
    frames = []
    for kind, bucket in (("stay_time", stay), ("depth", depth)):
        counts = pd.DataFrame({"day": se["day"].to_numpy(), "bucket": bucket}).groupby(
            ["day", "bucket"]).size().rename("sessions").reset_index()
        frames.append(counts.assign(kind=kind))
    out = pd.concat(frames, ignore_index=True)
    out["date"] = [v.date(d) for d in out["day"]]
    return arrow(out, "mp_distribution")


def mp_pages(v: View) -> pa.Table:
    """Per day the top pages by views (getweanalysisappidvisitpage): views, visitors, average seconds
    per view, entries and exits (sessions starting / ending on the page), shares made from it."""
    ev = v.events[(v.events["day"] >= 0) & (v.events["day"] < v.n_days)]
    views = ev[ev["kind"] == "page_view"]
    out = views.groupby(["day", "page"]).agg(page_views=("user", "size"), page_visitors=("user", "nunique"),
                                             stay_time_pv=("duration", "mean")).reset_index()
    se = v.sessions
    for column, page in (("entry_views", "entry"), ("exit_views", "exit")):
        counts = se.groupby(["day", page]).size().rename(column).reset_index().rename(columns={page: "page"})
        out = out.merge(counts, on=["day", "page"], how="left")
    shared = ev[ev["kind"] == "share"].dropna(subset=["shared_page"])
    shares = shared.groupby(["day", "shared_page"]).agg(shares=("user", "size"), sharers=("user", "nunique"))
    out = out.merge(shares.reset_index().rename(columns={"shared_page": "page"}), on=["day", "page"],
                    how="left")
    out[["entry_views", "exit_views", "shares", "sharers"]] = out[
        ["entry_views", "exit_views", "shares", "sharers"]].fillna(0).astype("int64")
    out["stay_time_pv"] = out["stay_time_pv"].round(2)
    out = out.sort_values(["day", "page_views", "page"], ascending=[True, False, True])
    out = out.groupby("day").head(TOP_PAGES)
    out["date"] = [v.date(d) for d in out["day"]]
    return arrow(out, "mp_pages")


def oa_reads(article_stats: pa.Table, rng: np.random.Generator) -> pa.Table:
    """Reads of all articles per day: the every-source row (readers deduplicated across articles)
    and one row per source, the day's per-article sums split by source (getuserread's shape)."""
    stats = article_stats.to_pandas()
    measures = ["readers", "reads", "sharers", "shares", "favorites"]
    daily = stats.groupby("date")[measures].sum().sort_index()
    names, p = probabilities(OA_READ_SOURCES)
    rows = []
    for day, r in daily.iterrows():
        split = {m: rng.multinomial(int(r[m]), p) for m in measures}
        rows.append({"date": day, "source": ALL_SOURCES, **{m: int(r[m]) for m in measures},
                     "readers": round(int(r["readers"]) * OA_DEDUPLICATED_READERS),
                     "sharers": round(int(r["sharers"]) * OA_DEDUPLICATED_READERS)})
        rows += [{"date": day, "source": name, **{m: int(split[m][i]) for m in measures}}
                 for i, name in enumerate(names)]
    return arrow(pd.DataFrame(rows, columns=["date", "source", *measures]), "oa_reads")
