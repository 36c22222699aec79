"""Running one notebook, in a worker process: papermill into a staging folder, then nbconvert.

The worker never writes into the report folder; the main process publishes what it staged.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from helpers import suite
from helpers.render.fmt import week_title
from helpers.render.outputs import check_files, check_payload
from helpers.render.text import Text
from helpers.run.jobs import CELL_TIMEOUT_S, Job

_progress: Any = None


def init_worker(progress: Any) -> None:
    """Runs in each worker process: keep the progress queue, and say who we are so that the main
    process can interrupt this worker by its pid on Ctrl-C."""
    global _progress
    _progress = progress
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    _post("worker", os.getpid())


def _post(*message: Any) -> None:
    if _progress is not None:
        _progress.put(message)


def execute(job: Job, staging: Path, kernel: str) -> dict[str, Any]:
    """Run one notebook into `staging` and render it; returns {"ok", "error", "seconds"}."""
    import nbformat
    import papermill as pm

    from helpers.render.html import render

    started = time.monotonic()
    staging.mkdir(parents=True, exist_ok=True)
    executed = staging / f"{job.name}.ipynb"
    nb = nbformat.read(job.notebook, as_version=4)
    total = sum(c.cell_type == "code" for c in nb.cells) + 1  # + the injected parameters cell
    _post("start", job.name, total)

    def on_cell(cell: Any = None, cell_index: int = 0, **_: Any) -> None:
        _post("cell", job.name, cell_index)

    runner = {"warehouse": str(job.warehouse), "output_dir": str(staging),
              "reads": {name: str(path) for name, path in job.read_files().items()}}
    params = {"params": job.params | {"runner": runner}}
    # The kernel inherits this process's stderr: keep its chatter in a log, not on the console.
    log = staging.parent / f"{staging.name}.kernel.log"
    saved_stderr = os.dup(2)
    with log.open("w") as fh:
        os.dup2(fh.fileno(), 2)
    try:
        pm.execute_notebook(str(job.notebook), str(executed), parameters=params,
                            kernel_name=kernel, progress_bar=False, log_output=False,
                            execution_timeout=CELL_TIMEOUT_S, on_cell_executed=on_cell)
    except pm.PapermillExecutionError as exc:
        return {"ok": False, "seconds": time.monotonic() - started,
                "error": f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}".strip()}
    except Exception as exc:  # kernel died, timed out, ...
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        return {"ok": False, "seconds": time.monotonic() - started,
                "error": f"{type(exc).__name__}: {exc}" + (f" (kernel: {' / '.join(tail)})" if tail else "")}
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
    try:
        payload_path = staging / f"{job.name}.json"
        if not payload_path.exists():
            raise ValueError(f"the notebook did not publish {job.name}.json (rep.publish(...))")
        contract = suite.notebook(job.name).contract
        problems = check_payload(json.loads(payload_path.read_text()), job.name, job.period, contract)
        problems += check_files(staging, contract)
        if problems:
            raise ValueError(f"{job.name}.json breaks the output contract: " + "; ".join(problems))
        title = f"{suite.title(job.name, Text(job.language))} · {week_title(job.period, job.language)}"
        page = render(nbformat.read(executed, as_version=4), title, job.language)
        (staging / f"{job.name}.html").write_text(page, encoding="utf-8")
    except Exception as exc:
        return {"ok": False, "seconds": time.monotonic() - started,
                "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "seconds": time.monotonic() - started, "error": None}
