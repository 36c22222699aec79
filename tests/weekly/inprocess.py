"""Run notebooks/weekly_summary.py in this process on a data folder (seconds, where the runner's
kernel takes much longer), keeping what it showed (visible text) and the JSON it wrote."""

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
from helpers.core.warehouse import build_warehouse

matplotlib.use("Agg")
NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "weekly_summary.py"
# Words of a missing value that must never reach a reader.
MISSING_WORDS = re.compile(r"\b(nan|NaN|None|NaT|inf)\b|<NA>")


@dataclass
class Run:
    text: str  # visible text before the notes, one line per element
    doc: dict[str, Any]  # the published JSON
    out: Path

    @property
    def metrics(self) -> dict[str, Any]:
        return self.doc["metrics"]

    @property
    def skipped(self) -> list[str]:
        return [s["reason"] for s in self.doc["summary"]["sections_skipped"]]


def _visible(fragments: list[str]) -> str:
    page = re.split(r'<[^<>]*id="notes"', "\n".join(fragments))[0]
    page = re.sub(r"<style.*?</style>", "", page, flags=re.S)
    page = re.sub(r"<svg.*?</svg>", "", page, flags=re.S)
    page = re.sub(r"</(p|div|h\d|tr|li)>", "\n", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def run_weekly(source: Path, folder: Path, monkeypatch: Any, **params: Any) -> Run:
    """The weekly summary on the data folder `source` with `params` over the defaults."""
    shown: list[str] = []

    def display(obj: Any) -> None:
        shown.append(obj.to_html() if hasattr(obj, "to_html") else getattr(obj, "data", ""))

    monkeypatch.setattr(report_module, "display", display)
    warehouse = build_warehouse(Path(source), target=folder / "wh.duckdb")
    out = folder / "out"
    out.mkdir(parents=True, exist_ok=True)
    code = NOTEBOOK.read_text(encoding="utf-8").replace("\nparams = {}\n", "\nparams = PARAMS\n")
    runner = {"warehouse": str(warehouse), "output_dir": str(out)}
    params = {"out": str(folder / "reports"), **params}
    try:
        exec(compile(code, NOTEBOOK.name, "exec"), {"PARAMS": {**params, "runner": runner}})
    finally:
        plt.close("all")
    return Run(_visible(shown), json.loads((out / "weekly_summary.json").read_text(encoding="utf-8")), out)
