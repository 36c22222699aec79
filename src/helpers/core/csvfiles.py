"""CSV files as users export them: the dialect is decided here, the rows are read by DuckDB.

The header line is read by hand: it decides the delimiter (the candidate that splits it into the
most names) and must name each column once (DuckDB would silently rename a second `user_id` to
`user_id_1`). DuckDB then reads the rows with that dialect fixed and strict field counts, keeping
structural problems (a row with too many or too few fields, an unterminated quote) in a rejects
table that is turned into a message naming the physical line. Messages always give physical lines
of the file, the line where a record starts, also when quoted fields span several lines.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from helpers.core.casts import sql_str
from helpers.core.errors import DataError
from helpers.core.textfiles import utf8_copy

DELIMITERS = (",", ";", "\t", "|")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


@dataclass(frozen=True)
class CsvFile:
    source: Path  # the file as the user named it, for messages
    text: Path  # the UTF-8 text DuckDB reads: the source itself, or a converted copy
    delimiter: str
    header: tuple[str, ...]

    @property
    def delimiter_name(self) -> str:
        return _NAMES[self.delimiter]


def open_csv(path: Path, workdir: Path) -> CsvFile:
    """The UTF-8 text, delimiter and header of a CSV file; DataError when there is no usable header."""
    text = utf8_copy(path, workdir)
    best: tuple[str, list[str]] | None = None
    for delimiter in DELIMITERS:
        with text.open(encoding="utf-8", newline="") as fh:
            names = next(csv.reader(fh, delimiter=delimiter), [])
        if best is None or len(names) > len(best[1]):
            best = (delimiter, names)
    delimiter, names = best or (",", [])
    if not any(n.strip() for n in names):
        raise DataError(f"{path}: line 1: no header; expected a first line naming the columns "
                        f"(e.g. user_id,first_seen_at)")
    header = tuple(n.strip() or f"column{i}" for i, n in enumerate(names, start=1))
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        if name.lower() in seen:  # DuckDB column names ignore case
            raise DataError(f"{path}: line 1 (header): column {name} appears twice (fields "
                            f"{seen[name.lower()]} and {i}); expected each column once")
        seen[name.lower()] = i
    return CsvFile(path, text, delimiter, header)


def read_csv_sql(f: CsvFile, rejects: str) -> str:
    """A DuckDB `read_csv(...)` with the dialect fixed, every column as text, structural errors
    stored in `<rejects>` (and `<rejects>_scan`) instead of raised without a physical line."""
    columns = ", ".join(f"{sql_str(name)}: 'VARCHAR'" for name in f.header)
    return (f"read_csv({sql_str(str(f.text))}, auto_detect = false, header = true, "
            f"delim = {sql_str(f.delimiter)}, quote = '\"', escape = '\"', "
            f"columns = {{{columns}}}, strict_mode = true, null_padding = false, "
            f"store_rejects = true, rejects_table = {sql_str(rejects)}, "
            f"rejects_scan = {sql_str(rejects + '_scan')})")


def raise_for_rejects(con: duckdb.DuckDBPyConnection, f: CsvFile, rejects: str) -> None:
    """A DataError naming the physical line of the first row DuckDB could not split into fields."""
    rows = con.execute(f"select line_byte_position, error_type, error_message from {rejects} "
                       f"order by line_byte_position limit 1").fetchall()
    con.execute(f"drop table if exists {rejects}")
    con.execute(f"drop table if exists {rejects}_scan")
    if not rows:
        return
    position, kind, detail = rows[0]
    line = _line_at(f.text, int(position))
    fields = len(f.header)
    if kind in ("TOO MANY COLUMNS", "MISSING COLUMNS"):
        found = detail.rsplit(":", 1)[-1].strip()
        many = "too many" if kind == "TOO MANY COLUMNS" else "too few"
        raise DataError(f"{f.source}: line {line}: the row has {many} fields ({found}); expected "
                        f"{fields}, one per column of the header ({f.delimiter_name}-separated; "
                        f"quote values that contain the delimiter)")
    raise DataError(f"{f.source}: line {line}: cannot be split into fields ({detail}); expected "
                    f"{fields} {f.delimiter_name}-separated fields, text with quotes or line "
                    f"breaks inside double quotes")


def _line_at(path: Path, position: int) -> int:
    """The physical line (1-based) of the first character at or after byte `position` that is
    not a line break: DuckDB's row positions may point at the blank lines before a row."""
    line, remaining = 1, position
    with path.open("rb") as fh:
        while remaining > 0 and (chunk := fh.read(min(remaining, 1 << 20))):
            line += chunk.count(b"\n")
            remaining -= len(chunk)
        while (c := fh.read(1)) in (b"\r", b"\n"):
            line += c == b"\n"
    return line


def physical_lines(f: CsvFile, records: Iterable[int]) -> dict[int, int]:
    """Record number (1 = first row after the header, as DuckDB numbers them: blank lines skipped)
    -> the physical line where that record starts."""
    wanted = set(records)
    found: dict[int, int] = {}
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # DuckDB has read the same fields; allow them here
    try:
        with f.text.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter=f.delimiter)
            next(reader, None)
            record, start = 0, reader.line_num + 1
            for row in reader:
                if row:
                    record += 1
                    if record in wanted:
                        found[record] = start
                        if len(found) == len(wanted):
                            break
                start = reader.line_num + 1
    finally:
        csv.field_size_limit(limit)
    return found

