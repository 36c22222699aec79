"""What a warehouse build lands: everything, or only what is new since the last build.

A data folder grows: a week of events arrives as a new part file or day partition (core.sources).
The last warehouse built from the same folder, with the same timezone and the same loader code,
is found through a small pointer file in the cache; its `_parts` table lists the file, content
digest and rows of every table it landed. Per table, comparing those with the folder now:

- `keep`: every file unchanged: the table is not read at all;
- `append`: the landed files unchanged and new part files after them (in path order): only the
  new files are read and validated, and the key is checked across old and new rows;
- `load`: anything else (a file changed or removed, a new part sorting before landed ones, an
  admin-console export table changed, a table new to the folder): the table is read in full;
- `drop`: a table no longer in the folder.

Without a kept or appended table the build is a full one. An incremental build copies the last
warehouse (which stays as it is), lands into the copy, and recomputes what spans tables (the
unknown-user and before-first-seen checks, the days, the metadata) over the whole warehouse.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from helpers.core.casts import ident
from helpers.core.crosstable import Checked
from helpers.core.loader import Loader, NeedsReload
from helpers.core.paths import cache_dir
from helpers.core.sources import SourceFile, SourceHash, relative_name

DUCKDB_MEMORY_LIMIT = os.environ.get("WXREPORT_DUCKDB_MEMORY", "2GB")
Landed = dict[str, list[tuple[str, str, int | None]]]  # table -> (file, digest, rows), in order
DERIVED = ("_meta", "_quality", "_parts", "days")  # rebuilt by every build


@dataclass(frozen=True)
class TablePlan:
    action: str  # "keep" | "append" | "load" | "drop"
    files: tuple[Path, ...] = ()  # append: the new part files; load: every file of the table
    reason: str = ""


@dataclass(frozen=True)
class BuildPlan:
    """What a build of `source` does (`plan_warehouse` decides it; nothing is loaded)."""

    mode: str  # "cached" | "incremental" | "full"
    source: Path
    tz: str
    target: Path
    fingerprint: str
    code: str  # the hash of everything but the data: a base must have the same
    hashed: SourceHash
    files: tuple[SourceFile, ...]
    tables: dict[str, TablePlan]
    reason: str
    base: Path | None = None
    landed: Landed = field(default_factory=dict)  # the base's files
    columns: dict[str, list[str]] = field(default_factory=dict)  # the base's provided columns

    def summary(self) -> str:
        """One line: what the build does."""
        if self.mode != "incremental":
            return f"{self.mode} build ({self.reason})"
        counts = {a: sum(p.action == a for p in self.tables.values()) for a in ("keep", "load", "drop")}
        new = sum(len(p.files) for p in self.tables.values() if p.action == "append")
        parts = [f"{new} new file{'s' if new != 1 else ''}" if new else "",
                 f"{counts['load']} table{'s' if counts['load'] != 1 else ''} reloaded" if counts["load"] else "",
                 f"{counts['drop']} dropped" if counts["drop"] else "",
                 f"{counts['keep']} table{'s' if counts['keep'] != 1 else ''} unchanged"]
        return f"incremental build ({'; '.join(p for p in parts if p)})"


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A built warehouse, read-only; always with the same settings (DuckDB refuses a second
    connection to a file open in the process with other ones)."""
    return duckdb.connect(str(path), read_only=True, config={"memory_limit": DUCKDB_MEMORY_LIMIT})


def plan_build(source: Path, tz: str, files: list[SourceFile], hashed: SourceHash, code: str,
               fingerprint: str, target: Path, incremental: bool) -> BuildPlan:
    """Cached, incremental on the last warehouse of the same folder, or full; per table what lands."""
    def plan(mode: str, tables: dict[str, TablePlan], reason: str, **base) -> BuildPlan:
        return BuildPlan(mode, source, tz, target, fingerprint, code, hashed, tuple(files), tables,
                         reason, **base)

    everything = {f.table: TablePlan("load", f.files, "full build") for f in files}
    if target.exists():
        return plan("cached", {t: TablePlan("keep") for t in everything}, "the same data was built before")
    if not incremental:
        return plan("full", everything, "incremental builds are off")
    base, landed, columns, why = _base(source, tz, code)
    if base is None:
        return plan("full", everything, why)
    tables = {f.table: _table_plan(f, source, hashed, landed.get(f.table)) for f in files}
    tables |= {t: TablePlan("drop", reason="no longer in the data") for t in landed if t not in tables}
    if not any(p.action in ("keep", "append") for p in tables.values()):
        return plan("full", everything, "every table changed since the last build")
    if all(p.action == "keep" for p in tables.values()):  # the same data, to another target
        return plan("full", everything, "nothing changed since the last build")
    return plan("incremental", tables, f"on the last build, {base.name}", base=base, landed=landed,
                columns=columns)


def _table_plan(f: SourceFile, source: Path, hashed: SourceHash,
                old: list[tuple[str, str, int | None]] | None) -> TablePlan:
    new = [(name, hashed.files[name]) for name in (relative_name(source, p) for p in f.files)]
    if old is None:
        return TablePlan("load", f.files, "new in the data")
    landed = [(name, digest) for name, digest, _ in old]
    if new == landed:
        return TablePlan("keep")
    if f.folder and f.kind in ("parquet", "csv") and new[:len(landed)] == landed:
        return TablePlan("append", f.files[len(landed):])
    names, now = dict(landed), dict(new)
    gone = next((n for n in names if n not in now), None)
    changed = next((n for n in names if n in now and now[n] != names[n]), None)
    early = next((n for n, _ in new if n not in names), None)
    reason = (f"{gone} removed" if gone else f"{changed} changed" if changed
              else f"{early} is new and sorts before files landed earlier" if early and f.folder
              else "its files changed")
    return TablePlan("load", f.files, reason)


