"""Admin-console exports (公众号后台 "下载表格") recognised in a data folder and read into contract tables.

A file of a data folder that is not a contract table file (`<table>.csv|.parquet`) but has an
export-like suffix (EXPORT_SUFFIXES) is an export: it is read (core.exportfiles: CSV in UTF-8 or
GBK, or an HTML table saved as .xls) and recognised by its header row, which may sit below title
lines, through the alias table of core.wechat (EXPORT_ALIASES: never by column position). A file
recognised as none of them stops the load with the columns it has and the ones expected.

- 用户增长 -> `followers`: the export gives daily totals over every source, which land as the one
  source core.wechat.FOLLOWER_EXPORT_SOURCE; 净增关注人数, when given, must equal new - unfollows.
- 内容分析 trend -> `oa_reads`: the channel comes from a channel column, else from the title
  lines above the header or the file name (one file per channel, as the console downloads one
  channel at a time); a file naming no channel is the console's default view, every channel
  (core.wechat.ALL_SOURCES). An hourly export (an hour column, or times other than midnight) is
  summed to days for the counts (reads, shares, favorites); readers and sharers are people, who
  cannot be summed across hours (one reader of two hours is one reader of the day): they are left
  empty (and not provided) for the days of an hourly export.
- the per-article table -> `articles` + `article_stats`: the export has no article id, so the id
  is derived from the publish time (as written, to the second when given) and the title:
  `export-<12 hex digits>`, the same for the same article in any later export. Its numbers are the
  article's totals at download time; they land as one `article_stats` row dated on the publish day.
- favorites are 收藏次数 (times saved); an export giving only 收藏人数 (people) fills them with it,
  except in an hourly export.

Several exports for one table are concatenated; identical rows (the same day exported twice) are
dropped, conflicting ones stop at the loader's duplicate-key check naming the files and lines.
Numbers may carry thousands separators or be written as text (`'1234`, `="1234"`); `-` means no
value; dates may be written 2026-11-16, 2026/11/16, 20261116, 2026年11月16日, with or without a
time. What cannot be read is left as written, for the loader to report at its line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from helpers.core import contract, wechat
from helpers.core.errors import DataError
from helpers.core.exportfiles import Sheet, plain, read_sheet

EXPORT_SUFFIXES = (".csv", ".tsv", ".xls", ".xlsx", ".htm", ".html")
KIND_TABLES = {"followers": ("followers",), "oa_reads": ("oa_reads",),
               "articles": ("articles", "article_stats")}
# Fields each export must have, as groups of which one is enough.
REQUIRED = {"followers": (("date",), ("new_followers",), ("unfollows",)),
            "oa_reads": (("date",), ("reads", "readers")),
            "articles": (("published_at",), ("title",))}
HEADER_SEARCH = 15  # rows looked at for the header (title lines come first)
_NO_VALUE = ("", "-", "--", "\u2014", "/", "N/A")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_WHOLE = re.compile(r"[+-]?\d+(\.0*)?")
_MOMENT = re.compile(r"(?:(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|(\d{4})(\d{2})(\d{2}))"
                     r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?")
_UNIT = re.compile(r"\([^()]*\)$")
_COUNTS = ("recipients", "readers", "reads", "sharers", "shares", "favorites")
_PEOPLE = ("readers", "sharers")


@dataclass(frozen=True)
class Spot:
    """Where a row of an export is: its file and physical line (or n-th table row of an HTML file)."""

    path: Path
    unit: str
    number: int

    def __str__(self) -> str:
        return f"{self.unit} {self.number}"


@dataclass(frozen=True)
class Header:
    kind: str
    index: int  # of the header row in Sheet.rows
    columns: dict[str, int]  # field -> cell position
    doubled: tuple[tuple[str, int], ...] = ()  # (field, position) of a second column for a field

    def name(self, sheet: Sheet, name: str) -> str:
        return sheet.rows[self.index][1][self.columns[name]]


@dataclass
class ExportRows:
    """A contract table's rows read from exports: text values, and where each row comes from."""

    columns: list[str]
    rows: list[tuple[str | None, ...]] = field(default_factory=list)
    spots: list[Spot] = field(default_factory=list)


def header_key(text: str) -> str:
    """A header name as compared: NFKC, no spaces, no trailing "(unit)", case-folded."""
    return _UNIT.sub("", "".join(plain(text).split())).casefold()


def export_candidates(folder: Path) -> list[Path]:
    """The folder's files that are not contract table files but have an export-like suffix."""
    contract_files = {f"{t}.csv" for t in contract.TABLES}
    found = []
    for path in sorted(folder.iterdir()):
        if (path.name.startswith((".", "~$")) or path.name in contract_files
                or path.suffix.lower() not in EXPORT_SUFFIXES or path.is_dir()):
            continue
        if not path.exists():
            raise DataError(f"{path}: a broken symbolic link (or a link loop); expected a data file")
        found.append(path)
    return found


