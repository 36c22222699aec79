"""Which contract tables a data source holds, and the hash of its content.

A source is a folder of tables or a DuckDB file holding the tables in its main schema. In a folder
each table is given one way (README, "Using your own data"): one file `<table>.parquet` or
`<table>.csv`, or a folder `<table>/` of part files, all Parquet or all CSV, directly in it or in
Hive partitions (`events/event_date=2026-11-16/part-0.parquet`: folders named `column=value`,
every part at the same depth; the value is a text column of the rows). The rows of a table folder
are its parts' rows in the order of their paths. Names starting with `.` or `_` are not parts
(`_SUCCESS`, `.part-0.parquet.crc`, as Spark writes them). A folder may also hold files downloaded
from the official account's admin console (core.exports): each is recognised by its header and
fills its contract table, which must then not be given otherwise too. Everything that is not such a
source (a symlink loop, a directory named `users.csv`, a file that is not a DuckDB database, a
table kept as a view, a table both as a file and a folder) is a DataError naming the path, what is
wrong and what was expected.
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

SOURCE_KINDS = ("a folder of <table>.parquet / <table>.csv files (or <table>/ folders of part "
                "files), or a .duckdb file")
DUCKDB_SUFFIXES = {".duckdb", ".db"}
PART_SUFFIXES = {".parquet": "parquet", ".csv": "csv"}


@dataclass(frozen=True)
class SourceFile:
    """A contract table of a source: one file, a table folder of part files (`parts`), a table
    of a DuckDB file, or admin-console exports (`parts`: every export file of the table)."""

    table: str
    path: Path  # the file, the table folder, the DuckDB file or the first export
    kind: str  # "parquet" | "csv" | "duckdb" | "export"
    parts: tuple[Path, ...] = ()
    folder: bool = False  # a table folder: `parts` are its part files, in row order

    @property
    def where(self) -> str:
        """The file(s) (and table) as messages name them."""
        if self.kind == "export":
            return ", ".join(str(p) for p in self.parts)
        return str(self.path) if self.kind != "duckdb" else f"{self.path} (table {self.table})"

    @property
    def files(self) -> tuple[Path, ...]:
        return self.parts or (self.path,)

    def label(self, part: Path) -> str:
        """A part as messages name it: its path inside the table folder (else its name)."""
        return part.relative_to(self.path).as_posix() if self.folder else part.name

    def partition(self, part: Path) -> dict[str, str]:
        """The Hive partition values of a part of a table folder (column -> text)."""
        if not self.folder:
            return {}
        return dict(p.split("=", 1) for p in part.relative_to(self.path).parts[:-1])


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
        folder = source / table
        if folder.is_dir():
            if present:
                raise DataError(f"{source}: both {present[0].name} and the folder {table}/ exist; "
                                f"keep one: a file, or a folder of part files")
            found.append(_table_folder(table, folder))
        elif present:
            _check_regular_file(present[0])
            found.append(SourceFile(table, present[0], present[0].suffix.lstrip(".")))
    return found


def _table_folder(table: str, folder: Path) -> SourceFile:
    """A table folder's part files, in path order; its layout checked."""
    parts = sorted(_walk_parts(folder, folder, set()), key=lambda p: p.relative_to(folder).parts)
    expected = (f"expected the rows of {table} as .parquet or .csv part files in it, directly or "
                f"in Hive partition folders such as event_date=2026-11-16/")
    if not parts:
        raise DataError(f"{folder}: a table folder without part files; {expected}")
    kinds = {PART_SUFFIXES[p.suffix.lower()]: p for p in parts}
    if len(kinds) > 1:
        raise DataError(f"{folder}: holds both Parquet and CSV parts ({kinds['parquet'].name}, "
                        f"{kinds['csv'].name}); expected one format per table folder")
    layouts = {tuple(k.split("=", 1)[0] for k in p.relative_to(folder).parts[:-1]): p for p in parts}
    if len(layouts) > 1:
        one, two = list(layouts.values())[:2]
        raise DataError(f"{folder}: parts at different partition levels ({one.relative_to(folder)}, "
                        f"{two.relative_to(folder)}); expected every part at the same depth, "
                        f"under the same partition columns")
    return SourceFile(table, folder, next(iter(kinds)), tuple(parts), folder=True)


def _walk_parts(folder: Path, top: Path, seen: set[Path]) -> list[Path]:
    real = folder.resolve()
    if real in seen:
        raise DataError(f"{folder}: a symbolic link loop; expected partition folders")
    seen.add(real)
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "_")):
            continue
        if path.is_dir():
            key, is_pair, value = path.name.partition("=")
            if not (is_pair and key and value):
                raise DataError(f"{path}: a folder inside the table folder {top.name}/ not named "
                                f"column=value; expected part files, or Hive partition folders "
                                f"such as event_date=2026-11-16/")
            found += _walk_parts(path, top, seen)
        elif path.suffix.lower() in PART_SUFFIXES:
            _check_regular_file(path)
            found.append(path)
        else:
            _check_regular_file(path)
            raise DataError(f"{path}: not a .parquet or .csv file; expected only part files of "
                            f"the {top.name} table in {top.name}/ (names starting with . or _ "
                            f"are ignored)")
    return found


def _folder_exports(source: Path, files: list[SourceFile]) -> list[SourceFile]:
    """The tables filled by admin-console exports; a table given by a file and an export is an error."""
    named = {f.table: f.path.name + ("/" if f.folder else "") for f in files}
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


@dataclass(frozen=True)
class SourceHash:
    """The content hash of a source (`data`) and of each of its files (relative name -> digest)."""

    data: str
    files: dict[str, str]


def relative_name(source: Path, path: Path) -> str:
    """A file of a source as hashed and recorded: its path inside the source folder (the file's
    name for a DuckDB source)."""
    return path.relative_to(source).as_posix() if source.is_dir() else path.name


def hash_source(source: Path, files: list[SourceFile] | None = None) -> SourceHash:
    """Every file of the source read once: the hash of them all (each file's relative name and
    bytes, in path order) and a digest of each."""
    source = resolve_source(source)
    h = hashlib.blake2b(digest_size=16)
    digests = {}
    for path in sorted({p for f in (files or find_source_files(source)) for p in f.files}):
        name = relative_name(source, path)
        h.update(name.encode())
        digests[name] = _hash_file(h, path)
    return SourceHash(h.hexdigest(), digests)


def _hash_file(h: Any, path: Path) -> str:
    one = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
                one.update(chunk)
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror}); expected a readable file") from None
    return one.hexdigest()


def data_fingerprint(source: Path) -> str:
    """Content hash of the source's files alone: stable across versions of this code, so what is
    derived from it for people (e.g. referrer pseudonyms) stays the same for the same data."""
    return hash_source(source).data
