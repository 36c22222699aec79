"""Spark sessions and where the contract's tables are on Spark.

A session is local (`spark.master`, e.g. local[2]: a JVM started by this process) or a Spark
Connect client (`spark.remote`, sc://host:15002: a remote cluster, or the one local server the
runner shares between the notebooks' kernels). It runs in UTC, so that Spark's instants and the
warehouse's local wall times (TIMESTAMP_NTZ) convert without the machine's zone, and with Spark's
ANSI mode (the default: division by zero and overflow are errors, as in DuckDB).

The tables are Parquet under a data path (`<data>/<table>.parquet`, a file or a folder of part
files, or `<data>/<table>/` with part files in Hive partitions; local, hdfs://, s3a://, abfss://
... as the cluster can read it) or the tables of a catalog database (`spark.database`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyspark.errors import AnalysisException
from pyspark.sql import SparkSession

from helpers.core import contract
from helpers.core.engines import is_uri
from helpers.core.errors import DataError, ParamError

log = logging.getLogger(__name__)
LOCAL_SHUFFLE_PARTITIONS = "4"  # Spark's 200 suit a cluster; a local session has a few cores
SESSION_CONF = {"spark.sql.session.timeZone": "UTC", "spark.sql.ansi.enabled": "true",
                # Hive partition values (events/event_date=2026-11-16/) are text, as on DuckDB
                "spark.sql.sources.partitionColumnTypeInference.enabled": "false"}


@dataclass(frozen=True)
class SparkSettings:
    """Where Spark runs and where it finds the tables (params: `spark.*`)."""

    master: str = "local[2]"
    remote: str | None = None  # sc://host:port: Spark Connect
    database: str | None = None  # tables of this catalog database instead of files
    conf: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return self.remote or self.master


def quiet() -> None:
    """PySpark's notes that do not concern a report (pandas 3 is not yet in its test matrix)."""
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                            category=FutureWarning)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # a local JVM stays on this machine


def open_session(settings: SparkSettings) -> SparkSession:
    """A Spark session: Connect when `remote` is set, else a local one on `master`."""
    quiet()
    conf = SESSION_CONF | dict(settings.conf)
    if settings.remote:
        session = SparkSession.builder.remote(settings.remote).create()
        for key, value in conf.items():
            session.conf.set(key, value)
        return session
    builder = SparkSession.builder.master(settings.master).appName("wxreport")
    conf = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
            "spark.sql.shuffle.partitions": LOCAL_SHUFFLE_PARTITIONS,
            "spark.driver.extraJavaOptions": "-Dlog4j2.level=ERROR"} | conf
    for key, value in conf.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # PySparkRuntimeError JAVA_GATEWAY_EXITED: no (usable) Java
        if "JAVA_GATEWAY" not in str(exc):
            raise
        raise ParamError(f"engine: spark: a local Spark session ({settings.master}) did not start: "
                         f"Spark needs Java 17 or newer (`java -version`; README, \"Spark\")") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def _local(data: str) -> Path:
    return Path(data.removeprefix("file://"))


@dataclass(frozen=True)
class SparkTable:
    table: str
    relation: str  # what a FROM clause names: parquet.`<path>` or `db`.`table`
    where: str  # as messages name it: the path, or db.table
    files: bool = True  # file-based: rows are located by file and row (_metadata)


def find_tables(spark: SparkSession, data: str, database: str | None) -> list[SparkTable]:
    """The contract tables the source holds; raises DataError when the required ones are missing."""
    if database:
        names = {r["tableName"] for r in spark.sql(f"SHOW TABLES IN `{database}`").collect()}
        found = [SparkTable(t, f"`{database}`.`{t}`", f"{database}.{t}")
                 for t in contract.TABLES if t in names]
        where = f"catalog database {database}"
    else:
        found = [t for t in (_parquet(spark, data, name) for name in contract.TABLES) if t]
        where = data
    _check_required(where, {t.table for t in found})
    return found


def _parquet(spark: SparkSession, data: str, table: str) -> SparkTable | None:
    """`<data>/<table>.parquet` (a file, or a folder of part files as Spark writes them) or
    `<data>/<table>/` (part files, directly or in Hive partitions: the partition values are text
    columns, as on DuckDB)."""
    if is_uri(data):
        for path in (f"{data.rstrip('/')}/{table}.parquet", f"{data.rstrip('/')}/{table}"):
            try:
                spark.read.parquet(path).schema  # noqa: B018 - resolving it says whether it is there
            except AnalysisException:
                continue
            return SparkTable(table, f"parquet.`{path}`", path)
        return None
    local = _local(data)
    if (local / f"{table}.csv").exists() or any((local / table).glob("**/*.csv")):
        raise DataError(f"{local}: {table} is given as CSV; the Spark engine reads Parquet "
                        f"({table}.parquet or {table}/ part files; DuckDB reads CSV: engine: duckdb)")
    for path in (local / f"{table}.parquet", local / table):
        if path.exists():
            resolved = str(path.resolve())
            return SparkTable(table, f"parquet.`{resolved}`", resolved)
    return None


def _check_required(where: str, tables: set[str]) -> None:
    missing = [t for t in contract.REQUIRED_TABLES if t not in tables]
    platform = [t for t in contract.PLATFORM_TABLES if t in tables]
    if not missing or (platform and len(missing) == len(contract.REQUIRED_TABLES)):
        return
    raise DataError(f"{where}: required table(s) {', '.join(missing)} not found; expected "
                    f"{', '.join(t + '.parquet' for t in missing)} (or tables of the catalog "
                    f"database named in spark.database), or WeChat's statistics instead "
                    f"({', '.join(contract.PLATFORM_TABLES)})")


def fingerprint(spark: SparkSession, data: str, tables: list[SparkTable]) -> str:
    """What identifies the source's content: the bytes of local files; elsewhere each file's path,
    size and modification time as Spark lists them (a rewritten file changes them)."""
    h = hashlib.blake2b(digest_size=16)
    for t in tables:
        h.update(t.table.encode())
        if t.relation.startswith("parquet.") and not is_uri(data):
            _hash_local(h, Path(t.where))
        else:
            for row in _listing(spark, t):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def _hash_local(h: Any, path: Path) -> None:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        h.update(str(f.relative_to(path) if path.is_dir() else f.name).encode())
        with f.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)


def _listing(spark: SparkSession, t: SparkTable) -> list[Any]:
    try:
        return spark.sql(f"SELECT _metadata.file_path, max(_metadata.file_size), "
                         f"max(_metadata.file_modification_time), count(*) FROM {t.relation} "
                         f"GROUP BY 1 ORDER BY 1").collect()
    except AnalysisException:  # a table that is not file-based: its size and schema
        return spark.sql(f"SELECT count(*), '{spark.table(t.relation).schema.simpleString()}' "
                         f"FROM {t.relation}").collect()