def find_exports(folder: Path) -> dict[str, list[Path]]:
    """Contract table -> the export files that fill it, in name order; DataError for a file that
    is no known export."""
    tables: dict[str, list[Path]] = {}
    for path in export_candidates(folder):
        for table in KIND_TABLES[recognise(read_sheet(path)).kind]:
            tables.setdefault(table, []).append(path)
    return tables


def recognise(sheet: Sheet) -> Header:
    """The first row of the first HEADER_SEARCH that names every required field of an export."""
    for index, (line, cells) in enumerate(sheet.rows[:HEADER_SEARCH]):
        keys = [header_key(c) for c in cells]
        matches = [h for kind in wechat.EXPORT_ALIASES if (h := _match(kind, index, keys))]
        if matches:
            header = max(matches, key=lambda h: len(h.columns))
            if header.doubled:
                name, position = header.doubled[0]
                raise DataError(f"{sheet.path}: {sheet.unit} {line} (header): columns "
                                f"{header.name(sheet, name)} and {cells[position]} both give "
                                f"{name}; expected one of them")
            return header
    raise DataError(_unrecognised(sheet))


def _match(kind: str, index: int, keys: list[str]) -> Header | None:
    aliases = {name: [header_key(a) for a in names] for name, names in wechat.EXPORT_ALIASES[kind].items()}
    columns: dict[str, int] = {}
    for name, options in aliases.items():  # the first alias of a field wins
        hits = sorted((options.index(k), i) for i, k in enumerate(keys)
                      if k in options and i not in columns.values())
        if hits:
            columns[name] = hits[0][1]
    if not all(any(name in columns for name in group) for group in REQUIRED[kind]):
        return None
    doubled = tuple((name, i) for i, k in enumerate(keys) if i not in columns.values()
                    for name, options in aliases.items() if k in options and name in columns)
    return Header(kind, index, columns, doubled)


def _unrecognised(sheet: Sheet) -> str:
    rows = sheet.rows[:HEADER_SEARCH]
    widest = max(rows, key=lambda r: sum(1 for c in r[1] if c), default=None)
    found = (f"found the columns {', '.join(c for c in widest[1] if c)} ({sheet.unit} {widest[0]})"
             if widest and any(widest[1]) else "found no columns")
    expected = "; ".join(f"{wechat.EXPORT_TITLES[kind]} ({' + '.join(KIND_TABLES[kind])}): "
                         f"{_expected_names(kind)}" for kind in wechat.EXPORT_ALIASES)
    return (f"{sheet.path}: not an admin-console export the suite knows; {found}; expected the "
            f"header of one of: {expected}. A contract table file is named <table>.csv or "
            f"<table>.parquet ({', '.join(contract.TABLES)}); keep other files out of the data "
            f"folder")


def _expected_names(kind: str) -> str:
    aliases = wechat.EXPORT_ALIASES[kind]
    required = [" or ".join(aliases[name][0] for name in group) for group in REQUIRED[kind]]
    optional = [names[0] for name, names in aliases.items()
                if not any(name in group for group in REQUIRED[kind])]
    return f"{', '.join(required)} (optional: {', '.join(optional)})"


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------

def moment(text: str) -> tuple[str, str | None] | None:
    """(ISO date, HH:MM:SS or None) of a date/time as exports write it; None when unreadable."""
    t = plain(text)
    for mark, by in zip(wechat.DATE_MARKS, ("-", "-", " "), strict=True):
        t = t.replace(mark, by)
    m = _MOMENT.fullmatch(t.strip())
    if not m:
        return None
    y, mo, d = (int(g) for g in (m.group(1, 2, 3) if m.group(1) else m.group(4, 5, 6)))
    hour, minute, second = (int(g or 0) for g in m.group(7, 8, 9))
    try:
        day = date(y, mo, d)
    except ValueError:
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    return day.isoformat(), (f"{hour:02d}:{minute:02d}:{second:02d}" if m.group(7) else None)


def number(text: str) -> str | None:
    """A count as text without grouping or text markers; None for no value; else as written."""
    t = plain(text)
    if t.startswith('="') and t.endswith('"'):
        t = t[2:-1].strip()
    t = t.removeprefix("'").strip()
    if t in _NO_VALUE:
        return None
    return t.replace(",", "") if _GROUPED.fullmatch(t) else t


def whole(text: str | None) -> int | None:
    return int(text.split(".")[0]) if text is not None and _WHOLE.fullmatch(text) else None


