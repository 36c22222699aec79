"""The merchant_performance notebook through the runner (`wxreport run --only merchant_performance`)
on the tiny sample, in Chinese: the JSON contract of report-outputs.md and its JSON Schema, the same
numbers as the family's helpers and as the sample's planted truths, merchants shown by their id
only, every section shown, and the index's line for the report.

The other shapes (ids only, no merchant_id, no orders, names shown) run in this process
(test_notebook_shapes.py); through the runner, the ids-only shape is the platform-only run's
(tests/e2e/test_platform_only.py) and the no-merchant_id shape every degenerate run's
(tests/e2e/test_degrade.py)."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest

from e2e.outputs import forbidden_words
from helpers import suite
from helpers.core.metrics import METRICS
from helpers.core.periods import Period
from helpers.merchants.data import load
from helpers.merchants.headline import headline
from helpers.merchants.show import SECTIONS
from helpers.render.escape import escape
from helpers.render.html import external_references
from helpers.render.outputs import CONTRACTS, PAYLOAD_KEYS, units
from helpers.render.text import Text

ROOT = Path(__file__).resolve().parents[2]
WXREPORT = str(Path(sys.executable).with_name("wxreport"))
NAME = "merchant_performance"
CONTRACT = CONTRACTS[NAME]
W47 = Period.parse("2026-W47")
STATUSES = {"new", "active", "reactivated", "dormant", "churned"}
pytestmark = pytest.mark.slow


def same(value: Any, expected: Any) -> bool:
    """Equal; numbers to a relative 1e-9 (DuckDB sums floats in no fixed order)."""
    if isinstance(expected, (int, float)) and not isinstance(expected, bool) and value is not None:
        return value == pytest.approx(expected, rel=1e-9)
    return value == expected


@pytest.fixture(scope="module")
def week(tiny_data, tmp_path_factory) -> Path:
    """The report of 2026-W47 on the tiny sample with the project's parameters (zh)."""
    out = tmp_path_factory.mktemp("mp-e2e") / "reports"
    result = subprocess.run([WXREPORT, "run", "--only", NAME, "--data", str(tiny_data), "--out", str(out),
                             "--period", "2026-W47"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "2026-W47"


@pytest.fixture(scope="module")
def doc(week) -> dict:
    return json.loads((week / f"{NAME}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def page(week) -> str:
    return (week / f"{NAME}.html").read_text(encoding="utf-8")


def test_the_json_follows_the_contract_and_its_schema(doc):
    assert tuple(doc) == (*PAYLOAD_KEYS, "summary") and doc["notebook"] == NAME and doc["period"] == "2026-W47"
    assert tuple(doc["metrics"])[:len(CONTRACT.metrics)] == CONTRACT.metrics
    assert set(doc["metrics"]) <= set(doc["definitions"])
    assert doc["units"] == units(doc["metrics"]) and "merchants" not in doc["units"]
    schema = json.loads((ROOT / "schemas" / f"{NAME}.schema.json").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(doc)) == []
    items = doc["metrics"]["merchants"]
    assert items and [tuple(i) for i in items] == [CONTRACT.item_keys["merchants"]] * len(items)
    assert {i["status"] for i in items} <= STATUSES
    assert doc["summary"]["sections_skipped"] == []  # the sample has everything the report uses


def test_the_json_is_the_tested_headline(doc, tiny_wh):
    """The notebook publishes what helpers.merchants computes (tested there against hand-made
    tables), with the project's parameters."""
    params = suite.load(NAME, ROOT / "params").values
    expected = headline(load(tiny_wh, W47, params))
    got = doc["metrics"]
    assert set(got) == set(expected)
    assert all(same(got[k], expected[k]) for k in got if k != "merchants"), (got, expected)
    assert len(got["merchants"]) == len(expected["merchants"])
    for item, want in zip(got["merchants"], expected["merchants"], strict=True):
        assert list(item) == list(want) and all(same(item[k], want[k]) for k in item), (item, want)


def test_the_sample_s_planted_truths_reach_the_json(doc, tiny_data):
    """truth.json records what the generator made of the last complete week: the published numbers
    are those, and the planted merchants carry their planted status."""
    truth = json.loads((tiny_data / "truth.json").read_text(encoding="utf-8"))["merchants"]
    assert truth["week"] == "2026-W47"
    m = doc["metrics"]
    compared = [k for k in truth["last_week"] if k in m and m[k] is not None]  # privacy may hide top10_share
    assert {"merchants_active", "merchants_new", "merchants_dormant", "merchant_gmv", "gini"} <= set(compared)
    for key in compared:  # truth.json rounds to 6 decimals
        assert m[key] == pytest.approx(truth["last_week"][key], rel=1e-6, abs=1e-6), key
    status = {i["id"]: i["status"] for i in m["merchants"]}
    assert status[truth["churned"]["merchant_id"]] == "churned"
    assert status[truth["turned_dormant"]["merchant_id"]] == "dormant"
    assert status[truth["reactivated"]["merchant_id"]] == "reactivated"
    assert {i for i, s in status.items() if s == "new"} == set(truth["new_in_week"])
    assert truth["never_sold"] and not set(truth["never_sold"]) & set(status)


def test_merchants_are_ids_in_the_json_and_on_the_page(doc, page, tiny_data):
    """Without show_merchant_names no merchant's name is published or shown; ids are orders'
    merchant_id values, and the hidden figures of small merchants are null, not 0."""
    merchants = pd.read_parquet(tiny_data / "merchants.parquet")
    orders = pd.read_parquet(tiny_data / "orders.parquet", columns=["merchant_id"])
    text = json.dumps(doc, ensure_ascii=False)
    visible = html.unescape(page)
    for name in merchants["name"].dropna():
        assert name not in text and name not in visible, name
    items = doc["metrics"]["merchants"]
    assert {i["id"] for i in items} <= set(orders["merchant_id"].dropna())
    hidden = [i for i in items if i["buyers"] is None]
    assert all(i["gmv"] is None and i["orders"] is None for i in hidden)
    shown = [i for i in items if i["buyers"] is not None and i["status"] not in ("dormant", "churned")]
    assert all(i["buyers"] >= 10 for i in shown)  # min_cell_size of params/defaults.yaml


def test_the_chinese_report_shows_every_section_and_reads_well(page):
    tx = Text("zh")
    assert external_references(page) == []
    assert "open_report" not in page and "import " not in page
    assert f"{tx('title_merchant_performance')} · 2026-W47（2026年11月16日–22日）" in page
    for key in SECTIONS:
        assert f'id="{key}"' in page, key
    assert page.count('<figure class="wx-chart') >= 3  # split, Lorenz and trend, lifecycle
    assert "wx-cards" in page and "wx-finding" in page
    formulas = re.search(r'<details class="wx-formulas">(.*?)</details>', page, re.S)[1]
    for key in ("merchant_gmv", "top10_share", "gini", "merchants_dormant"):
        assert key in METRICS and f">{key}<" in formulas, key


def test_no_missing_value_shows_and_the_index_lists_the_report_with_what_it_answers(week):
    assert forbidden_words(week) == []
    index = (week / "index.html").read_text(encoding="utf-8")
    assert index.count('data-status="ok"') == 1 and f'href="{NAME}.html"' in index
    assert escape(Text("zh")("ix_answers_merchant_performance")) in index
