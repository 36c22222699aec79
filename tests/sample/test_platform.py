"""`wxreport sample --platform-only`: WeChat's statistics derived from the sample shop, checked
against independent pandas computations on the sample's own events and users, deterministic, and
with the planted tracking gap on exactly the days truth.json names.

Own tracking and WeChat agree wherever no gap was planted, so on those days (and on the weeks and
cohorts made only of them) WeChat's numbers must equal what plain pandas computes from the own
`events` and `users` tables."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pytest

from helpers.core import contract
from helpers.core.warehouse import Warehouse, build_warehouse
from helpers.core.wechat import ACCESS_SOURCES, ALL_SOURCES
from helpers.sample import SampleSpec, generate, main
from helpers.sample.platform import COPIED, WECHAT_TABLES, platform_tables, write_platform_sample
from helpers.sample.world import WECHAT_UNKNOWN

SPEC = SampleSpec(seed=11, users=1500, days=42)  # 2026-10-12 .. 2026-11-22: ISO weeks W42..W47
SMALL = SampleSpec(seed=3, users=400, days=21)


@pytest.fixture(scope="module")
def sample():
    return platform_tables(SPEC)


@pytest.fixture(scope="module")
def own(sample):
    """The own events and users as plain pandas frames, days as dates."""
    events = sample.own["events"].to_pandas()
    events["day"] = events["event_time"].dt.date
    users = sample.own["users"].to_pandas()
    users["day"] = users["first_seen_at"].dt.date
    return events, users


@pytest.fixture(scope="module")
def gap_days(sample) -> set[date]:
    return {date.fromisoformat(d) for d in sample.truth["platform"]["tracking_gap"]["days"]}


def _rows(sample, period: str) -> pd.DataFrame:
    frame = sample.wechat["mp_visits"].to_pandas()
    frame = frame[frame["period"] == period]
    return frame.set_index(frame["date"].map(lambda d: d if isinstance(d, date) else d.date()))


def _days() -> list[date]:
    return [SPEC.start + timedelta(days=i) for i in range(SPEC.days)]


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def test_the_planted_gap_is_on_the_outage_and_the_untracked_days_only(sample):
    gap = sample.truth["platform"]["tracking_gap"]
    # the sample's outage (2026-11-21) and the two "SDK failed to start" days (end - 10, end - 9)
    assert gap["days"] == ["2026-11-12", "2026-11-13", "2026-11-21"]
    assert gap["causes"] == {"2026-11-12": "untracked_visits", "2026-11-13": "untracked_visits",
                             "2026-11-21": "tracking_outage"}
    for day, measures in gap["by_day"].items():
        assert measures["active_users"]["gap"] < -0.1, day  # well beyond a few percent
        for m in measures.values():
            assert m["own"] <= m["wechat"]
            assert m["gap"] == pytest.approx(m["own"] / m["wechat"] - 1, abs=1e-4)


def test_own_tracking_and_wechat_agree_on_every_other_day(sample, own, gap_days):
    events, users = own
    days = _rows(sample, "day")
    active = events.groupby("day")["user_id"].nunique()
    new = users.groupby("day").size()
    views = events[events["event"] == "page_view"].groupby("day").size()
    differ = set()
    for d in _days():
        mine = (active.get(d, 0), new.get(d, 0), views.get(d, 0))
        theirs = tuple(int(days.loc[d, c]) for c in ("visitors", "new_visitors", "visits"))
        if mine != theirs:
            differ.add(d)
            assert all(a <= b for a, b in zip(mine, theirs, strict=True)), d
    assert differ == gap_days
    by_day = sample.truth["platform"]["tracking_gap"]["by_day"]
    for d in gap_days:
        assert by_day[d.isoformat()]["active_users"]["own"] == active.get(d, 0)
        assert by_day[d.isoformat()]["active_users"]["wechat"] == days.loc[d, "visitors"]


def test_sessions_and_cumulative_users_per_clean_day(sample, own, gap_days):
    events, users = own
    first = events.groupby("session_id")["day"].min()
    sessions = first.value_counts()
    days = _rows(sample, "day")
    for d in _days():
        if d not in gap_days:
            assert days.loc[d, "sessions"] == sessions.get(d, 0), d
        assert days.loc[d, "cumulative_users"] >= (users["day"] <= d).sum()
    assert days.loc[_days()[0], "cumulative_users"] == (users["day"] <= _days()[0]).sum()


def test_week_rows_deduplicate_visitors_within_the_week(sample, own, gap_days):
    events, users = own
    weeks = _rows(sample, "week")
    # complete ISO weeks inside the data: W42 (10-12) .. W47 (11-16); no month is complete
    assert list(weeks.index) == [date(2026, 10, 12) + timedelta(weeks=i) for i in range(6)]
    assert _rows(sample, "month").empty
    events = events.assign(week=events["day"].map(_monday))
    users = users.assign(week=users["day"].map(_monday))
    daily = _rows(sample, "day")
    for monday in weeks.index:
        week_days = {monday + timedelta(days=i) for i in range(7)}
        summed = daily.loc[sorted(week_days), "visitors"].sum()
        assert weeks.loc[monday, "visitors"] < summed  # a person counted once, not once a day
        assert weeks.loc[monday, "new_visitors"] == daily.loc[sorted(week_days), "new_visitors"].sum()
        if week_days & gap_days:
            assert weeks.loc[monday, "visitors"] > events[events["week"] == monday]["user_id"].nunique()
            continue
        assert weeks.loc[monday, "visitors"] == events[events["week"] == monday]["user_id"].nunique()
        assert weeks.loc[monday, "new_visitors"] == (users["week"] == monday).sum()


def _retained(pairs: pd.DataFrame, cohort: set, day: date, k: int) -> int:
    later = set(pairs.loc[pairs["day"] == day + timedelta(days=k), "user_id"])
    return len(cohort & later) if k else len(cohort)


def test_daily_retention_matches_the_own_events_on_clean_days(sample, own, gap_days):
    events, users = own
    pairs = events[["user_id", "day"]].drop_duplicates()
    table = sample.wechat["mp_retention"].to_pandas()
    table = table[table["period"] == "day"]
    table["date"] = table["date"].map(lambda d: d if isinstance(d, date) else d.date())
    last = _days()[-1]
    checked = 0
    for r in table.itertuples():
        end = r.date + timedelta(days=int(r.offset))
        assert end <= last  # only observable offsets
        if {r.date, end} & gap_days:
            continue
        if r.cohort == "new":
            cohort = set(users.loc[users["day"] == r.date, "user_id"])
        else:
            cohort = set(pairs.loc[pairs["day"] == r.date, "user_id"])
        assert r.users == _retained(pairs, cohort, r.date, int(r.offset)), r
        checked += 1
    assert checked > 400
    offsets = set(table["offset"])
    assert offsets == {0, 1, 2, 3, 4, 5, 6, 7, 14, 30}
    weekly = sample.wechat["mp_retention"].to_pandas().query("period == 'week'")
    assert set(weekly["offset"]) == {0, 1, 2, 3, 4}
    # six complete weeks: offset k observable for the first 6 - k cohorts, both cohorts
    assert weekly.groupby("offset").size().to_dict() == {k: 2 * (6 - k) for k in range(5)}


def test_weekly_retention_matches_on_clean_weeks(sample, own, gap_days):
    events, _ = own
    events = events.assign(week=events["day"].map(_monday))
    table = sample.wechat["mp_retention"].to_pandas().query("period == 'week' and cohort == 'active'")
    dirty = {_monday(d) for d in gap_days}
    for r in table.itertuples():
        start = r.date if isinstance(r.date, date) else r.date.date()
        end = start + timedelta(weeks=int(r.offset))
        if {start, end} & dirty:
            continue
        cohort = set(events.loc[events["week"] == start, "user_id"])
        later = set(events.loc[events["week"] == end, "user_id"])
        assert r.users == (len(cohort & later) if r.offset else len(cohort)), r


def test_breakdowns_add_up_to_the_day_and_week_rows(sample):
    days = _rows(sample, "day")
    w = sample.wechat
    for name, kind in (("mp_sources", None), ("mp_distribution", "stay_time"), ("mp_distribution", "depth")):
        frame = w[name].to_pandas()
        if kind:
            frame = frame[frame["kind"] == kind]
        per_day = frame.groupby(frame["date"].map(lambda d: d if isinstance(d, date) else d.date()))["sessions"].sum()
        assert (per_day.reindex(days.index, fill_value=0) == days["sessions"]).all(), (name, kind)
    dist = w["mp_distribution"].to_pandas()
    assert set(dist.loc[dist["kind"] == "stay_time", "bucket"]) <= set(range(1, 9))
    assert set(dist.loc[dist["kind"] == "depth", "bucket"]) <= set(range(1, 8))
    pages = w["mp_pages"].to_pandas()
    views = pages.groupby(pages["date"].map(lambda d: d if isinstance(d, date) else d.date()))["page_views"].sum()
    assert (views.reindex(days.index) == days["visits"]).all()  # fewer than 200 pages a day: all listed
    weeks = _rows(sample, "week")
    portrait = w["mp_portrait"].to_pandas()
    assert set(portrait["window_days"]) == {7}
    for dimension in ("province", "city", "gender", "platform", "device", "age"):
        active = portrait[(portrait["segment"] == "active") & (portrait["dimension"] == dimension)]
        per_week = active.groupby(active["date"].map(lambda d: d if isinstance(d, date) else d.date()))["users"].sum()
        assert list(per_week) == list(weeks["visitors"]), dimension  # window ends on the Sunday


def test_refused_consent_is_counted_but_never_profiled(sample, own):
    events, users = own
    refused = set(users.loc[~users["consent"].fillna(True).astype(bool), "user_id"])
    w45 = events[(events["day"] >= date(2026, 11, 2)) & (events["day"] <= date(2026, 11, 8))]  # no gap
    refused_visitors = len(set(w45["user_id"]) & refused)
    assert refused_visitors > 0
    portrait = sample.wechat["mp_portrait"].to_pandas()
    week = portrait[(portrait["date"].map(str).str.startswith("2026-11-08")) & (portrait["segment"] == "active")]
    unknown = week[(week["dimension"] == "province") & (week["name"] == WECHAT_UNKNOWN)]["users"].sum()
    assert unknown == refused_visitors  # the sample's province is always filled for the others


def test_the_sources_are_wechats_access_sources(sample):
    sources = sample.wechat["mp_sources"].to_pandas()
    assert all(ACCESS_SOURCES[k].zh == s for k, s in zip(sources["source_key"], sources["source"], strict=True))
    assert {1, 3, 29} <= set(sources["source_key"])  # history list, chats, recently used


def test_own_tables_are_the_sample_and_the_folder_has_what_it_should(sample):
    generated = generate(SPEC)
    for name in contract.REQUIRED_TABLES + list(COPIED):
        assert sample.own[name].equals(generated[name]), name
    assert set(sample.tables()) == set(COPIED) | set(WECHAT_TABLES)
    assert set(WECHAT_TABLES) == set(contract.WECHAT_TABLES)
    assert set(sample.tables(mixed=True)) == set(contract.TABLES)
    for name, table in sample.wechat.items():
        assert table.schema.names == [c.name for c in contract.TABLES[name].columns], name


def test_reads_by_source_and_the_deduplicated_row(sample):
    reads = sample.wechat["oa_reads"].to_pandas()
    stats = sample.own["article_stats"].to_pandas().groupby("date")[["readers", "reads"]].sum()
    all_rows = reads[reads["source"] == ALL_SOURCES].set_index("date")
    others = reads[reads["source"] != ALL_SOURCES].groupby("date")[["readers", "reads"]].sum()
    assert (others["reads"] == stats["reads"]).all() and (all_rows["reads"] == stats["reads"]).all()
    assert (all_rows["readers"] <= stats["readers"]).all()


def test_same_seed_same_bytes_and_the_folders_load(tmp_path):
    a = write_platform_sample(tmp_path / "a", SMALL)
    b = write_platform_sample(tmp_path / "b", SMALL)
    assert a == b
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == sorted([*(f"{t}.parquet" for t in [*COPIED, *WECHAT_TABLES]), "truth.json"])
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    other = platform_tables(SampleSpec(seed=4, users=400, days=21))
    assert not other.wechat["mp_visits"].equals(platform_tables(SMALL).wechat["mp_visits"])
    wh = Warehouse(build_warehouse(tmp_path / "a"))
    assert not wh.has("events") and wh.has("mp_visits") and wh.quality().empty
    assert wh.last_date == SMALL.end
    write_platform_sample(tmp_path / "mixed", SMALL, mixed=True)
    mixed = Warehouse(build_warehouse(tmp_path / "mixed"))
    assert mixed.has("events") and mixed.has("mp_retention")


def test_the_command_writes_the_platform_only_folder(tmp_path, capsys):
    out = tmp_path / "platform"
    assert main(["--platform-only", "--seed", "3", "--users", "400", "--days", "21", "--out", str(out)]) == 0
    assert "planted tracking gap on 2026-11-12, 2026-11-13, 2026-11-21" in capsys.readouterr().out
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    assert truth["platform"]["tracking_gap"]["days"] == ["2026-11-12", "2026-11-13", "2026-11-21"]
    assert not (out / "events.parquet").exists() and not (out / "users.parquet").exists()
