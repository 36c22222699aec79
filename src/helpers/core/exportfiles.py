"""Admin-console downloads as rows of text cells, each with the physical line where it starts.

The 公众号后台 hands out its tables as CSV (UTF-8 with or without a BOM, or GBK/GB18030 from
Chinese Excel, comma- or tab-separated) or as an HTML table saved with an `.xls` extension; what a
file holds is decided from its bytes, not its suffix. A binary Excel workbook (BIFF `.xls` or
`.xlsx`) cannot be read without a spreadsheet library the suite does not install: it stops with a
message saying how to save it. Cells are kept as written, stripped of surrounding spaces.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from helpers.core.errors import DataError

DELIMITERS = (",", "\t", ";")
_SCANNED = 30  # lines looked at to decide the delimiter
_WORKBOOK = {b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "a binary Excel workbook (.xls)",
             b"PK\x03\x04": "an Excel workbook (.xlsx, a zip file)"}
SAVE_AS = ("open it in Excel or WPS and save it as \"CSV UTF-8\" (or download the table again from "
           "the admin console, which gives CSV or an HTML table)")


@dataclass(frozen=True)
class Sheet:
    """A downloaded table: its rows of cells, each row with the physical line where it starts."""

    path: Path
    rows: list[tuple[int, list[str]]]
    unit: str = "line"  # "row" (the n-th <tr>) for an HTML file holding several rows on a line


def cell_text(value: str) -> str:
    return value.strip()


def plain(value: str) -> str:
    """A cell compared as data: NFKC (full-width digits, commas, colons, parentheses and spaces
    become their ASCII forms), stripped."""
    return unicodedata.normalize("NFKC", value).strip()


def read_sheet(path: Path) -> Sheet:
    """The rows of a CSV/TSV file or of the tables of an HTML file (whatever its suffix)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror}); expected a readable file") from None
    for magic, what in _WORKBOOK.items():
        if data.startswith(magic):
            raise DataError(f"{path}: {what}, which the suite does not read; {SAVE_AS}")
    text = _decode(path, data)
    head = text.lstrip("\ufeff \t\r\n")[:2000].lower()
    if head.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in head and "<table" not in text.lower():
            raise DataError(f"{path}: an Excel XML spreadsheet, which the suite does not read; "
                            f"{SAVE_AS}")
        rows = _html_rows(text)
        if len({line for line, _ in rows}) < len(rows):
            return Sheet(path, [(i, cells) for i, (_, cells) in enumerate(rows, 1)], "row")
        return Sheet(path, rows)
    return Sheet(path, _csv_rows(path, text, "\t" if path.suffix.lower() == ".tsv" else None))


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (a BOM dropped) or, failing that, GB18030 (a superset of GBK)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not valid UTF-8 or GB18030 text (byte {exc.start}); save the "
                        f"file as UTF-8") from None


def _csv_rows(path: Path, text: str, delimiter: str | None) -> list[tuple[int, list[str]]]:
    """Rows by physical start line; the delimiter is the candidate giving the widest row among the
    first lines (title lines above the header have fewer fields)."""
    if delimiter is None:
        head = "\n".join(text.splitlines()[:_SCANNED])
        widest = {d: max((len(r) for r in csv.reader(io.StringIO(head), delimiter=d)), default=0)
                  for d in DELIMITERS}
        delimiter = max(DELIMITERS, key=lambda d: (widest[d], -DELIMITERS.index(d)))
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    rows = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        start = 1
        for row in reader:
            rows.append((start, [cell_text(c) for c in row]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(f"{path}: line {reader.line_num}: cannot be split into fields ({exc}); expected "
                        f"text with quotes or line breaks inside double quotes") from None
    finally:
        csv.field_size_limit(limit)
    return rows


class _Tables(HTMLParser):
    """Every <tr> of the document as a row of cell texts; a cell spanning n columns is followed by
    n - 1 empty cells. Omitted </td> / </tr> tags close at the next cell or row."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[int, list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._end_row()
            self._row = []
            self.rows.append((self.getpos()[0], self._row))
        elif tag in ("td", "th"):
            self._end_cell()
            if self._row is None:
                self._row = []
                self.rows.append((self.getpos()[0], self._row))
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = int(span) if span.strip().isdigit() else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._end_cell()
        elif tag in ("tr", "table"):
            self._end_row()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(cell_text(" ".join("".join(self._cell).split())))
            self._row.extend([""] * (min(self._span, 1000) - 1))
        self._cell, self._span = None, 1

    def _end_row(self) -> None:
        self._end_cell()
        self._row = None


def _html_rows(text: str) -> list[tuple[int, list[str]]]:
    parser = _Tables()
    parser.feed(text)
    parser.close()
    parser._end_row()
    return parser.rows
