"""The merchant_performance notebook on the shapes of data a shop may have, run in this process on
copies of the tiny sample (seconds each, where a kernel takes a minute): ids only (no `merchants`
table), no `orders.merchant_id`, no `orders` table, a merchant_id column without a merchant sale,
and names shown (`show_merchant_names: true`) with HTML in them. Each completes, says in one line
what it cannot show and why, publishes every contract key (null where not computable, never 0 for
an unknown) and never shows a missing value as nan / None / inf."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import jupytext
import matplotlib
import pandas as pd
import pytest

from e2e.baseline import visible_text
from e2e.outputs import offending
from helpers import suite
from helpers.core.periods import Period
from helpers.core.warehouse import build_warehouse
from helpers.merchants.data import load
from helpers.merchants.headline import headline
from helpers.render.outputs import CONTRACTS
from helpers.render.text import Text

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[2]
NAME = "merchant_performance"
NOTEBOOK = ROOT / "notebooks" / f"{NAME}.py"
W47 = Period.parse("2026-W47")
CONTRACT = CONTRACTS[NAME]


@dataclass
class Run:
    page: str  # the HTML the notebook displayed, in order
    doc: dict[str, Any]  # its JSON

    @property
    def text(self) -> str:
        return visible_text(f"<html><body>{self.page}</body></html>")

    @property
    def reasons(self) -> list[str]:
        return [s["reason"] for s in self.doc["summary"]["sections_skipped"]]


def run_notebook(source: Path, out: Path, **params: Any) -> Run:
    """Every code cell of the notebook but the parameters cell, as the runner would run it (its
    resolved parameters and the prebuilt warehouse), with `params` over the project's."""
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    values = suite.load(NAME, ROOT / "params", {"data": str(source), "period": "2026-W47", **params}).values
    runner = {"warehouse": str(build_warehouse(source, target=out / "wh.duckdb")), "output_dir": str(out)}
    scope: dict[str, Any] = {"params": values.model_dump(mode="json") | {"runner": runner}}
    shown: list[str] = []
    cells = [c for c in jupytext.read(NOTEBOOK).cells
             if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    with mock.patch("helpers.render.report.display", lambda obj: shown.append(getattr(obj, "data", str(obj)))):
        try:
            for i, cell in enumerate(cells):
                exec(compile(cell.source, f"{NAME} cell {i + 1}", "exec"), scope)
        finally:
            plt.close("all")
            if "rep" in scope:
                scope["rep"].wh.close()
    return Run("\n".join(shown), json.loads((out / f"{NAME}.json").read_text(encoding="utf-8")))


def copy(tiny: Path, folder: Path) -> Path:
    shutil.copytree(tiny, folder)
    return folder


def edit_orders(folder: Path, change) -> None:
    orders = pd.read_parquet(folder / "orders.parquet")
    change(orders).to_parquet(folder / "orders.parquet", index=False)


def reason(tx: Text, kind: str, key: str) -> str:
    """The one line `rep.skipped` (kind "skipped") or `rep.unavailable` records."""
    return tx(f"{kind}_section", **{"what" if kind == "skipped" else "why": tx(key)})


def readable(run: Run) -> None:
    assert offending(run.text) == []
    strings = json.dumps(run.doc, ensure_ascii=False)
    assert offending(strings) == []


def same_headline(got: dict[str, Any], expected: dict[str, Any]) -> None:
    assert set(got) == set(expected)
    assert all(same(got[k], expected[k]) for k in got if k != "merchants"), (got, expected)
    assert len(got["merchants"]) == len(expected["merchants"])
    for item, want in zip(got["merchants"], expected["merchants"], strict=True):
        assert list(item) == list(want) and all(same(item[k], want[k]) for k in item), (item, want)


def nothing_computed(metrics: dict[str, Any]) -> None:
    assert set(CONTRACT.metrics) <= set(metrics)
    assert metrics["merchants"] == []
    assert all(metrics[k] is None for k in CONTRACT.metrics if k != "merchants"), metrics


def same(value: Any, expected: Any) -> bool:
    """Equal; numbers to a relative 1e-9 (DuckDB sums floats in no fixed order)."""
    if isinstance(expected, (int, float)) and not isinstance(expected, bool) and value is not None:
        return value == pytest.approx(expected, rel=1e-9)
    return value == expected


@pytest.fixture(scope="module")
def full_headline(tiny_wh) -> dict[str, Any]:
    return headline(load(tiny_wh, W47, suite.load(NAME, ROOT / "params").values))


def test_ids_only_the_same_numbers_and_the_chains_need_the_merchants_table(tiny_data, tmp_path, full_headline):
    """Without the `merchants` table the report works on orders.merchant_id alone: the same
    published numbers; only the distributor chains need the table (its parent_id)."""
    data = copy(tiny_data, tmp_path / "shop")
    (data / "merchants.parquet").unlink()
    run = run_notebook(data, tmp_path / "out", language="en")
    same_headline(run.doc["metrics"], full_headline)
    tx = Text("en")
    assert run.reasons == [reason(tx, "skipped", "mc_missing_parent_id")]
    assert run.doc["summary"]["sections_skipped"][0]["section"] == tx("mc_section_chains")
    readable(run)


@pytest.mark.parametrize(("shape", "key"), [("no_merchant_id", "mc_missing_merchant_id"),
                                            ("no_orders", "mc_missing_orders")])
def test_without_merchant_ids_the_report_says_so_once(tiny_data, tmp_path, shape, key):
    """A shop that does not record merchants: one line says what the report needs, the JSON keys
    are null (not 0: nothing is known), and no empty section follows."""
    data = copy(tiny_data, tmp_path / "shop")
    (data / "merchants.parquet").unlink()
    if shape == "no_orders":
        (data / "orders.parquet").unlink()
    else:
        edit_orders(data, lambda o: o.drop(columns=["merchant_id"]))
    run = run_notebook(data, tmp_path / "out")
    tx = Text("zh")
    assert run.reasons == [reason(tx, "skipped", key)]
    assert run.doc["summary"]["verdict"] == "incomplete" and run.doc["summary"]["top_finding"] is None
    nothing_computed(run.doc["metrics"])
    assert run.page.count("<h2") == 2  # the week at a glance, saying why, and the notes
    readable(run)


def test_a_merchant_id_column_without_a_merchant_sale(tiny_data, tmp_path):
    """Every order the platform's own: no merchant sold anything, which is known (0), not missing."""
    data = copy(tiny_data, tmp_path / "shop")
    edit_orders(data, lambda o: o.assign(merchant_id=pd.array([None] * len(o), dtype="string")))
    run = run_notebook(data, tmp_path / "out", language="en")
    tx = Text("en")
    assert run.reasons == [reason(tx, "unavailable", "mc_why_no_merchant_sales")]
    m = run.doc["metrics"]
    assert (m["merchant_gmv"], m["merchant_gmv_share"]) == (0.0, 0.0)
    assert (m["merchants_active"], m["merchants_new"], m["merchants_dormant"]) == (0, 0, 0)
    assert m["merchants"] == [] and m["top10_share"] is None and m["gini"] is None
    readable(run)


def test_names_are_shown_only_when_asked_and_as_typed(tiny_data, tmp_path):
    """show_merchant_names: the names appear next to the ids in tables, escaped (data text is never
    markup), and never reach the JSON (findings name merchants by id: they go to the JSON summary,
    the index and the poster)."""
    data = copy(tiny_data, tmp_path / "shop")
    merchants = pd.read_parquet(data / "merchants.parquet")
    merchants["name"] = [f"<b>{m}</b> & Co" for m in merchants["merchant_id"]]
    merchants.to_parquet(data / "merchants.parquet", index=False)
    run = run_notebook(data, tmp_path / "out", show_merchant_names=True)
    listed = [i["id"] for i in run.doc["metrics"]["merchants"]]
    assert listed
    assert "<b>M0" not in run.page  # never markup
    assert sum(f"&lt;b&gt;{m}&lt;/b&gt; &amp; Co" in run.page for m in listed) >= 1
    published = json.dumps(run.doc, ensure_ascii=False)  # ids only, sentences of the summary included
    assert "<b>" not in published and "&lt;b&gt;" not in published and "& Co" not in published
    readable(run)
    hidden = run_notebook(data, tmp_path / "out-ids")  # the default: ids only
    assert "&lt;b&gt;" not in hidden.page and "<b>M0" not in hidden.page
