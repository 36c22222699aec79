"""Read a source table into DuckDB as text or engine types, validate it against the contract,
and land it typed.

A table is read in chunks: one file, every Parquet part of a table folder at once, or each CSV part
on its own (its dialect and decimal separator are its own). Validation runs inside DuckDB in one
pass per chunk: every column's values must be readable as its type, present when required,
finite, within the contract's bounds (`Column.min/max/below`, time values from 1970-01-01 to the
run date + `days_ahead`), and every row must follow the table's rules (`Table.rules`, and no row its
own parent); the key, and that parents are rows of the table without cycles (`Table.parent`), are
checked over the whole table once its chunks have landed. The first problem stops the load with a
DataError naming the file, the column, how many values fail, the first one's physical line (CSV)
or row (core.places), its value and what was expected. Values of columns that identify a person
are never quoted: rows are located by line. Admin-console exports (core.exports) are read into the
same raw table, each row located at its export file and line, and validated the same way.

`append` lands only new part files of a table folder after the rows an earlier build landed
(`restore`): the new rows are validated like any rows and the key is checked across old and new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from helpers.core import contract, crosstable
from helpers.core.casts import ENGINE_TYPE, EXPECTED, holds_value, ident, number_style, sql_str, typed_expr
from helpers.core.contract import Column, ColumnType, Parent, Table
from helpers.core.crosstable import QUALITY_CHECKS, Checked, cross_table_quality
from helpers.core.csvfiles import open_csv, raise_for_rejects, read_csv_sql
from helpers.core.errors import DataError
from helpers.core.exports import read_export_table
from helpers.core.places import Place
from helpers.core.sources import SourceFile, engine_reason

__all__ = ["QUALITY_CHECKS", "Loader", "NeedsReload", "first_row", "row_checks"]

_SHOWN_CHARS = 80
_OPENID = re.compile(r"o[A-Za-z0-9_-]{27}")  # WeChat openid/unionid: 28 characters from "o"


class NeedsReload(Exception):
    """New parts that do not fit the landed table's columns (an extra column it lacks, or of
    another type): the table is loaded again from all its files, as a full build would."""


def first_row(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
              ) -> tuple[Any, ...] | None:
    """The first row of a query, draining the result (DuckDB 2 results own the connection)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


@dataclass(frozen=True)
class _Chunk:
    """Rows read into the raw table: from `paths`, numbers in text written with a decimal point
    when `comma` (a comma-separated CSV or an export, where a comma only groups thousands). Files
    DuckDB reads well (Parquet, DuckDB tables) are a view over them, read again by each pass
    rather than copied first (`view`)."""

    paths: tuple[Path, ...]
    comma: bool
    view: bool = False


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


