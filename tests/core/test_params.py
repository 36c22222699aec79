"""Parameters fail before any kernel starts, naming the file and the key."""

from __future__ import annotations

from datetime import date

import pytest

from helpers import suite
from helpers.core import params as config
from helpers.core.errors import ParamError
from helpers.core.periods import Period, complete_weeks, resolve_period
from helpers.render.fmt import week_title


def write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


def test_defaults_load(tmp_path):
    lp = suite.load("weekly_summary", tmp_path)
    assert lp.values.period == "latest" and lp.values.language == "zh"
    assert lp.values.trend_weeks == 8


def test_layers_override_in_order_and_remember_origins(tmp_path):
    write(tmp_path, "defaults.yaml", "language: en\nperiod: 2026-W40\n")
    write(tmp_path, "weekly_summary.yaml", "language: zh\n")
    lp = suite.load("weekly_summary", tmp_path, {"period": "2026-W41", "out": None})
    assert (lp.values.language, lp.values.period) == ("zh", "2026-W41")
    assert lp.origin["language"].endswith("weekly_summary.yaml")
    assert lp.origin["period"] == config.COMMAND_LINE
    assert lp.where("period") == "command line: key 'period'"


def test_unknown_key_in_notebook_file_suggests_the_nearest(tmp_path):
    write(tmp_path, "weekly_summary.yaml", "trend_weks: 4\n")
    with pytest.raises(ParamError) as err:
        suite.load("weekly_summary", tmp_path)
    msg = str(err.value)
    assert "weekly_summary.yaml: key 'trend_weks' is not a parameter of weekly_summary" in msg
    assert "Did you mean 'trend_weeks'?" in msg


def test_notebook_keys_are_not_allowed_in_defaults(tmp_path):
    write(tmp_path, "defaults.yaml", "trend_weeks: 4\n")
    with pytest.raises(ParamError, match=r"defaults.yaml: key 'trend_weeks' is not a shared parameter"):
        suite.load("weekly_summary", tmp_path)


@pytest.mark.parametrize(("text", "expected"), [
    ("trend_weeks: many\n", r"key 'trend_weeks': Input should be a valid integer.*'many'"),
    ("trend_weeks: 1\n", r"key 'trend_weeks': Input should be greater than or equal to 2"),
    ("language: fr\n", r"key 'language': Input should be 'zh' or 'en'"),
    ("period: last week\n", r"key 'period': 'last week' is neither 'latest' nor an ISO week"),
    ("timezone: Mars/Olympus\n", r"key 'timezone': 'Mars/Olympus' is not an IANA time zone"),
    ("targets: {revenue: 5}\n", r"key 'targets.revenue.\[key\]'"),
    ("min_cell_size: 0\n", r"key 'min_cell_size': Input should be greater than or equal to 5"),
])
def test_mistyped_or_impossible_values_name_file_and_key(tmp_path, text, expected):
    write(tmp_path, "weekly_summary.yaml", text)
    with pytest.raises(ParamError, match=r"weekly_summary.yaml: " + expected):
        suite.load("weekly_summary", tmp_path)


def test_malformed_yaml_names_line_and_column(tmp_path):
    write(tmp_path, "defaults.yaml", "language: zh\nperiod: [2026-W47\n")
    with pytest.raises(ParamError, match=r"defaults.yaml line 3, column 1: malformed YAML"):
        suite.load("weekly_summary", tmp_path)


def test_a_key_twice_is_an_error_but_a_merge_key_overridden_is_not(tmp_path):
    write(tmp_path, "a.yaml", "base: &b {x: 1, y: 2}\nmerged: {<<: *b, x: 3}\n")
    assert config.read_yaml(tmp_path / "a.yaml")["merged"] == {"x": 3, "y": 2}
    write(tmp_path, "b.yaml", "targets: {gmv: 1, gmv: 2}\n")
    with pytest.raises(ParamError, match=r"b.yaml: key 'gmv' is given twice, on line 1;"):
        config.read_yaml(tmp_path / "b.yaml")


def test_a_byte_order_mark_is_fine_and_a_missing_file_is_empty(tmp_path):
    (tmp_path / "defaults.yaml").write_bytes(b"\xef\xbb\xbflanguage: en\n")
    assert config.read_yaml(tmp_path / "defaults.yaml") == {"language": "en"}
    assert config.read_yaml(tmp_path / "none.yaml") == {}


def test_yaml_that_is_not_a_mapping(tmp_path):
    write(tmp_path, "defaults.yaml", "- zh\n- en\n")
    with pytest.raises(ParamError, match="expected a mapping"):
        suite.load("weekly_summary", tmp_path)


def test_command_line_override_errors_say_so(tmp_path):
    with pytest.raises(ParamError, match=r"^command line: key 'period'"):
        suite.load("weekly_summary", tmp_path, {"period": "W47"})


def test_period_labels_and_ranges():
    p = Period.parse("2026-W47")
    assert (p.start, p.end) == (date(2026, 11, 16), date(2026, 11, 22))
    assert p.previous.label == "2026-W46" and p.shift(7).label == "2027-W01"
    assert Period.parse("2026-W53").label == "2026-W53"  # 2026 has 53 ISO weeks
    with pytest.raises(ValueError, match="no ISO week 54"):
        Period.parse("2026-W54")
    assert week_title(p, "zh") == "2026-W47（2026年11月16日–22日）"
    assert week_title(p, "en") == "Week 2026-W47, 16–22 Nov 2026"
    assert week_title(Period.parse("2026-W49"), "en") == "Week 2026-W49, 30 Nov–6 Dec 2026"


def test_latest_is_the_last_complete_iso_week():
    assert resolve_period("latest", date(2026, 5, 27), date(2026, 11, 22)).label == "2026-W47"
    assert resolve_period("latest", date(2026, 5, 27), date(2026, 11, 21)).label == "2026-W46"
    assert complete_weeks(date(2026, 11, 17), date(2026, 11, 22)) is None


def test_a_week_outside_the_data_is_rejected_with_the_range():
    with pytest.raises(ParamError) as err:
        resolve_period("2026-W48", date(2026, 5, 27), date(2026, 11, 22),
                       "params/defaults.yaml: key 'period'")
    msg = str(err.value)
    assert msg.startswith("params/defaults.yaml: key 'period': 2026-W48")
    assert "complete weeks 2026-W23 .. 2026-W47" in msg
