"""Degrade, never crash: every notebook completes through the runner on each named dataset shape
(tests/datasets.py: the issue's degenerate shapes and its recreated datasets), says what it left out,
and never shows a missing value as nan / None / <NA> / NaT / inf.

One `wxreport run` (every notebook of the suite, two at a time) per group of shapes, shared by the checks of
that group: the single-feature shapes are merged into five datasets whose features do not
contradict each other (a run costs about 25 s on two cores, mostly kernels and rendering), the
recreated datasets run as they are. A failing notebook's executed copy is kept as
<out>/<week>/<notebook>.failed.ipynb, named in the failure message.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datasets import RECREATED, SHAPES, merged_shape, named_shape, write_dataset
from e2e.outputs import FORBIDDEN, forbidden_words
from helpers.render.escape import escape
from helpers.render.index import MAX_ALERTS
from helpers.render.text import Text
from helpers.suite import title as suite_title

ROOT = Path(__file__).resolve().parents[2]
WXREPORT = str(Path(sys.executable).with_name("wxreport"))
SUITE = ("weekly_summary", "user_analysis", "content_performance", "campaign_evaluation", "merchant_performance",
         "forecasting")
WEEK = "2026-W47"  # every shape's latest complete week
# Each group holds at most two of the shapes that set who the users are and when they come (users,
# days, first seen, one day, monthly), only where both still mean what they say together (one week
# after a partial one, its users all first seen in the partial days; exactly one week, of users
# registered long before), plus the shapes that switch a column or table (sessions, channels, event
# types, orders, skew, optional tables). Seven groups became five to save two runs (~50 s each).
GROUPS = {
    "one_user+no_session_id+only_refunded_orders": ("one_user", "no_session_id", "only_refunded_orders"),
    "one_day+single_channel+single_event_type": ("one_day", "single_channel", "single_event_type"),
    "one_week+no_new_users_in_report_week+some_session_id+heavy_skew+empty_optional_tables": (
        "one_week", "no_new_users_in_report_week", "some_session_id", "heavy_skew", "empty_optional_tables"),
    "exactly_one_week+users_older_than_events+no_orders+single_channel": (
        "exactly_one_week", "users_older_than_events", "no_orders", "single_channel"),
    "same_first_seen_day+monthly_events": ("same_first_seen_day", "monthly_events"),
    **{name: (name,) for name in RECREATED},
}


def test_the_groups_cover_every_named_shape():
    assert sorted({s for group in GROUPS.values() for s in group}) == sorted(SHAPES)


def test_forbidden_words_are_whole_tokens(tmp_path):
    assert FORBIDDEN.findall("回流 nan，回流nan、Quick ratio inf; -inf%; NaN; <NA>; NaT; 邀请None次; None") == [
        "nan", "nan", "inf", "inf", "NaN", "<NA>", "NaT", "None", "None"]
    assert FORBIDDEN.findall("info Infinity nano Nanjing Hainan NaTional None of the campaigns nan1") == []
    (tmp_path / "a.html").write_text("<html><head><title>nan</title></head><body><p>回流 nan</p>"
                                     "<p>ratio inf</p></body></html>")
    doc = {"metrics": {"x": None, "y": "<NA>", "z": "ok"}, "list": ["-inf%", 1.0]}
    (tmp_path / "a.json").write_text(json.dumps(doc).replace("1.0", "NaN"))
    found = forbidden_words(tmp_path)
    assert [f.split(" in ")[0] for f in found] == [
        "a.html: 'nan'", "a.html: 'inf'", "a.json: non-finite number NaN", "a.json $.metrics.y: '<NA>'",
        "a.json $.list[0]: 'inf'"]  # not the page title, nor null (JSON's missing value)


def run_suite(name: str, folder: Path) -> dict:
    """The suite run on a group of shapes: exit code, console, the week's folder, seconds taken."""
    shapes = GROUPS[name]
    source = write_dataset(folder / "source", named_shape(name) if len(shapes) == 1 else merged_shape(*shapes))
    started = time.monotonic()
    result = subprocess.run([WXREPORT, "run", "--data", str(source), "--out", str(folder / "reports")],
                            capture_output=True, text=True, cwd=ROOT, timeout=900)
    orders = source / "orders.parquet"
    return {"shape": name, "code": result.returncode, "log": result.stdout + result.stderr,
            "week": folder / "reports" / WEEK, "seconds": time.monotonic() - started,
            "tables": {p.stem for p in source.iterdir()},
            "merchant_ids": orders.exists() and "merchant_id" in pq.read_schema(orders).names}