def article_id(published: str, title: str) -> str:
    """The id of an exported article: from its publish time and title, stable across exports."""
    key = f"{published}\x1f{' '.join(plain(title).split())}"
    return f"export-{hashlib.blake2b(key.encode(), digest_size=6).hexdigest()}"


def _day(text: str) -> str:
    found = moment(text)
    return found[0] if found else text


def _data_rows(sheet: Sheet, header: Header) -> Iterator[tuple[Spot, dict[str, str]]]:
    """The rows under the header as field -> cell text, without blank rows, summary rows (合计)
    and a note line under the table (one cell that is neither a date nor a number)."""
    header_line, cells = sheet.rows[header.index]
    width = len(cells)
    first = "date" if "date" in header.columns else "published_at"
    for line, cells in sheet.rows[header.index + 1:]:
        spot = Spot(sheet.path, sheet.unit, line)
        filled = [c for c in cells if c]
        values = {name: cells[i] if i < len(cells) else "" for name, i in header.columns.items()}
        if not filled or plain(values[first]) in wechat.EXPORT_TOTAL_ROWS:
            continue
        if len(filled) == 1 and cells[0] and moment(cells[0]) is None and whole(number(cells[0])) is None:
            continue
        if any(cells[width:]):
            raise DataError(f"{sheet.path}: {spot}: the row has {len(cells)} fields; expected "
                            f"{width}, one per column of the header ({sheet.unit} {header_line})")
        yield spot, values


# --------------------------------------------------------------------------------------------
# Rows of each export
# --------------------------------------------------------------------------------------------

Record = tuple[dict[str, str | None], Spot]


def _followers(sheet: Sheet, header: Header) -> dict[str, tuple[list[str], list[Record]]]:
    columns = ["date", "source", "new_followers", "unfollows"]
    columns += ["cumulative"] if "cumulative" in header.columns else []
    records = []
    for spot, v in _data_rows(sheet, header):
        row = {"date": _day(v["date"]), "source": wechat.FOLLOWER_EXPORT_SOURCE,
               **{c: number(v[c]) for c in columns[2:]}}
        if "net" in header.columns:
            _check_net(sheet, header, spot, row, number(v["net"]))
        records.append((row, spot))
    return {"followers": (columns, records)}


def _check_net(sheet: Sheet, header: Header, spot: Spot, row: dict[str, str | None],
               net: str | None) -> None:
    """净增关注人数 = 新关注人数 - 取消关注人数, when all three are given and readable."""
    if net is None:
        return
    names = {name: header.name(sheet, name) for name in ("net", "new_followers", "unfollows")}
    if whole(net) is None:
        raise DataError(f"{sheet.path}: {spot}: {names['net']} is {net!r}; expected a whole number "
                        f"(the day's net change in followers)")
    new, gone = whole(row["new_followers"]), whole(row["unfollows"])
    if new is not None and gone is not None and whole(net) != new - gone:
        raise DataError(f"{sheet.path}: {spot}: {names['net']} is {whole(net)}, but "
                        f"{names['new_followers']} {new} - {names['unfollows']} {gone} = "
                        f"{new - gone}; expected the net change to be new minus unfollows (a "
                        f"damaged row, or columns under the wrong names?)")


def _counts(v: dict[str, str], people: bool) -> dict[str, str | None]:
    """The count fields of a row; people (readers, sharers) only when `people`."""
    row = {c: number(v[c]) for c in _COUNTS if c in v and (people or c not in _PEOPLE)}
    if "favorites" not in v and "favorite_users" in v and people:
        row["favorites"] = number(v["favorite_users"])
    return row


def _count_columns(header: Header, people: bool) -> list[str]:
    given = _counts(dict.fromkeys(header.columns, ""), people)
    return [c for c in _COUNTS if c in given]


def _oa_reads(sheet: Sheet, header: Header) -> dict[str, tuple[list[str], list[Record]]]:
    channel = None if "source" in header.columns else _file_channel(sheet, header)
    rows = list(_data_rows(sheet, header))
    moments = [moment(v["date"]) for _, v in rows]
    hourly = "hour" in header.columns or any(m and m[1] not in (None, "00:00:00") for m in moments)
    records = []
    for (spot, v), m in zip(rows, moments, strict=True):
        source = channel or (wechat.ALL_SOURCES if plain(v["source"]) in wechat.ALL_CHANNEL_NAMES
                             else v["source"].strip() or None)
        row = {"date": m[0] if m else v["date"], "source": source, **_counts(v, not hourly)}
        if hourly:
            row["_hour"] = plain(v["hour"]) if "hour" in v else (m[1] if m else "") or ""
        records.append((row, spot))
    return {"oa_reads": (["date", "source", *_count_columns(header, not hourly)], records)}


