"""The runner: validate -> plan -> execute (papermill) -> render (nbconvert) -> publish -> index.

Everything a user can get wrong (parameters, data, kernel) is checked before any kernel starts.
Notebooks run in parallel worker processes, each in its own staging folder, so no run shares a
working directory or writes into the report folder. A notebook's files are published (renamed into
place) only after it ran, rendered and passed the output contract; a failed or interrupted run
leaves the previous good report as it was. Unchanged inputs reuse the previous outputs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing as mp
import os
import queue
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from helpers import suite
from helpers.core.params import COMMAND_LINE, LoadedParams
from helpers.core.errors import KernelError, ParamError, WxReportError
from helpers.core.paths import PACKAGE_DIR, cache_dir, project_root
from helpers.core.periods import Period, resolve_period
from helpers.render.index import IndexEntry, write_index
from helpers.render.outputs import check_files, check_payload
from helpers.render.fmt import week_title
from helpers.render.text import Text
from helpers.core.warehouse import Warehouse, build_warehouse, day_number

KERNEL_NAME = "wxreport"
CELL_TIMEOUT_S = 3600


@dataclass
class Options:
    data: str | None = None
    period: str | None = None
    out: str | None = None
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
    key: str = ""
    enabled: bool = True
    language: str = "zh"
    data_source: str = ""


@dataclass
class Outcome:
    name: str
    status: str  # ok | failed | skipped
    seconds: float = 0.0
    cached: bool = False
    error: str | None = None
    files: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Planning: everything is validated here, before any kernel starts
# ---------------------------------------------------------------------------------------------

def discover(notebooks_dir: Path, only: list[str] | None) -> list[tuple[str, Path]]:
    found = {p.stem: p for p in notebooks_dir.glob("*.ipynb")}
    if not found:
        raise ParamError(f"{notebooks_dir}: no notebooks (*.ipynb) found")
    unknown = sorted(set(only or []) - set(found))
    if unknown:
        raise ParamError(f"command line: --only {', '.join(unknown)}: no such notebook in "
                         f"{notebooks_dir} (have: {', '.join(sorted(found))})")
    order = {nb.name: i for i, nb in enumerate(suite.SUITE)}
    names = sorted(found, key=lambda n: (order.get(n, len(order)), n))
    return [(n, found[n]) for n in names]


def _absolute(value: str, origin: str) -> str:
    """CLI paths are relative to the working directory, YAML paths to the project root."""
    if value == "sample" and origin != COMMAND_LINE:
        return value
    base = Path.cwd() if origin == COMMAND_LINE else project_root()
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


@dataclass
class Plan:
    jobs: list[Job]
    # Notebooks left out by --only whose own parameters are broken: listed, not run.
    unplanned: dict[str, str] = field(default_factory=dict)


def plan(options: Options) -> Plan:
    """Validated jobs; raises ParamError/DataError listing every problem of the notebooks to run."""
    overrides = {"data": options.data, "period": options.period, "out": options.out}
    notebooks = discover(options.notebooks_dir, options.only)
    selected = set(options.only or [name for name, _ in notebooks])
    problems: dict[str, list[str]] = {}
    loaded: list[tuple[str, Path, LoadedParams]] = []
    for name, path in notebooks:
        try:
            loaded.append((name, path, suite.load(name, options.params_dir, overrides)))
        except ParamError as exc:
            problems.setdefault(name, []).append(str(exc))
    _raise_for(problems, selected)
    warehouses: dict[tuple[str, str], Warehouse] = {}
    jobs: list[Job] = []
    for name, path, lp in loaded:
        values = lp.values
        data = _absolute(values.data, lp.origin.get("data", "default"))
        source_key = (data, values.timezone)
        if source_key not in warehouses:
            source = suite.resolve_data(data)
            warehouses[source_key] = Warehouse(build_warehouse(source, values.timezone))
        wh = warehouses[source_key]
        try:
            period = resolve_period(values.period, wh.first_date, wh.last_date, lp.where("period"))
        except ParamError as exc:
            problems.setdefault(name, []).append(str(exc))
            continue
        events = wh.scalar("SELECT COUNT(*) FROM events WHERE event_day BETWEEN :lo AND :hi",
                           {"lo": day_number(period.start), "hi": day_number(period.end)})
        if not events:
            problems.setdefault(name, []).append(
                f"{lp.where('period')}: {period.label} ({period.start} .. {period.end}) has no "
                f"events in {wh.meta['source']}/events; pick another week")
            continue
        out = Path(_absolute(values.out, lp.origin.get("out", "default")))
        resolved = values.model_dump() | {"data": data, "period": period.label, "out": str(out)}
        jobs.append(Job(name, path, resolved, period, out / period.label, wh.path,
                        enabled=values.enabled, language=values.language,
                        data_source="sample" if values.data == "sample" else str(wh.meta["source"])))
    for wh in warehouses.values():
        wh.close()
    _raise_for(problems, selected)
    code = _code_fingerprint()
    for job in jobs:
        job.key = _job_key(job, code)
    return Plan(jobs, {name: "; ".join(p) for name, p in problems.items()})


def _raise_for(problems: dict[str, list[str]], selected: set[str]) -> None:
    blocking = [p for name, ps in problems.items() if name in selected for p in ps]
    if blocking:
        raise ParamError("\n".join(blocking))


def _code_fingerprint() -> str:
    """Hash of the helpers package (code, templates, styles) and the pinned dependencies."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".json", ".css"}:
            h.update(str(path.relative_to(PACKAGE_DIR)).encode())
            h.update(path.read_bytes())
    requirements = project_root() / "requirements.txt"
    if requirements.exists():
        h.update(requirements.read_bytes())
    return h.hexdigest()


