"""Executing a plan: notebooks in parallel worker processes, readers after what they read.

Each notebook runs in its own staging folder; its files are published (renamed into place) only
after it ran, rendered and passed the output contract, so a failed or interrupted run leaves the
previous good report as it was; a rename that fails halfway (a full disk) puts back the files it
already replaced. A notebook that reads others' published JSON (`suite.Notebook.reads`)
starts after they finished, and its cache key includes those files. One failure does not stop the
others: the index marks it and the command exits non-zero.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import os
import queue
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from helpers import suite
from helpers.core.errors import WxReportError
from helpers.core.paths import cache_dir
from helpers.render.index import IndexEntry, write_index
from helpers.render.text import Text
from helpers.run.cache import cached_outcome, save_manifest, seal
from helpers.run.execute import code_cells, describe, execute, init_worker, one_line
from helpers.run.jobs import Job, Options, Outcome
from helpers.run.plan import Plan, check_kernel, plan
from helpers.run.spark_server import SparkServer
from helpers.run.workspace import OutputError, Workspace, write_problem, writing


def publish(job: Job, staging: Path, result: dict[str, Any]) -> Outcome:
    """Move a finished notebook's files into the report folder, one atomic rename per file and all
    or none; a write that fails (a full disk) makes the notebook fail, saying so."""
    executed = staging / f"{job.name}.ipynb"
    try:
        with writing(job.out_dir):
            job.out_dir.mkdir(parents=True, exist_ok=True)
        if not result["ok"]:
            return Outcome(job.name, "failed", result["seconds"],
                           error=_keep_failed_notebook(job, executed, result["error"]))
        files = sorted(p.name for p in staging.iterdir() if p.is_file() and p != executed)
        with writing(job.out_dir):
            _swap_in(staging, job.out_dir, files)
        with writing(cache_dir() / "runs"):
            save_manifest(job, files, result["seconds"])
    except OutputError as exc:
        return Outcome(job.name, "failed", result["seconds"], error=str(exc))
    return Outcome(job.name, "ok", result["seconds"], files=files)


def _keep_failed_notebook(job: Job, executed: Path, error: str) -> str:
    """Put the failed run's notebook beside the report, by one rename and only when it is whole
    (a full disk truncates it); one left by an earlier failure goes. Returns the error to show."""
    import nbformat

    failed_nb = job.out_dir / f"{job.name}.failed.ipynb"
    try:
        nbformat.read(executed, as_version=4)
        with writing(failed_nb):
            os.replace(executed, failed_nb)
    except (OSError, ValueError, OutputError) as exc:
        failed_nb.unlink(missing_ok=True)
        if isinstance(exc, OutputError):
            return f"{error}; the failed notebook was not kept: {exc}"
    return error


def _swap_in(staging: Path, out_dir: Path, names: list[str]) -> None:
    """Rename each staged file over the published one; when a rename fails, the files already
    replaced get their previous version back (hard-linked aside first), so no report is half new."""
    previous = staging / ".previous"
    previous.mkdir()
    undo: list[str] = []
    try:
        for name in names:
            target, kept = out_dir / name, previous / name
            existed = target.exists()
            if existed:
                with contextlib.suppress(OSError):  # no hard links here: this file cannot be undone
                    os.link(target, kept)
            os.replace(staging / name, target)
            if kept.exists() or not existed:
                undo.append(name)
    except OSError as exc:
        failed = out_dir / name
        for name in reversed(undo):
            if (previous / name).exists():
                os.replace(previous / name, out_dir / name)
            else:
                (out_dir / name).unlink()
        raise OutputError(write_problem(exc, failed)) from None


def clock(seconds: float) -> str:
    """Elapsed time as a person reads it: 45s, 3m05s, 1h02m."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


