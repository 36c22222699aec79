"""user_analysis on the default sample (~2.5M events) and on 10 million events.

Target (issue 16, binding; issue 3 had 60 s and 3 GB): 10 million events in at most 20 s and at most
1.5 GB peak memory for the notebook. The figures: warehouse build (load + validation, once per data
version), and the notebook run through the runner (kernel start, every query, charts, HTML), wall
time and peak memory of the whole process tree. The 10M data is the scale benchmark's
(`bench_scale`, streamed by helpers.sample.stream into data/bench-scale/10M), which also runs the
whole suite at 1M, 10M and 100M events.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import scale_data
from benchmarks.common import ROOT, measure, report
from helpers.core.warehouse import Warehouse, build_warehouse
from helpers.sample import ensure_sample

WXREPORT = str(Path(sys.executable).with_name("wxreport"))


def _samples() -> dict[str, Path]:
    scale_data.ensure("10M", 10_000_000)
    return {"default sample": ensure_sample(ROOT / "data" / "sample"),
            "10M events": scale_data.folders("10M")[0]}


def main() -> int:
    rows = []
    status = 0
    for name, data in _samples().items():
        started = time.monotonic()
        warehouse = build_warehouse(data)
        build_s = time.monotonic() - started
        wh = Warehouse(warehouse)
        events = wh.tables["events"]
        wh.close()
        with tempfile.TemporaryDirectory() as tmp:
            notebooks = Path(tmp) / "notebooks"
            notebooks.mkdir()
            shutil.copy(ROOT / "notebooks" / "user_analysis.ipynb", notebooks)
            run = measure([WXREPORT, "run", "--notebooks", str(notebooks), "--data", str(data),
                           "--out", str(Path(tmp) / "out"), "--force", "--jobs", "1"])
        if run.returncode:
            print(run.output)
            status = 1
        rows.append({"data": name, "events": f"{events:,}", "warehouse build": f"{build_s:.1f}s",
                     "notebook wall": f"{run.seconds:.1f}s", "peak memory": f"{run.peak_rss_mb:,.0f} MB",
                     "ok": run.returncode == 0})
    report("user_analysis (target for 10M events: <= 20 s, <= 1.5 GB)", rows)
    return status
