"""The contract's validation as queries on Spark, and the warehouse's views defined on it.

The same checks as the DuckDB loader (`core.loader`), taken from it: the typed value of each
column (`casts.typed_expr`), each column's checks (types, required, named values, finite, bounds,
time range) and the row rules are the loader's DuckDB expressions, translated by `spark_sql`; the
key and cross-table checks are the loader's too. Each table is checked in one aggregate pass; only
counts and the first failing row's location and value come back, never the rows. A failure raises
the loader's DataError naming the file (or catalog table), the column, how many values fail and
the first one's row (`<file> row N` when the table is a folder of part files).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pyspark.errors import AnalysisException
from pyspark.sql import SparkSession
from pyspark.sql import types as T

from helpers.core import contract, crosstable
from helpers.core.casts import ENGINE_TYPE, POINT, typed_expr
from helpers.core.contract import ColumnType, Table
from helpers.core.errors import DataError
from helpers.core.loader import Loader, _Check, _shown, row_checks
from helpers.core.spark_session import SparkTable
from helpers.core.spark_sql import expression_to_spark

_STRUCT = "named_struct('f', _file, 'r', _row)"


def duck_type(t: T.DataType) -> str:
    """The DuckDB name of a Spark column type, as the loader's readers expect it."""
    if isinstance(t, T.StringType | T.VarcharType | T.CharType):
        return "VARCHAR"
    if isinstance(t, T.TimestampNTZType):
        return "TIMESTAMP"
    if isinstance(t, T.TimestampType):
        return "TIMESTAMP WITH TIME ZONE"
    if isinstance(t, T.DecimalType):
        return f"DECIMAL({t.precision},{t.scale})"
    names = {T.LongType: "BIGINT", T.IntegerType: "INTEGER", T.ShortType: "SMALLINT",
             T.ByteType: "TINYINT", T.DoubleType: "DOUBLE", T.FloatType: "FLOAT",
             T.BooleanType: "BOOLEAN", T.DateType: "DATE", T.BinaryType: "BLOB"}
    return next((n for k, n in names.items() if isinstance(t, k)), t.simpleString().upper())


