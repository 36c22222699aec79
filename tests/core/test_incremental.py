"""A data folder that grows by a week lands only what is new (core.landing): the new files are
read and validated, the landed ones are not read again, and the warehouse equals a full build of
the same folder, table by table and row by row; a changed or removed file reloads its table."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from helpers.core import landing
from helpers.core.errors import DataError
from helpers.core.loader import Loader
from helpers.core.warehouse import Warehouse, build_warehouse, plan_warehouse

W46, W47 = "part-2026-W46", "part-2026-W47"
USERS = {  # by week of first visit
    W46: [{"user_id": "a", "first_seen_at": "2026-11-09 10:00:00", "channel": "search"},
          {"user_id": "b", "first_seen_at": "2026-11-10 09:00:00", "channel": "share"}],
    W47: [{"user_id": "c", "first_seen_at": "2026-11-11 11:00:00", "channel": "kol"},
          {"user_id": "d", "first_seen_at": "2026-11-17 09:00:00", "channel": "search"}],
}
EVENTS = {
    W46: [{"user_id": "a", "event_time": "2026-11-09 10:00:00", "event": "launch"},
          {"user_id": "a", "event_time": "2026-11-10 08:00:00", "event": "page_view"},
          {"user_id": "b", "event_time": "2026-11-10 08:00:00", "event": "launch"},  # before b's first visit
          {"user_id": "c", "event_time": "2026-11-11 12:00:00", "event": "launch"}],  # c unknown until W47
    W47: [{"user_id": "d", "event_time": "2026-11-17 09:00:00", "event": "launch"},
          {"user_id": "a", "event_time": "2026-11-18 10:00:00", "event": "pay"},
          {"user_id": "e", "event_time": "2026-11-19 10:00:00", "event": "launch"}],  # e never known
}
ORDERS = {
    W46: [{"order_id": "o1", "user_id": "a", "paid_at": "2026-11-10 12:00:00", "amount": 50.0}],
    W47: [{"order_id": "o2", "user_id": "d", "paid_at": "2026-11-17 09:30:00", "amount": 30.5},
          {"order_id": "o3", "user_id": "e", "paid_at": "2026-11-19 10:05:00", "amount": 9.9}],
}
CAMPAIGNS = [{"campaign_id": "c1", "name": "new", "start_at": "2026-11-01 00:00:00",
              "end_at": "2026-11-30 00:00:00", "cost": 100.0}]


def write_week(folder: Path, week: str, users: str = "parts", events: dict | None = None,
               orders: dict | None = None) -> Path:
    """The shop as its export job writes it each week: events as one Parquet part per week, orders
    as one CSV part per week, campaigns as a file written once, users as a part per week
    (`users="parts"`) or as one file rewritten with every user so far (`"snapshot"`), or not
    written (`"none"`)."""
    weeks = [W46] if week == W46 else [W46, W47]
    (folder / "events").mkdir(parents=True, exist_ok=True)
    (folder / "orders").mkdir(exist_ok=True)
    pd.DataFrame((events or EVENTS)[week]).to_parquet(folder / "events" / f"{week}.parquet")
    pd.DataFrame((orders or ORDERS)[week]).to_csv(folder / "orders" / f"{week}.csv", index=False)
    if not (folder / "campaigns.csv").exists():
        pd.DataFrame(CAMPAIGNS).to_csv(folder / "campaigns.csv", index=False)
    if users == "parts":
        (folder / "users").mkdir(exist_ok=True)
        pd.DataFrame(USERS[week]).to_csv(folder / "users" / f"{week}.csv", index=False)
    elif users == "snapshot":
        pd.DataFrame([u for w in weeks for u in USERS[w]]).to_csv(folder / "users.csv", index=False)
    return folder


@pytest.fixture
def reads(monkeypatch) -> dict[str, list[str]]:
    """table -> the files the loader read, in order (filled by every build)."""
    seen: dict[str, list[str]] = {}
    chunks = Loader._chunks

    def spy(self, f, paths, place):
        seen.setdefault(f.table, []).extend(p.name for p in paths)
        return chunks(self, f, paths, place)

    monkeypatch.setattr(Loader, "_chunks", spy)
    return seen


def full_build(folder: Path, tmp_path: Path) -> Warehouse:
    return Warehouse(build_warehouse(folder, target=tmp_path / "full.duckdb", incremental=False))


def assert_same_warehouse(one: Warehouse, two: Warehouse) -> None:
    """Every table (rows in order, columns in order, types), the quality notes and the metadata
    that describes the data are the same."""
    assert one.tables == two.tables
    for table in [*one.tables, "days", "_quality"]:
        pd.testing.assert_frame_equal(one.query(f"select * from {table}"),
                                      two.query(f"select * from {table}"), obj=table)
    skip = {"built_at", "build"}
    assert {k: v for k, v in one.meta.items() if k not in skip} == \
        {k: v for k, v in two.meta.items() if k not in skip}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("users", ["parts", "snapshot"])
def test_a_week_more_lands_only_the_new_files_and_equals_a_full_build(tmp_path, reads, users):
    folder = write_week(tmp_path / "shop", W46, users)
    first = build_warehouse(folder)
    before = digest(first)
    reads.clear()
    write_week(folder, W47, users)
    plan = plan_warehouse(folder)
    lines: list[str] = []
    wh = Warehouse(build_warehouse(folder, say=lines.append))

    assert plan.mode == "incremental" and plan.base == first
    expected = {"users": "append" if users == "parts" else "load", "events": "append",
                "orders": "append", "campaigns": "keep"}
    assert {t: p.action for t, p in plan.tables.items()} == expected
    assert wh.meta["build"]["tables"] == expected
    # only the new week's files are read: not the landed parts, not the unchanged campaigns
    assert reads == {"users": [f"{W47}.csv" if users == "parts" else "users.csv"],
                     "events": [f"{W47}.parquet"], "orders": [f"{W47}.csv"]}
    assert lines[0].startswith(f"wxreport: updating the warehouse of {folder.resolve()}: incremental")
    assert "  landing   1 new file of events (2 in all)" in lines
    assert first.exists() and digest(first) == before  # the last warehouse is left as it was

    assert wh.tables == {"users": 4, "events": 7, "orders": 3, "campaigns": 1}
    assert wh.query("select user_id from events").user_id.tolist() == list("aabcdae")
    # cross-table checks over old and new rows: c is known now, e is not; b came before first visit
    quality = wh.quality().set_index("check_name")
    assert quality["rows"].to_dict() == {"events_before_first_seen": 1, "events_unknown_user": 1,
                                         "orders_unknown_user": 1}
    assert quality["example"].to_dict() == {
        "events_before_first_seen": f"{W46}.parquet row 3",
        "events_unknown_user": f"{W47}.parquet row 3",
        "orders_unknown_user": f"{W47}.csv line 3"}
    assert (str(wh.first_date), str(wh.last_date)) == ("2026-11-09", "2026-11-19")
    assert_same_warehouse(wh, full_build(folder, tmp_path))


def test_a_week_more_again_builds_on_the_incremental_warehouse(tmp_path, reads):
    folder = write_week(tmp_path / "shop", W46)
    build_warehouse(folder)
    write_week(folder, W47)
    second = build_warehouse(folder)
    events = {"W48": [{"user_id": "d", "event_time": "2026-11-24 09:00:00", "event": "launch"}]}
    pd.DataFrame(events["W48"]).to_parquet(folder / "events" / "part-2026-W48.parquet")
    reads.clear()
    plan = plan_warehouse(folder)
    wh = Warehouse(build_warehouse(folder))
    assert plan.base == second and reads == {"events": ["part-2026-W48.parquet"]}
    assert wh.tables["events"] == 8 and str(wh.last_date) == "2026-11-24"
    assert_same_warehouse(wh, full_build(folder, tmp_path))


def test_a_rerun_on_the_same_data_reuses_the_warehouse(tmp_path, reads):
    folder = write_week(tmp_path / "shop", W46)
    path = build_warehouse(folder)
    reads.clear()
    assert plan_warehouse(folder).mode == "cached" and build_warehouse(folder) == path and not reads


def test_a_key_repeated_across_an_old_and_a_new_file_names_both(tmp_path):
    folder = write_week(tmp_path / "shop", W46)
    first = build_warehouse(folder)
    again = {**ORDERS, W47: [*ORDERS[W47], {"order_id": "o1", "user_id": "d",
                                            "paid_at": "2026-11-18 10:00:00", "amount": 1.0}]}
    write_week(folder, W47, orders=again)
    expected = (f"{folder.resolve() / 'orders'}: column order_id: 1 duplicated key(s), expected "
                f"unique; first 'o1' at {W46}.csv line 2, {W47}.csv line 4")
    with pytest.raises(DataError) as err:
        build_warehouse(folder)
    assert str(err.value) == expected
    with pytest.raises(DataError) as full:  # the same message as a full build of the folder
        build_warehouse(folder, incremental=False)
    assert str(full.value) == expected
    # nothing landed: the next build still starts from the last good warehouse
    write_week(folder, W47)
    assert plan_warehouse(folder).base == first


def test_a_user_repeated_across_weeks_is_located_by_line_only(tmp_path):
    folder = write_week(tmp_path / "shop", W46)
    build_warehouse(folder)
    (folder / "users" / f"{W47}.csv").write_text(
        "user_id,first_seen_at\nd,2026-11-17 09:00:00\nb,2026-11-18 09:00:00\n", encoding="utf-8")
    write_week(folder, W47, users="none")
    with pytest.raises(DataError, match=rf"users: column user_id: 1 duplicated key\(s\), expected "
                       rf"unique; first at {W46}.csv line 3, {W47}.csv line 3$"):
        build_warehouse(folder)


@pytest.mark.parametrize("new, message", [
    ({"events": [{"user_id": "d", "event_time": "2026-11-17 09:00:00", "event": "launch"},
                 {"user_id": "a", "event_time": "2099-01-01 00:00:00", "event": "pay"}]},
     "events: column event_time: 1 value(s) is after {run}; expected a timestamp from 1970-01-01 "
     "to {run} (the run date"),
    ({"orders": [{"order_id": "o2", "user_id": "d", "paid_at": "2026-11-17 09:30:00", "amount": 30.5},
                 {"order_id": "o3", "user_id": "e", "paid_at": "2026-11-19 10:05:00", "amount": -5.0}]},
     "orders: column amount: 1 value(s) is negative; expected a value from 0 to below "
     "1,000,000,000,000; first at part-2026-W47.csv line 3: '-5.0'"),
])
def test_a_bad_value_in_a_new_file_is_located_in_that_file(tmp_path, new, message):
    folder = write_week(tmp_path / "shop", W46)
    build_warehouse(folder)
    tables = {name: {**default, W47: new[name]} if name in new else None
              for name, default in (("events", EVENTS), ("orders", ORDERS))}
    write_week(folder, W47, **tables)
    assert plan_warehouse(folder).mode == "incremental"
    with pytest.raises(DataError) as err:
        build_warehouse(folder)
    run = Loader(None, "Asia/Shanghai", tmp_path, []).run_date
    text = message.format(run=run + timedelta(days=1))
    assert str(err.value).startswith(f"{folder.resolve()}/{text}")
    if "events" in new:
        assert str(err.value).endswith(f"first at {W47}.parquet row 2: '2099-01-01 00:00:00'")


def test_a_changed_landed_file_reloads_its_table(tmp_path, reads):
    """Never a stale warehouse: a landed part that changed is read again, with every other part
    of its table; the tables that did not change are kept."""
    folder = write_week(tmp_path / "shop", W46)
    build_warehouse(folder)
    write_week(folder, W47)
    changed = [{**e, "event": "share"} if i == 1 else e for i, e in enumerate(EVENTS[W46])]
    pd.DataFrame(changed).to_parquet(folder / "events" / f"{W46}.parquet")
    reads.clear()
    plan = plan_warehouse(folder)
    wh = Warehouse(build_warehouse(folder))
    assert plan.tables["events"].action == "load"
    assert plan.tables["events"].reason == f"events/{W46}.parquet changed"
    assert reads["events"] == [f"{W46}.parquet", f"{W47}.parquet"]
    assert wh.query("select event from events").event.tolist()[:2] == ["launch", "share"]
    assert_same_warehouse(wh, full_build(folder, tmp_path))


def test_a_removed_file_reloads_its_table(tmp_path, reads):
    folder = write_week(tmp_path / "shop", W46)
    build_warehouse(folder)
    write_week(folder, W47)
    build_warehouse(folder)
    (folder / "orders" / f"{W46}.csv").unlink()
    reads.clear()
    plan = plan_warehouse(folder)
    wh = Warehouse(build_warehouse(folder))
    assert plan.tables["orders"] == landing.TablePlan(
        "load", (folder.resolve() / "orders" / f"{W47}.csv",), f"orders/{W46}.csv removed")
    assert reads == {"orders": [f"{W47}.csv"]} and wh.tables["orders"] == 2
    assert_same_warehouse(wh, full_build(folder, tmp_path))


def test_a_new_part_sorting_before_landed_ones_reloads_its_table(tmp_path, reads):
    """Rows are in the order of the part files: a late file sorting first changes the order."""
    folder = write_week(tmp_path / "shop", W46)
    build_warehouse(folder)
    late = [{"user_id": "a", "event_time": "2026-11-08 10:00:00", "event": "launch"}]
    pd.DataFrame(late).to_parquet(folder / "events" / "part-2026-W45.parquet")
    plan = plan_warehouse(folder)
    assert plan.tables["events"].action == "load"
    assert plan.tables["events"].reason.startswith("events/part-2026-W45.parquet is new and sorts before")
    assert_same_warehouse(Warehouse(build_warehouse(folder)), full_build(folder, tmp_path))


def test_when_every_table_changed_the_build_is_a_full_one(tmp_path, reads):
    folder = write_week(tmp_path / "shop", W46, users="snapshot")
    build_warehouse(folder)
    for path in [folder / "users.csv", folder / "campaigns.csv", folder / "orders" / f"{W46}.csv"]:
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # a blank line
    pd.DataFrame(EVENTS[W46][:3]).to_parquet(folder / "events" / f"{W46}.parquet")
    progress: list[tuple] = []
    plan = plan_warehouse(folder)
    build_warehouse(folder, progress=lambda *a: progress.append(a))
    assert (plan.mode, plan.reason) == ("full", "every table changed since the last build")
    assert [t for _, _, t in progress] == ["users", "events", "orders", "campaigns"]


def test_new_parts_with_a_new_column_reload_their_table(tmp_path, reads):
    """The landed table's columns cannot take them in place: loaded again, as a full build would."""
    folder = write_week(tmp_path / "shop", W46)
    build_warehouse(folder)
    extra = {**EVENTS, W47: [{**e, "ab_bucket": i} for i, e in enumerate(EVENTS[W47])]}
    write_week(folder, W47, events=extra)
    reads.clear()
    lines: list[str] = []
    wh = Warehouse(build_warehouse(folder, say=lines.append))
    assert "  reloading events (the new files add or retype column events.ab_bucket)" in lines
    assert reads["events"] == [f"{W47}.parquet", f"{W46}.parquet", f"{W47}.parquet"]
    assert wh.query("select ab_bucket from events").ab_bucket.fillna(-1).tolist() == [-1] * 4 + [0, 1, 2]
    assert_same_warehouse(wh, full_build(folder, tmp_path))


