"""Running one notebook, in a worker process: papermill into a staging folder, then nbconvert.

The worker never writes into the report folder; the main process publishes what it staged. A
worker dies with the main process (even when that is killed with SIGKILL), and its Jupyter kernel
with it: ipykernel exits when its parent, the worker, is gone.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from helpers import suite
from helpers.render.fmt import week_title
from helpers.render.outputs import check_files, check_payload
from helpers.render.text import Text
from helpers.run.jobs import CELL_TIMEOUT_S, Job
from helpers.run.workspace import disk_full, write_problem

_progress: Any = None
PR_SET_PDEATHSIG = 1  # linux/prctl.h
MAX_ERROR = 400  # characters of an error line in the console and the index
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Kernel log lines that are never the reason a kernel died.
_NOISE = re.compile(r"without encryption|Debugger warning|frozen modules|PYDEVD_|Xfrozen_modules"
                    r"|^\[\w+\] (INFO|DEBUG|WARNING) \|")
_ARROW = re.compile(r"^-*>\s*\d+\s*")
_RAISED = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")


def init_worker(progress: Any, parent: int) -> None:
    """Runs in each worker process: keep the progress queue, die with the main process, and say
    who we are so that the main process can interrupt this worker by its pid on Ctrl-C."""
    global _progress
    _progress = progress
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    _die_with(parent)
    _post("worker", os.getpid())


def _die_with(parent: int) -> None:
    """An orphaned worker would run its notebook to the end and hold the staging folder: on Linux
    the kernel kills it when its parent dies; elsewhere a thread watches the parent."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    else:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before we asked
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _post(*message: Any) -> None:
    if _progress is not None:
        _progress.put(message)


def execute(job: Job, staging: Path, kernel: str) -> dict[str, Any]:
    """Run one notebook into `staging` and render it; returns {"ok", "error", "seconds"}."""
    started = time.monotonic()
    try:
        error = _run(job, staging, kernel) or _check_and_render(job, staging)
    except Exception as exc:  # a full disk (said as such), an unreadable notebook, ...
        error = write_problem(exc, staging) if disk_full(exc) else describe(exc)
    return {"ok": error is None, "seconds": time.monotonic() - started, "error": error}


def _run(job: Job, staging: Path, kernel: str) -> str | None:
    """Execute the notebook with papermill; returns what failed, or None."""
    import papermill as pm

    staging.mkdir(parents=True, exist_ok=True)
    executed = staging / f"{job.name}.ipynb"
    _post("start", job.name, code_cells(job.notebook))
    executed_cells = 0

    def on_cell(**_: Any) -> None:
        # nbclient calls this once per code cell it executed; its `cell_index` counts every cell
        # (markdown too), which made counters overrun ("cell 17/16").
        nonlocal executed_cells
        executed_cells += 1
        _post("cell", job.name, executed_cells)

    runner = {"warehouse": str(job.warehouse), "output_dir": str(staging),
              "reads": {name: str(path) for name, path in job.read_files().items()},
              "spark_remote": job.spark_remote}
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
        return cell_error(exc.exec_count, exc.ename, exc.evalue, exc.traceback)
    except Exception as exc:  # kernel died, timed out, ...
        if disk_full(exc):
            raise
        return kernel_failure(exc, log.read_text(errors="replace"))
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
    return None


def code_cells(notebook: Path) -> int:
    """How many cells papermill will execute: the code cells with code in them (nbclient skips
    empty ones and markdown), plus the parameters cell papermill injects. Read as plain JSON, so
    that the main process can say it before a worker has started."""
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    code = [c for c in cells if c.get("cell_type") == "code"
            and "".join(c.get("source") or "").strip()
            and "injected-parameters" not in c.get("metadata", {}).get("tags", [])
            and "skip-execution" not in c.get("metadata", {}).get("tags", [])]
    return len(code) + 1


def _check_and_render(job: Job, staging: Path) -> str | None:
    """Check the published JSON against the output contract and render the HTML page."""
    import nbformat

    from helpers.render.html import render

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
        reports = [(nb.name, suite.title(nb.name, Text(job.language))) for nb in suite.SUITE]  # navigation
        page = render(nbformat.read(staging / f"{job.name}.ipynb", as_version=4), title, job.language, reports)
        (staging / f"{job.name}.html").write_text(page, encoding="utf-8")
    except Exception as exc:
        if disk_full(exc):
            raise
        return describe(exc)
    return None


def one_line(text: str) -> str:
    """A message on one line (its non-empty lines joined), short enough for a console line."""
    lines = [line.strip() for line in _ANSI.sub("", text).splitlines() if line.strip()]
    joined = " / ".join(lines)
    return joined if len(joined) <= MAX_ERROR else joined[:MAX_ERROR - 1] + "…"


def cell_error(cell: int | str, ename: str, evalue: str, tb: list[str]) -> str:
    """'cell N: Type: message'; with an empty message, the last traceback line naming the cause
    (a chained exception's message, else the line of code that raised)."""
    message = one_line(evalue or "")
    if message:
        return f"cell {cell}: {ename}: {message}"
    lines = [line.strip() for chunk in tb for line in _ANSI.sub("", chunk).splitlines()]
    lines = [line for line in lines if line and line.rstrip(": ") != ename
             and "Traceback (most recent call last)" not in line
             and not line.startswith(("---------", "The above exception", "During handling"))]
    raised = [line for line in lines if _RAISED.match(line)]
    arrows = [_ARROW.sub("", line) for line in lines if _ARROW.match(line)]  # the line that raised
    cause = (raised or arrows or lines or [""])[-1]
    return f"cell {cell}: {ename} (no message; last traceback line: {one_line(cause)})" if cause \
        else f"cell {cell}: {ename} (no message)"


def describe(exc: BaseException) -> str:
    """'Type: message' of an exception raised here; with an empty message, its cause or where it
    was raised."""
    message = one_line(str(exc))
    if message:
        return f"{type(exc).__name__}: {message}"
    cause = exc.__cause__ or exc.__context__
    if cause is not None:
        return f"{type(exc).__name__} (no message; cause: {describe(cause)})"
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"; raised at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__} (no message{where})"


def kernel_failure(exc: BaseException, log: str) -> str:
    """Why the kernel died or stopped answering: the kernel log's own error leads when it has one;
    warnings that are always there (TCP without encryption, debugger notes) are left out."""
    lines = [line for line in (one_line(raw) for raw in log.splitlines()) if line and not _NOISE.search(line)]
    raised = [line for line in lines if _RAISED.match(line)]
    if raised:
        return f"kernel: {raised[-1]} ({describe(exc)})"
    return describe(exc) + (f" (kernel log: {' / '.join(lines[-3:])})" if lines else "")
