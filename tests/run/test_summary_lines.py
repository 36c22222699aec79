"""The run tells the operator what was degraded: per report, the sections skipped or not shown
and why, on the console and in the index; such a report is still "ok"."""

from __future__ import annotations

import pytest

from helpers.render.escape import escape
from helpers.render.text import Text
from helpers.run.pool import run
from run import test_runner
from run.test_runner import GOOD, make_notebook

pytestmark = pytest.mark.slow  # runs notebooks
suite = test_runner.suite  # the fixture: notebooks, params and out folders on the tiny sample

TABLE = "<b>orders</b>"  # a value placed in a reason: the index escapes it
THIN = GOOD.replace('rep.paragraph("done")', f"""rep.section("data_quality")
rep.skipped("fc_missing_table", table={TABLE!r}, label="GMV")
rep.section("privacy")
rep.unavailable("fc_no_series_forecast")""")


def reasons(language: str) -> list[tuple[str, str]]:
    """(section, reason) as the THIN notebook records them, worded independently here."""
    tx = Text(language)
    return [(tx("data_quality"), tx("skipped_section", what=tx("fc_missing_table", table=TABLE, label="GMV"))),
            (tx("privacy"), tx("unavailable_section", why=tx("fc_no_series_forecast")))]


def test_console_and_index_list_each_skipped_section_with_its_reason(suite, capsys):
    notebooks, _, week, options = suite
    make_notebook(notebooks, "thin", body=THIN)
    make_notebook(notebooks, "full")
    assert run(options()) == 0
    log = capsys.readouterr().out
    (skipped, why_skipped), (unavailable, why_unavailable) = reasons("en")
    assert "  thin      thin: 2 section(s) not shown" in log
    assert f"{skipped}: {why_skipped}" in log and f"{unavailable}: {why_unavailable}" in log
    assert "thin      full" not in log
    assert "2 ok (1 with sections not shown), 0 failed, 0 skipped" in log
    index = (week / "index.html").read_text()
    assert index.count('data-status="ok"') == 2  # thin, but ok: "failed" is for bugs
    # the landing page lists each section not shown among the week's alerts, led by its report
    tx = Text("en")
    assert escape(tx("ix_alert_skipped", report="thin", section=skipped, reason=why_skipped)) in index
    assert escape(tx("ix_alert_skipped", report="thin", section=unavailable, reason=why_unavailable)) in index
    assert TABLE not in index


def test_the_index_says_it_in_the_report_language_and_a_reused_report_still_says_it(suite, capsys):
    notebooks, params, week, options = suite
    defaults = params / "defaults.yaml"
    defaults.write_text(defaults.read_text().replace("language: en", "language: zh"))
    make_notebook(notebooks, "thin", body=THIN)
    for how in ("done in", "reused (unchanged)"):  # run, then reuse the unchanged report
        assert run(options()) == 0
        index = (week / "index.html").read_text()
        assert all(escape(Text("zh")("ix_alert_skipped", report="thin", section=section, reason=reason)) in index
                   for section, reason in reasons("zh"))
        log = capsys.readouterr().out
        assert f"ok        thin: {how}" in log and "  thin      thin: 2 section(s) not shown" in log


def test_a_failed_rerun_does_not_list_the_last_good_reports_sections(suite, capsys):
    notebooks, _, week, options = suite
    make_notebook(notebooks, "thin", body=THIN)
    assert run(options()) == 0
    make_notebook(notebooks, "thin", body=THIN.replace("rep.publish", "1 / 0; rep.publish"))
    capsys.readouterr()
    assert run(options()) == 1
    index = (week / "index.html").read_text()
    assert 'class="wx-status-failed"' in index and "Sections not shown" not in index
    log = capsys.readouterr().out
    assert "section(s) not shown" not in log and "0 ok (0 with sections not shown), 1 failed" in log