def failures(run: dict) -> list[str]:
    """Which notebooks failed where, and the kept notebook to open."""
    if run["code"] == 0 and _index(run).count('data-status="ok"') == len(SUITE):
        return []
    lines = [line.strip() for line in run["log"].splitlines() if "FAILED" in line or "error:" in line]
    kept = sorted(str(p) for p in run["week"].glob("*.failed.ipynb")) if run["week"].exists() else []
    return [*lines, *kept] or [run["log"][-2000:]]


def _index(run: dict) -> str:
    index = run["week"] / "index.html"
    return index.read_text(encoding="utf-8") if index.exists() else ""


def _alert_lines(index: str) -> int:
    block = re.search(r'<ul class="wx-ix-alerts">(.*?)</ul>', index, re.S)
    return block[1].count("<li") if block else 0


def left_out_problems(run: dict) -> list[str]:
    """Each report's JSON lists what it left out and why; the index and the console repeat it; a
    missing optional table is said, not silently passed over."""
    week, index, problems = run["week"], _index(run), []
    docs = {n: json.loads((week / f"{n}.json").read_text(encoding="utf-8")) for n in SUITE
            if (week / f"{n}.json").exists() and f"{n}.failed.ipynb" not in index}
    for name, doc in docs.items():
        sections = doc["summary"]["sections_skipped"]
        if not all(isinstance(s["section"], str) and s["reason"].strip() for s in sections):
            problems.append(f"{name}: a skipped section without a reason: {sections}")
        if (doc["summary"]["verdict"] == "incomplete") != bool(sections):
            problems.append(f"{name}: verdict {doc['summary']['verdict']} with {len(sections)} sections skipped")
        tx, title = Text("zh"), suite_title(name, Text("zh"))
        listed = [escape(tx("ix_alert_skipped", report=title, section=s["section"], reason=s["reason"])
                         if s["section"] else tx("ix_alert_from", report=title, text=s["reason"]))
                  for s in sections]
        # the landing page lists them among the week's alerts, up to MAX_ALERTS lines and a count
        if any(line not in index for line in listed) and _alert_lines(index) < MAX_ALERTS:
            problems.append(f"{name}: the index does not list its {len(sections)} sections not shown")
        if sections and f"  thin      {name}: {len(sections)} section(s) not shown" not in run["log"]:
            problems.append(f"{name}: the console does not list its sections not shown")
    needed = [("articles", "content_performance"), ("campaigns", "campaign_evaluation"), ("orders", "user_analysis"),
              ("orders", "merchant_performance")]
    problems += [f"{notebook} says nothing of the missing {table} table" for table, notebook in needed
                 if table not in run["tables"] and notebook in docs
                 and not docs[notebook]["summary"]["sections_skipped"]]
    # no shape here carries orders.merchant_id: the merchants report says what it needs
    if not run["merchant_ids"] and "merchant_performance" in docs \
            and not docs["merchant_performance"]["summary"]["sections_skipped"]:
        problems.append("merchant_performance says nothing of the missing orders.merchant_id")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("name", list(GROUPS))
def test_every_report_completes_says_what_it_left_out_and_shows_no_missing_value(name, tmp_path):
    """One test per run (not one per check), so that parallel test workers never repeat a run."""
    run = run_suite(name, tmp_path)
    problems = {"failed": failures(run), "forbidden words": forbidden_words(run["week"]) if _index(run) else [],
                "left out": left_out_problems(run)}
    print(f"{name}: suite ran in {run['seconds']:.0f}s")
    assert not any(problems.values()), f"{name} ({run['seconds']:.0f}s): " + json.dumps(
        {k: v for k, v in problems.items() if v}, ensure_ascii=False, indent=1)