def _job_key(job: Job, code: str) -> str:
    h = hashlib.sha256()
    h.update(job.notebook.read_bytes())
    h.update(json.dumps(job.params, sort_keys=True).encode())
    h.update(job.warehouse.name.encode())  # the warehouse file is named by the data fingerprint
    h.update(code.encode())
    return h.hexdigest()


def check_kernel(name: str) -> None:
    """The kernel exists and its Python can import the helpers; else a KernelError saying how to fix."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    fix = "run `make venv` (it installs the kernel into .venv)"
    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise KernelError(f"Jupyter kernel {name!r} is not installed; {fix}") from None
    python = spec.argv[0]
    try:
        subprocess.run([python, "-c", "import helpers, ipykernel"], check=True, capture_output=True,
                       text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise KernelError(f"Jupyter kernel {name!r} ({python}) cannot import the helpers: "
                          f"{detail.strip().splitlines()[-1] if detail.strip() else exc}; {fix}") from None


# ---------------------------------------------------------------------------------------------
# Cache: a manifest per published notebook, kept outside the report folder
# ---------------------------------------------------------------------------------------------

def _manifest_path(job: Job) -> Path:
    ident = hashlib.sha256(f"{job.out_dir.resolve()}|{job.name}".encode()).hexdigest()[:24]
    return cache_dir() / "runs" / f"{ident}.json"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cached_outcome(job: Job) -> Outcome | None:
    """An outcome from the previous run when its key matches and its files are untouched."""
    path = _manifest_path(job)
    if not path.exists():
        return None
    manifest = json.loads(path.read_text())
    if manifest.get("key") != job.key:
        return None
    for name, digest in manifest["files"].items():
        f = job.out_dir / name
        if not f.exists() or _sha(f) != digest:
            return None
    return Outcome(job.name, "ok", manifest.get("seconds", 0.0), cached=True,
                   files=sorted(manifest["files"]))


def _save_manifest(job: Job, files: list[str], seconds: float) -> None:
    path = _manifest_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"key": job.key, "seconds": seconds,
           "files": {f: _sha(job.out_dir / f) for f in files}}
    path.write_text(json.dumps(doc, indent=1))


# ---------------------------------------------------------------------------------------------
# Execution (in worker processes)
# ---------------------------------------------------------------------------------------------

_progress: Any = None


def _init_worker(progress: Any) -> None:
    global _progress
    _progress = progress
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def _post(*message: Any) -> None:
    if _progress is not None:
        _progress.put(message)


def execute(job: Job, staging: Path, kernel: str) -> dict[str, Any]:
    """Run one notebook into `staging` and render it; returns {"ok", "error", "seconds"}."""
    import nbformat
    import papermill as pm

    from helpers.render.html import render
    from helpers.render.text import Text

    started = time.monotonic()
    staging.mkdir(parents=True, exist_ok=True)
    executed = staging / f"{job.name}.ipynb"
    nb = nbformat.read(job.notebook, as_version=4)
    total = sum(c.cell_type == "code" for c in nb.cells) + 1  # + the injected parameters cell
    _post("start", job.name, total)

    def on_cell(cell: Any = None, cell_index: int = 0, **_: Any) -> None:
        _post("cell", job.name, cell_index)

    params = {"params": job.params | {"runner": {"warehouse": str(job.warehouse),
                                                  "output_dir": str(staging)}}}
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


# ---------------------------------------------------------------------------------------------
# Publishing
# ---------------------------------------------------------------------------------------------

def publish(job: Job, staging: Path, result: dict[str, Any]) -> Outcome:
    """Move a finished notebook's files into the report folder, one atomic rename per file."""
    job.out_dir.mkdir(parents=True, exist_ok=True)
    failed_nb = job.out_dir / f"{job.name}.failed.ipynb"
    executed = staging / f"{job.name}.ipynb"
    if not result["ok"]:
        if executed.exists():
            os.replace(executed, failed_nb)
        return Outcome(job.name, "failed", result["seconds"], error=result["error"])
    files = sorted(p.name for p in staging.iterdir() if p.is_file() and p != executed)
    for name in files:
        os.replace(staging / name, job.out_dir / name)
    failed_nb.unlink(missing_ok=True)
    _save_manifest(job, files, result["seconds"])
    return Outcome(job.name, "ok", result["seconds"], files=files)


