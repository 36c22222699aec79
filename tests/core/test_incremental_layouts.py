"""A table given as a folder of part files, flat or in Hive partitions (core.sources): the layouts
that load, the ones rejected with the path and what was expected, and the warehouse of a table cut
into parts, landed at once or a part at a time, equal to the one of the same table in one file."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.core.errors import DataError
from helpers.core.warehouse import Warehouse, build_warehouse, plan_warehouse

from conftest import minimal_tables, write_source

EVENTS = minimal_tables()["events"]


def shop(folder: Path, parts: dict[str, list[dict] | str | bytes] | None = None) -> Path:
    """users and orders as files; `parts`: path inside the folder -> rows (written as Parquet or
    CSV after the suffix), text or bytes."""
    tables = minimal_tables()
    write_source(folder, {"users": tables["users"], "orders": tables["orders"]})
    for name, content in (parts or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        elif path.suffix == ".parquet":
            pd.DataFrame(content).to_parquet(path, index=False)
        else:
            pd.DataFrame(content).to_csv(path, index=False)
    return folder


def load(folder: Path) -> Warehouse:
    return Warehouse(build_warehouse(folder))


ONE, TWO = EVENTS[:3], EVENTS[3:]
REJECTED = {
    "a table as a file and a folder": (
        {"events.parquet": EVENTS, "events/part.parquet": EVENTS},
        "{folder}: both events.parquet and the folder events/ exist; keep one: a file, or a folder "
        "of part files"),
    "Parquet and CSV parts": (
        {"events/a.parquet": ONE, "events/b.csv": TWO},
        "{folder}/events: holds both Parquet and CSV parts (a.parquet, b.csv); expected one format "
        "per table folder"),
    "another file in a table folder": (
        {"events/a.parquet": ONE, "events/notes.txt": "about the export"},
        "{folder}/events/notes.txt: not a .parquet or .csv file; expected only part files of the "
        "events table in events/ (names starting with . or _ are ignored)"),
    "a folder not named column=value": (
        {"events/2026/a.parquet": ONE},
        "{folder}/events/2026: a folder inside the table folder events/ not named column=value; "
        "expected part files, or Hive partition folders such as event_date=2026-11-16/"),
    "parts at different depths": (
        {"events/a.parquet": ONE, "events/day=1/b.parquet": TWO},
        "{folder}/events: parts at different partition levels (a.parquet, day=1/b.parquet); "
        "expected every part at the same depth, under the same partition columns"),
    "a folder without parts": (
        {"events/_SUCCESS": ""},
        "{folder}/events: a table folder without part files; expected the rows of events as "
        ".parquet or .csv part files in it, directly or in Hive partition folders such as "
        "event_date=2026-11-16/"),
    "a partition column also in the file": (
        {"events/event=launch/a.parquet": ONE},
        "{folder}/events/event=launch/a.parquet: column event is in the file and also given by its "
        "partition folder event=launch; expected it in one place"),
    "a Parquet part without a required column": (
        {"events/a.parquet": ONE, "events/b.parquet": [{k: v for k, v in e.items() if k != "event"}
                                                            for e in TWO]},
        "{folder}/events/b.parquet: required column(s) event missing (found: user_id, event_time)"),
    "a CSV part without a required column": (
        {"events/a.csv": ONE, "events/b.csv": "user_id,event_time\nb,2026-11-17 09:00:00\n"},
        "{folder}/events/b.csv: required column(s) event missing (found: user_id, event_time)"),
    "a corrupt Parquet part": (
        {"events/a.parquet": ONE, "events/b.parquet": b"PAR1 not parquet PAR1"},
        "{folder}/events/b.parquet: cannot be read as Parquet"),
    "a bad value in the second part": (
        {"events/a.csv": ONE, "events/b.csv": "user_id,event_time,event\n"
             "b,2026-11-17 09:00:00,launch\nb,yesterday,pay\n"},
        "{folder}/events: column event_time: 1 value(s) cannot be read as timestamp; expected a "
        "timestamp such as 2026-11-16 08:30:00 (an offset such as +08:00 is honoured); first at "
        "b.csv line 3: 'yesterday'"),
}


@pytest.mark.parametrize("parts, message", REJECTED.values(), ids=REJECTED.keys())
def test_a_table_folder_that_is_not_a_layout_is_rejected_with_its_path(tmp_path, parts, message):
    folder = shop(tmp_path / "shop", parts).resolve()
    with pytest.raises(DataError) as err:
        build_warehouse(folder)
    assert str(err.value).startswith(message.format(folder=folder))


def test_part_files_load_in_path_order_and_spark_markers_are_ignored(tmp_path):
    folder = shop(tmp_path / "shop", {
        "events/part_10.parquet": TWO, "events/part_09.parquet": ONE, "events/_SUCCESS": "",
        "events/.part_09.parquet.crc": b"\x00", "events/_temporary/x.txt": "Spark's scratch folder"})
    wh = load(folder)
    got = wh.query("select event_time from events").event_time.astype(str).tolist()
    assert got == [e["event_time"] for e in EVENTS]
    assert wh.meta["build"]["mode"] == "full"


def test_hive_partitions_give_a_text_column_and_a_new_day_is_appended(tmp_path):
    days = {}
    for e in EVENTS:
        days.setdefault(e["event_time"][:10], []).append(e)
    first, *rest = sorted(days)
    folder = shop(tmp_path / "shop", {f"events/event_date={first}/part-0.parquet": days[first]})
    build_warehouse(folder)
    for day in rest:
        shop(folder, {f"events/event_date={day}/part-0.parquet": days[day]})
    plan = plan_warehouse(folder)
    wh = load(folder)
    assert plan.tables["events"].action == "append" and len(plan.tables["events"].files) == len(rest)
    frame = wh.query("select event_date, event_time from events")
    assert frame.event_date.tolist() == [e["event_time"][:10] for e in EVENTS]
    assert frame.event_time.astype(str).tolist() == [e["event_time"] for e in EVENTS]
    assert wh.has("events", "event") and not wh.has("events", "event_date")  # an extra column


def test_a_partition_folder_may_give_a_contract_column(tmp_path):
    folder = shop(tmp_path / "shop", {
        f"events/event={name}/a.csv": [{k: v for k, v in e.items() if k != "event"}
                                           for e in EVENTS if e["event"] == name]
        for name in ("launch", "page_view", "pay")})
    wh = load(folder)
    assert wh.query("select event from events").event.tolist() == ["launch"] * 3 + ["page_view", "pay"]
    assert wh.has("events", "event")


def test_csv_parts_keep_their_own_dialect_and_encoding(tmp_path):
    """Each CSV part is read as the file it is: delimiter, decimal separator and encoding its own
    (two GBK parts of the same name in two partitions do not overwrite each other's copy)."""
    folder = shop(tmp_path / "shop", {"events.csv": EVENTS})
    (folder / "orders.csv").unlink()
    one = "order_id,user_id,paid_at,amount,note\no1,a,2026-11-10 12:00:00,\"1,234.5\",广州\n"
    two = "order_id;user_id;paid_at;amount;note\no2;b;2026-11-22 20:00:00;27,71;深圳\n"
    for day, text in (("2026-11-10", one), ("2026-11-22", two)):
        path = folder / "orders" / f"day={day}" / "part.csv"
        path.parent.mkdir(parents=True)
        path.write_bytes(text.encode("gb18030"))
    frame = load(folder).query("select amount, note, day from orders")
    assert frame.amount.tolist() == [1234.5, 27.71]
    assert frame.note.tolist() == ["广州", "深圳"] and frame.day.tolist() == ["2026-11-10", "2026-11-22"]


def test_parquet_parts_with_other_column_sets_and_types_load_as_one_table(tmp_path):
    one = pa.table({"user_id": ["a", "a"], "event_time": ["2026-11-09 10:00:00", "2026-11-15 23:59:59"],
                    "event": ["launch", "launch"], "duration_s": pa.array([1, 2], pa.int32())})
    two = pa.table({"event": ["page_view"], "user_id": ["a"],
                    "event_time": pa.array([pd.Timestamp("2026-11-16")], pa.timestamp("us")),
                    "duration_s": pa.array([2.5])})
    folder = shop(tmp_path / "shop")
    (folder / "events").mkdir()
    pq.write_table(one, folder / "events" / "a.parquet")
    pq.write_table(two, folder / "events" / "b.parquet")
    frame = load(folder).query("select event_time, duration_s from events")
    assert frame.event_time.astype(str).tolist() == ["2026-11-09 10:00:00", "2026-11-15 23:59:59",
                                                     "2026-11-16 00:00:00"]
    assert frame.duration_s.tolist() == [1.0, 2.0, 2.5]


# --- a table cut into parts is the same table ----------------------------------------------------

def _events() -> list[dict]:
    """24 events of the minimal shop's users over two weeks, one before a first visit, two of an
    unknown user."""
    users = ["a", "b", "a", "b", "x", "a"]
    return [{"user_id": users[i % 6], "event_time": f"2026-11-{9 + i // 2:02d} {8 + i % 12:02d}:00:00",
             "event": ["launch", "page_view", "pay"][i % 3]} for i in range(24)]


def _comparable(wh: Warehouse) -> dict:
    tables = {t: wh.query(f"select * from {t}") for t in [*wh.tables, "days"]}
    quality = wh.quality()[["table_name", "check_name", "rows"]]
    meta = {k: wh.meta[k] for k in ("tables", "columns", "first_day", "last_day")}
    return {"tables": tables, "quality": quality, "meta": meta}


ONE_FILE: dict[str, dict] = {}


def _one_file(fmt: str) -> dict:
    if fmt not in ONE_FILE:
        with tempfile.TemporaryDirectory() as tmp:
            folder = shop(Path(tmp) / "shop", {f"events.{fmt}": _events()})
            wh = load(folder)
            ONE_FILE[fmt] = _comparable(wh)
            wh.close()
    return ONE_FILE[fmt]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.integers(1, 23), max_size=5, unique=True).map(sorted),
       landed=st.integers(0, 5), fmt=st.sampled_from(["parquet", "csv"]))
def test_a_table_cut_into_parts_landed_in_steps_equals_the_one_file_table(tmp_path, cuts, landed, fmt):
    rows = _events()
    bounds = [0, *cuts, len(rows)]
    parts = [rows[a:b] for a, b in itertools.pairwise(bounds)]
    landed = min(landed, len(parts))
    with tempfile.TemporaryDirectory(dir=tmp_path) as tmp:
        folder = Path(tmp) / "shop"
        for step in ([landed] if 0 < landed < len(parts) else []) + [len(parts)]:
            shop(folder, {f"events/part-{i:02d}.{fmt}": part for i, part in enumerate(parts[:step])})
            plan = plan_warehouse(folder)
            wh = load(folder)
        assert plan.mode == ("incremental" if 0 < landed < len(parts) else "full")
        got, expected = _comparable(wh), _one_file(fmt)
        wh.close()
    for table, frame in expected["tables"].items():
        pd.testing.assert_frame_equal(got["tables"][table], frame, obj=table)
    pd.testing.assert_frame_equal(got["quality"], expected["quality"])
    assert got["meta"] == expected["meta"]
