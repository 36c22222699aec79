"""Read one source table into DuckDB as text or engine types, validate it against the contract,
and land it typed.

Validation runs inside DuckDB in one pass per table: every column's values must be readable as
its type, present when required, finite, within the contract's bounds (`Column.min/max/below`,
time values from 1970-01-01 to the run date + `days_ahead`), and every row must follow the table's
rules (`Table.rules`) and key. The first problem stops the load with a DataError naming the file,
the column, how many values fail, the first one's physical line (CSV) or row, its value and what
was expected. Values of columns that identify a person are never quoted: rows are located by line.
Admin-console exports (core.exports) are read into the same raw table, each row located at its
export file and line, and validated the same way.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from helpers.core import contract
from helpers.core.casts import ENGINE_TYPE, EXPECTED, holds_value, ident, number_style, sql_str, typed_expr
from helpers.core.contract import Column, ColumnType, Table
from helpers.core.csvfiles import CsvFile, open_csv, physical_lines, raise_for_rejects, read_csv_sql
from helpers.core.errors import DataError
from helpers.core.exports import Spot, read_export_table
from helpers.core.sources import SourceFile, engine_reason

log = logging.getLogger(__name__)

QUALITY_CHECKS = {  # survivable problems: warned about, counted, shown in every report's notes
    "events_before_first_seen": "events before the user's first_seen_at",
    "events_unknown_user": "events of users missing from the users table",
    "orders_unknown_user": "orders of users missing from the users table",
}
_SHOWN_CHARS = 80
_OPENID = re.compile(r"o[A-Za-z0-9_-]{27}")  # WeChat openid/unionid: 28 characters from "o"


def first_row(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
              ) -> tuple[Any, ...] | None:
    """The first row of a query, draining the result (DuckDB 2 results own the connection)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


@dataclass(frozen=True)
class Place:
    """Where a table's rows come from, for messages: CSV rows by physical line, export rows by
    their file's line, others by row."""

    source: SourceFile
    csv: CsvFile | None = None
    spots: tuple[Spot, ...] = ()  # exports: where record k + 1 comes from

    @property
    def label(self) -> str:
        return "line" if self.csv or self.spots else "row"

    def at(self, records: list[int]) -> str:
        """'line 7' / 'lines 2, 9' for record numbers (1 = the first row of data); exports from
        several files: 'a.csv line 3, b.xls line 3'."""
        if self.spots:
            spots = [self.spots[r - 1] for r in records]
            if len(self.source.files) > 1 or any(s.unit != "line" for s in spots):
                return ", ".join(f"{s.path.name} {s}" for s in spots)
            return f"line{'s' if len(spots) > 1 else ''} {', '.join(str(s.number) for s in spots)}"
        lines = physical_lines(self.csv, records) if self.csv else {}
        shown = ", ".join(str(lines.get(r, r)) for r in records)
        return f"{self.label}{'s' if len(records) > 1 else ''} {shown}"


@dataclass(frozen=True)
class _Check:
    column: str
    condition: str  # true for the rows that fail, over the raw table
    problem: str


def _shown(value: Any, column: Column) -> str:
    if value is None:
        return "empty"
    text = str(value)
    if column.personal or _OPENID.fullmatch(text.strip()):
        return "(value not shown: it identifies a person)"
    return repr(text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "...")


def _bounds_text(c: Column) -> str:
    upper = (f" to {c.max:g}" if c.max is not None
             else f" to below {c.below:,.0f}" if c.below is not None else "")
    return f"a value from {c.min:g}{upper}" if c.min is not None else f"a value{upper}"


