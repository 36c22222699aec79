"""The whole suite on WeChat's statistics only (issue 15, "done when"): `wxreport sample
--platform-only` of a small shop, then `wxreport run` on it: every report ok (no failure), the
sections that need user-level events say so, and the weekly summary's active users are WeChat's
week row for the ISO week.

One run (made once per test run, `made_once`) is checked by every test here; it is not asserted
inside `make`, so that a failing notebook still leaves its outputs (and the runner's output) to
name what failed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers.render.outputs import CONTRACTS, PAYLOAD_KEYS
from helpers.sample import SampleSpec
from helpers.sample.platform import write_platform_sample

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
WXREPORT = str(Path(sys.executable).with_name("wxreport"))
WEEK = "2026-W47"
SPEC = SampleSpec(seed=11, users=1500, days=42)  # 2026-10-12 .. 2026-11-22
SUITE = ["weekly_summary", "user_analysis", "content_performance", "campaign_evaluation", "merchant_performance",
         "forecasting"]
# Keys of user_analysis that need user-level events (report-outputs "Additions": null on WeChat's
# statistics only).
NEEDS_EVENTS = ("funnel_conversion", "referral_share", "churn_rate")


def _make(folder: Path) -> None:
    write_platform_sample(folder / "shop", SPEC)
    shutil.copytree(ROOT / "params", folder / "params")
    result = subprocess.run([WXREPORT, "run", "--data", str(folder / "shop"), "--out", str(folder / "reports"),
                             "--params", str(folder / "params"), "--period", WEEK],
                            capture_output=True, text=True, cwd=ROOT, timeout=1200)
    (folder / "run.json").write_text(json.dumps({"returncode": result.returncode, "stdout": result.stdout,
                                                 "stderr": result.stderr}), encoding="utf-8")


@pytest.fixture(scope="module")
def run(made_once) -> tuple[Path, dict]:
    folder = made_once("platform-only", _make)
    return folder, json.loads((folder / "run.json").read_text(encoding="utf-8"))


def _week(run) -> Path:
    return run[0] / "reports" / WEEK


def _doc(run, notebook: str) -> dict:
    path = _week(run) / f"{notebook}.json"
    assert path.is_file(), f"{notebook} published no JSON: {_output(run)}"
    return json.loads(path.read_text(encoding="utf-8"))


def _output(run) -> str:
    return (run[1]["stdout"][-3000:] + run[1]["stderr"][-3000:]).strip()


def test_the_run_succeeds(run):
    assert run[1]["returncode"] == 0, _output(run)


@pytest.mark.parametrize("notebook", SUITE)
def test_every_report_is_ok(run, notebook):
    doc = _doc(run, notebook)
    assert tuple(doc) == (*PAYLOAD_KEYS, "summary") and doc["notebook"] == notebook
    assert set(CONTRACTS[notebook].metrics) <= set(doc["metrics"]) <= set(doc["definitions"])
    assert (_week(run) / f"{notebook}.html").is_file()


def test_the_index_lists_every_report_ok(run):
    index = (_week(run) / "index.html").read_text(encoding="utf-8")
    assert index.count('data-status="ok"') == len(SUITE), _output(run)


def test_sections_needing_events_say_so(run):
    doc = _doc(run, "user_analysis")
    assert all(doc["metrics"][k] is None for k in NEEDS_EVENTS), {k: doc["metrics"][k] for k in NEEDS_EVENTS}
    reasons = " ".join(s["reason"] for s in doc["summary"]["sections_skipped"])
    assert "events" in reasons, reasons


def test_weekly_active_users_is_the_weeks_wechat_row(run):
    visits = pd.read_parquet(run[0] / "shop" / "mp_visits.parquet")
    visits["date"] = pd.to_datetime(visits["date"]).dt.date.map(str)
    week_row = visits[(visits["period"] == "week") & (visits["date"] == "2026-11-16")].iloc[0]
    days = visits[(visits["period"] == "day") & visits["date"].between("2026-11-16", "2026-11-22")]
    m = _doc(run, "weekly_summary")["metrics"]
    assert m["active_users"] == week_row["visitors"]
    assert m["new_users"] == days["new_visitors"].sum()
    assert (m["visits"], m["opens"]) == (week_row["visits"], week_row["sessions"])
    assert (_week(run) / "weekly_summary.png").is_file()


def test_merchants_work_on_the_order_ids_alone(run):
    """The platform sample's orders carry merchant ids but no merchants table: the merchants report
    works on the ids (issue 17, "ids only"); only the distributor chains need the table."""
    from helpers.render.text import Text

    doc = _doc(run, "merchant_performance")
    m = doc["metrics"]
    assert m["merchants_active"] and m["merchant_gmv"] > 0 and m["merchants"], m
    tx = Text("zh")
    assert doc["summary"]["sections_skipped"] == [
        {"section": tx("mc_section_chains"), "reason": tx("skipped_section", what=tx("mc_missing_parent_id"))}]
