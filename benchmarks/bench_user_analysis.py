"""user_analysis on the default sample (~2.5M events) and on a 10-million-event sample.

Target (issue 3): 10 million events in under 60 s and under 3 GB peak memory for the notebook.
The figures: warehouse build (load + validation, once per data version), and the notebook run
through the runner (kernel start, every query, charts, HTML), wall time and peak memory of the
whole process tree.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, measure, report
from helpers.core.warehouse import Warehouse, build_warehouse
from helpers.sample import SampleSpec, generator_version, write_sample

SAMPLES = {"default sample": SampleSpec(), "10M events": SampleSpec(users=200_000)}
WXREPORT = str(Path(sys.executable).with_name("wxreport"))


def _sample(name: str, spec: SampleSpec) -> Path:
    path = ROOT / "data" / ("sample" if spec == SampleSpec() else f"bench-{spec.users}-users")
    truth = path / "truth.json"
    if not truth.exists() or generator_version() not in truth.read_text():
        print(f"generating {name} in {path} ...", flush=True)
        write_sample(path, spec)
    return path


def main() -> int:
    rows = []
    status = 0
    for name, spec in SAMPLES.items():
        data = _sample(name, spec)
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
    report("user_analysis (target for 10M events: < 60 s, < 3 GB)", rows)
    return status