def duck_text(value: Any) -> str | None:
    """A value as DuckDB's cast to VARCHAR writes it (the loader quotes failing values so)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Located:
    """A table's raw rows as a temp view with `_file` and `_row` (1 = the file's first row)."""

    source: SparkTable
    view: str
    one_file: bool

    def at(self, spots: list[tuple[str, int | None]]) -> str:
        if any(r is None for _, r in spots):
            return "a row (the catalog table gives no row numbers)"
        if self.one_file:
            return f"row{'s' if len(spots) > 1 else ''} {', '.join(str(r) for _, r in spots)}"
        root = self.source.where.rstrip("/").rsplit("/", 1)[-1] + "/"
        return ", ".join(f"{f.split(root, 1)[-1]} row {r}" for f, r in spots)


def locate(spark: SparkSession, t: SparkTable) -> Located:
    view = f"_raw_{t.table}"
    try:
        spark.sql(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT *, _metadata.file_path AS _file, "
                  f"_metadata.row_index + 1 AS _row FROM {t.relation}")
        files = spark.table(view).inputFiles()
    except AnalysisException:  # not file-based
        spark.sql(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT *, '' AS _file, "
                  f"CAST(NULL AS BIGINT) AS _row FROM {t.relation}")
        files = []
    return Located(t, view, len(files) <= 1)


class SparkLoader:
    """Validates the tables on Spark and defines the typed warehouse views (as Spark SQL)."""

    def __init__(self, spark: SparkSession, tz: str):
        self.spark = spark
        self.tz = tz
        self.checks = Loader(None, tz, Path("."), contract.REQUIRED_TABLES)  # the loader's checks
        self.provided: dict[str, list[str]] = {}
        self.views: dict[str, str] = {}
        self.located: dict[str, Located] = {}
        self.quality: list[dict[str, Any]] = []

    def load(self, t: SparkTable) -> None:
        table = contract.TABLES[t.table]
        raw = locate(self.spark, t)
        self.located[t.table] = raw
        try:
            fields = self.spark.table(raw.view).schema.fields
        except AnalysisException as exc:
            raise DataError(f"{t.where}: cannot be read as Parquet ({str(exc).splitlines()[0]})") from None
        raw_types = {f.name: duck_type(f.dataType) for f in fields if f.name not in ("_file", "_row")}
        missing = [c for c in table.required_columns if c not in raw_types]
        if missing:
            raise DataError(f"{t.where}: required column(s) {', '.join(missing)} missing "
                            f"(found: {', '.join(raw_types) or 'none'})")
        if t.table in contract.REQUIRED_TABLES and not self.spark.sql(
                f"SELECT 1 FROM {raw.view} LIMIT 1").collect():
            raise DataError(f"{t.where}: no rows; the {t.table} table is required, expected "
                            f"{table.meaning}")
        present = [c for c in table.columns if c.name in raw_types]
        typed = {c.name: typed_expr(c, raw_types[c.name], POINT, self.tz) for c in present}
        checks = [k for c in present
                  for k in self.checks._column_checks(c, typed[c.name], raw_types[c.name])]
        checks += row_checks(table, typed)
        self._fail_on_first(raw, table, checks)
        if table.key:
            self._fail_on_duplicates(raw, table, typed)
        if table.parent and table.parent.column in typed:
            self._fail_on_broken_parents(raw, table, typed)
        self.provided[t.table] = list(typed)
        self.views[t.table] = view_body(table, typed, raw_types)

    def _fail_on_first(self, raw: Located, table: Table, checks: list[_Check]) -> None:
        if not checks:
            return
        parts = []
        for c in checks:
            cond = expression_to_spark(c.condition)
            parts += [f"count(*) FILTER (WHERE {cond})", f"min({_STRUCT}) FILTER (WHERE {cond})",
                      f"min_by({_q(c.column)}, {_STRUCT}) FILTER (WHERE {cond})"]
        row = self.spark.sql(f"SELECT {', '.join(parts)} FROM {raw.view}").collect()[0]
        for i, check in enumerate(checks):
            n, spot, value = row[3 * i], row[3 * i + 1], row[3 * i + 2]
            if n:
                raise DataError(f"{raw.source.where}: column {check.column}: {n:,} value(s) "
                                f"{check.problem}; first at {raw.at([(spot['f'], spot['r'])])}: "
                                f"{_shown(duck_text(value), table.column(check.column))}")

    def _fail_on_duplicates(self, raw: Located, table: Table, typed: dict[str, str]) -> None:
        key = ", ".join(f"coalesce(CAST({expression_to_spark(typed[k])} AS STRING), '')"
                        for k in table.key)
        found = self.spark.sql(
            f"SELECT count(*) OVER () AS n, k, slice(spots, 1, 5) AS spots FROM (SELECT "
            f"concat_ws(char(31), {key}) AS k, array_sort(collect_list({_STRUCT})) AS spots "
            f"FROM {raw.view} GROUP BY 1 HAVING count(*) > 1) ORDER BY spots[0] LIMIT 1").collect()
        if found:
            n, value, spots = found[0]
            personal = any(table.column(k).personal for k in table.key)
            shown = "" if personal else f"{' / '.join(value.split(chr(31)))!r} "
            raise DataError(f"{raw.source.where}: column {', '.join(table.key)}: {n:,} duplicated "
                            f"key(s), expected unique; first {shown}at "
                            f"{raw.at([(s['f'], s['r']) for s in spots])}")

    def _fail_on_broken_parents(self, raw: Located, table: Table, typed: dict[str, str]) -> None:
        """As the loader's: every parent is a row of the table, no row is its own ancestor."""
        parent = table.parent
        rows = (f"SELECT {expression_to_spark(typed[parent.key])} AS k, "
                f"{expression_to_spark(typed[parent.column])} AS p, _file, _row FROM {raw.view}")
        n, spot, value = self.spark.sql(
            f"SELECT count(*), min({_STRUCT}), min_by(p, {_STRUCT}) FROM ({rows}) c WHERE p IS NOT "
            f"NULL AND NOT EXISTS (SELECT 1 FROM ({rows}) o WHERE o.k = c.p)").collect()[0]
        if n:
            raise DataError(crosstable.unknown_parent_message(
                raw.source.where, parent, n, raw.at([(spot["f"], spot["r"])]),
                _shown(duck_text(value), table.column(parent.column))))
        cycle = crosstable.find_cycle([(r["k"], r["p"], (r["_file"], r["_row"])) for r in self.spark.sql(
            f"SELECT * FROM ({rows}) t WHERE p IS NOT NULL ORDER BY _file, _row").collect()])
        if cycle:
            at = raw.at(sorted(spot for _, spot in cycle)[:crosstable.CYCLE_SHOWN])
            raise DataError(crosstable.cycle_message(raw.source.where, parent, cycle, at))

    def check_cross_table(self, tables: set[str]) -> None:
        """The loader's cross-table checks: most events of unknown users fail; the survivable
        ones are counted (`quality`), in the loader's order."""
        for name in tables & {"events", "users", "orders", "merchants"}:
            self.spark.sql(f"CREATE OR REPLACE TEMP VIEW {_q(name)} AS "
                           f"{self.views[name]} FROM {self.located[name].source.relation}")
            self.spark.sql(f"CREATE OR REPLACE TEMP VIEW _located_{name} AS "
                           f"{self.views[name]}, _file, _row FROM {self.located[name].view}")
        checks = []
        if "users" in tables:
            self._fail_on_unknown_users()
            checks += [("events", "events_before_first_seen",
                        "FROM _located_events e JOIN users u ON e.user_id = u.user_id "
                        "WHERE e.event_time < u.first_seen_at"),
                       ("events", "events_unknown_user", "FROM _located_events e LEFT ANTI JOIN users u "
                        "ON u.user_id = e.user_id")]
            if "orders" in tables:
                checks.append(("orders", "orders_unknown_user", "FROM _located_orders e LEFT ANTI "
                               "JOIN users u ON u.user_id = e.user_id"))
        if {"orders", "merchants"} <= tables:
            checks.append(("orders", "orders_unknown_merchant", "FROM _located_orders e LEFT ANTI "
                           "JOIN merchants m ON m.merchant_id = e.merchant_id WHERE e.merchant_id IS NOT NULL"))
        for table, check, body in checks:
            n, spot = self.spark.sql(f"SELECT count(*), min(named_struct('f', e._file, 'r', "
                                     f"e._row)) {body}").collect()[0]
            if n:
                self.quality.append({"table_name": table, "check_name": check, "rows": n,
                                     "example": self.located[table].at([(spot["f"], spot["r"])])})

    def _fail_on_unknown_users(self) -> None:
        unknown, total = self.spark.sql(
            "SELECT count(*) FILTER (WHERE u.user_id IS NULL), count(*) FROM (SELECT DISTINCT "
            "user_id FROM events) e LEFT JOIN users u ON u.user_id = e.user_id").collect()[0]
        if unknown * 2 <= total:
            return
        spots = [(r["_file"], r["_row"]) for r in self.spark.sql(
            "SELECT e._file, e._row FROM _located_events e LEFT ANTI JOIN users u ON u.user_id = "
            "e.user_id ORDER BY e._file, e._row LIMIT 3").collect()]
        events, users = self.located["events"], self.located["users"]
        raise DataError(f"{events.source.where}: {unknown:,} of the {total:,} users in the events "
                        f"({unknown / total:.0%}) are missing from {users.source.where}, e.g. the "
                        f"events at {events.at(spots)}; expected the users table to list the "
                        f"users of the events (most unknown: are both tables from the same export?)")


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def view_body(table: Table, typed: dict[str, str], raw_types: dict[str, str]) -> str:
    """The warehouse table's SELECT list on Spark (FROM follows): typed columns, typed NULLs for
    the optional columns the source lacks, the source's extra columns, and the day and second
    companions of the time columns, each the loader's DuckDB expression translated."""
    select = [f"{expression_to_spark(expr)} AS {_q(column)}" for column, expr in typed.items()]
    select += [f"{expression_to_spark(f'cast(null as {ENGINE_TYPE[c.type]})')} AS {_q(c.name)}"
               for c in table.columns if c.name not in typed]
    select += [_q(c) for c in raw_types if c not in typed]
    for c in table.time_columns:
        value = typed.get(c.name, f"cast(null as {ENGINE_TYPE[c.type]})")
        day = f"datediff('day', DATE '1970-01-01', cast({value} as date))::bigint"
        select.append(f"{expression_to_spark(day)} AS {_q(contract.day_column_name(c.name))}")
        if c.type is ColumnType.TIMESTAMP:
            sec = f"epoch(cast({value} as timestamp))::bigint"
            select.append(f"{expression_to_spark(sec)} AS {_q(contract.second_column_name(c.name))}")
    return f"SELECT {', '.join(select)}"