def test_another_loader_code_or_a_lost_warehouse_means_a_full_build(tmp_path):
    """The base is the last warehouse built into the cache from the same folder, timezone and code."""
    folder = write_week(tmp_path / "shop", W46)
    first = build_warehouse(folder)
    write_week(folder, W47)
    pointer = landing._pointer(folder.resolve(), "Asia/Shanghai")
    doc = json.loads(pointer.read_text(encoding="utf-8"))
    pointer.write_text(json.dumps({**doc, "code": "older"}), encoding="utf-8")
    assert plan_warehouse(folder).reason == "the loader code changed since the last build"
    pointer.write_text(json.dumps(doc), encoding="utf-8")
    assert plan_warehouse(folder).mode == "incremental"
    # a warehouse written elsewhere (a given target) is not the next build's base: it may go
    build_warehouse(folder, target=tmp_path / "elsewhere.duckdb", incremental=False).unlink()
    assert plan_warehouse(folder).base == first
    first.unlink()
    assert plan_warehouse(folder).reason == "the last warehouse of this data folder is gone"
    assert plan_warehouse(folder, incremental=False).reason == "incremental builds are off"


@pytest.mark.parametrize("clean", [True, False])
def test_checks_across_tables_look_only_at_new_rows_while_they_cannot_change_earlier_ones(
        tmp_path, monkeypatch, clean):
    """Users that only gained rows leave an earlier event's result as it was unless that event's
    user was unknown (a new user may be it): then every row is checked again."""
    from helpers.core import loader

    seen = []
    checks = loader.cross_table_quality
    monkeypatch.setattr(loader, "cross_table_quality",
                        lambda con, places, tables, checked=None: seen.append(checked)
                        or checks(con, places, tables, checked))
    events = {**EVENTS, W46: EVENTS[W46][:3] if clean else EVENTS[W46]}
    folder = write_week(tmp_path / "shop", W46, events=events)
    build_warehouse(folder)
    write_week(folder, W47, events=events)
    wh = Warehouse(build_warehouse(folder))
    assert wh.meta["build"]["tables"]["users"] == "append"
    if clean:
        assert seen[-1].first == {"events": 4, "orders": 2}
        assert seen[-1].quality == {"events_before_first_seen": (1, f"{W46}.parquet row 3")}
    else:
        assert seen[-1] is None
    assert_same_warehouse(wh, full_build(folder, tmp_path))
