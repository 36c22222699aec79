"""What `wxreport run` says on the terminal: a first line at once, the warehouse build table by
table, cell counters that never overrun, "n/N done" with the elapsed time, each error once, and at
the end the index to open and the week's verdict."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers import cli
from helpers.core.warehouse import build_warehouse
from helpers.run.execute import code_cells
from helpers.run.jobs import Options, Outcome, announcement
from helpers.run.pool import Progress, clock, run, verdict_line
from run import test_runner
from run.test_runner import GOOD

suite = test_runner.suite  # the fixture: notebooks, params and out folders on the tiny sample


def progress(total: int = 3) -> tuple[Progress, list[str]]:
    said: list[str] = []
    p = Progress(said.append, total=total)
    p.tty = False
    return p, said


# --- the first line -------------------------------------------------------------------------------

def test_the_cli_says_its_first_line_before_importing_the_runner():
    """The first line must not wait for pandas, nbconvert or the warehouse: importing the CLI
    module imports none of them (they took 14 s before anything was printed)."""
    code = ("import sys, helpers.cli; heavy = [m for m in ('pandas', 'nbformat', 'nbconvert', 'duckdb', "
            "'matplotlib', 'helpers.run.pool') if m in sys.modules]; print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stderr


def test_the_first_line_says_what_is_checked(tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / "b.ipynb").write_text("{}")
    line = announcement(Options(notebooks_dir=tmp_path, period="2026-W47", data="shop"))
    assert line == ("wxreport: checking the parameters, data (shop) and week (2026-W47) of 2 notebook(s) "
                    "before running them")
    assert "1 notebook(s)" in announcement(Options(notebooks_dir=tmp_path, only=["a"]))
    assert "data (from params) and week (from params)" in announcement(Options(notebooks_dir=tmp_path))


def test_a_week_no_year_has_is_said_once_and_before_the_data_is_loaded(tmp_path, capsys):
    """`--period 2026-W99`: the first line, then the error once on stderr; the warehouse is not
    built for a period that cannot exist."""
    (tmp_path / "defaults.yaml").write_text(f"data: {tmp_path / 'no-such-data'}\n")
    code = cli.main(["run", "--period", "2026-W99", "--params", str(tmp_path), "--out", str(tmp_path / "r")])
    printed = capsys.readouterr()
    assert code == 2
    assert printed.out.splitlines() == [announcement(Options(period="2026-W99"))]
    assert printed.err.count("no ISO week 99") == 1, printed.err
    assert printed.err.startswith("wxreport: error: command line: key 'period': 2026 has no ISO week 99")
    assert "no-such-data" not in printed.err  # stopped before looking at the data


def test_the_warehouse_build_says_each_table(tiny_data, tmp_path):
    seen: list[tuple[int, int, str]] = []
    build_warehouse(tiny_data, target=tmp_path / "wh.duckdb", progress=lambda *a: seen.append(a))
    n = len(seen)
    assert n >= 3 and [i for i, _, _ in seen] == list(range(1, n + 1))
    assert {total for _, total, _ in seen} == {n} and seen[0][2] == "users"
    again: list[tuple[int, int, str]] = []  # a warehouse already built is not built again: silent
    build_warehouse(tiny_data, target=tmp_path / "wh.duckdb", progress=lambda *a: again.append(a))
    assert again == []


# --- cell counters -----------------------------------------------------------------------------

def test_cells_are_counted_as_papermill_executes_them(tmp_path):
    """Markdown and empty code cells are not executed; the injected parameters cell is."""
    nb = new_notebook(cells=[new_markdown_cell("# title"), new_code_cell("params = {}"),
                             new_markdown_cell("text"), new_code_cell("x = 1"), new_code_cell("  \n"),
                             new_code_cell("y = 2", metadata={"tags": ["skip-execution"]}),
                             new_markdown_cell("more"), new_code_cell("print(x)")])
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    assert code_cells(path) == 4  # params, x = 1, print(x) + the injected cell


def test_the_suite_notebooks_count_fewer_cells_than_they_have(tmp_path):
    """The bundled notebooks mix markdown and code: counting every cell overran ("cell 17/16")."""
    root = Path(__file__).resolve().parents[2] / "notebooks"
    for path in sorted(root.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        assert code_cells(path) == sum(c["cell_type"] == "code" and "".join(c["source"]).strip() != ""
                                       for c in cells) + 1 <= len(cells) + 1


@given(st.integers(1, 40), st.lists(st.integers(0, 60), max_size=30))
def test_a_counter_never_passes_its_total(total, reports):
    p, said = progress()
    p.tty = True
    p.submitted("nb", total)
    for n in reports:
        p.handle(("cell", "nb", n))
    for line in said[1:]:
        done, of = line.split("cell ")[1].split(",")[0].split("/")
        assert 0 <= int(done) <= int(of) == total


def test_lines_for_a_started_running_and_finished_notebook():
    p, said = progress(total=2)
    p.submitted("weekly_summary", 7)
    p.handle(("start", "weekly_summary", 7))  # the worker's own start says nothing new
    p.handle(("cell", "weekly_summary", 2))
    p.finished(Outcome("weekly_summary", "ok", 45.46))
    p.finished(Outcome("user_analysis", "failed", 3.0, error="cell 4: KeyError: 'x'"))
    assert said[0] == "  started   weekly_summary (7 cells)"
    assert said[1].startswith("  running   weekly_summary: cell 2/7, ")
    assert said[2].startswith("  ok        weekly_summary: done in 0.")  # since "started", as the counter
    assert " [1/2 done, 0s]" in said[2]
    assert said[3].startswith("  FAILED    user_analysis after 3.0s [2/2 done, ")  # never started here
    assert said[3].endswith("]: cell 4: KeyError: 'x'")
    assert len(said) == 4


def test_reused_and_skipped_notebooks():
    p, said = progress(total=1)
    p.finished(Outcome("a", "skipped"))
    p.finished(Outcome("b", "ok", 3.0, cached=True))
    assert said == ["  skipped   a", "  ok        b: reused (unchanged)"]
    assert p.done == 1


def test_logs_get_a_running_line_every_ten_seconds_at_most():
    p, said = progress()
    p.submitted("nb", 30)
    for n in range(1, 30):
        p.handle(("cell", "nb", n))
    assert len([s for s in said if "running" in s]) == 1


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (45.9, "45s"), (60, "1m00s"), (185, "3m05s"),
                                               (3720, "1h02m")])
def test_clock(seconds, text):
    assert clock(seconds) == text


# --- the end -----------------------------------------------------------------------------------

def write_weekly(folder: Path, summary: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "weekly_summary.json").write_text(json.dumps({"period": "2026-W47", "summary": summary}))


def test_the_verdict_line_comes_from_the_weekly_summary_json(tmp_path):
    week = tmp_path / "2026-W47"
    assert verdict_line(week) is None  # not published (yet): no line
    write_weekly(week, {"verdict": "attention", "top_finding": "GMV 下降\n9.8%", "alerts": []})
    assert verdict_line(week) == "wxreport: 2026-W47: attention · GMV 下降 / 9.8%"
    write_weekly(week, {"verdict": "ok", "top_finding": None})
    assert verdict_line(week) == "wxreport: 2026-W47: ok"
    (week / "weekly_summary.json").write_text("{not json")
    assert verdict_line(week) is None


@pytest.mark.slow
def test_a_run_counts_notebooks_and_cells_and_ends_with_the_index(suite):
    notebooks, _, week, options = suite
    nb = new_notebook(metadata={"kernelspec": {"name": "wxreport", "display_name": "wxreport",
                                               "language": "python"}})
    body = GOOD.replace("NAME", repr("alpha")).replace("SLEEP", "0")
    nb.cells = [new_markdown_cell("# a"), new_code_cell("params = {}", metadata={"tags": ["parameters"]}),
                new_markdown_cell("b"), new_markdown_cell("c"), new_markdown_cell("d"), new_code_cell(body)]
    nbformat.write(nb, notebooks / "alpha.ipynb")
    test_runner.make_notebook(notebooks, "other")
    said: list[str] = []
    assert run(options(), said.append) == 0
    cells = [line for line in said if "running" in line]
    assert cells and all(line.split("cell ")[1].split(",")[0] in ("1/3", "2/3", "3/3") for line in cells)
    assert "  started   alpha (3 cells)" in said
    done = [line for line in said if line.startswith("  ok ")]
    assert sorted(line.split("[")[1].split(" done")[0] for line in done) == ["1/2", "2/2"]
    assert said[-1] == f"wxreport: open {week / 'index.html'}"  # no weekly summary here: no verdict
    assert said[-2].startswith("wxreport: finished in ")
    assert "wxreport: writing the index of 2026-W47" in said
