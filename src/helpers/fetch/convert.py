"""Raw WeChat responses -> contract tables: `convert(data_dir)` reads `data_dir/raw/<api>/*.json`
(as `wxreport fetch` stores them) and writes each contract table it can fill as
`data_dir/<table>.csv`, so that the folder is a data source `wxreport run --data` accepts.

Each table is rewritten whole from every raw file each time (written to a temporary file, then
renamed over the old one). For every day, the most recently fetched file covering it wins
(convert_raw.latest), so overlapping or repeated fetches never duplicate rows. A table is written
whenever one of its APIs has a raw file, also when the answers held no rows (a header only).
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from helpers.core import contract
from helpers.fetch import tables_articles, tables_mp, tables_oa
from helpers.fetch.convert_raw import RawStore

Rows = list[dict[str, Any]]
MINI_PROGRAM: dict[str, Callable[[RawStore], Rows | None]] = {
    "mp_visits": tables_mp.visits,
    "mp_retention": tables_mp.retention,
    "mp_portrait": tables_mp.portrait,
    "mp_sources": tables_mp.sources,
    "mp_distribution": tables_mp.distribution,
    "mp_pages": tables_mp.pages,
}
TABLES = (*MINI_PROGRAM, "followers", "articles", "article_stats", "oa_reads")


def convert(data_dir: Path) -> dict[str, int]:
    """Write every table the raw responses under `data_dir/raw` fill; returns table -> rows
    written (only the tables written). DataError names a raw file that is not a stored response."""
    data_dir = Path(data_dir)
    tables = build_tables(RawStore(data_dir))
    for name, rows in tables.items():
        write_table(data_dir, name, rows)
    return {name: len(rows) for name, rows in tables.items()}


def build_tables(store: RawStore) -> dict[str, Rows]:
    """Table -> rows, for the tables whose APIs have raw files (in contract order)."""
    built: dict[str, Rows | None] = {name: build(store) for name, build in MINI_PROGRAM.items()}
    built["followers"] = tables_oa.followers(store)
    articles, stats = tables_articles.article_tables(store, tables_oa.cumulative_followers(store))
    built["articles"], built["article_stats"] = articles, stats
    built["oa_reads"] = tables_oa.oa_reads(store)
    return {name: built[name] for name in contract.TABLES
            if name in built and built[name] is not None}


def write_table(data_dir: Path, name: str, rows: Rows) -> Path:
    """`data_dir/<name>.csv`: UTF-8, the contract's columns in contract order, written atomically."""
    columns = [c.name for c in contract.TABLES[name].columns]
    target = data_dir / f"{name}.csv"
    data_dir.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=data_dir, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([cell(row.get(c)) for c in columns])
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def cell(value: Any) -> str:
    """A value as the loader reads it: empty for missing, ISO dates, seconds for timestamps."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(round(value, 6))
    return str(value)
