"""Where a warehouse table's rows come from, for messages.

A table's rows are numbered 1.. in the order they land (the warehouse table's `rowid + 1`); a
`Place` maps those record numbers back to their file: CSV rows by physical line, export rows by
their file's line, others by row. A table given as one file is located as `line 7` / `rows 2, 5`
(messages name the file before); a table given as a folder of part files names the part too:
`part-2.parquet row 3`, `event_date=2026-11-16/part-0.csv lines 2, 9`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from helpers.core.csvfiles import CsvFile, open_csv, physical_lines
from helpers.core.exports import Spot
from helpers.core.sources import SourceFile


@dataclass(frozen=True)
class Segment:
    """The rows one file gave: records `first` .. `first + rows - 1` of the table."""

    path: Path
    first: int
    rows: int
    csv: CsvFile | None = None  # a CSV part read in this build (else opened when a message needs it)


class Place:
    """The segments (or export spots) of one table, in record order."""

    def __init__(self, source: SourceFile, workdir: Path):
        self.source = source
        self.workdir = workdir
        self.segments: list[Segment] = []
        self.spots: tuple[Spot, ...] = ()  # exports: where record k + 1 comes from
        self._opened: dict[Path, CsvFile] = {}

    @property
    def rows(self) -> int:
        return self.segments[-1].first + self.segments[-1].rows - 1 if self.segments else 0

    @property
    def unit(self) -> str:
        return "line" if self.source.kind in ("csv", "export") else "row"

    def add(self, path: Path, rows: int, csv: CsvFile | None = None) -> Segment:
        segment = Segment(path, self.rows + 1, rows, csv)
        self.segments.append(segment)
        return segment

    def at(self, records: list[int]) -> str:
        """'line 7' / 'lines 2, 9' for record numbers (1 = the first row of data); several files:
        'a.csv line 3, b.xls line 3' (exports), 'part-1.parquet rows 1, 4, part-2.parquet row 1'."""
        if self.spots:
            spots = [self.spots[r - 1] for r in records]
            if len(self.source.files) > 1 or any(s.unit != "line" for s in spots):
                return ", ".join(f"{s.path.name} {s}" for s in spots)
            return f"line{'s' if len(spots) > 1 else ''} {', '.join(str(s.number) for s in spots)}"
        groups: list[tuple[Segment | None, list[int]]] = []
        for record in records:
            segment = self._segment(record)
            if groups and groups[-1][0] is segment:
                groups[-1][1].append(record)
            else:
                groups.append((segment, [record]))
        shown = [self._lines(segment, group) for segment, group in groups]
        return ", ".join(shown)

    def _segment(self, record: int) -> Segment | None:
        i = bisect.bisect_right([s.first for s in self.segments], record) - 1
        return self.segments[i] if i >= 0 and record < self.segments[i].first + self.segments[i].rows else None

    def _lines(self, segment: Segment | None, records: list[int]) -> str:
        if segment is None:  # not from a file this place knows: the record number
            return f"row{'s' if len(records) > 1 else ''} {', '.join(map(str, records))}"
        local = [r - segment.first + 1 for r in records]
        csv = self._csv(segment)
        lines = physical_lines(csv, local) if csv else {}
        text = f"{self.unit}{'s' if len(local) > 1 else ''} {', '.join(str(lines.get(r, r)) for r in local)}"
        return f"{self.source.label(segment.path)} {text}" if self.source.folder else text

    def _csv(self, segment: Segment) -> CsvFile | None:
        if segment.csv is not None or self.source.kind != "csv":
            return segment.csv
        if segment.path not in self._opened:  # a part landed by an earlier build
            folder = self.workdir / f"place-{len(self._opened)}-{self.source.table}"
            folder.mkdir(parents=True, exist_ok=True)
            self._opened[segment.path] = open_csv(segment.path, folder)
        return self._opened[segment.path]
