"""Load a data source into an embedded DuckDB warehouse, validate it, and query it.

This is the only module that talks to the SQL engine. Metric modules hand it portable SQL
(ANSI joins, GROUP BY, window functions, CASE, integer day numbers) with `:name` placeholders;
engine-specific work (file readers, type coercion, time zones) stays in the loader below, so that
the metric queries could run on another engine (e.g. Spark SQL) unchanged.

In the warehouse every timestamp is naive local time in the source timezone. Every timestamp/date
column has an integer companion holding the local day number (`contract.day_column_name`), so
"day k after first seen" is `event_day - first_seen_day`, and every timestamp column one holding
local seconds since the epoch (`contract.second_column_name`), so a 30-minute gap is `> 1800`.
A `days` table (day, date) spans the data with a margin of 400 days on both sides.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from helpers.core import contract
from helpers.core.contract import ColumnType, Table
from helpers.core.errors import DataError
from helpers.core.paths import cache_dir
from helpers.core.textfiles import utf8_copy
from helpers.core.vocabulary import FALSE_WORDS, TRUE_WORDS

log = logging.getLogger(__name__)

EPOCH = date(1970, 1, 1)
DUCKDB_MEMORY_LIMIT = os.environ.get("WXREPORT_DUCKDB_MEMORY", "2GB")
_LOADER_FILES = ("warehouse.py", "contract.py", "textfiles.py")
_OFFSET_RE = r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$"
QUALITY_CHECKS = {  # survivable problems: warned about, counted, shown in every report's notes
    "events_before_first_seen": "events before the user's first_seen_at",
    "events_unknown_user": "events of users missing from the users table",
    "orders_unknown_user": "orders of users missing from the users table",
}
_ENGINE_TYPE = {
    ColumnType.STRING: "varchar", ColumnType.INT: "bigint", ColumnType.FLOAT: "double",
    ColumnType.BOOL: "boolean", ColumnType.TIMESTAMP: "timestamp", ColumnType.DATE: "date",
}
_EXPECTED = {
    ColumnType.STRING: "text",
    ColumnType.INT: "a whole number, e.g. 1001",
    ColumnType.FLOAT: "a number, e.g. 99.5",
    ColumnType.BOOL: "true/false (also 1/0, yes/no)",
    ColumnType.TIMESTAMP: "a timestamp such as 2026-11-16 08:30:00 (an offset such as +08:00 is honoured)",
    ColumnType.DATE: "a date such as 2026-11-16",
}


def day_number(d: date) -> int:
    """Local day number used by the warehouse's `*_day` columns."""
    return (d - EPOCH).days


def day_to_date(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


# --------------------------------------------------------------------------------------------
# Source discovery and fingerprint
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SourceFile:
    table: str
    path: Path
    kind: str  # "parquet" | "csv" | "duckdb"


def find_source_files(source: Path) -> list[SourceFile]:
    """The contract tables present in a folder or DuckDB file; errors when required ones are missing."""
    if not source.exists():
        raise DataError(f"{source}: data source not found (expected a folder of <table>.parquet / "
                        f"<table>.csv files, or a .duckdb file)")
    if source.is_file():
        if source.suffix not in {".duckdb", ".db"}:
            raise DataError(f"{source}: not a folder or a .duckdb file")
        with duckdb.connect(str(source), read_only=True) as con:
            names = {r[0] for r in con.execute(
                "select table_name from information_schema.tables").fetchall()}
        found = [SourceFile(t, source, "duckdb") for t in contract.TABLES if t in names]
        where = "tables"
    else:
        found = []
        for table in contract.TABLES:
            candidates = [source / f"{table}.parquet", source / f"{table}.csv"]
            present = [p for p in candidates if p.exists()]
            if len(present) > 1:
                raise DataError(f"{source}: both {present[0].name} and {present[1].name} exist; "
                                f"keep one file per table")
            if present:
                found.append(SourceFile(table, present[0], present[0].suffix.lstrip(".")))
        where = "files"
    missing = [t for t in contract.REQUIRED_TABLES if t not in {f.table for f in found}]
    if missing:
        raise DataError(f"{source}: required table(s) {', '.join(missing)} not found; "
                        f"expected {where} named {', '.join(missing)} "
                        f"(.parquet or .csv in a folder, or tables in a .duckdb file)")
    return found


def _hash_file(h: Any, path: Path) -> None:
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)


