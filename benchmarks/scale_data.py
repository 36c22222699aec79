"""The scale benchmark's data: generated once per size (helpers.sample.stream), laid out as the
warehouse can read it, and grown by one week for the grown-data run.

A size's folder `data/bench-scale/<size>` holds the data up to 2026-11-22 (ISO week 2026-W47); its
sibling `<size>-week` holds the rows of the week after (2026-W48). Events come one file per ISO
week (`events/part-2026-W47.parquet`), every other table as `<table>/part-0.parquet`; growing the
data adds the week's files next to them (`events/part-2026-W48.parquet`, `<table>/part-1.parquet`:
hard links), so the same folder gained a week, as a weekly export would leave it, and the
warehouse lands only what is new; `shrink` removes them again.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from benchmarks.common import ROOT, Measurement, measure
from helpers.sample import stream

DATA = ROOT / "data" / "bench-scale"
GROWN_PART = "part-1.parquet"
# Bytes of disk a size needs per event, measured at 10M events: Parquet ~7, a DuckDB warehouse
# ~40, times 3 for the grown run (its warehouse, a full rebuild to compare, spill space), and a
# margin.
DISK_BYTES_PER_EVENT = 160
WORKERS = 2


def folders(label: str) -> tuple[Path, Path]:
    """The size's data folder and the folder of its extra week."""
    return DATA / label, DATA / f"{label}-week"


def disk_needed(events: int) -> int:
    return events * DISK_BYTES_PER_EVENT


def disk_free() -> int:
    DATA.mkdir(parents=True, exist_ok=True)
    return shutil.disk_usage(DATA).free


def ensure(label: str, events: int) -> Measurement | None:
    """Generate the size's data unless current data is there (then None); lay it out as the
    warehouse reads it."""
    base, week = folders(label)
    measured = None
    if not (stream.is_current(base, events, extra_days=7) and stream.is_current(week, events, extra_days=7)):
        print(f"generating {label} ({events:,} events) in {base} ...", flush=True)
        measured = measure([sys.executable, "-m", "helpers.sample.stream", "--events", str(events),
                            "--out", str(base), "--extra-days", "7", "--extra-out", str(week),
                            "--workers", str(WORKERS)])
        if measured.returncode:
            raise RuntimeError(f"generating {label} failed:\n{measured.output}")
    arrange(base)
    return measured


def _added(week: Path, base: Path) -> list[tuple[Path, Path]]:
    """(week file, where the grown folder gets it): the week's events files join `events/`, each
    other table's file is the next part of that table's folder."""
    pairs = []
    for path in sorted(week.rglob("*.parquet")):
        rel = path.relative_to(week)
        pairs.append((path, base / rel if len(rel.parts) > 1 else base / path.stem / GROWN_PART))
    return pairs


def arrange(folder: Path) -> None:
    """Every table as `<table>/part-0.parquet`; a grown week left behind by an interrupted run is
    removed first."""
    shrink(folder)
    for single in sorted(folder.glob("*.parquet")):
        (folder / single.stem).mkdir(exist_ok=True)
        os.replace(single, folder / single.stem / "part-0.parquet")


def grow(label: str) -> Path:
    """The size's data folder with its extra week's files added (hard links). Returns the folder."""
    base, week = folders(label)
    for path, target in _added(week, base):
        os.link(path, target)
    return base


def shrink(folder: Path) -> None:
    """Remove the grown week's files from a data folder."""
    week = folder.with_name(f"{folder.name}-week")
    for _, target in _added(week, folder) if week.is_dir() else []:
        target.unlink(missing_ok=True)


def size_mb(path: Path) -> float:
    """Megabytes of a file or of every file under a folder."""
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20
