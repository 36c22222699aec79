"""The whole suite at 1M, 10M and 100M events (issue 16): warehouse build, each notebook, the whole
run, a pandas baseline, and a run on the data grown by one week.

Per size (data from `helpers.sample.stream`, generated once into data/bench-scale/; a size whose
data, warehouse and grown run would not fit on the free disk is skipped, saying so):

- the warehouse build alone (`build_warehouse` in a fresh cache), then the whole suite
  (`wxreport run --force --jobs 2`; the warehouse is already built): wall time and peak memory of
  the process tree (runner, workers, kernels), and per notebook its time as the runner reports it
  and the peak memory of its kernel;
- at 1M and 10M, each notebook alone (`--jobs 1`, the warehouse built): wall time and peak memory
  of the whole process tree, and the week's headline metrics computed by hand with pandas
  (`benchmarks.scale_pandas`): its time and memory, the ratio to the suite, and its numbers next to
  the suite's JSON (they must agree);
- at 10M and 100M, the grown-data run: one more week of events (and users, orders, ...) added to the data,
  then the warehouse update and the whole suite again, and for comparison a full build of the
  grown data.

Targets (2-core, 24 GB machine): user_analysis alone on 10M <= 20 s and <= 1.5 GB; the whole run
(build + suite) on 10M <= 90 s; on 100M <= 10 min and <= 8 GB. Each is printed met or missed.
Sizes: SCALE_SIZES=1M,10M (default all three); SCALE_GROWN=1M,10M the sizes of the grown-data run
(default 10M,100M).
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import psutil

from benchmarks import scale_data, scale_pandas
from benchmarks.common import ROOT, Measurement, measure
from benchmarks.scale_report import tables
from helpers.suite import SUITE

SIZES = {"1M": 1_000_000, "10M": 10_000_000, "100M": 100_000_000}
DETAILED = ("1M", "10M")  # notebooks alone and the pandas baseline
GROWN = tuple(os.environ.get("SCALE_GROWN", "10M,100M").split(","))  # sizes of the grown-data run
JOBS = 2
CACHE = ROOT / ".cache" / "bench-scale"
WXREPORT = str(Path(sys.executable).with_name("wxreport"))
NOTEBOOKS = [nb.name for nb in SUITE]
BUILD = ("import sys, json; from helpers.core import warehouse as w; s = sys.argv[1]; "
         "plan = w.plan_warehouse(s); "
         "print(json.dumps({'mode': plan.mode, 'reason': plan.reason, 'path': str(w.build_warehouse(s))}))")


def _load() -> str:
    return "load " + "/".join(f"{x:.1f}" for x in os.getloadavg())


def kernel_of(process: psutil.Process) -> str | None:
    """The notebook a Jupyter kernel runs: the runner sends its stderr to
    `<period>-<notebook>.kernel.log`."""
    if not any("ipykernel" in part for part in process.cmdline()):
        return None
    log = Path(os.readlink(f"/proc/{process.pid}/fd/2")).name
    return log.removesuffix(".kernel.log").split("-", 2)[-1] if log.endswith(".kernel.log") else None


def _env(cache: Path, **extra: str) -> dict[str, str]:
    return {"WXREPORT_CACHE": str(cache), **extra}


def _checked(m: Measurement, what: str) -> Measurement:
    if m.returncode:
        print(f"{what} failed (exit {m.returncode}):\n{m.output[-4000:]}", flush=True)
    return m


def build(folder: Path, cache: Path, **env: str) -> tuple[Measurement, dict[str, str]]:
    """The warehouse build (or update) in a process of its own; its plan (mode, reason)."""
    m = _checked(measure([sys.executable, "-c", BUILD, str(folder)], env=_env(cache, **env)), "warehouse build")
    lines = [ln for ln in m.output.splitlines() if ln.startswith("{")]
    return m, json.loads(lines[-1]) if lines else {}


def run_suite(folder: Path, out: Path, cache: Path, notebooks: Path | None = None, jobs: int = JOBS
              ) -> Measurement:
    cmd = [WXREPORT, "run", "--data", str(folder), "--out", str(out), "--force", "--jobs", str(jobs)]
    if notebooks is not None:
        cmd += ["--notebooks", str(notebooks)]
    m = _checked(measure(cmd, env=_env(cache), label=kernel_of), f"wxreport run on {folder}")
    if "building the warehouse" in m.output or "updating the warehouse" in m.output:
        print("  note: the run (re)built the warehouse itself (the loader's code changed meanwhile?)")
    return m


def _published(out: Path) -> tuple[str, dict[str, Any]]:
    """The week the run reported and the metrics of its JSON files."""
    week = sorted(p for p in out.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}-W\d{2}", p.name))[-1]
    metrics: dict[str, Any] = {}
    start = ""
    for name in ("weekly_summary", "user_analysis"):
        doc = json.loads((week / f"{name}.json").read_text(encoding="utf-8"))
        metrics |= doc["metrics"]
        start = doc["period_start"]
    return start, metrics


def notebooks_alone(folder: Path, cache: Path) -> dict[str, Measurement]:
    """Each notebook run on its own (jobs 1), the warehouse already built."""
    found = {}
    for name in NOTEBOOKS:
        with tempfile.TemporaryDirectory() as tmp:
            nb = Path(tmp) / "notebooks"
            nb.mkdir()
            shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", nb)
            found[name] = run_suite(folder, Path(tmp) / "out", cache, nb, jobs=1)
    return found


def pandas_baseline(folder: Path, out: Path) -> dict[str, Any]:
    """The pandas script's time, memory and numbers, next to the suite's for the same week."""
    monday, suite_metrics = _published(out)
    m = _checked(measure([sys.executable, "-m", "benchmarks.scale_pandas", str(folder), monday]),
                 "pandas baseline")
    lines = [ln for ln in m.output.splitlines() if ln.startswith("{")]
    values = json.loads(lines[-1]) if lines else {}
    return {"m": m, "week": monday, "check": scale_pandas.compare(values, suite_metrics)}


def grown_run(label: str, cache: Path) -> dict[str, Any]:
    """The data grown by a week: warehouse update and the suite again; a full build to compare."""
    base, _ = scale_data.folders(label)
    try:
        folder = scale_data.grow(label)
        update, plan = build(folder, cache)
        suite = run_suite(folder, CACHE / "reports" / f"{label}-grown", cache)
        full_cache = CACHE / "full"
        shutil.rmtree(full_cache, ignore_errors=True)
        full, _ = build(folder, full_cache, WXREPORT_INCREMENTAL="0")
        shutil.rmtree(full_cache, ignore_errors=True)
    finally:
        scale_data.shrink(base)
    return {"update": update, "plan": plan, "suite": suite, "full": full}


def run_size(label: str, events: int) -> dict[str, Any] | None:
    """Every figure of one size, or None when it does not fit on the disk."""
    free, need = scale_data.disk_free(), scale_data.disk_needed(events)
    if free < need:
        print(f"\nskipping {label}: it needs about {need / 2**30:.0f} GB of disk, {free / 2**30:.0f} GB free",
              flush=True)
        return None
    print(f"\n== {label} events ({_load()}) ==", flush=True)
    found: dict[str, Any] = {"label": label, "load_start": _load()}
    found["generate"] = scale_data.ensure(label, events)
    folder, _ = scale_data.folders(label)
    manifest = json.loads((folder / "scaled.json").read_text())
    found["rows"] = manifest["rows"]["base"]
    found["parquet_mb"] = scale_data.size_mb(folder)
    shutil.rmtree(CACHE, ignore_errors=True)
    cache = CACHE / "cache"
    found["build"], plan = build(folder, cache)
    found["warehouse_mb"] = scale_data.size_mb(Path(plan["path"])) if plan.get("path") else None
    out = CACHE / "reports" / label
    found["suite"] = run_suite(folder, out, cache)
    if label in DETAILED:
        found["alone"] = notebooks_alone(folder, cache)
        found["pandas"] = pandas_baseline(folder, out)
    if label in GROWN:
        found["grown"] = grown_run(label, cache)
    found["load_end"] = _load()
    shutil.rmtree(CACHE, ignore_errors=True)  # a 100M warehouse is gigabytes
    return found


def main() -> int:
    chosen = [s.strip() for s in os.environ.get("SCALE_SIZES", ",".join(SIZES)).split(",") if s.strip()]
    unknown = set(chosen) - set(SIZES)
    if unknown:
        print(f"SCALE_SIZES: unknown size(s) {sorted(unknown)}; have {', '.join(SIZES)}")
        return 2
    mem = psutil.virtual_memory().total / 2**30
    print(f"scale benchmark on {platform.node()}: {os.cpu_count()} cores, {mem:.0f} GB RAM, "
          f"{platform.platform()}", flush=True)
    results = [r for label in chosen if (r := run_size(label, SIZES[label])) is not None]
    return tables(results)