class Progress:
    """Which notebook, how far, how long: one line per change on a terminal, every 10 s in logs."""

    def __init__(self, out: Callable[[str], None] = print):
        self.out = out
        self.state: dict[str, dict[str, Any]] = {}
        self.tty = sys.stdout.isatty()

    def handle(self, message: tuple[Any, ...]) -> None:
        kind, name = message[0], message[1]
        if kind == "start":
            self.state[name] = {"total": message[2], "done": 0, "t0": time.monotonic(), "shown": 0.0}
            self.out(f"  started   {name} ({message[2]} cells)")
        elif kind == "cell" and name in self.state:
            s = self.state[name]
            s["done"] = message[2] + 1
            now = time.monotonic()
            if self.tty or now - s["shown"] >= 10:
                s["shown"] = now
                self.out(f"  running   {name}: cell {s['done']}/{s['total']}, {now - s['t0']:.0f}s")

    def finished(self, outcome: Outcome) -> None:
        if outcome.status == "ok":
            how = "reused (unchanged)" if outcome.cached else f"done in {outcome.seconds:.1f}s"
            self.out(f"  ok        {outcome.name}: {how}")
        elif outcome.status == "skipped":
            self.out(f"  skipped   {outcome.name}")
        else:
            self.out(f"  FAILED    {outcome.name} after {outcome.seconds:.1f}s: {outcome.error}")


def run(options: Options, out: Callable[[str], None] = print) -> int:
    """Run the suite; returns the process exit code (0 = every notebook ok or skipped)."""
    started = time.monotonic()
    planned = plan(options)
    jobs = planned.jobs
    progress = Progress(out)
    outcomes: dict[str, Outcome] = {}
    to_run: list[Job] = []
    selected = set(options.only or [j.name for j in jobs])
    for job in jobs:
        hit = cached_outcome(job)
        if not job.enabled:
            outcomes[job.name] = Outcome(job.name, "skipped")
        elif job.name not in selected:  # --only: the index still lists the others
            outcomes[job.name] = hit or Outcome(job.name, "skipped")
        elif hit and not options.force:
            outcomes[job.name] = hit
        else:
            to_run.append(job)
    periods = sorted({j.period.label for j in jobs})
    out(f"wxreport: {len(jobs)} notebook(s) for {', '.join(periods)}; "
        f"{len(to_run)} to run, {len(jobs) - len(to_run)} reused or skipped")
    for name in sorted(selected & set(outcomes)):
        progress.finished(outcomes[name])
    for name, problem in planned.unplanned.items():
        out(f"  not run   {name}: {problem}")
    if to_run:
        check_kernel(options.kernel)
        outcomes.update(_execute_all(to_run, options, progress))
    for out_dir in sorted({j.out_dir for j in jobs}):
        group = [j for j in jobs if j.out_dir == out_dir]
        _write_index(out_dir, group, outcomes, planned.unplanned)
        out(f"wxreport: {out_dir / 'index.html'}")
    failed = [o for o in outcomes.values() if o.status == "failed"]
    out(f"wxreport: finished in {time.monotonic() - started:.1f}s: "
        f"{sum(o.status == 'ok' for o in outcomes.values())} ok, {len(failed)} failed, "
        f"{sum(o.status == 'skipped' for o in outcomes.values())} skipped")
    return 1 if failed else 0


