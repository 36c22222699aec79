"""Run notebooks/user_analysis.py in this process on a data folder, as the runner would (its
resolved parameters plus the prebuilt warehouse), and keep what it showed and the JSON it wrote.

A report cell that raises fails the test with its traceback; the visible text (paragraphs, table
cells, chart titles and labels) is collected so tests can look for words that must never show."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import jupytext
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.text import Text as MplText

from helpers.core.warehouse import build_warehouse

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "user_analysis.py"
# Words of a missing value that must never reach a reader (issue 11).
NOT_A_VALUE = re.compile(r"(?<![A-Za-z])(nan|NaN|None|NaT|inf|Infinity)(?![A-Za-z])|<NA>")
_TAG = re.compile(r"<[^>]+>")


@dataclass
class Run:
    texts: list[str]  # each displayed paragraph, table and chart as plain text
    payload: dict[str, Any]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def unreadable(self) -> list[str]:
        """Displayed texts (and JSON strings) naming a missing value."""
        strings = [s for s in _strings(self.payload) if NOT_A_VALUE.search(s)]
        return [t for t in self.texts if NOT_A_VALUE.search(t)] + strings

    @property
    def skipped(self) -> list[dict[str, str]]:
        return self.payload["summary"]["sections_skipped"]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _plain(shown: Any) -> str:
    if isinstance(shown, Figure):
        words = [t.get_text() for t in shown.findobj(MplText)]
        plt.close(shown)
        return " | ".join(w for w in words if w)
    html = shown.to_html() if hasattr(shown, "to_html") else getattr(shown, "data", str(shown))
    html = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    return _TAG.sub(" ", html)


def run_notebook(source: Path, out: Path, **params: Any) -> Run:
    """Execute every code cell but the parameters cell with `params` (e.g. period, language)."""
    out.mkdir(parents=True, exist_ok=True)
    runner = {"warehouse": str(build_warehouse(source)), "output_dir": str(out)}
    namespace: dict[str, Any] = {"params": {"data": str(source), **params, "runner": runner}}
    texts: list[str] = []
    cells = [c for c in jupytext.read(NOTEBOOK).cells
             if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    with mock.patch("helpers.render.report.display", lambda shown: texts.append(_plain(shown))):
        for i, cell in enumerate(cells):
            exec(compile(cell.source, f"user_analysis cell {i + 1}", "exec"), namespace)
    namespace["rep"].wh.close()
    payload = json.loads((out / "user_analysis.json").read_text(encoding="utf-8"))
    return Run(texts, payload)