def _pointer(source: Path, tz: str) -> Path:
    key = hashlib.blake2b(f"{source}|{tz}".encode(), digest_size=12).hexdigest()
    return cache_dir() / "warehouse" / f"latest-{key}.json"


def _base(source: Path, tz: str, code: str
          ) -> tuple[Path | None, Landed, dict[str, list[str]], str]:
    """The last warehouse of this folder, what it landed and its provided columns; else why not."""
    try:
        pointer = json.loads(_pointer(source, tz).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, {}, {}, "no earlier warehouse of this data folder"
    base = Path(pointer.get("warehouse", ""))
    if pointer.get("code") != code:
        return None, {}, {}, "the loader code changed since the last build"
    if not base.is_file():
        return None, {}, {}, "the last warehouse of this data folder is gone"
    try:
        with open_read_only(base) as con:
            rows = con.execute("select table_name, file, digest, rows from _parts order by seq").fetchall()
            meta = json.loads(con.execute("select doc from _meta").fetchall()[0][0])
    except (duckdb.Error, IndexError, ValueError):
        return None, {}, {}, "the last warehouse of this data folder cannot be read"
    landed: Landed = {}
    for table, name, digest, count in rows:
        landed.setdefault(table, []).append((name, digest, count))
    return base, landed, meta.get("columns", {}), ""


def remember(plan: BuildPlan) -> None:
    """Point the folder's next build at this warehouse (best effort: a read-only cache is fine)."""
    pointer = _pointer(plan.source, plan.tz)
    doc = json.dumps({"warehouse": str(plan.target), "code": plan.code, "source": str(plan.source)})
    try:
        if pointer.exists() and pointer.read_text(encoding="utf-8") == doc:
            return
        pointer.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=pointer.parent, delete=False, suffix=".tmp",
                                         encoding="utf-8") as fh:
            fh.write(doc)
        os.replace(fh.name, pointer)
    except OSError:
        pass


def land(plan: BuildPlan, loader: Loader, progress: Callable[[int, int, str], None] | None,
         say: Callable[[str], None] | None) -> Checked | None:
    """Every table of a full build (`progress(i, n, table)` before each), or what an incremental
    build lands into the copy of its base (`say(line)` for each step). Returns what the base
    checked across tables that still holds (core.crosstable), if anything."""
    if plan.mode == "full":
        for i, f in enumerate(plan.files, 1):
            if progress is not None:
                progress(i, len(plan.files), f.table)
            loader.load(f)
        return None
    tell = say or (lambda line: None)
    tell(f"wxreport: updating the warehouse of {plan.source}: {plan.summary()}")
    con = loader.con
    checked = _checked(plan, con)
    for table in [*DERIVED, *(t for t, p in plan.tables.items() if p.action in ("load", "drop"))]:
        con.execute(f"drop table if exists {ident(table)}")
    for table, p in plan.tables.items():
        if p.action == "drop":
            tell(f"  dropping  {table} ({p.reason})")
    for f in plan.files:
        p = plan.tables[f.table]
        if p.action == "load":
            tell(f"  reloading {f.table} ({p.reason})")
            loader.load(f)
            continue
        loader.restore(f, [(plan.source / name, rows) for name, _, rows in plan.landed[f.table]
                           if rows is not None], plan.columns.get(f.table, []))
        if p.action == "append":
            tell(f"  landing   {len(p.files)} new file{'s' if len(p.files) > 1 else ''} of "
                 f"{f.table} ({len(f.files)} in all)")
            _append(loader, f, p, tell)
    return checked


def _checked(plan: BuildPlan, con: duckdb.DuckDBPyConnection) -> Checked | None:
    """The base's checks across tables still hold for its rows when the users did not change, or
    only gained rows while every earlier event and order had a known user; the events and orders
    kept or appended to."""
    action = {t: p.action for t, p in plan.tables.items()}
    if action.get("users") not in ("keep", "append") or any(
            action.get(t) not in (None, "keep", "append") for t in ("events", "orders")):
        return None
    quality = {check: (rows, example) for check, rows, example
               in con.execute("select check_name, rows, example from _quality").fetchall()}
    if action["users"] == "append" and ("events_unknown_user" in quality or "orders_unknown_user" in quality):
        return None
    first = {t: 1 + sum(rows or 0 for _, _, rows in plan.landed.get(t, [])) for t in ("events", "orders")}
    return Checked(first, quality)


def _append(loader: Loader, f: SourceFile, p: TablePlan, tell: Callable[[str], None]) -> None:
    try:
        loader.append(f, p.files)
    except NeedsReload as exc:
        tell(f"  reloading {f.table} (the new files add or retype column {exc})")
        loader.con.execute(f"drop table if exists {ident(f.table)}")
        loader.load(f)


def write_parts(con: duckdb.DuckDBPyConnection, plan: BuildPlan, loader: Loader) -> None:
    """`_parts`: every file of every table with its digest and, when located by row, its rows."""
    con.execute("create table _parts (seq integer, table_name varchar, file varchar, "
                "digest varchar, rows bigint)")
    rows = []
    for f in plan.files:
        counts = {s.path: s.rows for s in loader.places[f.table].segments}
        for path in f.files:
            name = relative_name(plan.source, path)
            rows.append([len(rows), f.table, name, plan.hashed.files[name], counts.get(path)])
    if rows:
        con.executemany("insert into _parts values (?, ?, ?, ?, ?)", rows)