def _file_channel(sheet: Sheet, header: Header) -> str:
    """The one channel named in the title lines or the file name; every channel when none is."""
    texts = [plain(c) for _, cells in sheet.rows[:header.index] for c in cells if c]
    texts.append(plain(sheet.path.stem))
    found = {wechat.ALL_SOURCES if name in wechat.ALL_CHANNEL_NAMES else name
             for text in texts for name in (*wechat.ALL_CHANNEL_NAMES, *wechat.OA_READ_CHANNELS) if name in text}
    if len(found) > 1:
        raise DataError(f"{sheet.path}: names several channels ({', '.join(sorted(found))}) in its "
                        f"title lines and file name; expected one channel per file, or a column "
                        f"{wechat.EXPORT_ALIASES['oa_reads']['source'][0]} naming each row's channel")
    return found.pop() if found else wechat.ALL_SOURCES


def _articles(sheet: Sheet, header: Header) -> dict[str, tuple[list[str], list[Record]]]:
    articles, stats = [], []
    counts = _count_columns(header, True)
    for spot, v in _data_rows(sheet, header):
        m = moment(v["published_at"])
        published = (f"{m[0]} {m[1]}" if m[1] else m[0]) if m else v["published_at"]
        key = article_id(published, v["title"])
        articles.append(({"article_id": key, "title": v["title"] or None,
                          "published_at": published}, spot))
        stats.append(({"article_id": key, "date": m[0] if m else v["published_at"],
                       **_counts(v, True)}, spot))
    return {"articles": (["article_id", "title", "published_at"], articles),
            "article_stats": (["article_id", "date", *counts], stats)}


_BUILDERS = {"followers": _followers, "oa_reads": _oa_reads, "articles": _articles}


# --------------------------------------------------------------------------------------------
# A table from its exports
# --------------------------------------------------------------------------------------------

def read_export_table(table: str, paths: Sequence[Path]) -> ExportRows:
    """The rows of `table` from its export files, in file and line order, identical rows once;
    hourly content rows summed to days."""
    columns: list[str] = []
    records: list[Record] = []
    for path in paths:
        sheet = read_sheet(path)
        header = recognise(sheet)
        built_columns, built = _BUILDERS[header.kind](sheet, header)[table]
        columns += [c for c in built_columns if c not in columns]
        records += built
    seen: set[tuple[str | None, ...]] = set()
    unique = []
    for row, spot in records:
        key = tuple(row.get(c) for c in (*columns, "_hour"))
        if key not in seen:
            seen.add(key)
            unique.append((row, spot))
    if table == "oa_reads":
        unique = _hours_to_days(unique, paths)
    order = [c.name for c in contract.TABLES[table].columns if c.name in columns]
    return ExportRows(order, [tuple(r.get(c) for c in order) for r, _ in unique],
                      [s for _, s in unique])


def _hours_to_days(records: list[Record], paths: Sequence[Path]) -> list[Record]:
    """Hourly rows summed per day and channel (counts only); the day's row sits where its first
    hour was. An hour given twice with different numbers stops, like a duplicated key."""
    out: list[Record | list[Record]] = []
    days: dict[tuple[str | None, str | None], list[Record]] = {}
    hours: dict[tuple[str | None, ...], list[Spot]] = {}
    for row, spot in records:
        if "_hour" not in row:
            out.append((row, spot))
            continue
        hours.setdefault((row["date"], row["_hour"], row["source"]), []).append(spot)
        key = (row["date"], row["source"])
        if key not in days:
            days[key] = []
            out.append(days[key])  # the day's place: its first hour
        days[key].append((row, spot))
    doubled = [(k, s) for k, s in hours.items() if len(s) > 1]
    if doubled:
        (key, spots), n = doubled[0], len(doubled)
        raise DataError(f"{', '.join(str(p) for p in paths)}: column date, hour, source: {n:,} "
                        f"duplicated key(s), expected unique; first {' / '.join(map(str, key))!r} "
                        f"at {', '.join(f'{s.path.name} {s}' for s in spots[:5])}")
    return [(_sum_day(r), r[0][1]) if isinstance(r, list) else r for r in out]


def _sum_day(group: list[Record]) -> dict[str, str | None]:
    first = group[0][0]
    day: dict[str, str | None] = {"date": first["date"], "source": first["source"]}
    for column in ("reads", "shares", "favorites"):
        values = [(row.get(column), spot) for row, spot in group if row.get(column) is not None]
        bad = next(((v, s) for v, s in values if whole(v) is None), None)
        if bad:
            raise DataError(f"{bad[1].path}: column {column}: a value cannot be read as int; "
                            f"expected a whole number, e.g. 1001; first at {bad[1]}: {bad[0]!r}")
        day[column] = str(sum(whole(v) or 0 for v, _ in values)) if values else None
    return day
