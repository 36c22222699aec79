"""Bad parameters and command lines, as a careless or hostile user brings them: each stops the run
while planning, before the warehouse is built or any kernel starts, with one message naming the
file (or the command line), the key and what was expected.

Every case plans the real notebooks against a data folder that does not exist: a case that got
past the parameter checks would fail on the data instead, and not match its expected message.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from helpers.core.errors import ParamError
from helpers.core.paths import project_root
from helpers.run.jobs import Options
from helpers.run.plan import plan

FOLDER = object()  # a case's "file" that is a folder instead
SENTINEL = "wxreport-yaml-tag-ran"  # created only if a YAML tag executed code
WXREPORT = str(Path(project_root()) / ".venv" / "bin" / "wxreport")


def case(files: dict[str, object], expected: list[str], *, id: str, **cli: str):
    """A params folder holding `files` (text, raw bytes or FOLDER), command-line `cli` values,
    and the substrings the error must contain ("{params}"/"{tmp}" stand for the folders)."""
    return pytest.param(files, cli, expected, id=id)


GBK_ZH = "language: zh\n# 中文报告\n".encode("gbk")  # the third byte of line 2 is GBK
CASES = [
    # Held before issue 10
    case({"weekly_summary.yaml": "trend_weks: 4\n"},
         ["{params}/weekly_summary.yaml: key 'trend_weks' is not a parameter of weekly_summary",
          "Did you mean 'trend_weeks'?"], id="unknown-key-suggests"),
    case({"defaults.yaml": "trend_weeks: 4\n"},
         ["defaults.yaml: key 'trend_weeks' is not a shared parameter"], id="notebook-key-in-defaults"),
    case({"weekly_summary.yaml": "trend_weeks: many\n"},
         ["key 'trend_weeks': Input should be a valid integer (got 'many')"], id="wrong-type"),
    case({"defaults.yaml": "language: fr\n"}, ["key 'language': Input should be 'zh' or 'en'"],
         id="not-a-choice"),
    case({"defaults.yaml": f"language: !!python/object/apply:os.system ['touch {SENTINEL}']\n"},
         ["defaults.yaml line 1, column 11: malformed YAML: could not determine a constructor",
          "python/object/apply:os.system"], id="yaml-tag-does-not-run"),
    case({"defaults.yaml": "language: zh\nperiod: [2026-W47\n"},
         ["defaults.yaml line 3, column 1: malformed YAML"], id="malformed-yaml"),
    case({"defaults.yaml": "- zh\n"}, ["defaults.yaml: expected a mapping of key: value, got list"],
         id="not-a-mapping"),
    case({"forecasting.yaml": "csv_series: [{name: up, path: ../../../../../../../../no/such.csv}]\n"},
         ["forecasting.yaml: key 'csv_series.0.path'", "/no/such.csv: file not found"],
         id="dotdot-path"),
    case({}, ["command line: key 'period': 'W47' is neither 'latest' nor an ISO week"],
         period="W47", id="cli-period"),
    # Strict types: no bool, float or quoted text for a number
    case({"defaults.yaml": "min_cell_size: true\n"},
         ["defaults.yaml: key 'min_cell_size': Input should be a valid integer (got True)",
          "YAML reads true/false, yes/no and on/off as yes-or-no values"], id="true-for-int"),
    case({"defaults.yaml": "min_cell_size: on\n"}, ["key 'min_cell_size'", "(got True)"], id="on-for-int"),
    case({"weekly_summary.yaml": "trend_weeks: 1.5\n"},
         ["weekly_summary.yaml: key 'trend_weeks': Input should be a valid integer (got 1.5)",
          "expected a whole number"], id="float-for-int"),
    case({"weekly_summary.yaml": 'trend_weeks: "10"\n'},
         ["key 'trend_weeks': Input should be a valid integer (got '10')", "without quotes"],
         id="quoted-int"),
    case({"campaign_evaluation.yaml": "gross_margin: true\n"},
         ["key 'gross_margin': Input should be a valid number (got True)"], id="bool-for-float"),
    case({"campaign_evaluation.yaml": "cuped: 1\n"},
         ["key 'cuped': Input should be a valid boolean (got 1)"], id="int-for-bool"),
    case({"user_analysis.yaml": "pyramid: {loyal_orders: yes}\n"},
         ["user_analysis.yaml: key 'pyramid.loyal_orders': Input should be a valid integer (got True)"],
         id="nested-bool-for-int"),
    case({"forecasting.yaml": "alerts: [{metric: daily_orders, below: '5'}]\n"},
         ["key 'alerts.0.below'", "(got '5')"], id="nested-quoted-float"),
    case({"campaign_evaluation.yaml":
          "comparison_groups: {A: {column: is_follower, treated: [true], comparison: [false]}}\n"},
         ["key 'comparison_groups.A.treated.0': Input should be a valid string (got True)",
          "quote the word to mean text"],
         id="nested-bool-for-text"),
    case({"defaults.yaml": "min_cell_size: 3\n"},
         ["defaults.yaml: key 'min_cell_size': Input should be greater than or equal to 5 (got 3)",
          "cells of fewer people can identify them"], id="min-cell-size-floor"),
    # Files that are no YAML text
    case({"defaults.yaml": "min_cell_size: 10\nlanguage: en\nmin_cell_size: 20\n"},
         ["defaults.yaml: key 'min_cell_size' is given twice, on line 1 and line 3"], id="duplicate-key"),
    case({"user_analysis.yaml": "pyramid:\n  new_days: 30\n  new_days: 14\n"},
         ["user_analysis.yaml: key 'new_days' is given twice, on line 2 and line 3"],
         id="duplicate-nested-key"),
    case({"defaults.yaml": GBK_ZH},
         ["defaults.yaml: not UTF-8 text: byte 0xd6 at offset 15 (line 2)", "save the file as UTF-8"],
         id="not-utf8"),
    case({"defaults.yaml": FOLDER}, ["{params}/defaults.yaml is a folder; expected a YAML file"],
         id="defaults-is-a-folder"),
    case({"forecasting.yaml": FOLDER}, ["{params}/forecasting.yaml is a folder"], id="notebook-file-is-a-folder"),
    # Where the reports go
    case({"report.txt": "x"}, ["command line: key 'out': {params}/report.txt is a file; expected a folder"],
         out="{params}/report.txt", id="out-is-a-file"),
    case({"report.txt": "x"}, ["{params}/report.txt/sub cannot be created: {params}/report.txt is a file"],
         out="{params}/report.txt/sub", id="out-under-a-file"),
    case({"defaults.yaml": "out: {params}/report.txt\n", "report.txt": "x"},
         ["defaults.yaml: key 'out': {params}/report.txt is a file"], id="out-in-yaml-is-a-file"),
]


def _write(params: Path, files: dict[str, object]) -> None:
    for name, content in files.items():
        path = params / name
        if content is FOLDER:
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(str(content).replace("{params}", str(params)), encoding="utf-8")


@pytest.mark.parametrize(("files", "cli", "expected"), CASES)
def test_bad_parameters_stop_the_plan_with_one_clear_message(tmp_path, monkeypatch, files, cli, expected):
    params = tmp_path / "params"
    params.mkdir()
    _write(params, files)
    monkeypatch.chdir(tmp_path)
    cli = {k: v.replace("{params}", str(params)) for k, v in cli.items()}
    options = Options(data=str(tmp_path / "no-such-data"), params_dir=params, **cli)
    with pytest.raises(ParamError) as err:
        plan(options)
    message = str(err.value)
    for part in expected:
        assert part.replace("{params}", str(params)) in message
    assert len(message.splitlines()) == 1  # the same problem for every notebook is said once
    assert not (tmp_path / SENTINEL).exists()


def test_a_params_folder_that_does_not_exist(tmp_path):
    with pytest.raises(ParamError, match=r"no-params: no such params folder; expected a folder holding"):
        plan(Options(params_dir=tmp_path / "no-params"))


def test_a_week_folder_that_is_a_file_is_found_once_the_week_is_known(tmp_path, tiny_data):
    params, out = tmp_path / "params", tmp_path / "reports"
    params.mkdir()
    out.mkdir()
    (out / "2026-W47").write_text("not a folder")
    with pytest.raises(ParamError, match=r"command line: key 'out': .*reports/2026-W47 is a file; expected"):
        plan(Options(params_dir=params, out=str(out), data=str(tiny_data), period="2026-W47"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_out_folder_that_cannot_be_written(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    params = tmp_path / "params"
    params.mkdir()
    with pytest.raises(ParamError, match=r"locked/reports cannot be created: .*locked is not writable"):
        plan(Options(params_dir=params, out=str(locked / "reports"), data=str(tmp_path / "none")))


def test_native_yaml_types_keep_working(tmp_path):
    """Whole numbers for fractions, unquoted or quoted days, booleans for booleans."""
    from helpers import suite

    (tmp_path / "campaign_evaluation.yaml").write_text("gross_margin: 1\ncuped: false\n")
    (tmp_path / "forecasting.yaml").write_text(
        "events: [{name: a, dates: [2026-10-08, '2026-11-08', '2026-12-01..2026-12-03']}]\n"
        "alerts: [{metric: daily_orders, below: 5}]\ntargets: {daily_gmv: 150000}\nyearly: off\n")
    campaigns = suite.load("campaign_evaluation", tmp_path).values
    assert campaigns.gross_margin == 1.0 and isinstance(campaigns.gross_margin, float)
    assert campaigns.cuped is False
    forecasting = suite.load("forecasting", tmp_path).values
    assert forecasting.events[0].dates == ["2026-10-08", "2026-11-08", "2026-12-01..2026-12-03"]
    assert forecasting.alerts[0].below == 5.0 and forecasting.targets == {"daily_gmv": 150000.0}
    assert forecasting.yearly == "off"  # YAML's unquoted off is false


def test_wxreport_run_exits_2_with_one_line_and_no_traceback(tmp_path):
    (tmp_path / "params").mkdir()
    (tmp_path / "taken").write_text("not a folder")
    result = subprocess.run([WXREPORT, "run", "--params", str(tmp_path / "params"), "--out",
                             str(tmp_path / "taken"), "--data", str(tmp_path / "no-such-data")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    # the first line says what is being checked, at once; the error is the one line on stderr
    assert result.stdout.startswith("wxreport: checking the parameters") and result.stdout.count("\n") == 1
    assert result.stderr == (f"wxreport: error: command line: key 'out': {tmp_path / 'taken'} is a file; "
                             f"expected a folder (reports are written to <out>/<week>/)\n")
