"""WeChat's view of the sample shop: every visit as WeChat's own statistics (We分析) count it.

WeChat counts visits in its client, not through the shop's tracking, so its view holds every event
that happened inside the data (the sample's tracking outage loses events from own tracking only)
plus the visits own tracking never recorded on the planted "SDK failed to start" days
(world.UNTRACKED_DAYS_BEFORE_END): returning users with no tracked event that day, and new visitors
who never reached the users table. Everything draws from the platform's own random stream
(`platform_rng`), never from the generator's, so the sample's own tables are unchanged.

Who a visitor is, as WeChat names it (the portrait): gender, age band, province, city and platform
from the users table in WeChat's names, and a device model drawn per platform. Users who refused
analytics consent (users.consent = false) are counted like everyone (WeChat counts every visitor;
the flag is the shop's, not WeChat's), but their profile values are never used: they appear under
WeChat's "unknown" name in every portrait dimension.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from helpers.sample.world import (
    AGE_BANDS,
    CHANNEL_SCENES,
    CHANNELS,
    CITIES,
    DEVICES,
    GENDERS,
    HOUR_WEIGHTS,
    PAGES,
    PLATFORMS,
    RETURN_SCENES,
    SECONDS_PER_DAY,
    UNTRACKED_DAYS_BEFORE_END,
    UNTRACKED_NEW_SHARE,
    UNTRACKED_RETURNING_SHARE,
    WECHAT_AGES,
    WECHAT_GENDERS,
    WECHAT_PLATFORMS,
    WECHAT_UNKNOWN,
    epoch_seconds,
    probabilities,
)

PLATFORM_STREAM = 15  # the platform's random stream: numpy's default_rng([seed, PLATFORM_STREAM])
PORTRAIT = ("province", "city", "gender", "platform", "device", "age")
LANDING = "pages/index/index"


@dataclass
class View:
    """Every visit as WeChat counts it. Days are indices from `start` (0 = the data's first day)."""

    start: date
    n_days: int
    events: pd.DataFrame  # user, day, session, kind, page, duration (page views), shared_page
    sessions: pd.DataFrame  # session, user, day, scene, pages, stay, entry, exit
    people: pd.DataFrame  # per person (index = user code): user_id, first_day, PORTRAIT, tracked
    untracked: dict[str, dict[str, int]]  # day -> returning / new visits own tracking never saw

    def date(self, day: int) -> date:
        return self.start + timedelta(days=int(day))


def platform_rng(seed: int) -> np.random.Generator:
    """The platform derivation's own seeded stream."""
    return np.random.default_rng([seed, PLATFORM_STREAM])


def untracked_days(start: date, n_days: int) -> list[int]:
    """Day indices of the planted "SDK failed to start" days that lie inside the data."""
    last = n_days - 1
    return [last - back for back in UNTRACKED_DAYS_BEFORE_END if last - back >= 0]


def build_view(start: date, n_days: int, users: pa.Table, happened: pa.Table,
               rng: np.random.Generator) -> View:
    """WeChat's view from the sample's users and every event that happened."""
    day0 = epoch_seconds(start)
    people = _people(users, day0, rng)
    events = _events(happened, people, day0)
    untracked: dict[str, dict[str, int]] = {}
    for day in untracked_days(start, n_days):
        people, extra, counts = _untracked(day, people, events, day0, rng)
        events = pd.concat([events, extra], ignore_index=True)
        untracked[(start + timedelta(days=day)).isoformat()] = counts
    events = events.sort_values(["session", "sec"], kind="stable", ignore_index=True)
    return View(start, n_days, _with_shared_page(events), _sessions(events), people, untracked)


def _people(users: pa.Table, day0: int, rng: np.random.Generator) -> pd.DataFrame:
    """The users in WeChat's portrait names; refused consent: unknown everywhere."""
    u = users.select(["user_id", "first_seen_at", "gender", "age_band", "province", "city",
                      "platform", "consent"]).to_pandas()
    first_sec = users["first_seen_at"].cast(pa.int64()).to_numpy()
    platform = u["platform"].where(u["platform"].isin(list(DEVICES)), "other")
    device = np.empty(len(u), dtype=object)
    for name, models in DEVICES.items():  # one draw per user, platforms in a fixed order
        idx = np.flatnonzero(platform.to_numpy() == name)
        keys, p = probabilities(models)
        device[idx] = np.array(keys, dtype=object)[rng.choice(len(keys), size=len(idx), p=p)]
    out = pd.DataFrame({
        "user_id": u["user_id"], "first_day": (first_sec - day0) // SECONDS_PER_DAY,
        "province": u["province"], "city": u["city"],
        "gender": u["gender"].map(WECHAT_GENDERS), "platform": platform.map(WECHAT_PLATFORMS),
        "device": device, "age": u["age_band"].map(WECHAT_AGES), "tracked": True})
    refused = ~u["consent"].fillna(True).astype(bool)
    out.loc[refused, list(PORTRAIT)] = WECHAT_UNKNOWN
    out[list(PORTRAIT)] = out[list(PORTRAIT)].fillna(WECHAT_UNKNOWN)
    return out


def _events(happened: pa.Table, people: pd.DataFrame, day0: int) -> pd.DataFrame:
    """Every event that happened, with user codes, day indices and session codes."""
    sec = happened["event_time"].cast(pa.int64()).to_numpy()
    user = pd.Index(people["user_id"]).get_indexer(happened["user_id"].to_pandas())
    if (user < 0).any():
        raise RuntimeError("an event's user is missing from the users table")
    session = pd.factorize(happened["session_id"].to_pandas())[0]
    return pd.DataFrame({
        "user": user, "sec": sec, "day": (sec - day0) // SECONDS_PER_DAY, "session": session,
        "kind": happened["event"].to_pandas(), "page": happened["page"].to_pandas(),
        "duration": happened["duration_s"].to_pandas(), "scene": happened["scene"].to_pandas()})


def _untracked(day: int, people: pd.DataFrame, events: pd.DataFrame, day0: int,
               rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Visits of one planted day that own tracking never saw: returning users not active that day
    (a share of the day's visitors) and new visitors never in the users table (a share of the day's
    new users). Returns the people with the new visitors added, their events, and the counts."""
    active = np.unique(events.loc[events["day"] == day, "user"].to_numpy())
    known = (people["first_day"].to_numpy() < day) & people["tracked"].to_numpy()
    candidates = np.setdiff1d(np.flatnonzero(known), active)
    n_back = min(len(candidates), round(UNTRACKED_RETURNING_SHARE * len(active)))
    back = np.sort(rng.choice(candidates, size=n_back, replace=False))
    n_new = round(UNTRACKED_NEW_SHARE * int((people["first_day"] == day).sum()))
    newcomers = _newcomers(day, n_new, len(people), rng)
    visitors = np.concatenate([back, newcomers.index.to_numpy()])
    return_scenes, return_p = probabilities(RETURN_SCENES)
    first_scenes = np.array([CHANNEL_SCENES[c][0] for c in CHANNELS])
    channel_p = probabilities({c: v[0] for c, v in CHANNELS.items()})[1]
    scenes = np.concatenate([rng.choice(return_scenes, size=n_back, p=return_p),
                             first_scenes[rng.choice(len(first_scenes), size=n_new, p=channel_p)]])
    extra = _visits(visitors, scenes, day, day0, int(events["session"].max()) + 1, rng)
    return pd.concat([people, newcomers]), extra, {"returning": int(n_back), "new": int(n_new)}


def _newcomers(day: int, n: int, first_code: int, rng: np.random.Generator) -> pd.DataFrame:
    """New visitors with WeChat's view of who they are, drawn from the world's profile mix."""
    def draw(weights: dict[Any, float]) -> list[Any]:
        keys, p = probabilities(weights)
        return [keys[i] for i in rng.choice(len(keys), size=n, p=p)]
    cities, platforms = draw(CITIES), draw(PLATFORMS)
    devices = [draw_one(rng, DEVICES[p]) for p in platforms]
    return pd.DataFrame({
        "user_id": [f"untracked-{day}-{i}" for i in range(n)], "first_day": day,
        "province": [c[0] for c in cities], "city": [c[1] for c in cities],
        "gender": [WECHAT_GENDERS[g] for g in draw(GENDERS)],
        "platform": [WECHAT_PLATFORMS[p] for p in platforms], "device": devices,
        "age": [WECHAT_AGES[a] for a in draw(AGE_BANDS)], "tracked": False},
        index=pd.RangeIndex(first_code, first_code + n))


def draw_one(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys, p = probabilities(weights)
    return keys[int(rng.choice(len(keys), p=p))]


def _visits(visitors: np.ndarray, scenes: np.ndarray, day: int, day0: int, first_session: int,
            rng: np.random.Generator) -> pd.DataFrame:
    """One session per visitor on `day` (starting before 23:00, so it stays in the day): a launch,
    then page views, the first on the landing page."""
    n = len(visitors)
    hours = rng.choice(23, size=n, p=HOUR_WEIGHTS[:23] / HOUR_WEIGHTS[:23].sum())
    start = day0 + day * SECONDS_PER_DAY + hours * 3600 + rng.integers(0, 3600, size=n)
    n_pv = rng.geometric(0.45, size=n)
    per = 1 + n_pv
    session = np.repeat(np.arange(n), per)
    step = rng.exponential(35.0, len(session)).astype(int) + 2
    first = np.r_[0, np.cumsum(per)[:-1]]
    step[first] = 0
    offset = np.cumsum(step) - np.repeat(np.cumsum(step)[first], per)
    kind = np.where(np.isin(np.arange(len(session)), first), "launch", "page_view")
    names, p = probabilities(PAGES)
    page = np.array(names, dtype=object)[rng.choice(len(names), size=len(session), p=p)]
    page[first + 1] = LANDING
    duration = np.round(rng.lognormal(3.2, 0.8, len(session)), 1)
    is_pv = kind == "page_view"
    return pd.DataFrame({
        "user": visitors[session], "sec": start[session] + offset, "day": day,
        "session": first_session + session, "kind": kind, "page": np.where(is_pv, page, None),
        "duration": np.where(is_pv, duration, np.nan), "scene": scenes[session]})


def _with_shared_page(events: pd.DataFrame) -> pd.DataFrame:
    """Each share event with the page viewed last before it in its session (WeChat's page shares)."""
    viewed = events["page"].where(events["kind"] == "page_view")
    last = viewed.groupby(events["session"]).ffill()
    return events.assign(shared_page=last.where(events["kind"] == "share"))


def _sessions(events: pd.DataFrame) -> pd.DataFrame:
    """One row per session: its user, day (of its first event) and scene, page views, stay time
    (the seconds on its pages), entry and exit pages."""
    g = events.groupby("session", sort=True)
    out = g[["user", "day", "scene"]].first()
    views = events[events["kind"] == "page_view"].groupby("session", sort=True)
    out["pages"] = views.size().reindex(out.index, fill_value=0)
    out["stay"] = views["duration"].sum().reindex(out.index, fill_value=0.0)
    out["entry"] = views["page"].first().reindex(out.index)
    out["exit"] = views["page"].last().reindex(out.index)
    return out.reset_index()