def data_fingerprint(source: Path) -> str:
    """Content hash of the source's files alone: stable across versions of this code, so what is
    derived from it for people (e.g. referrer pseudonyms) stays the same for the same data."""
    h = hashlib.blake2b(digest_size=16)
    for f in sorted({f.path for f in find_source_files(source)}):
        h.update(f.name.encode())
        _hash_file(h, f)
    return h.hexdigest()


def source_fingerprint(source: Path, tz: str) -> str:
    """Hash of the data, the timezone and the loader code: same hash, same warehouse."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{contract.CONTRACT_VERSION}|{tz}|{data_fingerprint(source)}".encode())
    for name in _LOADER_FILES:
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------

def _first_row(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
               ) -> tuple[Any, ...] | None:
    """The first row of a query, draining the result (DuckDB 2 results own the connection)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_list(words: tuple[str, ...]) -> str:
    return ",".join(_sql_str(w) for w in words)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Loader:
    """Validates one source table by table inside DuckDB and writes the typed warehouse tables."""

    def __init__(self, con: duckdb.DuckDBPyConnection, tz: str, workdir: Path):
        self.con = con
        self.tz = tz
        self.workdir = workdir
        self.quality: list[dict[str, Any]] = []
        self.provided: dict[str, list[str]] = {}

    def load(self, f: SourceFile) -> None:
        table = contract.TABLES[f.table]
        where = f"{f.path}" if f.kind != "duckdb" else f"{f.path} (table {f.table})"
        raw = f"raw_{f.table}"
        self._read_raw(f, raw)
        raw_types = dict(self.con.execute(
            "select column_name, data_type from information_schema.columns where table_name = ?",
            [raw]).fetchall())
        present = [c for c in table.columns if c.name in raw_types]
        missing = [c for c in table.required_columns if c not in raw_types]
        if missing:
            found = ", ".join(c for c in raw_types if c != "_row") or "none"
            raise DataError(f"{where}: required column(s) {', '.join(missing)} missing "
                            f"(found: {found})")
        typed = {c.name: self._typed_expr(c, raw_types[c.name]) for c in present}
        row_label = "line" if f.kind == "csv" else "row"
        for c in present:
            expr = typed[c.name]
            if c.type is not ColumnType.STRING:
                self._fail_if(raw, f"{_ident(c.name)} is not null and ({expr}) is null",
                              where, c.name, row_label,
                              f"cannot be read as {c.type.value}; expected {_EXPECTED[c.type]}")
            if c.required:
                self._fail_if(raw, f"({expr}) is null", where, c.name, row_label,
                              "is empty, but the column is required")
            if c.non_negative:
                self._fail_if(raw, f"({expr}) < 0", where, c.name, row_label,
                              "is negative; expected a value >= 0")
        if table.key:
            self._fail_on_duplicates(raw, table, typed, where, row_label)
        extras = [c for c in raw_types if c not in typed and c != "_row"]
        select = [f"{expr} as {_ident(name)}" for name, expr in typed.items()]
        # Optional columns the source lacks exist as typed NULLs, so queries need no variants;
        # `Warehouse.has` tells which columns the source really provided.
        select += [f"cast(null as {_ENGINE_TYPE[c.type]}) as {_ident(c.name)}"
                   for c in table.columns if c.name not in typed]
        select += [_ident(c) for c in extras]
        self.provided[f.table] = [c.name for c in present]
        for c in table.time_columns:
            value = typed.get(c.name, f"cast(null as {_ENGINE_TYPE[c.type]})")
            select.append(f"datediff('day', DATE '1970-01-01', cast({value} as date)) "
                          f"as {contract.day_column_name(c.name)}")
            if c.type is ColumnType.TIMESTAMP:
                select.append(f"epoch(cast({value} as timestamp))::bigint "
                              f"as {contract.second_column_name(c.name)}")
        self.con.execute(f"create table {_ident(f.table)} as select {', '.join(select)} "
                         f"from {raw} order by _row")
        self.con.execute(f"drop table {raw}")

    def _read_raw(self, f: SourceFile, raw: str) -> None:
        if f.kind == "csv":
            path = utf8_copy(f.path, self.workdir)
            try:
                self.con.execute(
                    f"create table {raw} as select * from read_csv({_sql_str(str(path))}, "
                    f"all_varchar = true, header = true)")
            except duckdb.Error as exc:
                raise DataError(f"{f.path}: cannot be read as CSV: {exc}") from None
            self.con.execute(f"alter table {raw} add column _row bigint")
            self.con.execute(f"update {raw} set _row = rowid + 2")  # line number, header = 1
        elif f.kind == "parquet":
            try:
                self.con.execute(
                    f"create table {raw} as select * exclude (file_row_number), "
                    f"file_row_number + 1 as _row from read_parquet({_sql_str(str(f.path))}, "
                    f"file_row_number = true)")
            except duckdb.Error as exc:
                raise DataError(f"{f.path}: cannot be read as Parquet: {exc}") from None
        else:
            self.con.execute(f"attach if not exists {_sql_str(str(f.path))} as src (read_only)")
            self.con.execute(f"create table {raw} as select *, rowid + 1 as _row "
                             f"from src.{_ident(f.table)}")

    def _typed_expr(self, c: contract.Column, raw_type: str) -> str:
        x = _ident(c.name)
        is_text = raw_type == "VARCHAR"
        if c.type is ColumnType.STRING:
            return f"nullif(trim(cast({x} as varchar)), '')"
        if c.type is ColumnType.INT:
            if is_text:
                num = f"try_cast(replace(trim({x}), ',', '') as double)"
                return f"case when {num} = floor({num}) then cast({num} as bigint) end"
            return f"try_cast({x} as bigint)"
        if c.type is ColumnType.FLOAT:
            if is_text:
                return f"try_cast(replace(trim({x}), ',', '') as double)"
            return f"try_cast({x} as double)"
        if c.type is ColumnType.BOOL:
            if is_text:
                v = f"lower(trim({x}))"
                return (f"case when {v} in ({_sql_list(TRUE_WORDS)}) then true "
                        f"when {v} in ({_sql_list(FALSE_WORDS)}) then false end")
            return f"try_cast({x} as boolean)"
        tz = _sql_str(self.tz)
        if is_text:
            v = f"trim({x})"
            ts = (f"case when regexp_matches({v}, {_sql_str(_OFFSET_RE)}) "
                  f"then timezone({tz}, try_cast({v} as timestamptz)) "
                  f"else try_cast({v} as timestamp) end")
        elif raw_type.startswith("TIMESTAMP WITH TIME ZONE"):
            ts = f"timezone({tz}, {x})"
        else:
            ts = f"try_cast({x} as timestamp)"
        return ts if c.type is ColumnType.TIMESTAMP else f"cast({ts} as date)"

    def _fail_if(self, raw: str, condition: str, where: str, column: str, row_label: str,
                 problem: str) -> None:
        row = _first_row(
            self.con, f"select count(*) over (), _row, cast({_ident(column)} as varchar) from {raw} "
            f"where {condition} order by _row limit 1")
        if row:
            n, first, value = row
            shown = "empty" if value is None else repr(value)
            raise DataError(f"{where}: column {column}: {n:,} value(s) {problem}; "
                            f"first at {row_label} {first}: {shown}")

    def _fail_on_duplicates(self, raw: str, table: Table, typed: dict[str, str], where: str,
                            row_label: str) -> None:
        key = " || chr(31) || ".join(f"coalesce(cast({typed[k]} as varchar), '')" for k in table.key)
        row = _first_row(
            self.con, f"select count(*) over (), k, rows from (select {key} as k, "
            f"list(_row order by _row) as rows from {raw} group by k having count(*) > 1) "
            f"order by rows[1] limit 1")
        if row:
            n, value, rows = row
            shown = " / ".join(value.split(chr(31)))
            raise DataError(f"{where}: column {', '.join(table.key)}: {n:,} duplicated key(s), "
                            f"expected unique; first {shown!r} at {row_label}s "
                            f"{', '.join(map(str, rows[:5]))}")

    def check_cross_table(self, tables: set[str]) -> None:
        """Problems that are real but survivable: counted, warned about, shown in the reports."""
        checks = [
            ("events", "events_before_first_seen",
             "select count(*), min(e.user_id || ' at ' || cast(e.event_time as varchar)) "
             "from events e join users u on e.user_id = u.user_id "
             "where e.event_time < u.first_seen_at"),
            ("events", "events_unknown_user",
             "select count(*), min(e.user_id) from events e "
             "where not exists (select 1 from users u where u.user_id = e.user_id)"),
        ]
        if "orders" in tables:
            checks.append(("orders", "orders_unknown_user",
                           "select count(*), min(o.order_id) from orders o "
                           "where not exists (select 1 from users u where u.user_id = o.user_id)"))
        for table, check, sql in checks:
            n, example = _first_row(self.con, sql)
            if n:
                log.warning("data quality: %s: %s rows: %s (e.g. %s); kept and counted",
                            table, n, QUALITY_CHECKS[check], example)
                self.quality.append({"table_name": table, "check_name": check, "rows": n,
                                     "example": example})


