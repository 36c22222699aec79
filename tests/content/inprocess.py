"""Run a report notebook in this process on a hand-made dataset (seconds, where the runner's
kernel takes a minute), collecting what it displays: for the degenerate-shape regression tests of
content_performance and campaign_evaluation."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt

import helpers.render.report as report_module
from datasets import write_dataset
from helpers.core.warehouse import build_warehouse

matplotlib.use("Agg")
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
# Words a report never shows: what a missing or infinite value prints as in Python and pandas.
MISSING_WORDS = re.compile(r"\b(nan|NaN|None|NaT|inf)\b|<NA>")


@dataclass
class Run:
    text: str  # visible text of the report before its notes, one line per element
    doc: dict[str, Any]  # the published JSON

    @property
    def skipped(self) -> list[str]:
        return [s["reason"] for s in self.doc["summary"]["sections_skipped"]]


def _visible(fragments: list[str]) -> str:
    page = "\n".join(fragments)
    page = page.split('id="notes"')[0]
    page = re.sub(r"<style.*?</style>", "", page, flags=re.S)
    page = re.sub(r"</(p|div|h\d|tr|li)>", "\n", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def run_notebook(name: str, tables: dict, folder: Path, monkeypatch: Any, fmt: str = "parquet",
                 **params: Any) -> Run:
    """The notebook `name` on `tables` (written to `folder` as typed Parquet, or CSV with
    fmt="csv"), with `params` over the defaults."""
    shown: list[str] = []

    def display(obj: Any) -> None:
        shown.append(obj.to_html() if hasattr(obj, "to_html") else getattr(obj, "data", ""))

    monkeypatch.setattr(report_module, "display", display)
    warehouse = build_warehouse(write_dataset(folder / "source", tables, fmt), target=folder / "wh.duckdb")
    out = folder / "out"
    out.mkdir(exist_ok=True)
    code = (NOTEBOOKS / f"{name}.py").read_text(encoding="utf-8").replace(
        "\nparams = {}\n", "\nparams = PARAMS\n")
    runner = {"warehouse": str(warehouse), "output_dir": str(out)}
    try:
        exec(compile(code, f"{name}.py", "exec"), {"PARAMS": {**params, "runner": runner}})
    finally:
        plt.close("all")
    return Run(_visible(shown), json.loads((out / f"{name}.json").read_text(encoding="utf-8")))


def missing_words(run: Run) -> list[str]:
    """nan / None / inf ... in the visible text or in any JSON string (the JSON itself is strict)."""
    found = [m.group(0) for m in MISSING_WORDS.finditer(run.text)]

    def strings(value: Any) -> None:
        if isinstance(value, str):
            found.extend(m.group(0) for m in MISSING_WORDS.finditer(value))
        elif isinstance(value, dict):
            for v in value.values():
                strings(v)
        elif isinstance(value, list):
            for v in value:
                strings(v)

    strings(run.doc)
    return found
