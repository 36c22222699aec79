"""The real suite, end to end, through the command line the Makefile uses.

`sample_run` is the bundled sample's run in Chinese that test_baseline compares with its fixtures
(`bundled_run`, made once per test run): each whole-suite run costs tens of seconds."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers.core.paths import sample_data_dir
from helpers.core.warehouse import Warehouse, build_warehouse
from helpers.render.html import external_references
from helpers.render.outputs import CONTRACTS, PAYLOAD_KEYS

from conftest import minimal_tables, write_source

ROOT = Path(__file__).resolve().parents[2]
WXREPORT = str(Path(sys.executable).with_name("wxreport"))
SUITE = ["weekly_summary", "user_analysis", "content_performance", "campaign_evaluation", "merchant_performance",
         "forecasting"]


def wxreport(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([WXREPORT, "run", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)


@pytest.fixture(scope="module")
def sample_run(bundled_run) -> Path:
    """The whole suite on the bundled sample (the params' default data), 2026-W47, in Chinese."""
    return bundled_run("zh")


@pytest.fixture(scope="module")
def sample_data(sample_run) -> Path:
    """The bundled sample's data source, as the run read it."""
    return sample_data_dir()


@pytest.fixture(scope="module")
def sample_wh(sample_data) -> Warehouse:
    wh = Warehouse(build_warehouse(sample_data))
    yield wh
    wh.close()


def test_outputs_are_exactly_the_documented_files(sample_run):
    assert sorted(p.name for p in sample_run.iterdir()) == sorted(
        ["index.html", "forecast.csv", "weekly_summary.png",
         *(f"{n}.{ext}" for n in SUITE for ext in ("html", "json"))])
    index = (sample_run / "index.html").read_text()
    assert index.count('data-status="ok"') == len(SUITE)


@pytest.mark.parametrize("notebook", SUITE)
def test_every_notebook_publishes_its_contract(sample_run, notebook):
    doc = json.loads((sample_run / f"{notebook}.json").read_text())
    assert tuple(doc) == (*PAYLOAD_KEYS, "summary") and doc["notebook"] == notebook
    assert set(CONTRACTS[notebook].metrics) <= set(doc["metrics"]) <= set(doc["definitions"])


def test_user_analysis_json_is_the_tested_headline(sample_run, sample_wh):
    from helpers.core.periods import Period
    from helpers.users import funnel, headline

    doc = json.loads((sample_run / "user_analysis.json").read_text())
    expected = headline.headline(sample_wh, Period.parse("2026-W47"), funnel.DEFAULT_STEPS, 86_400)
    # the reconciliation's keys (issue 15) are null without WeChat's statistics
    assert doc["metrics"] == pytest.approx(expected | {"tracking_gap_days": None, "tracking_gap_typical": None})


def test_json_shape_and_values_match_an_independent_computation(sample_run, sample_data):
    doc = json.loads((sample_run / "weekly_summary.json").read_text())
    assert tuple(doc) == (*PAYLOAD_KEYS, "summary")
    assert (doc["period"], doc["period_start"], doc["period_end"]) == ("2026-W47", "2026-11-16",
                                                                       "2026-11-22")
    assert doc["generated_at"].endswith("+08:00")
    assert set(CONTRACTS["weekly_summary"].metrics) <= set(doc["metrics"]) <= set(doc["definitions"])
    events = pd.read_parquet(sample_data / "events.parquet", columns=["user_id", "event_time"])
    orders = pd.read_parquet(sample_data / "orders.parquet")

    def week(ts: pd.Series, start: str, end: str) -> pd.Series:
        return (ts >= start) & (ts < end)

    active = events[week(events.event_time, "2026-11-16", "2026-11-23")].user_id.nunique()
    before = events[week(events.event_time, "2026-11-09", "2026-11-16")].user_id.nunique()
    paid = orders[(orders.status == "paid") & week(orders.paid_at, "2026-11-16", "2026-11-23")]
    m = doc["metrics"]
    assert m["active_users"] == active
    assert m["active_users_wow"] == pytest.approx(active / before - 1)
    assert m["orders"] == len(paid) and m["gmv"] == pytest.approx(paid.amount.sum(), abs=0.01)


def test_html_is_self_contained_and_shows_no_code(sample_run):
    for page in sample_run.glob("*.html"):
        text = page.read_text()
        assert external_references(text) == [], page.name
        assert "open_report" not in text and "injected-parameters" not in text
    report = (sample_run / "weekly_summary.html").read_text()
    assert "每周经营摘要 · 2026-W47（2026年11月16日–22日）" in report
    assert report.count('<figure class="wx-chart') >= 2
    assert 'class="wx-toc"><strong>目录</strong>' in report and 'href="index.html"' in report


def test_data_the_generator_did_not_make(tmp_path):
    """A hand-made CSV source with only the required tables, reported in English."""
    tables = minimal_tables()
    del tables["orders"]
    data = write_source(tmp_path / "shop", tables)
    params = tmp_path / "params"
    params.mkdir()
    (params / "defaults.yaml").write_text("language: en\n")
    result = wxreport("--data", str(data), "--period", "2026-W47", "--out", str(tmp_path / "out"),
                      "--params", str(params), "--only", "weekly_summary")
    assert result.returncode == 0, result.stdout + result.stderr
    doc = json.loads((tmp_path / "out" / "2026-W47" / "weekly_summary.json").read_text())
    assert doc["metrics"]["active_users"] == 2 and doc["metrics"]["orders"] is None
    assert doc["data_source"] == str(data)
    html = (tmp_path / "out" / "2026-W47" / "weekly_summary.html").read_text()
    assert "Weekly summary · Week 2026-W47, 16–22 Nov 2026" in html


def test_bad_input_exits_non_zero_with_a_specific_message_and_keeps_reports(sample_run, tmp_path):
    before = {p.name: p.read_bytes() for p in sample_run.iterdir()}
    tables = minimal_tables()
    tables["users"].append(dict(tables["users"][0]))
    bad = write_source(tmp_path / "bad", tables)
    result = wxreport("--data", str(bad), "--out", str(sample_run.parent))
    assert result.returncode == 2
    assert "users.csv: column user_id: 1 duplicated key(s)" in result.stderr
    result = wxreport("--data", str(tmp_path / "missing"), "--out", str(sample_run.parent))
    assert result.returncode == 2 and "data source not found" in result.stderr
    assert {p.name: p.read_bytes() for p in sample_run.iterdir()} == before


def test_make_report_passes_data_period_out_to_the_runner():
    result = subprocess.run(["make", "-n", "report", "DATA=/d", "PERIOD=2026-W40", "OUT=/o"],
                            capture_output=True, text=True, cwd=ROOT)
    assert 'wxreport run --data "/d" --period "2026-W40" --out "/o"' in result.stdout


def defined_in_notes(page: str) -> list[str]:
    """The metric keys the notes of a report define (the key column of the formulas table in the
    notes' nested block, the same rows as the definitions table)."""
    block = re.search(r'<details class="wx-formulas">(.*?)</details>', page, re.S)
    assert block, "the notes have no formulas block"
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", block[1], re.S)]
    return [html.unescape(cells[1]).strip() for cells in rows if len(cells) == 3]


@pytest.mark.parametrize("notebook", SUITE)
def test_every_metric_shown_or_published_is_defined_in_both_languages(sample_run, notebook):
    from helpers.core.metrics import METRICS

    shown = defined_in_notes((sample_run / f"{notebook}.html").read_text())
    assert shown, "the notes define no metric"
    doc = json.loads((sample_run / f"{notebook}.json").read_text())
    for key in shown + [k for k in doc["metrics"] if k in METRICS]:
        metric = METRICS[key]
        assert metric.zh.strip() and metric.en.strip() and metric.definition.strip(), key
    assert all(doc["definitions"].get(k, "").strip() for k in doc["metrics"]), "a published key has no definition"
