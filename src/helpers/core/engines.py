"""Which engine runs the metric queries: DuckDB (one machine; the default) or Spark.

Both validate the contract and answer the reports' queries through the same interface
(has/query/scalar/meta/tables/first_date/last_date/quality/close). `prepare` validates a source
on the chosen engine and returns the path naming the result (the DuckDB warehouse file, or the
Spark warehouse's description); `open_warehouse` opens it. PySpark is imported only for Spark.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from helpers.core.errors import ParamError
from helpers.core.warehouse import Warehouse, build_warehouse

ENGINES = ("duckdb", "spark")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
Progress = Callable[[int, int, str], None] | None


def is_uri(data: str) -> bool:
    """A location a cluster reads (hdfs://, s3a://, abfss:// ...), not a local path."""
    return bool(_URI.match(data)) and not data.startswith("file://")


def _require_spark() -> None:
    if importlib.util.find_spec("pyspark") is None:
        raise ParamError("engine: spark needs PySpark: `pip install -r requirements-spark.txt` "
                         "(and Java 17 or newer: README, \"Spark\")") from None


def spark_settings(values: Any, remote: str | None = None) -> Any:
    """The SparkSettings of validated parameters; `remote` (the runner's shared local server)
    applies when the parameters name no cluster."""
    _require_spark()
    from helpers.core.spark_session import SparkSettings

    p = values.spark
    return SparkSettings(master=p.master, remote=p.remote or remote, database=p.database,
                         conf=dict(p.conf))


def prepare(values: Any, source: str | Path, progress: Progress = None,
            remote: str | None = None, say: Callable[[str], None] | None = None) -> Path:
    """Validate the data of `values` (engine, timezone, spark.*) on its engine; the path of the
    result, named by the data's fingerprint. `progress` hears of each table validated, `say` of
    what a DuckDB build reuses (core.warehouse)."""
    if values.engine == "spark":
        from helpers.core.spark_warehouse import prepare_spark

        return prepare_spark(spark_settings(values, remote), str(source), values.timezone, progress)
    return build_warehouse(Path(source), values.timezone, progress=progress, say=say)


def open_warehouse(path: Path, values: Any, remote: str | None = None) -> Any:
    """The warehouse `prepare` made, on the engine of `values`."""
    if values.engine == "spark":
        from helpers.core.spark_warehouse import SparkWarehouse

        return SparkWarehouse(path, spark_settings(values, remote))
    return Warehouse(path)


@contextmanager
def open_spark_warehouse(data: Path, tz: str = "Asia/Shanghai", master: str = "local[2]"):
    """A Spark warehouse on a local Parquet folder, in a local session (tests and tools)."""
    from helpers.core.spark_session import SparkSettings
    from helpers.core.spark_warehouse import SparkWarehouse, prepare_spark

    settings = SparkSettings(master=master)
    wh = SparkWarehouse(prepare_spark(settings, str(data), tz), settings)
    try:
        yield wh
    finally:
        wh.close()
