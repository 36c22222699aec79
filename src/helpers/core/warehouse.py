"""Build the DuckDB warehouse from a data source, and query it read-only.

This is the only module the reports use to reach the SQL engine. Metric modules hand it portable
SQL (ANSI joins, GROUP BY, window functions, CASE, integer day numbers) with `:name` placeholders;
engine-specific work (file readers, type coercion, time zones) stays in the loader
(`core.sources` finds the tables, `core.csvfiles` reads CSV dialects, `core.casts` types values,
`core.loader` validates and lands them, `core.landing` decides what a build lands: everything, or
only what a grown data folder gained since the last build), so that the metric queries could run
on another engine (e.g. Spark SQL) unchanged.

In the warehouse every timestamp is naive local time in the source timezone. Every timestamp/date
column has an integer companion holding the local day number (`contract.day_column_name`), so
"day k after first seen" is `event_day - first_seen_day`, and every timestamp column one holding
local seconds since the epoch (`contract.second_column_name`), so a 30-minute gap is `> 1800`.
A `days` table (day, date) spans the data with a margin of 400 days on both sides. `_meta` holds
the metadata (`Warehouse.meta`), `_quality` the survivable problems, `_parts` every file landed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from helpers.core import contract
from helpers.core.casts import ident, sql_str
from helpers.core.errors import DataError
from helpers.core.landing import DUCKDB_MEMORY_LIMIT, BuildPlan, land, open_read_only, plan_build, remember, write_parts
from helpers.core.loader import QUALITY_CHECKS, Loader, first_row
from helpers.core.paths import cache_dir
from helpers.core.sources import data_fingerprint, find_source_files, hash_source, resolve_source

__all__ = ["QUALITY_CHECKS", "BuildPlan", "Warehouse", "build_warehouse", "data_fingerprint",
           "day_number", "day_to_date", "find_source_files", "plan_warehouse", "source_fingerprint"]

EPOCH = date(1970, 1, 1)
# Every module whose code decides what a warehouse holds: a change to any rebuilds it.
LOADER_FILES = ("warehouse.py", "landing.py", "sources.py", "places.py", "csvfiles.py", "casts.py",
                "loader.py", "crosstable.py", "contract.py", "textfiles.py", "vocabulary.py", "exports.py",
                "exportfiles.py", "wechat.py")


def day_number(d: date) -> int:
    """Local day number used by the warehouse's `*_day` columns."""
    return (d - EPOCH).days


def day_to_date(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


def code_fingerprint(source: Path, tz: str) -> str:
    """Hash of everything but the data that decides a warehouse: the contract, the timezone, the
    place (the warehouse records it: reports name their data source, so a copy of the same files
    elsewhere gets its own warehouse) and the loader code."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{contract.CONTRACT_VERSION}|{tz}|{resolve_source(source)}".encode())
    for name in LOADER_FILES:
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()


def source_fingerprint(source: Path, tz: str, data: str | None = None) -> str:
    """Hash of the data (every file's content) and of `code_fingerprint`: same hash, same warehouse."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{code_fingerprint(source, tz)}|{data or data_fingerprint(source)}".encode())
    return h.hexdigest()


def plan_warehouse(source: Path, tz: str = "Asia/Shanghai", target: Path | None = None,
                   incremental: bool | None = None) -> BuildPlan:
    """What `build_warehouse` would do (cached, incremental or full; per table keep, append, load
    or drop: core.landing), after hashing every file of the source; nothing is loaded.
    `incremental=False`, or WXREPORT_INCREMENTAL=0 in the environment, always plans a full build."""
    source = resolve_source(source)
    try:
        ZoneInfo(tz)
    except Exception:
        raise DataError(f"timezone {tz!r} is not a known IANA zone (e.g. Asia/Shanghai)") from None
    files = find_source_files(source)
    hashed = hash_source(source, files)
    code = code_fingerprint(source, tz)
    fingerprint = hashlib.blake2b(f"{code}|{hashed.data}".encode(), digest_size=16).hexdigest()
    target = target or cache_dir() / "warehouse" / f"{fingerprint}.duckdb"
    if incremental is None:
        incremental = os.environ.get("WXREPORT_INCREMENTAL", "1") != "0"
    return plan_build(source, tz, files, hashed, code, fingerprint, Path(target), incremental)


def build_warehouse(source: Path, tz: str = "Asia/Shanghai", target: Path | None = None,
                    progress: Callable[[int, int, str], None] | None = None,
                    say: Callable[[str], None] | None = None,
                    incremental: bool | None = None) -> Path:
    """Validate `source` and land it in a DuckDB file; reuses the cached file for the same content,
    and the last warehouse of the same folder for what did not change (`plan_warehouse`).
    A full build calls `progress(i, n, table)` before each of the n source tables is loaded (a
    large source takes minutes: the runner says how far it is); an incremental one `say(line)`
    for what it lands."""
    plan = plan_warehouse(source, tz, target, incremental)
    if plan.mode != "cached":
        _build(plan, progress, say)
    if target is None:  # the next build of the folder starts from it (a given target may go)
        remember(plan)
    return plan.target


def _build(plan: BuildPlan, progress: Callable[[int, int, str], None] | None,
           say: Callable[[str], None] | None) -> None:
    """The warehouse in a temporary file (a copy of the base when incremental), moved into place
    when complete: the base and any earlier file at the target stay as they are until then."""
    plan.target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=plan.target.parent) as tmp:
        tmp_db = Path(tmp) / "warehouse.duckdb"
        if plan.base is not None:
            shutil.copyfile(plan.base, tmp_db)
        con = duckdb.connect(str(tmp_db), config={"memory_limit": DUCKDB_MEMORY_LIMIT})
        try:
            con.execute(f"set temp_directory = {sql_str(str(Path(tmp) / 'spill'))}")
            loader = Loader(con, plan.tz, Path(tmp), contract.REQUIRED_TABLES)
            checked = land(plan, loader, progress, say)
            loader.check_cross_table({f.table for f in plan.files}, checked)
            _write_meta(con, plan, loader)
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp_db, plan.target)


