"""Bad data sources stop the load with a DataError naming the file, the column, the physical line
and the value, and what was expected; never a traceback, never a user id. Odd but valid sources
(BOM, GBK, CRLF, quoted line breaks, decimal commas, a discount above the amount) load."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers.core.errors import DataError
from helpers.core.warehouse import Warehouse, build_warehouse

from conftest import minimal_tables, write_source

U1, U2, U3, U4, U5 = "oX7Qm2Lk9Pz4", "oY3Rt8Wn5Vb1", "oZ6Hc1Jd4Ke8", "oW2Nf7Gs3Ma5", "oV9Bp4Tq6Ly2"
OPENID = "oGZUI0egBJY1zhBYw2KhdUfwVJJE"
PEOPLE = (U1, U2, U3, U4, U5, OPENID)  # openid-like user ids: no message may quote them
HEADER = "user_id,event_time,event"


def shop() -> dict[str, list[dict]]:
    """conftest's minimal shop with openid-like user ids, a campaign and an article's stats."""
    tables = minimal_tables()
    ids = {"a": U1, "b": U2}
    for rows in tables.values():
        for row in rows:
            row["user_id"] = ids[row["user_id"]]
    tables["campaigns"] = [{"campaign_id": "c1", "name": "new", "start_at": "2026-11-01 00:00:00",
                            "end_at": "2026-11-10 00:00:00", "cost": 100.0, "budget": 200.0,
                            "holdout": 0.1}]
    tables["article_stats"] = [{"article_id": "a1", "date": "2026-11-10", "readers": 10,
                                "finish_rate": 0.5}]
    return tables


Builder = Callable[[Path], Path]


def edited(change: Callable[[dict], object], fmt: str = "csv", encoding: str = "utf-8") -> Builder:
    """The shop after `change(tables)`, written as CSV or Parquet files."""
    def build(folder: Path) -> Path:
        tables = shop()
        change(tables)
        return write_source(folder / "src", tables, fmt=fmt, encoding=encoding)
    return build


def cell(table: str, row: int, column: str, value: object, fmt: str = "csv") -> Builder:
    return edited(lambda t: t[table][row].__setitem__(column, value), fmt)


def column(table: str, name: str, values: list, fmt: str = "csv") -> Builder:
    """Set a whole column (Parquet keeps its type from the values)."""
    def change(tables: dict) -> None:
        for row, value in zip(tables[table], values, strict=True):
            row[name] = value
    return edited(change, fmt)


def files(contents: dict[str, str | bytes], base: Callable[[dict], object] = lambda t: None) -> Builder:
    """The shop as CSV, with some files replaced by the given text or bytes (or a directory)."""
    def build(folder: Path) -> Path:
        source = edited(base)(folder)
        for name, content in contents.items():
            path = source / name
            if content == "<dir>":
                path.unlink()
                path.mkdir()
            elif isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
        return source
    return build


def duckdb_file(sql: list[str] | None = None, raw: bytes | None = None) -> Builder:
    def build(folder: Path) -> Path:
        db = folder / "shop.duckdb"
        if raw is not None:
            db.write_bytes(raw)
            return db
        with duckdb.connect(str(db)) as con:
            for name, rows in shop().items():
                frame = pd.DataFrame(rows)  # noqa: F841 (read by the SQL below)
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            for statement in sql or []:
                con.execute(statement)
        return db
    return build


def symlink_loop(folder: Path) -> Path:
    (folder / "a").symlink_to(folder / "b")
    (folder / "b").symlink_to(folder / "a")
    return folder / "a"


def parquet_column(table: str, name: str, values: pa.Array) -> Builder:
    """The shop as Parquet with one column written by pyarrow as given (NaN stays NaN, not null)."""
    def build(folder: Path) -> Path:
        source = edited(lambda t: None, fmt="parquet")(folder)
        data = pq.read_table(source / f"{table}.parquet")
        pq.write_table(data.set_column(data.schema.get_field_index(name), name, values),
                       source / f"{table}.parquet")
        return source
    return build


def events_csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


GOOD_EVENTS = [f"{U1},2026-11-09 10:00:00,launch", f"{U1},2026-11-15 23:59:59,launch",
               f"{U2},2026-11-17 09:00:00,launch"]
YEAR_12000 = int(np.datetime64("12000-01-01T00:00:00", "us").astype("int64"))  # microseconds


@dataclass
class Case:
    build: Builder
    message: tuple[str, ...] = ()  # substrings of the DataError; empty: the source must load
    check: Callable[[Warehouse], bool] | None = None


def bad(build: Builder, *message: str) -> Case:
    return Case(build, message)


def good(build: Builder, check: Callable[[Warehouse], bool]) -> Case:
    return Case(build, check=check)


CASES = {
    # --- held before issue 10: kept --------------------------------------------------------------
    "missing folder": bad(lambda d: d / "nowhere", "nowhere: data source not found"),
    "../ path": bad(lambda d: d / "src" / ".." / ".." / "elsewhere", "elsewhere: data source not found"),
    "missing table": bad(edited(lambda t: t.pop("events")), "required table(s) events not found"),
    "missing column": bad(edited(lambda t: [r.pop("event") for r in t["events"]]), "events.csv",
                          "required column(s) event missing (found: user_id, event_time)"),
    "negative amount": bad(cell("orders", 2, "amount", -5), "orders.csv: column amount: 1 value(s) "
                           "is negative; expected a value from 0", "first at line 4: '-5.0'"),
    "duplicate order id": bad(edited(lambda t: t["orders"].append(dict(t["orders"][0]))),
                              "orders.csv: column order_id: 1 duplicated key(s), expected unique; "
                              "first 'o1' at lines 2, 5"),
    "duplicate user id": bad(edited(lambda t: t["users"].append(dict(t["users"][0]))),
                             "users.csv: column user_id: 1 duplicated key(s), expected unique; "
                             "first at lines 2, 4"),
    "unreadable timestamp": bad(cell("events", 2, "event_time", "yesterday"),
                                "events.csv: column event_time: 1 value(s) cannot be read as "
                                "timestamp", "first at line 4: 'yesterday'"),
    "unreadable text number in parquet": bad(
        column("orders", "amount", ["50.0", "thirty", "99"], fmt="parquet"),
        "orders.parquet: column amount: 1 value(s) cannot be read as float", "row 2: 'thirty'"),
    "empty required value": bad(cell("events", 0, "user_id", ""), "events.csv: column user_id: "
                                "1 value(s) is empty, but the column is required; first at line 2"),
    "corrupt parquet": bad(files({"events.parquet": b"PAR1 this is not parquet PAR1"},
                                 lambda t: t.pop("events")), "events.parquet: cannot be read as Parquet"),
    "neither UTF-8 nor GBK": bad(files({"users.csv": b"user_id,first_seen_at\n\xff\xff,2026\n"}),
                                 "users.csv: not valid UTF-8 or GB18030 text"),
    "both csv and parquet": bad(files({"users.parquet": b""}), "both users.parquet and users.csv exist"),
    # --- item 3: no user id in messages (checked for every case below) ---------------------------
    "duplicate assignment hides the user": bad(
        edited(lambda t: t.update(assignments=[{"campaign_id": "c1", "user_id": U1, "variant": "a"}] * 2)),
        "assignments.csv: column campaign_id, user_id: 1 duplicated key(s)", "first at lines 2, 3"),
    "an openid in a non-person column": bad(column("users", "scene", [OPENID, "1089"]),
                                            "users.csv: column scene: 1 value(s) cannot be read as int",
                                            "first at line 2: (value not shown: it identifies a person)"),
    # --- item 4: non-finite numbers ------------------------------------------------------------
    **{f"amount {v}": bad(cell("orders", 1, "amount", v), "orders.csv: column amount: 1 value(s) "
                          "is not a finite number", f"first at line 3: '{v}'")
       for v in ("NaN", "nan", "inf", "Infinity", "-inf", "1e400")},
    **{f"parquet amount {v}": bad(parquet_column("orders", "amount", pa.array([50.0, v, 99.0])),
                                  "orders.parquet: column amount: 1 value(s) is not a finite number",
                                  f"row 2: '{v}'")
       for v in (math.nan, math.inf, -math.inf)},
    "parquet amount null": bad(column("orders", "amount", [50.0, math.nan, 99.0], fmt="parquet"),
                               "orders.parquet: column amount: 1 value(s) is empty, but the column "
                               "is required; first at row 2"),
    # --- item 5: decimal separators --------------------------------------------------------------
    "ambiguous thousands in ;-file": bad(
        files({"orders.csv": f"order_id;user_id;paid_at;amount\no1;{U1};2026-11-10 12:00:00;1,234\n"}),
        "orders.csv: column amount, line 2: '1,234' can be read as a thousands group or as decimals"),
    "mixed decimal separators": bad(
        files({"orders.csv": f"order_id;user_id;paid_at;amount;discount\n"
                             f"o1;{U1};2026-11-10 12:00:00;27,71;0\no2;{U1};2026-11-10 12:00:00;3.25;0\n"}),
        "orders.csv: numbers are written with a decimal point (column amount, line 3: '3.25') "
        "and with a decimal comma (column amount, line 2: '27,71')"),
    "decimal comma in a comma file": bad(cell("orders", 0, "amount", "27,71"),
                                         "orders.csv: column amount: 1 value(s) cannot be read as "
                                         "float", "line 2: '27,71'"),
    # --- item 6: required tables -----------------------------------------------------------------
    "header-only users": bad(files({"users.csv": "user_id,first_seen_at,channel\n"}),
                             "users.csv: no rows; the users table is required"),
    "most event users unknown": bad(
        files({"events.csv": events_csv(f"{U3},2026-11-09 10:00:00,launch",
                                        f"{U1},2026-11-09 10:00:00,launch",
                                        f"{U4},2026-11-10 10:00:00,launch",
                                        f"{U5},2026-11-11 10:00:00,launch",
                                        f"{U3},2026-11-12 10:00:00,launch")}),
        "events.csv: 3 of the 4 users in the events (75%) are missing from",
        "users.csv, e.g. the events at lines 2, 4, 5"),
    # --- item 8: silently accepted before ----------------------------------------------------------
    "duplicated header": bad(files({"users.csv": f"user_id,first_seen_at,user_id\n{U1},2026-11-09 10:00:00,x\n"}),
                             "users.csv: line 1 (header): column user_id appears twice (fields 1 and 3)"),
    "fractional int in parquet": bad(column("users", "scene", [1001.5, 1089.0], fmt="parquet"),
                                     "users.parquet: column scene: 1 value(s) cannot be read as int",
                                     "row 1: '1001.5'"),
    "fractional int in csv": bad(column("users", "scene", ["1001.5", "1089"]),
                                 "users.csv: column scene: 1 value(s) cannot be read as int", "line 2: '1001.5'"),
    "holdout above 1": bad(cell("campaigns", 0, "holdout", 1.5), "campaigns.csv: column holdout: 1 "
                           "value(s) is above 1; expected a value from 0 to 1", "line 2: '1.5'"),
    "holdout negative": bad(cell("campaigns", 0, "holdout", -0.1), "column holdout", "is negative"),
    "campaign ends before it starts": bad(
        cell("campaigns", 0, "end_at", "2026-10-01 00:00:00"),
        "campaigns.csv: column end_at: 1 value(s) is before start_at of the same row; expected end_at "
        "on or after start_at", "line 2: '2026-10-01 00:00:00'"),
    "finish rate above 1": bad(cell("article_stats", 0, "finish_rate", 1.2),
                               "article_stats.csv: column finish_rate", "is above 1", "line 2: '1.2'"),
    "timestamp before 1970": bad(cell("users", 1, "first_seen_at", "1969-12-31 23:00:00"),
                                 "users.csv: column first_seen_at: 1 value(s) is before 1970-01-01",
                                 "line 3: '1969-12-31 23:00:00'"),
    "timestamp after the run date": bad(cell("orders", 1, "paid_at", "2099-01-01 00:00:00"),
                                        "orders.csv: column paid_at: 1 value(s) is after",
                                        "(the run date", "line 3: '2099-01-01 00:00:00'"),
    **{f"{t}.{c} of 1e12": bad(cell(t, 0, c, 1e12), f"{t}.csv: column {c}: 1 value(s) is "
                               "1,000,000,000,000 or more; expected a value from 0 to below "
                               "1,000,000,000,000", "line 2: '1000000000000.0'")
       for t, c in [("orders", "amount"), ("orders", "discount"), ("campaigns", "cost"),
                    ("campaigns", "budget")]},
    "spend cost of 1e13": bad(edited(lambda t: t.update(spend=[{"date": "2026-11-10", "channel": "kol",
                                                                "cost": 1e13}])),
                              "spend.csv: column cost", "or more", "line 2"),
    # --- item 9: tracebacks before ------------------------------------------------------------------
    **{f"int column {v}": bad(column("users", "scene", [v, "1089"]),
                              "users.csv: column scene: 1 value(s) cannot be read as int; expected a "
                              "whole number", f"line 2: '{v}'")
       for v in ("NaN", "inf", "1e20", "12345678901234567890123")},
    "parquet int column 1e20": bad(column("users", "scene", [1e20, 1089.0], fmt="parquet"),
                                   "users.parquet: column scene", "cannot be read as int", "row 1"),
    "garbage duckdb file": bad(duckdb_file(raw=b"\x00garbage" * 600), "shop.duckdb: cannot be opened "
                               "as a DuckDB database", "expected a database file written by DuckDB"),
    "empty duckdb file": bad(duckdb_file(raw=b""), "shop.duckdb: cannot be opened as a DuckDB database"),
    "users in another schema": bad(
        duckdb_file(["CREATE SCHEMA staging", "CREATE TABLE staging.users AS SELECT * FROM users",
                     "DROP TABLE main.users"]),
        "shop.duckdb: users is in schema 'staging'; expected it in the main schema"),
    "users as a view": bad(duckdb_file(["CREATE TABLE people AS SELECT * FROM users", "DROP TABLE users",
                                        "CREATE VIEW users AS SELECT * FROM people"]),
                           "shop.duckdb: users is a view; expected a table"),
    "symlink loop": bad(symlink_loop, "cannot be resolved", "expected a folder of <table>.parquet"),
    "users.csv is a directory": bad(files({"users.csv": "<dir>"}), "users.csv: is a directory; "
                                    "expected a csv file"),
    "event in year 12000": bad(files({"events.csv": events_csv(*GOOD_EVENTS, f"{U2},12000-01-01 00:00:00,pay")}),
                               "events.csv: column event_time: 1 value(s) is after", "line 5: '12000-01-01 00:00:00'"),
    "parquet event in year 12000": bad(
        parquet_column("events", "event_time", pa.array([datetime(2026, 11, 9, 10)] * 4 + [None],
                                                        pa.timestamp("us")).fill_null(YEAR_12000)),
        "events.parquet: column event_time", "is after", "row 5: '12000-01-01 00:00:00'"),
    "empty file": bad(files({"users.csv": ""}), "users.csv: line 1: no header"),
    # --- item 10: misleading messages before ---------------------------------------------------------
    "ragged row at the end": bad(files({"events.csv": events_csv(*GOOD_EVENTS, f"{U2},2026-01-01,launch,extra1")}),
                                 "events.csv: line 5: the row has too many fields (4); expected 3"),
    "short row in the middle": bad(files({"events.csv": events_csv(GOOD_EVENTS[0], f"{U1},2026-11-10",
                                                                   *GOOD_EVENTS[1:])}),
                                   "events.csv: line 3: the row has too few fields (2); expected 3"),
    "three stray events in 2099": bad(
        files({"events.csv": events_csv(*GOOD_EVENTS, *[f"{U1},2099-01-0{d} 10:00:00,launch" for d in (1, 2, 3)])}),
        "events.csv: column event_time: 3 value(s) is after", "first at line 5: '2099-01-01 10:00:00'"),
    "line numbers are physical lines": bad(
        files({"events.csv": events_csv(f'{U1},2026-11-09 10:00:00,launch,"one\r\ntwo\nthree"',
                                        f"{U1},2026-11-15 23:59:59,launch,home", "",
                                        f"{U2},yesterday,launch,home", header=HEADER + ",page")}),
        "events.csv: column event_time: 1 value(s) cannot be read as timestamp; expected",
        "first at line 7: 'yesterday'"),
    "ragged row after a quoted line break": bad(
        files({"events.csv": events_csv(f'{U1},2026-11-09 10:00:00,"launch\nx"', "",
                                        f"{U2},2026-11-17 09:00:00,launch,extra")}),
        "events.csv: line 5: the row has too many fields (4); expected 3"),
    # --- valid sources ---------------------------------------------------------------------------
    "quoted line breaks load": good(
        files({"events.csv": events_csv(f'{U1},2026-11-09 10:00:00,launch,"one\ntwo"',
                                        f"{U2},2026-11-17 09:00:00,launch,home", header=HEADER + ",page")}),
        lambda wh: wh.scalar("SELECT page FROM events WHERE user_id = :u", {"u": U1}) == "one\ntwo"),
    "CRLF loads": good(files({"events.csv": events_csv(*GOOD_EVENTS).replace("\n", "\r\n")}),
                       lambda wh: wh.tables["events"] == 3
                       and wh.scalar("SELECT MAX(LENGTH(event)) FROM events") == len("launch")),
    "BOM loads": good(edited(lambda t: None, encoding="utf-8-sig"), lambda wh: wh.tables["users"] == 2),
    "GBK loads": good(edited(lambda t: t["users"][0].update(city="广州"), encoding="gb18030"),
                      lambda wh: wh.scalar("SELECT city FROM users WHERE city IS NOT NULL") == "广州"),
    "decimal commas in a ;-file load": good(
        files({"orders.csv": f"order_id;user_id;paid_at;amount;discount\no1;{U1};2026-11-10 12:00:00;27,71;0\n"
                             f"o2;{U2};2026-11-22 20:00:00;1.234,5;1,5\n"}),
        lambda wh: wh.scalar("SELECT SUM(amount) FROM orders") == pytest.approx(1262.21)
        and wh.scalar("SELECT SUM(discount) FROM orders") == pytest.approx(1.5)),
    "thousands groups in a ;-file with decimal points load": good(
        files({"orders.csv": f"order_id;user_id;paid_at;amount\no1;{U1};2026-11-10 12:00:00;1,234\n"
                             f"o2;{U2};2026-11-22 20:00:00;5.50\n"}),
        lambda wh: wh.scalar("SELECT SUM(amount) FROM orders") == pytest.approx(1239.5)),
    "quoted thousands in a comma file load": good(
        cell("orders", 0, "amount", "1,234.50"),
        lambda wh: wh.scalar("SELECT MAX(amount) FROM orders") == pytest.approx(1234.5)),
    "discount above the amount loads": good(cell("orders", 0, "discount", 80.0),
                                            lambda wh: wh.scalar("SELECT SUM(discount) FROM orders") == 80.0),
    "empty optional table loads": good(files({"orders.csv": "order_id,user_id,paid_at,amount\n"}),
                                       lambda wh: wh.tables["orders"] == 0),
    "holdout of exactly 0 and 1 and finish rate 1 load": good(
        edited(lambda t: (t["campaigns"].append(dict(t["campaigns"][0], campaign_id="c2", holdout=1.0)),
                          t["campaigns"][0].update(holdout=0.0), t["article_stats"][0].update(finish_rate=1.0))),
        lambda wh: wh.scalar("SELECT SUM(holdout) FROM campaigns") == 1.0),
    "a few unknown users load, counted": good(
        files({"events.csv": events_csv(*GOOD_EVENTS, f"{U3},2026-11-18 10:00:00,launch")}),
        lambda wh: wh.quality().query("check_name == 'events_unknown_user'").example.tolist() == ["line 5"]),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_source_is_rejected_with_a_located_message(tmp_path, case):
    source = case.build(tmp_path)
    if not case.message:
        wh = Warehouse(build_warehouse(source))
        try:
            assert case.check(wh)
        finally:
            wh.close()
        return
    with pytest.raises(DataError) as err:
        build_warehouse(source)
    message = str(err.value)
    for part in case.message:
        assert part in message
    assert not [uid for uid in PEOPLE if uid in message], message


def test_cli_exits_2_with_the_message_and_no_traceback(tmp_path):
    source = CASES["amount NaN"].build(tmp_path)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run([sys.executable, "-m", "helpers.cli", "run", "--data", str(source),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 2
    assert "orders.csv: column amount: 1 value(s) is not a finite number" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