def build_warehouse(source: Path, tz: str = "Asia/Shanghai", target: Path | None = None) -> Path:
    """Validate `source` and land it in a DuckDB file; reuses the cached file for the same content."""
    source = Path(source).resolve()
    try:
        ZoneInfo(tz)
    except Exception:
        raise DataError(f"timezone {tz!r} is not a known IANA zone (e.g. Asia/Shanghai)") from None
    fingerprint = source_fingerprint(source, tz)
    target = target or cache_dir() / "warehouse" / f"{fingerprint}.duckdb"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    files = find_source_files(source)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        tmp_db = Path(tmp) / "warehouse.duckdb"
        con = duckdb.connect(str(tmp_db), config={"memory_limit": DUCKDB_MEMORY_LIMIT})
        try:
            con.execute(f"set temp_directory = {_sql_str(str(Path(tmp) / 'spill'))}")
            loader = _Loader(con, tz, Path(tmp))
            for f in files:
                loader.load(f)
            loader.check_cross_table({f.table for f in files})
            _write_meta(con, source, tz, fingerprint, files, loader)
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp_db, target)
    return target


def _write_meta(con: duckdb.DuckDBPyConnection, source: Path, tz: str, fingerprint: str,
                files: list[SourceFile], loader: _Loader) -> None:
    first, last = _first_row(con, "select min(event_day), max(event_day) from events")
    if first is None:
        raise DataError(f"{source}: the events table has no rows")
    # A day dimension (day number, date) around the data, so that per-day queries also return
    # days without any event.
    con.execute(f"create table days as select range::integer as day, "
                f"date '1970-01-01' + range::integer as date from range({first - 400}, {last + 401})")
    meta = {
        "source": str(source),
        "source_name": source.stem if source.is_file() else source.name,
        "timezone": tz,
        "fingerprint": fingerprint,
        "data_fingerprint": data_fingerprint(source),
        "contract": contract.CONTRACT_VERSION,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": {f.table: _first_row(con, f"select count(*) from {_ident(f.table)}")[0]
                   for f in files},
        "columns": loader.provided,
        "first_day": first,
        "last_day": last,
    }
    con.execute("create table _meta (doc varchar)")
    con.execute("insert into _meta values (?)", [json.dumps(meta)])
    con.execute("create table _quality (table_name varchar, check_name varchar, rows bigint, "
                "example varchar)")
    for q in loader.quality:
        con.execute("insert into _quality values (?, ?, ?, ?)",
                    [q["table_name"], q["check_name"], q["rows"], q["example"]])