def _execute_all(jobs: list[Job], options: Options, progress: Progress) -> dict[str, Outcome]:
    ctx = mp.get_context("spawn")
    messages = ctx.Queue()
    outcomes: dict[str, Outcome] = {}
    staging_root = {j.out_dir.parent / ".wxreport-staging" for j in jobs}
    staging = {j.name: j.out_dir.parent / ".wxreport-staging" / f"{j.period.label}-{j.name}-"
               f"{uuid.uuid4().hex[:8]}" for j in jobs}
    pool = ProcessPoolExecutor(max_workers=min(options.jobs, len(jobs)), mp_context=ctx,
                               initializer=_init_worker, initargs=(messages,))
    try:
        futures: dict[Future[dict[str, Any]], Job] = {
            pool.submit(execute, j, staging[j.name], options.kernel): j for j in jobs}
        pending = set(futures)
        while pending:
            with contextlib.suppress(queue.Empty):
                progress.handle(messages.get(timeout=0.5))
            for fut in [f for f in pending if f.done()]:
                pending.discard(fut)
                job = futures[fut]
                try:
                    result = fut.result()
                except Exception as exc:  # the worker itself died
                    result = {"ok": False, "seconds": 0.0, "error": f"{type(exc).__name__}: {exc}"}
                outcomes[job.name] = publish(job, staging[job.name], result)
                progress.finished(outcomes[job.name])
    except BaseException:
        _stop_workers(pool)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        for root in staging_root:
            shutil.rmtree(root, ignore_errors=True)
    return outcomes


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """On Ctrl-C: let each worker interrupt its notebook (papermill then shuts the kernel down),
    and terminate what is still running after a grace period."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in workers:
        if proc.is_alive() and proc.pid:
            os.kill(proc.pid, signal.SIGINT)
    deadline = time.monotonic() + 15
    for proc in workers:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.terminate()


def _write_index(out_dir: Path, jobs: list[Job], outcomes: dict[str, Outcome],
                 unplanned: dict[str, str]) -> None:
    first = jobs[0]
    tx = Text(first.language)
    entries = []
    for job in jobs:
        o = outcomes.get(job.name) or Outcome(job.name, "skipped")
        report = out_dir / f"{job.name}.html"
        entries.append(IndexEntry(
            name=job.name,
            title=suite.title(job.name, tx),
            status=o.status,
            seconds=o.seconds,
            cached=o.cached,
            error=o.error,
            report=report.name if report.exists() else None,
            failed_notebook=f"{job.name}.failed.ipynb"
            if o.status == "failed" and (out_dir / f"{job.name}.failed.ipynb").exists() else None,
        ))
    entries += [IndexEntry(name=name, title=suite.title(name, tx), status="skipped",
                           error=problem) for name, problem in unplanned.items()]
    tz = ZoneInfo(first.params["timezone"])
    write_index(out_dir / "index.html", first.period, first.data_source,
                datetime.now(tz), entries, first.language)


def main_run(options: Options) -> int:
    try:
        return run(options)
    except WxReportError as exc:
        print(f"wxreport: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("wxreport: interrupted; reports that were already in place are unchanged",
              file=sys.stderr)
        return 130
