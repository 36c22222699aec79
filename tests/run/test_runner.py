"""The runner: parallel execution, failure isolation, atomic outputs, cache reuse, early errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from helpers.core.errors import KernelError, ParamError
from helpers.run.jobs import Options
from helpers.run.pool import run

GOOD = """
import time
from helpers.suite import open_report
rep = open_report(NAME, params)
rep.header()
started = time.time()
time.sleep(SLEEP)
rep.paragraph("done")
rep.publish({"started": started, "finished": time.time()})
rep.footer()
"""


def make_notebook(folder: Path, name: str, body: str = GOOD, sleep: float = 0.0) -> Path:
    nb = new_notebook(metadata={"kernelspec": {"name": "wxreport", "display_name": "wxreport",
                                               "language": "python"}})
    nb.cells = [new_code_cell("params = {}", metadata={"tags": ["parameters"]}),
                new_code_cell(body.replace("NAME", repr(name)).replace("SLEEP", str(sleep)))]
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def suite(tmp_path, tiny_data):
    """A notebooks folder, a params folder pointing at the tiny sample, and an output folder."""
    notebooks, params, out = tmp_path / "notebooks", tmp_path / "params", tmp_path / "reports"
    notebooks.mkdir()
    params.mkdir()
    (params / "defaults.yaml").write_text(f"data: {tiny_data}\nout: {out}\nlanguage: en\n")

    def options(**kw) -> Options:
        return Options(notebooks_dir=notebooks, params_dir=params, jobs=2, **kw)

    return notebooks, params, out / "2026-W47", options


def outcome_lines(capsys) -> str:
    return capsys.readouterr().out


def test_parallel_run_publishes_every_output(suite, capsys):
    notebooks, _, week, options = suite
    for name in ("alpha", "beta", "gamma"):
        make_notebook(notebooks, name, sleep=5)
    assert run(options()) == 0
    files = sorted(p.name for p in week.iterdir())
    assert files == ["alpha.html", "alpha.json", "beta.html", "beta.json", "gamma.html",
                     "gamma.json", "index.html"]
    spans = [json.loads((week / f"{n}.json").read_text())["metrics"] for n in ("alpha", "beta", "gamma")]
    overlapping = [(a, b) for i, a in enumerate(spans) for b in spans[i + 1:]
                   if a["started"] < b["finished"] and b["started"] < a["finished"]]
    assert overlapping, "no two notebooks ran at the same time"
    log = outcome_lines(capsys)
    assert "started   alpha" in log and "ok        gamma: done in" in log
    index = (week / "index.html").read_text()
    assert index.count('data-status="ok"') == 3 and 'href="beta.html"' in index


def test_one_failure_does_not_stop_the_others(suite, capsys):
    notebooks, _, week, options = suite
    make_notebook(notebooks, "good")
    make_notebook(notebooks, "bad", body=GOOD.replace("rep.header()", "raise ValueError('boom')"))
    assert run(options()) == 1
    assert (week / "good.html").exists() and (week / "good.json").exists()
    assert not (week / "bad.html").exists() and not (week / "bad.json").exists()
    failed = nbformat.read(week / "bad.failed.ipynb", as_version=4)
    assert any(o.get("ename") == "ValueError" for c in failed.cells for o in c.get("outputs", []))
    index = (week / "index.html").read_text()
    assert 'class="wx-status-failed"' in index and 'href="bad.failed.ipynb"' in index
    assert "ValueError: boom" in index
    assert "FAILED    bad" in outcome_lines(capsys)


def test_a_failed_rerun_keeps_the_previous_good_report(suite):
    notebooks, _, week, options = suite
    make_notebook(notebooks, "report")
    assert run(options()) == 0
    before = {p.name: p.read_bytes() for p in week.glob("report.*")}
    make_notebook(notebooks, "report", body=GOOD.replace("rep.publish", "1 / 0; rep.publish"))
    assert run(options()) == 1
    assert {p.name: p.read_bytes() for p in week.glob("report.*") if "failed" not in p.name} == before
    index = (week / "index.html").read_text()
    assert 'href="report.html">last good report' in index
    assert 'href="report.failed.ipynb"' in index
    # Fixed again: the failing notebook is cleared away.
    make_notebook(notebooks, "report")
    assert run(options()) == 0
    assert not (week / "report.failed.ipynb").exists()


def test_only_runs_the_named_notebook_and_the_index_keeps_the_others(suite, capsys):
    notebooks, _, week, options = suite
    make_notebook(notebooks, "first")
    make_notebook(notebooks, "second")
    assert run(options(only=["first"])) == 0
    assert (week / "first.html").exists() and not (week / "second.html").exists()
    index = (week / "index.html").read_text()
    assert index.count('class="wx-status-skipped"') == 1 and 'href="first.html"' in index
    assert run(options()) == 0
    capsys.readouterr()
    make_notebook(notebooks, "second", sleep=0.1)
    assert run(options(only=["second"])) == 0
    assert "second: done in" in capsys.readouterr().out
    index = (week / "index.html").read_text()
    assert index.count('data-status="ok"') == 2  # first: unchanged, reused
    # Broken parameters of a notebook that is not run do not block the one that is.
    (suite[1] / "first.yaml").write_text("nonsense: 1\n")
    assert run(options(only=["second"])) == 0
    assert "not run   first: " in capsys.readouterr().out
    assert "key &#x27;nonsense&#x27;" in (week / "index.html").read_text()


def test_notebook_must_honour_the_output_contract(suite):
    notebooks, _, week, options = suite
    make_notebook(notebooks, "silent", body=GOOD.replace("rep.publish(", "dict("))
    assert run(options()) == 1
    assert "did not publish silent.json" in (week / "index.html").read_text()


def test_unchanged_rerun_reuses_and_changes_rerun_what_they_affect(suite, capsys, tiny_data):
    notebooks, params, week, options = suite
    make_notebook(notebooks, "one")
    make_notebook(notebooks, "two")
    assert run(options()) == 0
    capsys.readouterr()
    started = time.monotonic()
    assert run(options()) == 0
    assert time.monotonic() - started < 10
    assert outcome_lines(capsys).count("reused (unchanged)") == 2
    # A notebook's own parameters: only that notebook re-runs.
    (params / "two.yaml").write_text("min_cell_size: 20\n")
    assert run(options()) == 0
    log = outcome_lines(capsys)
    assert "one: reused" in log and "two: done in" in log
    # A deleted output is noticed.
    (week / "one.html").unlink()
    assert run(options()) == 0
    assert "one: done in" in outcome_lines(capsys)
    # The notebook itself changed.
    make_notebook(notebooks, "one", sleep=0.1)
    assert run(options()) == 0
    assert "one: done in" in outcome_lines(capsys)
    # --force re-runs everything.
    assert run(options(force=True)) == 0
    assert outcome_lines(capsys).count("done in") == 2


def test_parameter_errors_come_before_any_kernel(suite):
    notebooks, params, _, options = suite
    make_notebook(notebooks, "one")
    (params / "one.yaml").write_text("langauge: en\n")
    with pytest.raises(ParamError, match=r"one.yaml: key 'langauge' is not a parameter of one\..*"
                                         r"Did you mean 'language'"):
        run(options(kernel="no-such-kernel"))
    (params / "one.yaml").unlink()
    with pytest.raises(ParamError, match=r"command line: key 'period': 2027-W10 .* is not in the data"):
        run(options(period="2027-W10", kernel="no-such-kernel"))
    with pytest.raises(KernelError, match="'no-such-kernel' is not installed; run `make venv`"):
        run(options(kernel="no-such-kernel"))


def test_empty_period_is_an_error(suite, tmp_path, tiny_data):
    notebooks, _, _, options = suite
    make_notebook(notebooks, "one")
    gap = tmp_path / "gap"
    gap.mkdir()
    for f in tiny_data.glob("*.parquet"):
        (gap / f.name).write_bytes(f.read_bytes())
    events = pd.read_parquet(tiny_data / "events.parquet")
    day = events.event_time.dt.strftime("%Y-%m-%d")
    events[(day < "2026-11-09") | (day > "2026-11-15")].to_parquet(gap / "events.parquet")
    with pytest.raises(ParamError, match=r"2026-W46 .* has no events"):
        run(options(data=str(gap), period="2026-W46"))


def test_period_and_out_overrides(suite, tmp_path):
    notebooks, _, _, options = suite
    make_notebook(notebooks, "one")
    out = tmp_path / "elsewhere"
    assert run(options(period="2026-W45", out=str(out))) == 0
    doc = json.loads((out / "2026-W45" / "one.json").read_text())
    assert (doc["period"], doc["period_start"], doc["period_end"]) == (
        "2026-W45", "2026-11-02", "2026-11-08")
    assert "Week 2026-W45" in (out / "2026-W45" / "index.html").read_text()


def test_interrupt_leaves_the_previous_report_in_place(suite):
    notebooks, params, week, options = suite
    make_notebook(notebooks, "slow")
    assert run(options()) == 0
    before = {p.name: p.read_bytes() for p in week.iterdir()}
    make_notebook(notebooks, "slow", sleep=60)
    cmd = [str(Path(sys.executable).with_name("wxreport")), "run", "--notebooks", str(notebooks),
           "--params", str(params)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, env=os.environ.copy())
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "running   slow" in line or "started   slow" in line:
            break
    time.sleep(3)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, "".join(lines) + rest
    assert "interrupted" in rest
    assert {p.name: p.read_bytes() for p in week.iterdir()} == before
    assert not (week.parent / ".wxreport-staging").exists()


READER = """
from helpers.suite import open_report
rep = open_report(NAME, params)
made = rep.read_published("maker")
rep.publish({"maker_started": made["metrics"]["started"], "maker_verdict": made["summary"]["verdict"]})
rep.footer()
"""


def test_a_reader_runs_after_what_it_reads_and_reruns_when_that_changes(suite, capsys, monkeypatch):
    from helpers import suite as registry
    from helpers.core.params import SharedParams
    from helpers.render.outputs import OutputContract

    notebooks, _, week, options = suite
    monkeypatch.setitem(registry.NOTEBOOKS, "reader",
                        registry.Notebook("reader", SharedParams, "", OutputContract(), reads=("maker",)))
    make_notebook(notebooks, "reader", body=READER)  # sorts before "maker": order comes from reads
    make_notebook(notebooks, "maker", sleep=2)
    assert run(options()) == 0
    maker = json.loads((week / "maker.json").read_text())
    reader = json.loads((week / "reader.json").read_text())
    assert reader["metrics"] == {"maker_started": maker["metrics"]["started"], "maker_verdict": "ok"}
    assert run(options()) == 0
    assert outcome_lines(capsys).count("reused (unchanged)") == 2
    assert run(options(only=["maker"], force=True)) == 0  # maker publishes a new JSON ...
    capsys.readouterr()
    assert run(options()) == 0  # ... so the reader, keyed on it, runs again
    log = outcome_lines(capsys)
    assert "maker: reused" in log and "reader: done in" in log
    again = json.loads((week / "reader.json").read_text())
    assert again["metrics"]["maker_started"] == json.loads((week / "maker.json").read_text())["metrics"]["started"]
