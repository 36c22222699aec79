"""Which contract tables a data source holds, and the hash of its content.

A source is a folder of `<table>.parquet` / `<table>.csv` files or a DuckDB file holding the tables
in its main schema. A folder may also hold files downloaded from the official account's admin
console (core.exports): each is recognised by its header and fills its contract table, which
must then not exist as a `<table>` file too. Everything that is not such a source (a symlink loop, a directory named
`users.csv`, a file that is not a DuckDB database, a table kept as a view) is a DataError naming
the path, what is wrong and what was expected.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from helpers.core import contract
from helpers.core.errors import DataError
from helpers.core.exports import find_exports

SOURCE_KINDS = "a folder of <table>.parquet / <table>.csv files, or a .duckdb file"
DUCKDB_SUFFIXES = {".duckdb", ".db"}


@dataclass(frozen=True)
class SourceFile:
    table: str
    path: Path
    kind: str  # "parquet" | "csv" | "duckdb" | "export"
    parts: tuple[Path, ...] = ()  # kind "export": every export file of the table (path: the first)

    @property
    def where(self) -> str:
        """The file(s) (and table) as messages name them."""
        if self.kind == "export":
            return ", ".join(str(p) for p in self.parts)
        return str(self.path) if self.kind != "duckdb" else f"{self.path} (table {self.table})"

    @property
    def files(self) -> tuple[Path, ...]:
        return self.parts or (self.path,)


def engine_reason(exc: BaseException) -> str:
    """The first line of an engine error: what went wrong, without the data lines DuckDB appends."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def resolve_source(source: Path) -> Path:
    """The absolute source path; a symlink loop is a DataError instead of a RuntimeError."""
    try:
        return Path(source).expanduser().resolve()
    except (RuntimeError, OSError) as exc:
        raise DataError(f"{source}: cannot be resolved ({exc}); expected {SOURCE_KINDS}") from None


def find_source_files(source: Path) -> list[SourceFile]:
    """The contract tables present in a folder or DuckDB file; errors when required ones are missing."""
    source = resolve_source(source)
    if not source.exists():
        raise DataError(f"{source}: data source not found (expected {SOURCE_KINDS})")
    if source.is_dir():
        found, where = _folder_tables(source), "files"
        found += _folder_exports(source, found)
    elif source.is_file() and source.suffix in DUCKDB_SUFFIXES:
        found, where = _duckdb_tables(source), "tables"
    else:
        raise DataError(f"{source}: not a folder or a .duckdb file (expected {SOURCE_KINDS})")
    _check_required(source, {f.table for f in found}, where)
    return found


def _check_required(source: Path, tables: set[str], where: str) -> None:
    """Own tracking (users and events, both) or WeChat's statistics, or both (README, "Required
    tables"): users without events, or a folder with neither, cannot make a report."""
    missing = [t for t in contract.REQUIRED_TABLES if t not in tables]
    platform = [t for t in contract.PLATFORM_TABLES if t in tables]
    if not missing or (platform and len(missing) == len(contract.REQUIRED_TABLES)):
        return
    alternative = "" if len(missing) < len(contract.REQUIRED_TABLES) else (
        f"; or WeChat's statistics instead ({', '.join(contract.PLATFORM_TABLES)}: "
        f"`wxreport fetch` writes them, or files downloaded from the admin console)")
    raise DataError(f"{source}: required table(s) {', '.join(missing)} not found; "
                    f"expected {where} named {', '.join(missing)} "
                    f"(.parquet or .csv in a folder, or tables in a .duckdb file){alternative}")


def _folder_tables(source: Path) -> list[SourceFile]:
    found = []
    for table in contract.TABLES:
        present = [p for p in (source / f"{table}.parquet", source / f"{table}.csv")
                   if os.path.lexists(p)]
        if len(present) > 1:
            raise DataError(f"{source}: both {present[0].name} and {present[1].name} exist; "
                            f"keep one file per table")
        if present:
            _check_regular_file(present[0])
            found.append(SourceFile(table, present[0], present[0].suffix.lstrip(".")))
    return found


def _folder_exports(source: Path, files: list[SourceFile]) -> list[SourceFile]:
    """The tables filled by admin-console exports; a table given by a file and an export is an error."""
    named = {f.table: f.path.name for f in files}
    found = []
    for table, paths in find_exports(source).items():
        if table in named:
            raise DataError(f"{source}: {named[table]} and the admin-console export(s) "
                            f"{', '.join(p.name for p in paths)} both give the {table} table; "
                            f"keep one")
        found.append(SourceFile(table, paths[0], "export", tuple(paths)))
    order = list(contract.TABLES)
    return sorted(found, key=lambda f: order.index(f.table))


def _check_regular_file(path: Path) -> None:
    if not path.exists():
        raise DataError(f"{path}: a broken symbolic link (or a link loop); expected a data file")
    if path.is_dir():
        raise DataError(f"{path}: is a directory; expected a {path.suffix.lstrip('.')} file")
    if not path.is_file():
        raise DataError(f"{path}: not a regular file; expected a {path.suffix.lstrip('.')} file")


def _duckdb_tables(source: Path) -> list[SourceFile]:
    """Base tables of the main schema; a contract table kept as a view or elsewhere is an error."""
    try:
        with duckdb.connect(str(source), read_only=True) as con:
            rows = con.execute("select table_schema, table_name, table_type "
                               "from information_schema.tables").fetchall()
    except duckdb.Error as exc:
        raise DataError(f"{source}: cannot be opened as a DuckDB database ({engine_reason(exc)}); "
                        f"expected a database file written by DuckDB") from None
    found = []
    for table in contract.TABLES:
        here = [(schema, kind) for schema, name, kind in rows if name == table]
        if ("main", "BASE TABLE") in here:
            found.append(SourceFile(table, source, "duckdb"))
        elif ("main", "VIEW") in here:
            raise DataError(f"{source}: {table} is a view; expected a table "
                            f"(CREATE TABLE {table} AS SELECT * FROM <the view>)")
        elif here:
            raise DataError(f"{source}: {table} is in schema {here[0][0]!r}; expected it in the "
                            f"main schema (CREATE TABLE main.{table} AS SELECT * FROM "
                            f"{here[0][0]}.{table})")
    return found


def _hash_file(h: Any, path: Path) -> None:
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror}); expected a readable file") from None


def data_fingerprint(source: Path) -> str:
    """Content hash of the source's files alone: stable across versions of this code, so what is
    derived from it for people (e.g. referrer pseudonyms) stays the same for the same data."""
    h = hashlib.blake2b(digest_size=16)
    for path in sorted({p for f in find_source_files(source) for p in f.files}):
        h.update(path.name.encode())
        _hash_file(h, path)
    return h.hexdigest()