class Progress:
    """Which notebook, how far, how long: one line per change on a terminal, every 10 s in logs.

    A notebook is "started" when it is handed to a worker (a worker and its kernel take seconds
    to start), its cell counter counts the code cells executed out of those papermill executes,
    and each notebook that finishes says how many of the run's notebooks are done and the time
    since the run started."""

    def __init__(self, out: Callable[[str], None] = print, total: int = 0,
                 started: float | None = None):
        self.out = out
        self.state: dict[str, dict[str, Any]] = {}
        self.tty = sys.stdout.isatty()
        self.workers: set[int] = set()
        self.total = total  # notebooks this run runs or reuses
        self.done = 0
        self.started = time.monotonic() if started is None else started

    def submitted(self, name: str, cells: int) -> None:
        """A notebook was handed to a worker."""
        self.state[name] = {"total": cells, "done": 0, "t0": time.monotonic(), "shown": 0.0}
        self.out(f"  started   {name} ({cells} cells)")

    def handle(self, message: tuple[Any, ...]) -> None:
        kind, name = message[0], message[1]
        if kind == "worker":
            self.workers.add(name)  # a worker's pid, for stopping it on Ctrl-C
        elif kind == "start" and name not in self.state:
            self.submitted(name, message[2])
        elif kind == "start":
            self.state[name]["total"] = message[2]
        elif kind == "cell" and name in self.state:
            s = self.state[name]
            s["done"] = min(message[2], s["total"])
            now = time.monotonic()
            if self.tty or now - s["shown"] >= 10:
                s["shown"] = now
                self.out(f"  running   {name}: cell {s['done']}/{s['total']}, {clock(now - s['t0'])}")

    def finished(self, outcome: Outcome) -> None:
        # From "started" on, as the running lines count (a worker's own time leaves out its start);
        # a cell message still in the queue says nothing more.
        state = self.state.pop(outcome.name, None)
        took = time.monotonic() - state["t0"] if state else outcome.seconds
        if outcome.status != "skipped":
            self.done += 1
        if outcome.status == "ok" and outcome.cached:  # at once, before anything runs
            self.out(f"  ok        {outcome.name}: reused (unchanged)")
            return
        count = f"[{self.done}/{self.total} done, {clock(time.monotonic() - self.started)}]"
        if outcome.status == "ok":
            self.out(f"  ok        {outcome.name}: done in {took:.1f}s {count}")
        elif outcome.status == "skipped":
            self.out(f"  skipped   {outcome.name}")
        else:
            self.out(f"  FAILED    {outcome.name} after {took:.1f}s {count}: {outcome.error}")


def run(options: Options, out: Callable[[str], None] = print) -> int:
    """Run the suite; returns the process exit code (0 = every notebook ok or skipped).

    The console says, in order: what is checked (and the warehouse being built), the week and the
    notebooks to run, each notebook started / running / done with "n/N done" and the elapsed
    time, the sections reports left out, a closing count, then the index page and the week's
    verdict line, so that the last lines are what a person wants to open and read."""
    started = time.monotonic()
    with SparkServer(out) as spark:  # engine: spark: one local server for the run's kernels
        planned = plan(options, say=out, spark=spark)
        jobs = planned.jobs
        indexes: list[Path] = []
        with Workspace([j.out_dir.parent for j in jobs], out) as space:
            outcomes = _outcomes(planned, options, space, out, started)
            for out_dir in sorted({j.out_dir for j in jobs}):
                group = [j for j in jobs if j.out_dir == out_dir]
                out(f"wxreport: writing the index of {out_dir.name}")
                with writing(out_dir / "index.html"):
                    _write_index(out_dir, group, outcomes, planned.unplanned)
                indexes.append(out_dir / "index.html")
    thin = _report_thin(jobs, outcomes, out)
    failed = [o for o in outcomes.values() if o.status == "failed"]
    out(f"wxreport: finished in {clock(time.monotonic() - started)}: "
        f"{sum(o.status == 'ok' for o in outcomes.values())} ok ({thin} with sections not shown), "
        f"{len(failed)} failed, {sum(o.status == 'skipped' for o in outcomes.values())} skipped")
    weekly = outcomes.get(VERDICT_SOURCE)
    for index in indexes:
        out(f"wxreport: open {index}")
        # a weekly summary that failed now left last run's JSON: its verdict is not this run's
        if weekly is not None and weekly.status == "ok" and (line := verdict_line(index.parent)):
            out(line)
    return 1 if failed else 0


VERDICT_SOURCE = "weekly_summary"  # the report whose published summary says how the week went


def verdict_line(out_dir: Path) -> str | None:
    """The week's verdict as the weekly summary published it (its JSON `summary` block): the
    verdict word and the sentence the index leads with (`top_finding`); None when the weekly
    summary has not been published for this week."""
    try:
        doc = json.loads((out_dir / f"{VERDICT_SOURCE}.json").read_text(encoding="utf-8"))
        summary = doc["summary"]
        week = str(doc.get("period") or out_dir.name)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(summary, dict):
        return None
    parts = [one_line(summary[k]) for k in ("verdict", "top_finding")
             if isinstance(summary.get(k), str) and summary[k].strip()]
    return f"wxreport: {week}: {' · '.join(parts)}" if parts else None