class Loader:
    """Validates one source table by table inside DuckDB and writes the typed warehouse tables."""

    def __init__(self, con: duckdb.DuckDBPyConnection, tz: str, workdir: Path,
                 required: list[str]):
        self.con = con
        self.tz = tz
        self.workdir = workdir
        self.required = required
        self.run_date = datetime.now(ZoneInfo(tz)).date()
        self.quality: list[dict[str, Any]] = []
        self.provided: dict[str, list[str]] = {}
        self.places: dict[str, Place] = {}

    def load(self, f: SourceFile) -> None:
        table = contract.TABLES[f.table]
        raw = f"raw_{f.table}"
        place = self._read_raw(f, raw)
        self.places[f.table] = place
        raw_types = dict(self.con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_catalog = current_database() and table_name = ?", [raw]).fetchall())
        missing = [c for c in table.required_columns if c not in raw_types]
        if missing:
            found = ", ".join(c for c in raw_types if c != "_row") or "none"
            raise DataError(f"{f.where}: required column(s) {', '.join(missing)} missing "
                            f"(found: {found})")
        if f.table in self.required and not first_row(self.con, f"select 1 from {raw} limit 1"):
            raise DataError(f"{f.where}: no rows; the {f.table} table is required, expected "
                            f"{table.meaning}")
        comma = bool(place.spots) or (place.csv is not None and place.csv.delimiter == ",")
        style = number_style(self.con, raw, table, raw_types, comma, f.where,
                             lambda record: place.at([record]))
        present = [c for c in table.columns if c.name in raw_types]
        typed = {c.name: typed_expr(c, raw_types[c.name], style, self.tz) for c in present}
        checks = [check for c in present
                  for check in self._column_checks(c, typed[c.name], raw_types[c.name])]
        checks += [_Check(r.column, f"({typed[r.column]}) < ({typed[r.other]})",
                          f"is before {r.other} of the same row; expected {r.column} on or "
                          f"after {r.other}")
                   for r in table.rules if r.column in typed and r.other in typed]
        self._fail_on_first(raw, table, checks, place)
        if table.key:
            self._fail_on_duplicates(raw, table, typed, place)
        self._land(f.table, table, raw, typed, raw_types)

    def _read_raw(self, f: SourceFile, raw: str) -> Place:
        """The source table as `raw`, with `_row` = its record number (1 = the first row of data)."""
        if f.kind == "export":
            return self._read_exports(f, raw)
        if f.kind == "csv":
            csv = open_csv(f.path, self.workdir)
            rejects = f"rejects_{f.table}"
            self._create(f, raw, f"select * from {read_csv_sql(csv, rejects)}", "CSV")
            raise_for_rejects(self.con, csv, rejects)
            self.con.execute(f"alter table {raw} add column _row bigint")
            self.con.execute(f"update {raw} set _row = rowid + 1")
            return Place(f, csv)
        if f.kind == "parquet":
            self._create(f, raw, f"select * exclude (file_row_number), file_row_number + 1 as _row "
                         f"from read_parquet({sql_str(str(f.path))}, file_row_number = true)",
                         "Parquet")
        else:
            self.con.execute(f"attach if not exists {sql_str(str(f.path))} as src (read_only)")
            self._create(f, raw, f"select *, rowid + 1 as _row from src.{ident(f.table)}",
                         "a DuckDB table")
        return Place(f)

    def _read_exports(self, f: SourceFile, raw: str) -> Place:
        """The table's rows from its admin-console exports, as text (core.exports)."""
        rows = read_export_table(f.table, f.files)
        data = pa.table({**{c: pa.array([r[i] for r in rows.rows], pa.string())
                            for i, c in enumerate(rows.columns)},
                         "_row": pa.array(range(1, len(rows.rows) + 1), pa.int64())})
        self.con.register("export_rows", data)
        try:
            self.con.execute(f"create table {raw} as select * from export_rows")
        finally:
            self.con.unregister("export_rows")
        return Place(f, spots=tuple(rows.spots))

    def _create(self, f: SourceFile, raw: str, select: str, kind: str) -> None:
        try:
            self.con.execute(f"create table {raw} as {select}")
        except duckdb.Error as exc:
            raise DataError(f"{f.where}: cannot be read as {kind} ({engine_reason(exc)})") from None

    def _column_checks(self, c: Column, expr: str, raw_type: str) -> list[_Check]:
        """What a value of `c` must satisfy, in the order problems are reported."""
        checks = []
        if c.type is not ColumnType.STRING:
            checks.append(_Check(c.name, f"{holds_value(c.name, raw_type)} and ({expr}) is null",
                                 f"cannot be read as {c.type.value}; expected {EXPECTED[c.type]}"))
        if c.required:
            checks.append(_Check(c.name, f"({expr}) is null", "is empty, but the column is required"))
        if c.values:
            allowed = ", ".join(sql_str(v) for v in c.values)
            checks.append(_Check(c.name, f"({expr}) not in ({allowed})",
                                 f"is not one of {', '.join(c.values)}"))
        if c.type is ColumnType.FLOAT:
            checks.append(_Check(c.name, f"not isfinite({expr})",
                                 f"is not a finite number (NaN or infinity); expected {EXPECTED[c.type]}"))
        expected = _bounds_text(c)
        if c.min is not None:
            below = "is negative" if c.min == 0 else f"is below {c.min:g}"
            checks.append(_Check(c.name, f"({expr}) < {c.min!r}", f"{below}; expected {expected}"))
        if c.max is not None:
            checks.append(_Check(c.name, f"({expr}) > {c.max!r}", f"is above {c.max:g}; expected {expected}"))
        if c.below is not None:
            checks.append(_Check(c.name, f"({expr}) >= {c.below!r}",
                                 f"is {c.below:,.0f} or more; expected {expected}"))
        if c.type in (ColumnType.TIMESTAMP, ColumnType.DATE):
            checks += self._time_checks(c, expr)
        return checks

    def _time_checks(self, c: Column, expr: str) -> list[_Check]:
        last = self.run_date + timedelta(days=c.days_ahead)
        expected = (f"expected a {c.type.value} from {contract.EARLIEST} to {last} (the run date "
                    f"{self.run_date} + {c.days_ahead} day{'s' if c.days_ahead > 1 else ''})")
        day = f"cast({expr} as date)"
        return [_Check(c.name, f"{day} < {_date_sql(contract.EARLIEST)}",
                       f"is before {contract.EARLIEST}; {expected}"),
                _Check(c.name, f"{day} > {_date_sql(last)}", f"is after {last}; {expected}")]

    def _fail_on_first(self, raw: str, table: Table, checks: list[_Check], place: Place) -> None:
        """One pass over the table counting every check; the first failing one is raised."""
        if not checks:
            return
        parts = ", ".join(f"count(*) filter (where {c.condition}), min(_row) filter (where {c.condition})"
                          for c in checks)
        counts = first_row(self.con, f"select {parts} from {raw}")
        for i, check in enumerate(checks):
            n, record = counts[2 * i], counts[2 * i + 1]
            if n:
                value = first_row(self.con, f"select cast({ident(check.column)} as varchar) "
                                            f"from {raw} where _row = ?", [record])[0]
                raise DataError(f"{place.source.where}: column {check.column}: {n:,} value(s) "
                                f"{check.problem}; first at {place.at([record])}: "
                                f"{_shown(value, table.column(check.column))}")

    def _fail_on_duplicates(self, raw: str, table: Table, typed: dict[str, str], place: Place) -> None:
        key = " || chr(31) || ".join(f"coalesce(cast({typed[k]} as varchar), '')" for k in table.key)
        row = first_row(
            self.con, f"select count(*) over (), k, rows from (select {key} as k, "
            f"list(_row order by _row) as rows from {raw} group by k having count(*) > 1) "
            f"order by rows[1] limit 1")
        if row:
            n, value, rows = row
            personal = any(table.column(k).personal for k in table.key)
            shown = "" if personal else f"{' / '.join(value.split(chr(31)))!r} "
            raise DataError(f"{place.source.where}: column {', '.join(table.key)}: {n:,} duplicated "
                            f"key(s), expected unique; first {shown}at {place.at(rows[:5])}")

    def _land(self, name: str, table: Table, raw: str, typed: dict[str, str],
              raw_types: dict[str, str]) -> None:
        """The typed table, in source order (so rowid + 1 is the record number), with day and
        second companions of its time columns and the source's extra columns kept."""
        extras = [c for c in raw_types if c not in typed and c != "_row"]
        select = [f"{expr} as {ident(column)}" for column, expr in typed.items()]
        # Optional columns the source lacks exist as typed NULLs, so queries need no variants;
        # `Warehouse.has` tells which columns the source really provided.
        select += [f"cast(null as {ENGINE_TYPE[c.type]}) as {ident(c.name)}"
                   for c in table.columns if c.name not in typed]
        select += [ident(c) for c in extras]
        self.provided[name] = list(typed)
        for c in table.time_columns:
            value = typed.get(c.name, f"cast(null as {ENGINE_TYPE[c.type]})")
            select.append(f"datediff('day', DATE '1970-01-01', cast({value} as date)) "
                          f"as {contract.day_column_name(c.name)}")
            if c.type is ColumnType.TIMESTAMP:
                select.append(f"epoch(cast({value} as timestamp))::bigint "
                              f"as {contract.second_column_name(c.name)}")
        self.con.execute(f"create table {ident(name)} as select {', '.join(select)} "
                         f"from {raw} order by _row")
        self.con.execute(f"drop table {raw}")

    def check_cross_table(self, tables: set[str]) -> None:
        """Events of unknown users: an error when they are most users, else counted like the other
        survivable problems (warned about, shown in the reports), located by row, never by id.
        Without own tracking (WeChat's statistics only) there are no users to check against."""
        if "users" not in tables:
            return
        self._fail_on_unknown_users()
        checks = [
            ("events", "events_before_first_seen",
             "select count(*), min(e.rowid) + 1 from events e join users u on e.user_id = u.user_id "
             "where e.event_time < u.first_seen_at"),
            ("events", "events_unknown_user",
             "select count(*), min(e.rowid) + 1 from events e "
             "where not exists (select 1 from users u where u.user_id = e.user_id)"),
        ]
        if "orders" in tables:
            checks.append(("orders", "orders_unknown_user",
                           "select count(*), min(o.rowid) + 1 from orders o "
                           "where not exists (select 1 from users u where u.user_id = o.user_id)"))
        for table, check, sql in checks:
            n, record = first_row(self.con, sql)
            if n:
                example = self.places[table].at([record])
                log.warning("data quality: %s: %s rows: %s (first at %s %s); kept and counted",
                            table, n, QUALITY_CHECKS[check], self.places[table].source.where, example)
                self.quality.append({"table_name": table, "check_name": check, "rows": n,
                                     "example": example})

    def _fail_on_unknown_users(self) -> None:
        unknown, total = first_row(
            self.con, "select count(*) filter (where u.user_id is null), count(*) from "
            "(select distinct user_id from events) e left join users u on u.user_id = e.user_id")
        if unknown * 2 <= total:
            return
        records = [r for (r,) in self.con.execute(
            "select e.rowid + 1 from events e where not exists (select 1 from users u "
            "where u.user_id = e.user_id) order by e.rowid limit 3").fetchall()]
        events, users = self.places["events"], self.places["users"]
        raise DataError(f"{events.source.where}: {unknown:,} of the {total:,} users in the events "
                        f"({unknown / total:.0%}) are missing from {users.source.where}, e.g. the "
                        f"events at {events.at(records)}; expected the users table to list the "
                        f"users of the events (most unknown: are both tables from the same export?)")


def _date_sql(d: date) -> str:
    return f"DATE '{d.isoformat()}'"
