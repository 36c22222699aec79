"""Process and disk faults: concurrent runs, a killed runner, a full disk, stale failures, and
error lines that say what failed."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from helpers.core.periods import Period
from helpers.run import execute as execute_module
from helpers.run.execute import MAX_ERROR, cell_error, describe, execute, kernel_failure
from helpers.run.jobs import Job
from helpers.run.pool import main_run, publish, run
from run import test_runner
from run.test_runner import GOOD, make_notebook

suite = test_runner.suite  # the fixture: notebooks, params and out folders on the tiny sample

# Tracebacks as papermill hands them over (ANSI colours included), from real failing cells.
EMPTY_TB = [
    "\x1b[31m---------------------------------------------------------------------------\x1b[39m",
    "\x1b[31mValueError\x1b[39m                                Traceback (most recent call last)",
    "\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[1]\x1b[39m\x1b[32m, line 2\x1b[39m\n\x1b[32m      1\x1b[39m "
    "\x1b[38;5;28;01mimport\x1b[39;00m os\n\x1b[32m----> \x1b[39m\x1b[32m2\x1b[39m "
    "\x1b[38;5;28;01mraise\x1b[39;00m ValueError()\n\x1b[32m      3\x1b[39m \x1b[38;5;28;01mpass\x1b[39;00m\n",
    "\x1b[31mValueError\x1b[39m: "]
CHAINED_TB = [
    "\x1b[31m---------------------------------------------------------------------------\x1b[39m",
    "\x1b[31mKeyError\x1b[39m                                  Traceback (most recent call last)",
    "\x1b[36mCell\x1b[39m In[1], line 2\n\x1b[32m----> \x1b[39m\x1b[32m2\x1b[39m     raise KeyError('inner thing')\n",
    "\x1b[31mKeyError\x1b[39m: 'inner thing'",
    "\nThe above exception was the direct cause of the following exception:\n",
    "\x1b[31mRuntimeError\x1b[39m                              Traceback (most recent call last)",
    "\x1b[36mCell\x1b[39m In[1], line 4\n\x1b[32m----> \x1b[39m\x1b[32m4\x1b[39m     raise RuntimeError() from e\n",
    "\x1b[31mRuntimeError\x1b[39m: "]
MATHTEXT = "\n_\n ^\nParseSyntaxException: Expected {phantom | llap}, found end of text  (at char 1)"
TCP_WARNING = ("[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All communication "
               "(including code and outputs) is sent in plain text and is susceptible to eavesdropping.")


# --- error lines ---------------------------------------------------------------------------------

def test_a_cell_error_says_type_and_message_on_one_line():
    line = cell_error(7, "ValueError", MATHTEXT, [])
    assert line == ("cell 7: ValueError: _ / ^ / ParseSyntaxException: Expected {phantom | llap}, "
                    "found end of text  (at char 1)")
    long = cell_error(3, "KeyError", "x" * 5000, [])
    assert len(long) < MAX_ERROR + 20 and long.endswith("…")


def test_an_empty_message_gives_the_traceback_line_naming_the_cause():
    assert cell_error(1, "ValueError", "", EMPTY_TB) == (
        "cell 1: ValueError (no message; last traceback line: raise ValueError())")
    assert cell_error(4, "RuntimeError", "", CHAINED_TB) == (
        "cell 4: RuntimeError (no message; last traceback line: KeyError: 'inner thing')")


def test_an_exception_without_message_is_described_by_its_cause_or_place():
    try:
        try:
            raise KeyError("inner")
        except KeyError as inner:
            raise RuntimeError() from inner
    except RuntimeError as exc:
        assert describe(exc) == "RuntimeError (no message; cause: KeyError: 'inner')"
    try:
        raise TimeoutError()
    except TimeoutError as exc:
        assert describe(exc).startswith(f"TimeoutError (no message; raised at {__file__}:")


def test_a_dead_kernel_is_explained_by_its_own_error_not_the_tcp_warning():
    from nbclient.exceptions import DeadKernelError

    died = DeadKernelError("Kernel died")
    log = (f"{TCP_WARNING}\nTraceback (most recent call last):\n  File \"x.py\", line 1, in <module>\n"
           f"ModuleNotFoundError: No module named 'helpers'\n{TCP_WARNING}\n")
    assert kernel_failure(died, log) == (
        "kernel: ModuleNotFoundError: No module named 'helpers' (DeadKernelError: Kernel died)")
    assert kernel_failure(died, TCP_WARNING + "\n") == "DeadKernelError: Kernel died"
    assert kernel_failure(died, f"{TCP_WARNING}\nKilled\n") == "DeadKernelError: Kernel died (kernel log: Killed)"


# --- a full disk, injected ----------------------------------------------------------------------

def enospc(*_args, **_kw):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def fake_job(tmp_path: Path, name: str = "report") -> Job:
    out_dir = tmp_path / "out" / "2026-W47"
    return Job(name, tmp_path / f"{name}.ipynb", {}, Period.parse("2026-W47"), out_dir, tmp_path / "wh")


def staged(tmp_path: Path, files: dict[str, str]) -> Path:
    staging = tmp_path / "out" / ".wxreport-staging" / "run-1" / "2026-W47-report"
    staging.mkdir(parents=True)
    for name, text in files.items():
        (staging / name).write_text(text)
    return staging


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_publishing_on_a_full_disk_keeps_the_previous_report_whole(tmp_path, monkeypatch):
    job = fake_job(tmp_path)
    job.out_dir.mkdir(parents=True)
    for name in ("report.html", "report.json"):
        (job.out_dir / name).write_text(f"previous {name}")
    before = snapshot(job.out_dir)
    staging = staged(tmp_path, {"report.html": "new", "report.json": "new", "report_chart.png": "new"})
    real_replace = os.replace
    calls = []

    def second_fails(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            enospc()
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", second_fails)
    outcome = publish(job, staging, {"ok": True, "seconds": 1.0, "error": None})
    assert outcome.status == "failed"
    assert outcome.error == f"no space left on device while writing {job.out_dir / 'report.json'}"
    assert len(calls) == 3  # html in, json failed, html put back
    assert snapshot(job.out_dir) == before


def test_a_truncated_failed_notebook_is_not_published(tmp_path):
    job = fake_job(tmp_path)
    job.out_dir.mkdir(parents=True)
    (job.out_dir / "report.failed.ipynb").write_text("{}")  # from an earlier failure
    staging = staged(tmp_path, {"report.ipynb": '{"cells": [{"cell_type": "co'})
    outcome = publish(job, staging, {"ok": False, "seconds": 1.0, "error": "cell 2: OSError: full"})
    assert outcome.error == "cell 2: OSError: full"
    assert list(job.out_dir.iterdir()) == []


def test_a_failed_notebook_that_cannot_be_moved_is_not_left_half(tmp_path, monkeypatch):
    job = fake_job(tmp_path)
    staging = staged(tmp_path, {})
    nbformat.write(nbformat.v4.new_notebook(), staging / "report.ipynb")
    monkeypatch.setattr(os, "replace", enospc)
    outcome = publish(job, staging, {"ok": False, "seconds": 1.0, "error": "cell 2: ValueError: x"})
    assert outcome.error == ("cell 2: ValueError: x; the failed notebook was not kept: no space left "
                             f"on device while writing {job.out_dir / 'report.failed.ipynb'}")
    assert list(job.out_dir.iterdir()) == []


@pytest.mark.slow
def test_a_worker_writing_on_a_full_disk_says_so(tmp_path, monkeypatch):
    from papermill.iorw import LocalHandler

    job = fake_job(tmp_path)
    make_notebook(tmp_path, "report", body="pass")
    staging = tmp_path / "out" / ".wxreport-staging" / "run-1" / "2026-W47-report"
    monkeypatch.setattr(LocalHandler, "write", enospc)
    monkeypatch.setattr(execute_module, "_post", lambda *_: None)
    result = execute(job, staging, "wxreport")
    assert result["ok"] is False
    assert result["error"] == f"no space left on device while writing {staging}"


@pytest.mark.slow
def test_a_full_disk_is_reported_and_leaves_every_report_file_as_it_was(suite, monkeypatch, capsys):
    notebooks, _, week, options = suite
    make_notebook(notebooks, "report")
    assert run(options()) == 0
    before = snapshot(week)
    real_replace = os.replace

    def full_for_reports(src, dst):
        if Path(dst).parent == week and Path(dst).name != "index.html":
            enospc()
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full_for_reports)
    assert run(options(force=True)) == 1
    problem = f"no space left on device while writing {week / 'report.html'}"
    assert problem in capsys.readouterr().out
    assert problem in (week / "index.html").read_text()  # the index records the failure
    after = snapshot(week)
    assert {n: b for n, b in after.items() if n != "index.html"} == {
        n: b for n, b in before.items() if n != "index.html"}
    # Not even the index can be written: the run says so and stops, changing nothing.
    indexed = snapshot(week)
    monkeypatch.setattr(os, "replace", enospc)
    assert main_run(options()) == 2
    assert (f"wxreport: error: no space left on device while writing {week / 'index.html'}"
            in capsys.readouterr().err)
    assert snapshot(week) == indexed
    assert not list(week.parent.rglob("*.tmp")) and not (week.parent / ".wxreport-staging").exists()


# --- stale failures, concurrent runs, a killed runner --------------------------------------------

@pytest.mark.slow
def test_a_failure_is_cleared_when_the_notebook_is_ok_again_even_if_reused(suite, capsys):
    notebooks, _, week, options = suite
    good = make_notebook(notebooks, "report").read_bytes()
    assert run(options()) == 0
    make_notebook(notebooks, "report", body=GOOD.replace("rep.header()", "raise ValueError()"))
    assert run(options()) == 1
    line = "cell 3: ValueError (no message; last traceback line: raise ValueError())"
    printed = capsys.readouterr().out
    assert line in printed and line in (week / "index.html").read_text(), printed
    assert (week / "report.failed.ipynb").exists()
    (notebooks / "report.ipynb").write_bytes(good)  # as it was: the cached good report is reused
    assert run(options()) == 0
    assert "report: reused (unchanged)" in capsys.readouterr().out
    assert not (week / "report.failed.ipynb").exists()
    assert "failed.ipynb" not in (week / "index.html").read_text()


@pytest.mark.slow
def test_two_runs_into_one_out_folder_take_turns(suite):
    notebooks, _, week, options = suite
    make_notebook(notebooks, "report", sleep=6)
    logs: dict[str, list[str]] = {"first": [], "second": []}
    codes: dict[str, int] = {}

    def start(who: str, **kw) -> threading.Thread:
        thread = threading.Thread(target=lambda: codes.__setitem__(who, run(options(**kw), logs[who].append)))
        thread.start()
        return thread

    first = start("first")
    deadline = time.monotonic() + 120
    while not any("started   report" in line for line in logs["first"]):
        assert time.monotonic() < deadline and first.is_alive(), logs
        time.sleep(0.2)
    second = start("second", force=True)
    first.join(180)
    second.join(180)
    assert codes == {"first": 0, "second": 0}, logs
    waited = [line for line in logs["second"] if "waiting for another run" in line]
    assert waited == [f"wxreport: waiting for another run into {week.parent} (pid {os.getpid()}) to finish"]
    assert logs["second"].index(waited[0]) < logs["second"].index("  started   report (3 cells)")
    assert not (week.parent / ".wxreport-staging").exists()


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (Linux)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                children = {int(c) for c in (task / "children").read_text().split()}
            except OSError:
                continue
            todo += children - found
            found |= children
    return found


def alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_runner_leaves_no_process_and_the_next_run_clears_its_staging(suite, tmp_path):
    notebooks, params, week, options = suite
    flag = tmp_path / "slow"
    make_notebook(notebooks, "report", body=GOOD.replace(
        "time.sleep(SLEEP)", f"time.sleep(120 if __import__('os').path.exists({str(flag)!r}) else 0)"))
    assert run(options()) == 0
    flag.touch()
    cmd = [str(Path(sys.executable).with_name("wxreport")), "run", "--force", "--notebooks",
           str(notebooks), "--params", str(params)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, env=os.environ.copy())
    lines = []
    for line in proc.stdout:  # "running" comes once the kernel has executed a cell
        lines.append(line)
        if "running   report" in line:
            break
    pids = descendants(proc.pid)
    kernels = [p for p in pids if b"ipykernel" in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert kernels and len(pids) >= 3, (pids, lines)  # worker, kernel, resource tracker
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 20
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    survivors = {p: Path(f"/proc/{p}/cmdline").read_bytes() for p in pids if alive(p)}
    for pid in survivors:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert not survivors
    stale = week.parent / ".wxreport-staging"
    assert any(stale.iterdir())
    flag.unlink()
    said: list[str] = []
    assert run(options(), said.append) == 0
    assert "  ok        report: reused (unchanged)" in said
    assert f"wxreport: removing what an interrupted run left in {stale}" in said
    assert not stale.exists()
