"""What a run is made of: its options, one job per notebook, and each job's outcome."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.core.paths import project_root
from helpers.core.periods import Period

KERNEL_NAME = "wxreport"
CELL_TIMEOUT_S = 3600


@dataclass
class Options:
    data: str | None = None
    period: str | None = None
    out: str | None = None
    engine: str | None = None  # duckdb | spark (default: params)
    only: list[str] | None = None
    jobs: int = max(1, os.cpu_count() or 1)
    force: bool = False
    notebooks_dir: Path = field(default_factory=lambda: project_root() / "notebooks")
    params_dir: Path = field(default_factory=lambda: project_root() / "params")
    kernel: str = KERNEL_NAME


@dataclass
class Job:
    """One notebook to produce for one period."""

    name: str
    notebook: Path
    params: dict[str, Any]  # validated values, resolved (absolute data path, concrete period)
    period: Period
    out_dir: Path  # <out>/<period>
    warehouse: Path
    key: str = ""  # cache key; sealed with the files read once the notebooks it reads have run
    enabled: bool = True
    language: str = "zh"
    data_source: str = ""
    reads: tuple[str, ...] = ()  # notebooks of the same period whose published JSON this one reads
    inputs: tuple[Path, ...] = ()  # other files it reads (CSV series, earlier weeks' forecasts)
    spark_remote: str | None = None  # the run's local Spark Connect server (engine: spark)

    def read_files(self) -> dict[str, Path]:
        """The published JSON files this notebook reads, by notebook."""
        return {name: self.out_dir / f"{name}.json" for name in self.reads}


@dataclass
class Outcome:
    name: str
    status: str  # ok | failed | skipped
    seconds: float = 0.0
    cached: bool = False
    error: str | None = None
    files: list[str] = field(default_factory=list)


def announcement(options: Options) -> str:
    """The run's first line, said at once (before the slow imports, the warehouse and the kernels):
    what is being checked. It only reads the command line and lists the notebooks folder."""
    if options.only:
        count = len(options.only)
    else:
        try:
            count = sum(1 for _ in options.notebooks_dir.glob("*.ipynb"))
        except OSError:
            count = 0
    what = f"{count} notebook(s)" if count else "the notebooks"
    data = options.data or "from params"
    week = options.period or "from params"
    return (f"wxreport: checking the parameters, data ({data}) and week ({week}) of {what} "
            f"before running them")