# --------------------------------------------------------------------------------------------
# Querying
# --------------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


class Warehouse:
    """Read-only access to a built warehouse; small results come back as pandas DataFrames."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._con = duckdb.connect(str(self.path), read_only=True,
                                   config={"memory_limit": DUCKDB_MEMORY_LIMIT})
        self.meta: dict[str, Any] = json.loads(_first_row(self._con, "select doc from _meta")[0])
        self.tables: dict[str, int] = self.meta["tables"]
        self._columns: dict[str, set[str]] = {t: set(c) for t, c in self.meta["columns"].items()}

    @classmethod
    def from_source(cls, source: Path, tz: str = "Asia/Shanghai") -> Warehouse:
        return cls(build_warehouse(source, tz))

    def close(self) -> None:
        self._con.close()

    def has(self, table: str, *columns: str) -> bool:
        """True when the source provided `table` (and each named column)."""
        if table not in self.tables:
            return False
        return all(c in self._columns.get(table, set()) for c in columns)

    def query(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run portable SQL with `:name` placeholders; returns a (small) DataFrame."""
        params = params or {}
        names = set(_PLACEHOLDER.findall(sql))
        unknown = names - params.keys()
        if unknown:
            raise KeyError(f"query placeholders without values: {sorted(unknown)}")
        engine_sql = _PLACEHOLDER.sub(lambda m: "$" + m.group(1), sql)
        return self._con.execute(engine_sql, {k: params[k] for k in names}).df()

    def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        value = self.query(sql, params).iat[0, 0]
        return None if pd.isna(value) else value

    @property
    def first_date(self) -> date:
        return day_to_date(self.meta["first_day"])

    @property
    def last_date(self) -> date:
        return day_to_date(self.meta["last_day"])

    @property
    def source_name(self) -> str:
        return self.meta["source_name"]

    def quality(self) -> pd.DataFrame:
        """Survivable data problems found while loading (table, check, rows, example)."""
        return self._con.execute("select * from _quality order by table_name, check_name").df()