def _column_list(values: list[Any]) -> str:
    return "[" + ", ".join(values) + "]"


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
        """Every file of `f` as a new warehouse table."""
        self.places[f.table] = Place(f, self.workdir)
        self.provided[f.table] = []
        self._land_files(f, f.files, fresh=True)

    def restore(self, f: SourceFile, segments: list[tuple[Path, int]], provided: list[str]) -> None:
        """A table an earlier build landed (file and rows of each of its segments, in order)."""
        place = Place(f, self.workdir)
        for path, rows in segments:
            place.add(path, rows)
        self.places[f.table] = place
        self.provided[f.table] = list(provided)

    def append(self, f: SourceFile, parts: tuple[Path, ...]) -> None:
        """New part files of the restored table `f`, landed after its rows; NeedsReload when they
        do not fit its columns."""
        self.places[f.table].source = f
        self._land_files(f, parts, fresh=False)

    def _land_files(self, f: SourceFile, paths: tuple[Path, ...], fresh: bool) -> None:
        table = contract.TABLES[f.table]
        place = self.places[f.table]
        first_new, created = place.rows + 1, not fresh
        for chunk in self._chunks(f, paths, place):
            try:
                typed, raw_types = self._check_chunk(f, table, chunk, place)
                self._land(f.table, table, typed, raw_types, create=not created, grow=fresh)
            except (duckdb.IOException, duckdb.InvalidInputException) as exc:
                if not chunk.view:
                    raise
                kind = "Parquet" if f.kind == "parquet" else "a DuckDB table"  # a damaged page
                raise DataError(f"{f.where}: cannot be read as {kind} ({engine_reason(exc)})") from None
            finally:
                self.con.execute(f"drop {'view' if chunk.view else 'table'} if exists raw_{f.table}")
            created = True
        if f.table in self.required and not first_row(self.con, f"select 1 from {ident(f.table)} limit 1"):
            raise DataError(f"{f.where}: no rows; the {f.table} table is required, expected "
                            f"{table.meaning}")
        if table.key:
            self._fail_on_duplicates(f.table, table, place, first_new)
        if table.parent and table.parent.column in self.provided[f.table]:
            self._fail_on_broken_parents(f.table, table.parent, place)

    # --- reading ---------------------------------------------------------------------------------

    def _chunks(self, f: SourceFile, paths: tuple[Path, ...], place: Place):
        """Reads the files into the raw table `raw_<table>` with `_row` = the record number, one
        chunk at a time (each CSV part alone, Parquet parts together); yields each chunk."""
        if f.kind == "csv":
            for path in paths:
                yield self._read_csv(f, path, place)
        elif f.kind == "parquet":
            yield self._read_parquet(f, paths, place)
        elif f.kind == "export":
            yield self._read_exports(f, place)
        else:
            self.con.execute(f"attach if not exists {sql_str(str(f.path))} as src (read_only)")
            self._create(f, f"select *, rowid + 1 as _row from src.{ident(f.table)}",
                         "a DuckDB table", f.where, view=True)
            place.add(f.path, self._raw_rows(f))
            yield _Chunk((f.path,), False, view=True)

    def _raw_rows(self, f: SourceFile) -> int:
        return first_row(self.con, f"select count(*) from raw_{f.table}")[0]

    def _read_csv(self, f: SourceFile, path: Path, place: Place) -> _Chunk:
        folder = self.workdir / f"csv-{f.table}-{len(place.segments)}"
        folder.mkdir(parents=True, exist_ok=True)
        csv = open_csv(path, folder)
        partition = f.partition(path)
        self._check_partition(path, csv.header, partition)
        rejects = f"rejects_{f.table}"
        values = "".join(f", {sql_str(v)} as {ident(k)}" for k, v in partition.items())
        self._create(f, f"select *{values} from {read_csv_sql(csv, rejects)}", "CSV", str(path))
        raise_for_rejects(self.con, csv, rejects)
        raw = f"raw_{f.table}"
        self.con.execute(f"alter table {raw} add column _row bigint")
        self.con.execute(f"update {raw} set _row = rowid + {place.rows + 1}")
        place.add(path, self._raw_rows(f), csv)
        return _Chunk((path,), csv.delimiter == ",")

    def _read_parquet(self, f: SourceFile, paths: tuple[Path, ...], place: Place) -> _Chunk:
        options = "hive_partitioning = false, file_row_number = true"
        if not f.folder:
            self._create(f, f"select * exclude (file_row_number), file_row_number + 1 as _row "
                         f"from read_parquet({sql_str(str(f.path))}, {options})", "Parquet", f.where,
                         view=True)
            place.add(f.path, self._raw_rows(f))
            return _Chunk(paths, False, view=True)
        rows = [self._parquet_part(f, path) for path in paths]
        firsts, n = [], place.rows + 1
        for count in rows:
            firsts.append(str(n))
            n += count
        index = "file_index::bigint + 1"
        values = "".join(f", {_column_list([sql_str(f.partition(p)[k]) for p in paths])}[{index}] "
                         f"as {ident(k)}" for k in f.partition(paths[0]))
        files = _column_list([sql_str(str(p)) for p in paths])
        self._create(f, f"select * exclude (file_row_number){values}, {_column_list(firsts)}[{index}] "
                     f"+ file_row_number as _row from read_parquet({files}, union_by_name = true, "
                     f"{options})", "Parquet", f.where, view=True)
        for path, count in zip(paths, rows, strict=True):
            place.add(path, count)
        return _Chunk(paths, False, view=True)

    def _parquet_part(self, f: SourceFile, path: Path) -> int:
        """The rows of a Parquet part, its columns checked from its footer."""
        try:
            footer = pq.ParquetFile(path)
        except (OSError, pa.ArrowException) as exc:
            raise DataError(f"{path}: cannot be read as Parquet ({engine_reason(exc)})") from None
        names = footer.schema_arrow.names
        partition = f.partition(path)
        self._check_partition(path, tuple(names), partition)
        missing = [c for c in contract.TABLES[f.table].required_columns
                   if c not in names and c not in partition]
        if missing:
            raise DataError(f"{path}: required column(s) {', '.join(missing)} missing "
                            f"(found: {', '.join([*names, *partition]) or 'none'})")
        return footer.metadata.num_rows

    @staticmethod
    def _check_partition(path: Path, columns: tuple[str, ...], partition: dict[str, str]) -> None:
        both = [k for k in partition if k.lower() in {c.lower() for c in columns}]
        if both:
            raise DataError(f"{path}: column {both[0]} is in the file and also given by its "
                            f"partition folder {both[0]}={partition[both[0]]}; expected it in one "
                            f"place")

    def _read_exports(self, f: SourceFile, place: Place) -> _Chunk:
        """The table's rows from its admin-console exports, as text (core.exports)."""
        rows = read_export_table(f.table, f.files)
        data = pa.table({**{c: pa.array([r[i] for r in rows.rows], pa.string())
                            for i, c in enumerate(rows.columns)},
                         "_row": pa.array(range(1, len(rows.rows) + 1), pa.int64())})
        self.con.register("export_rows", data)
        try:
            self.con.execute(f"create table raw_{f.table} as select * from export_rows")
        finally:
            self.con.unregister("export_rows")
        place.spots = tuple(rows.spots)
        return _Chunk(f.files, True)

    def _create(self, f: SourceFile, select: str, kind: str, where: str, view: bool = False) -> None:
        try:
            self.con.execute(f"create {'view' if view else 'table'} raw_{f.table} as {select}")
        except duckdb.Error as exc:
            raise DataError(f"{where}: cannot be read as {kind} ({engine_reason(exc)})") from None

    # --- validating ------------------------------------------------------------------------------

    def _check_chunk(self, f: SourceFile, table: Table, chunk: _Chunk, place: Place
                     ) -> tuple[dict[str, str], dict[str, str]]:
        """Every value and row rule of the raw chunk; its typed expressions and raw types."""
        raw = f"raw_{f.table}"
        raw_types = dict(self.con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_catalog = current_database() and table_name = ? order by ordinal_position",
            [raw]).fetchall())
        missing = [c for c in table.required_columns if c not in raw_types]
        if missing:
            found = ", ".join(c for c in raw_types if c != "_row") or "none"
            where = str(chunk.paths[0]) if f.folder and len(chunk.paths) == 1 else f.where
            raise DataError(f"{where}: required column(s) {', '.join(missing)} missing "
                            f"(found: {found})")
        style = number_style(self.con, raw, table, raw_types, chunk.comma, f.where,
                             lambda record: place.at([record]))
        present = [c for c in table.columns if c.name in raw_types]
        typed = {c.name: typed_expr(c, raw_types[c.name], style, self.tz) for c in present}
        checks = [check for c in present
                  for check in self._column_checks(c, typed[c.name], raw_types[c.name])]
        checks += row_checks(table, typed)
        self._fail_on_first(raw, table, checks, place)
        return typed, raw_types

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

    def _fail_on_duplicates(self, name: str, table: Table, place: Place, first_new: int) -> None:
        """The table's key over all its rows; only keys of rows from `first_new` on can repeat
        (the earlier rows were checked when they landed)."""
        key = " || chr(31) || ".join(f"coalesce(cast({ident(k)} as varchar), '')" for k in table.key)
        new = f"where k in (select k from keyed where r >= {first_new})" if first_new > 1 else ""
        row = first_row(
            self.con, f"with keyed as (select {key} as k, rowid + 1 as r from {ident(name)}) "
            f"select count(*) over (), k, rows from (select k, list(r order by r) as rows "
            f"from keyed {new} group by k having count(*) > 1) order by rows[1] limit 1")
        if row:
            n, value, rows = row
            personal = any(table.column(k).personal for k in table.key)
            shown = "" if personal else f"{' / '.join(value.split(chr(31)))!r} "
            raise DataError(f"{place.source.where}: column {', '.join(table.key)}: {n:,} duplicated "
                            f"key(s), expected unique; first {shown}at {place.at(rows[:5])}")

    def _fail_on_broken_parents(self, name: str, parent: Parent, place: Place) -> None:
        """Every parent is a row of the table, and no row is its own ancestor (core.crosstable)."""
        column, key, t = ident(parent.column), ident(parent.key), ident(name)
        n, record = first_row(self.con, f"select count(*), min(c.rowid) + 1 from {t} c where "
                              f"c.{column} is not null and not exists (select 1 from {t} p where "
                              f"p.{key} = c.{column})")
        if n:
            value = first_row(self.con, f"select {column} from {t} where rowid = ?", [record - 1])[0]
            shown = _shown(value, contract.TABLES[name].column(parent.column))
            raise DataError(crosstable.unknown_parent_message(place.source.where, parent, n,
                                                              place.at([record]), shown))
        rows = self.con.execute(f"select {key}, {column}, rowid + 1 from {t} where {column} is not null "
                                f"order by rowid").fetchall()
        cycle = crosstable.find_cycle(rows)
        if cycle:
            at = place.at(sorted(r for _, r in cycle)[:crosstable.CYCLE_SHOWN])
            raise DataError(crosstable.cycle_message(place.source.where, parent, cycle, at))

    # --- landing ---------------------------------------------------------------------------------

    def _land(self, name: str, table: Table, typed: dict[str, str], raw_types: dict[str, str],
              create: bool, grow: bool) -> None:
        """The typed rows, in record order (so rowid + 1 is the record number): every contract
        column in contract order (typed NULLs for what the source lacks, so queries need no
        variants; `Warehouse.has` tells which columns the source really provided), the day and
        second companions of its time columns, then the source's extra columns. Rows after the
        first chunk are appended; new extra columns are added when `grow`, else NeedsReload."""
        raw = f"raw_{name}"
        extras = {c: t for c, t in raw_types.items()
                  if c != "_row" and c not in {k.name for k in table.columns}}
        select = []
        for c in table.columns:
            value = typed.get(c.name, f"cast(null as {ENGINE_TYPE[c.type]})")
            select.append(f"{value} as {ident(c.name)}")
        for c in table.time_columns:
            value = typed.get(c.name, f"cast(null as {ENGINE_TYPE[c.type]})")
            select.append(f"datediff('day', DATE '1970-01-01', cast({value} as date)) "
                          f"as {contract.day_column_name(c.name)}")
            if c.type is ColumnType.TIMESTAMP:
                select.append(f"epoch(cast({value} as timestamp))::bigint "
                              f"as {contract.second_column_name(c.name)}")
        select += [ident(c) for c in extras]
        query = f"select {', '.join(select)} from {raw}"  # in record order: insertion order is kept
        if create:
            self.con.execute(f"create table {ident(name)} as {query}")
        else:
            self._fit_extras(name, extras, grow)
            self.con.execute(f"insert into {ident(name)} by name {query}")
        self.provided[name] = [c.name for c in table.columns
                               if c.name in typed or c.name in self.provided.get(name, [])]

    def _fit_extras(self, name: str, extras: dict[str, str], grow: bool) -> None:
        landed = dict(self.con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_catalog = current_database() and table_name = ?", [name]).fetchall())
        for column, kind in extras.items():
            if landed.get(column, kind) != kind or (column not in landed and not grow):
                raise NeedsReload(f"{name}.{column}")
            if column not in landed:
                self.con.execute(f"alter table {ident(name)} add column {ident(column)} {kind}")

    def check_cross_table(self, tables: set[str], checked: Checked | None = None) -> None:
        """The checks across tables (core.crosstable), over every landed row (or those landed
        after what an earlier build `checked`)."""
        self.quality += cross_table_quality(self.con, self.places, tables, checked)


def row_checks(table: Table, typed: dict[str, str]) -> list[_Check]:
    """The table's row rules (`Table.rules`), and that no row is its own parent (`Table.parent`),
    over the typed values of the columns the source gives."""
    checks = [_Check(r.column, f"({typed[r.column]}) < ({typed[r.other]})",
                     f"is before {r.other} of the same row; expected {r.column} on or after {r.other}")
              for r in table.rules if r.column in typed and r.other in typed]
    p = table.parent
    if p and p.column in typed and p.key in typed:
        checks.append(_Check(p.column, f"({typed[p.column]}) = ({typed[p.key]})",
                             crosstable.own_parent_problem(p)))
    return checks


def _date_sql(d: date) -> str:
    return f"DATE '{d.isoformat()}'"
