"""The warehouse on Spark: validated once (`prepare_spark`), then queried like the DuckDB one.

`prepare_spark` validates the source on Spark (`spark_validate`) and writes what the reports need
to know about it (the DuckDB warehouse's `_meta`, the quality counts, and each table's view as
Spark SQL) to a JSON file in the cache, named by the data's fingerprint; nothing is copied.
`SparkWarehouse` opens a session, defines the views (the typed tables with their `*_day`/`*_sec`
companions and the `days` table) and runs each metric query, translated from DuckDB SQL by
`spark_sql`, on Spark (once: a repeated query is answered from memory, the data being read-only).
Only the (small) result comes back, as Arrow; it is typed as the DuckDB
warehouse types the same query (the query's result types on an empty DuckDB copy of the schema),
so that report code sees the same columns and dtypes on both engines.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from pyspark.sql import SparkSession

from helpers.core import contract
from helpers.core.errors import DataError
from helpers.core.paths import cache_dir
from helpers.core.spark_session import SparkSettings, find_tables, fingerprint, open_session
from helpers.core.spark_sql import placeholders, spark_args, to_spark
from helpers.core.spark_validate import SparkLoader, duck_type

EPOCH = date(1970, 1, 1)
# Modules whose code decides what the Spark warehouse holds: a change validates the data again.
CODE = ("spark_validate.py", "spark_sql.py", "spark_session.py", "spark_warehouse.py", "loader.py",
        "casts.py", "contract.py", "vocabulary.py")
_QUOTE = "`"


def _q(name: str) -> str:
    return _QUOTE + name.replace(_QUOTE, _QUOTE * 2) + _QUOTE


def prepare_spark(settings: SparkSettings, data: str, tz: str, progress: Any = None,
                  spark: SparkSession | None = None) -> Path:
    """Validate the source on Spark and write its description; reuses it for the same content."""
    own = spark is None
    spark = spark or open_session(settings)
    try:
        tables = find_tables(spark, data, settings.database)
        source = f"{settings.database}" if settings.database else data
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{contract.CONTRACT_VERSION}|{tz}|{source}|{fingerprint(spark, data, tables)}".encode())
        for name in CODE:
            h.update((Path(__file__).parent / name).read_bytes())
        target = cache_dir() / "spark" / f"{h.hexdigest()}.json"
        if target.exists():
            return target
        loader = SparkLoader(spark, tz)
        for i, t in enumerate(tables, 1):
            if progress is not None:
                progress(i, len(tables), t.table)
            loader.load(t)
        loader.check_cross_table({t.table for t in tables})
        meta = _meta(spark, loader, tables, source, tz, h.hexdigest())
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(meta, indent=1), encoding="utf-8")
        os.replace(tmp, target)
        return target
    finally:
        if own and settings.remote:
            spark.stop()


def _meta(spark: SparkSession, loader: SparkLoader, tables: list[Any], source: str, tz: str,
          key: str) -> dict[str, Any]:
    views = {t.table: f"{loader.views[t.table]} FROM {t.relation}" for t in tables}
    for table, body in views.items():
        spark.sql(f"CREATE OR REPLACE TEMP VIEW {_q(table)} AS {body}")
    counts = {t: spark.sql(f"SELECT count(*) FROM {_q(t)}").collect()[0][0] for t in views}
    if "events" in views:
        first, last = spark.sql("SELECT min(event_day), max(event_day) FROM events").collect()[0]
    else:
        days = " UNION ALL ".join(f"SELECT day FROM {_q(t)}" for t in contract.PLATFORM_TABLES
                                  if t in views)
        first, last = spark.sql(f"SELECT min(day), max(day) FROM ({days})").collect()[0]
        if first is None:
            raise DataError(f"{source}: the WeChat statistics ({', '.join(sorted(views))}) hold "
                            f"no rows; expected at least one day of data")
    name = source.rstrip("/").rsplit("/", 1)[-1]
    return {"source": source, "timezone": tz, "fingerprint": key, "data_fingerprint": key,
            "engine": "spark", "source_name": name.removesuffix(".parquet"),
            "contract": contract.CONTRACT_VERSION,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"), "tables": counts,
            "columns": loader.provided, "first_day": first, "last_day": last, "views": views,
            "quality": loader.quality}


class SparkWarehouse:
    """The Warehouse interface on Spark; small results come back as pandas DataFrames."""

    def __init__(self, path: Path, settings: SparkSettings, spark: SparkSession | None = None):
        self.path = Path(path)
        self.meta: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        self.tables: dict[str, int] = self.meta["tables"]
        self._columns = {t: set(c) for t, c in self.meta["columns"].items()}
        self._settings = settings
        self.spark = spark or open_session(settings)
        for table, body in self.meta["views"].items():
            self.spark.sql(f"CREATE OR REPLACE TEMP VIEW {_q(table)} AS {body}")
        first, last = self.meta["first_day"] - 400, self.meta["last_day"] + 401
        self.spark.sql(f"CREATE OR REPLACE TEMP VIEW days AS SELECT CAST(id AS INT) AS day, "
                       f"date_add(DATE '1970-01-01', CAST(id AS INT)) AS date "
                       f"FROM range({first}, {last})")
        self._schema = self._empty_copy()
        self._answers: dict[tuple[str, tuple[tuple[str, str], ...]], pd.DataFrame] = {}

    def _empty_copy(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB holding the views' columns, no rows, and the quality counts:
        it says what types DuckDB gives a query's result."""
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        for table in [*self.meta["views"], "days"]:
            fields = self.spark.table(_q(table)).schema.fields
            columns = ", ".join(f'"{f.name}" {_known(duck_type(f.dataType))}' for f in fields)
            con.execute(f'CREATE TABLE "{table}" ({columns})')
        con.execute("CREATE TABLE _quality (table_name varchar, check_name varchar, rows bigint, "
                    "example varchar)")
        for q in self.meta["quality"]:
            con.execute("INSERT INTO _quality VALUES (?, ?, ?, ?)",
                        [q["table_name"], q["check_name"], q["rows"], q["example"]])
        return con

    def close(self) -> None:
        self._schema.close()
        if self._settings.remote:
            self.spark.stop()

    def __enter__(self) -> SparkWarehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has(self, table: str, *columns: str) -> bool:
        if table not in self.tables:
            return False
        return all(c in self._columns.get(table, set()) for c in columns)

    def query(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run the DuckDB SQL of a metric query on Spark; returns a (small) DataFrame typed as
        DuckDB types it."""
        params = params or {}
        names = placeholders(sql)
        unknown = names - params.keys()
        if unknown:
            raise KeyError(f"query placeholders without values: {sorted(unknown)}")
        used = {k: params[k] for k in names}
        key = (sql, tuple(sorted((k, repr(v)) for k, v in used.items())))
        if key not in self._answers:  # the data does not change: each query runs once
            self._answers[key] = self._run(sql, used)
        return self._answers[key].copy()

    def _run(self, sql: str, used: dict[str, Any]) -> pd.DataFrame:
        result = self.spark.sql(to_spark(sql), args=spark_args(used)).toArrow()
        duck_sql = _duck_sql(sql)
        described = self._schema.sql(duck_sql, params=used) if used else self._schema.sql(duck_sql)
        arrow = result.rename_columns([f"c{i}" for i in range(result.num_columns)])
        select = ", ".join(f'CAST(c{i} AS {t}) AS "{n.replace(chr(34), chr(34) * 2)}"' for i, (n, t) in
                           enumerate(zip(described.columns, described.types, strict=True)))
        return self._schema.from_arrow(arrow).select(select).df() if select else described.df()

    def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        value = self.query(sql, params).iat[0, 0]
        return None if pd.isna(value) else value

    @property
    def first_date(self) -> date:
        return EPOCH + timedelta(days=int(self.meta["first_day"]))

    @property
    def last_date(self) -> date:
        return EPOCH + timedelta(days=int(self.meta["last_day"]))

    @property
    def source_name(self) -> str:
        return self.meta["source_name"]

    def quality(self) -> pd.DataFrame:
        return self._schema.execute("SELECT * FROM _quality ORDER BY table_name, check_name").df()


def _known(duck: str) -> str:
    """A column type DuckDB can hold; a source's extra nested columns (arrays, maps, structs),
    which no metric query reads, are typed as text."""
    return duck if duck.isupper() and "<" not in duck else "VARCHAR"


@lru_cache(maxsize=2048)
def _duck_sql(sql: str) -> str:
    from helpers.core.spark_sql import _PLACEHOLDER

    return _PLACEHOLDER.sub(lambda m: "$" + m.group(1), sql)