def _write_meta(con: duckdb.DuckDBPyConnection, plan: BuildPlan, loader: Loader) -> None:
    source, tables = plan.source, {f.table for f in plan.files}
    first, last = _data_days(con, source, tables)
    # A day dimension (day number, date) around the data, so that per-day queries also return
    # days without any event.
    con.execute(f"create table days as select range::integer as day, "
                f"date '1970-01-01' + range::integer as date from range({first - 400}, {last + 401})")
    meta = {
        "source": str(source), "timezone": plan.tz, "fingerprint": plan.fingerprint,
        "data_fingerprint": plan.hashed.data,
        "source_name": source.stem if source.is_file() else source.name,
        "contract": contract.CONTRACT_VERSION,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": {f.table: first_row(con, f"select count(*) from {ident(f.table)}")[0]
                   for f in plan.files},
        "columns": {f.table: loader.provided[f.table] for f in plan.files},
        "first_day": first,
        "last_day": last,
        "build": {"mode": plan.mode, "base": plan.base.stem if plan.base else None,
                  "tables": {t: p.action for t, p in plan.tables.items()}},
    }
    con.execute("create table _meta (doc varchar)")
    con.execute("insert into _meta values (?)", [json.dumps(meta)])
    con.execute("create table _quality (table_name varchar, check_name varchar, rows bigint, "
                "example varchar)")
    for q in loader.quality:
        con.execute("insert into _quality values (?, ?, ?, ?)",
                    [q["table_name"], q["check_name"], q["rows"], q["example"]])
    write_parts(con, plan, loader)


def _data_days(con: duckdb.DuckDBPyConnection, source: Path, tables: set[str]) -> tuple[int, int]:
    """The first and last day of the data: of the events when the source has own tracking (it
    then has rows), else of WeChat's daily statistics."""
    if "events" in tables:
        return first_row(con, "select min(event_day), max(event_day) from events")
    days = " union all ".join(f"select day from {ident(t)}"
                              for t in contract.PLATFORM_TABLES if t in tables)
    first, last = first_row(con, f"select min(day), max(day) from ({days})")
    if first is None:
        raise DataError(f"{source}: the WeChat statistics ({', '.join(sorted(tables))}) hold no "
                        f"rows; expected at least one day of data")
    return first, last


# --------------------------------------------------------------------------------------------
# Querying
# --------------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


class Warehouse:
    """Read-only access to a built warehouse; small results come back as pandas DataFrames."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._con = open_read_only(self.path)
        self.meta: dict[str, Any] = json.loads(first_row(self._con, "select doc from _meta")[0])
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