def sections_skipped(job: Job, outcome: Outcome) -> tuple[tuple[str, str], ...]:
    """(section, reason) of each section an ok report skipped or could not show, from its
    published JSON summary; nothing for a report that failed (its JSON is the last good one)."""
    if outcome.status != "ok":
        return ()
    try:
        doc = json.loads((job.out_dir / f"{job.name}.json").read_text(encoding="utf-8"))
        return tuple((str(s.get("section") or ""), str(s.get("reason") or ""))
                     for s in doc["summary"]["sections_skipped"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # not ours to judge here
        return ()


def _report_thin(jobs: list[Job], outcomes: dict[str, Outcome], out: Callable[[str], None]) -> int:
    """Per report, the sections not shown and why, so a run on thin data is visibly thin;
    returns how many reports left sections out."""
    thin = 0
    for job in jobs:
        sections = sections_skipped(job, outcomes[job.name])
        if sections:
            thin += 1
            out(f"  thin      {job.name}: {len(sections)} section(s) not shown")
            for section, reason in sections:
                out(f"              {section + ': ' if section else ''}{reason}")
    return thin


def _outcomes(planned: Plan, options: Options, space: Workspace, out: Callable[[str], None],
              started: float | None = None) -> dict[str, Outcome]:
    """Every notebook's outcome: skipped, reused, or run now (--only: the others as they are)."""
    jobs = planned.jobs
    selected = set(options.only or [j.name for j in jobs])
    outcomes: dict[str, Outcome] = {}
    for job in jobs:
        if not job.enabled:
            outcomes[job.name] = Outcome(job.name, "skipped")
        elif job.name not in selected:  # --only: the index still lists the others
            seal(job)
            outcomes[job.name] = cached_outcome(job) or Outcome(job.name, "skipped")
    to_run = [j for j in jobs if j.name not in outcomes]
    progress = Progress(out, total=len(to_run), started=started)
    periods = sorted({f"{j.period.label} ({j.period.start} .. {j.period.end})" for j in jobs})
    out(f"wxreport: {len(jobs)} notebook(s) for {', '.join(periods)}; {len(to_run)} to run or reuse, "
        f"{len(jobs) - len(to_run)} skipped")
    for name in sorted(selected & set(outcomes)):
        progress.finished(outcomes[name])
    for name, problem in planned.unplanned.items():
        out(f"  not run   {name}: {problem}")
    if to_run:
        outcomes.update(_execute_all(to_run, options, progress, space))
    for job in jobs:  # an ok notebook, run now or reused, has no failure to show any more
        if outcomes[job.name].status == "ok":
            (job.out_dir / f"{job.name}.failed.ipynb").unlink(missing_ok=True)
    return outcomes


def _ready(waiting: list[Job], unfinished: set[str]) -> list[Job]:
    """Jobs none of whose read notebooks is still to run."""
    return [j for j in waiting if not set(j.reads) & unfinished]


def _execute_all(jobs: list[Job], options: Options, progress: Progress, space: Workspace
                 ) -> dict[str, Outcome]:
    """Reuse or run every job, each once the notebooks it reads have finished. A job goes to the
    pool only when a worker is free, so that "started" means started."""
    ctx = mp.get_context("spawn")
    messages = ctx.Queue()
    outcomes: dict[str, Outcome] = {}
    waiting, unfinished = list(jobs), {j.name for j in jobs}
    queued: list[Job] = []  # ready, sealed and not reusable: waiting for a free worker
    running: dict[Future[dict[str, Any]], tuple[Job, Path]] = {}
    workers = min(options.jobs, len(jobs))
    pool: ProcessPoolExecutor | None = None
    try:
        while waiting or queued or running:
            for job in _ready(waiting, unfinished):
                waiting.remove(job)
                seal(job)
                hit = None if options.force else cached_outcome(job)
                if hit:
                    outcomes[job.name] = hit
                    unfinished.discard(job.name)
                    progress.finished(hit)
                    continue
                queued.append(job)
            while queued and len(running) < workers:
                job = queued.pop(0)
                if pool is None:
                    progress.out(f"wxreport: starting {workers} worker(s) with the Jupyter kernel "
                                 f"{options.kernel!r}")
                    check_kernel(options.kernel)
                    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                               initializer=init_worker, initargs=(messages, os.getpid()))
                staging = space.staging(job.out_dir.parent, f"{job.period.label}-{job.name}")
                running[pool.submit(execute, job, staging, options.kernel)] = (job, staging)
                progress.submitted(job.name, code_cells(job.notebook))
            with contextlib.suppress(queue.Empty):
                progress.handle(messages.get(timeout=0.5))
            for future in [f for f in running if f.done()]:
                job, staging = running.pop(future)
                outcomes[job.name] = publish(job, staging, _result(future))
                unfinished.discard(job.name)
                progress.finished(outcomes[job.name])
    except BaseException:
        if pool is not None:
            _stop_workers(pool, progress.workers)
        raise
    if pool is not None:
        pool.shutdown(wait=True)
    return outcomes


def _result(future: Future[dict[str, Any]]) -> dict[str, Any]:
    try:
        return future.result()
    except Exception as exc:  # the worker itself died
        return {"ok": False, "seconds": 0.0, "error": describe(exc)}


def _stop_workers(pool: ProcessPoolExecutor, workers: set[int]) -> None:
    """On Ctrl-C: let each worker interrupt its notebook (papermill then shuts the kernel down),
    and kill what is still running after a grace period. A worker still starting has not sent
    its pid yet (and may have missed the terminal's Ctrl-C): the pool's own process list covers
    it, or the interpreter's exit would wait for its notebook to finish."""
    workers = set(workers) | set(getattr(pool, "_processes", None) or {})
    pool.shutdown(wait=False, cancel_futures=True)
    for pid in workers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.2)
    for pid in workers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


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
            sections_skipped=sections_skipped(job, o),
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
