"""What a notebook holds on to: its parameters, period, warehouse and the report-writing calls.

A notebook's first code cell is `rep = open_report("<notebook>", params)` (`helpers.suite`). Every
word comes from the text catalog through `rep.tx` (`render.text.Text`), which also records the
metrics shown, so the notes at the end define exactly those. The last cell, `rep.footer()`, writes
the notes and the notebook's JSON with its `summary` block (verdict, top finding, alerts, sections
skipped) that the index and other reports read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from IPython.display import HTML, display

from helpers.core.metrics import METRICS
from helpers.core.params import SharedParams
from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse
from helpers.render import fmt, tables
from helpers.render.catalog import catalog
from helpers.render.components import Kpi, kpi_cards
from helpers.render.escape import Phrase, bullet_list, element, escape, heading, runs
from helpers.render.html import stylesheet, toc_slot
from helpers.render.outputs import build_payload, write_atomic, write_payload
from helpers.render.text import Text

SAMPLE = "sample"
ANALYST_SUFFIX = "_analyst"  # catalog keys of lines for analysts, shown only in the collapsed notes
# Catalog words of the data-quality checks the warehouse counts (core.warehouse.QUALITY_CHECKS).
QUALITY_TEXT = {
    "events_before_first_seen": "quality_events_before_first_seen",
    "events_unknown_user": "quality_events_unknown_user",
    "orders_unknown_user": "quality_orders_unknown_user",
    "orders_unknown_merchant": "quality_orders_unknown_merchant",
}


@dataclass
class Report:
    notebook: str
    params: SharedParams
    period: Period
    wh: Warehouse
    output_dir: Path | None = None
    title: str = ""  # catalog key of the report's title
    reads: dict[str, Path] = field(default_factory=dict)  # other notebooks' JSON this one may read
    tx: Text = field(init=False)
    _payload: dict[str, Any] = field(default_factory=dict)
    _section: str = ""
    _anchor: str = "top"  # id of the current section's heading
    _subsections: int = 0
    _findings: list[str] = field(default_factory=list)
    _alerts: list[dict[str, Any]] = field(default_factory=list)
    _skipped: list[dict[str, str]] = field(default_factory=list)
    _analyst_notes: list[Phrase] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tx = Text(self.params.language)

    @property
    def lang(self) -> str:
        return self.params.language

    @property
    def data_source(self) -> str:
        return SAMPLE if self.params.data == SAMPLE else str(self.wh.meta["source"])

    def label(self, metric: str) -> str:
        return self.tx.label(metric)

    def fmt(self, metric: str, value: float | None) -> str:
        return self.tx.value(metric, value)

    # -- prose ---------------------------------------------------------------------------------

    def header(self) -> None:
        """Title with the period and data source, the page's table of contents, and the styles."""
        now = datetime.now(ZoneInfo(self.params.timezone))
        name = self.tx(self.title) if self.title else self.notebook.replace("_", " ")
        title = f"{name} · {fmt.week_title(self.period, self.lang)}"
        subtitle = " · ".join([
            f"{self.tx('data_source')}: {fmt.source_name(self.data_source)}",
            f"{self.tx('data_range')}: {fmt.date_range(self.wh.first_date, self.wh.last_date, self.lang)}",
            f"{self.tx('generated')}: {fmt.timestamp(now, self.lang)}",
        ])
        display(HTML(f"<style>{stylesheet()}</style>{element('h1', title)}"
                     f"{element('p', subtitle, 'wx-subtitle')}{toc_slot(self.notebook)}"))

    def section(self, key: str, **values: Any) -> None:
        """A section heading; its id is the catalog key (stable across runs and languages)."""
        self._section = self.tx(key, **values)
        self._anchor, self._subsections = key, 0
        display(HTML(heading(2, self._section, self._anchor)))

    def subsection(self, text: str) -> None:
        self._subsections += 1
        display(HTML(heading(3, text, f"{self._anchor}-{self._subsections}")))

    def say(self, key: str, **values: Any) -> None:
        """A short paragraph of prose from the catalog; values given as `Strong(...)` or
        `Code(...)` (render.escape) are shown in bold or as code. A sentence with an analysts'
        companion in the catalog (`<key>_analyst`: which parameter to set, where a file was looked
        for) adds that line, with the same values, to the collapsed notes."""
        self.paragraph(runs(self.tx, key, **values))
        if f"{key}{ANALYST_SUFFIX}" in catalog():
            self.for_analysts(f"{key}{ANALYST_SUFFIX}", **values)

    def paragraph(self, text: Phrase) -> None:
        """A paragraph already worded through `rep.tx` (e.g. by a family's findings module);
        shown as typed: text is never Markdown, emphasis is a `Strong` run."""
        if text:
            display(HTML(element("p", text)))

    def bullets(self, items: Sequence[Phrase]) -> None:
        """A bulleted list, e.g. one note per campaign led by its name in bold."""
        if items:
            display(HTML(bullet_list(items)))

    def finding(self, text: str) -> None:
        """The generated headline finding of a section (the first is the report's top finding)."""
        self._findings.append(text)
        display(HTML(element("div", text, "wx-finding")))

    def note(self, text: str) -> None:
        """A small note under a table or chart."""
        if text:
            display(HTML(element("p", text, "wx-note")))

    def skipped(self, what: str, **values: Any) -> None:
        """A section (or part of one) the data cannot support: `what` is the catalog key naming
        what is missing; recorded in the JSON summary."""
        reason = self.tx("skipped_section", what=self.tx(what, **values))
        self._skipped.append({"section": self._section, "reason": reason})
        self.caveat_text(reason)

    def unavailable(self, why: str, **values: Any) -> None:
        """A section (or part of one) the data has but cannot support this week — no new users in
        the cohort week, a series too short to model, one channel only: `why` is the catalog key of
        the one-line reason. Shown instead of the section, recorded in the JSON summary; the
        notebook goes on (its JSON keys for the section stay null)."""
        reason = self.tx("unavailable_section", why=self.tx(why, **values))
        self._skipped.append({"section": self._section, "reason": reason})
        self.caveat_text(reason)

    def caveat(self, key: str, **values: Any) -> None:
        """A visible warning box (e.g. too little data for a section)."""
        self.caveat_text(self.tx(key, **values))

    def caveat_text(self, text: str) -> None:
        display(HTML(element("p", text, "wx-skipped")))

    def alarm(self, text: str) -> None:
        """A red banner: what follows cannot be trusted (e.g. a failed sample-ratio check)."""
        display(HTML(element("div", text, "wx-alarm")))

    def alert(self, kind: str, metric: str, text: str, **details: Any) -> None:
        """Something a manager should look at (an anomaly, a failed sample-ratio check, ...):
        listed in the JSON summary for the index and the weekly summary."""
        self._alerts.append({"kind": kind, "metric": metric, "text": text, **details})

    def chart(self, figure: Any, *, alt: str) -> None:
        """Show a figure here (not at the end of the cell) as inline SVG drawn for a phone's width
        (`render.charts`), described by `alt` (required: what it shows, in the report language,
        from the catalog); then release it."""
        self.charts([(figure, alt)])

    def charts(self, panels: Sequence[tuple[Any, str]]) -> None:
        """Small multiples, each panel its own figure with its alt text: side by side on a desktop,
        one per row on a phone. One panel is a single chart."""
        import matplotlib.pyplot as plt

        from helpers.render.charts import figure_html, panels_html

        try:
            display(HTML(figure_html(*panels[0]) if len(panels) == 1 else panels_html(panels)))
        finally:
            for figure, _ in panels:
                plt.close(figure)

    def table(self, frame: Any, units: dict[str, str], hidden: Any = None, index: bool = False,
              text: bool = False) -> None:
        """A table with numbers formatted by unit; `hidden` cells (privacy) read "<k"; columns named
        by metric keys are labelled from the registry (and count as shown). It scrolls sideways in
        its own box on a phone, its first column fixed (`tables.html`)."""
        display(HTML(tables.html(tables.styled(frame, units, self.tx, hidden, self.params.min_cell_size,
                                               index, text))))

    def kpi_cards(self, kpis: list[Kpi]) -> None:
        display(HTML(kpi_cards(kpis, self.tx)))

    def kpi_status_cards(self, items: list[dict[str, Any]]) -> None:
        """KPI cards with target and forecast status (`render.kpistatus`), from the JSON objects
        the report publishes (so the index shows the same cards from the same numbers)."""
        from helpers.render.kpistatus import status_cards

        display(HTML(status_cards(items, self.tx)))

    def compare_table(self, current: dict[str, Any], previous: dict[str, Any]) -> None:
        """Metrics of this period against the previous one: relative change, or points for rates."""
        rows = []
        for key, now in current.items():
            before = previous.get(key)
            if now is None or before is None:
                change = fmt.MISSING
            elif METRICS[key].unit == "fraction":
                change = fmt.change(now - before, "fraction", self.lang)
            else:
                change = fmt.change(now / before - 1, METRICS[key].unit, self.lang) if before else fmt.MISSING
            this, last = fmt.column([now, before], METRICS[key].unit, self.lang)  # one precision a row
            self.tx.shows(key)
            rows.append({self.tx("col_metric"): self.tx.label(key),
                         self.tx("col_this_period"): this,
                         self.tx("col_previous_period"): last,
                         self.tx("col_change"): change})
        frame = pd.DataFrame(rows)
        self.table(frame, {c: tables.PREFORMATTED for c in frame.columns[1:]})

    # -- outputs -------------------------------------------------------------------------------

    def publish(self, metrics: dict[str, Any], definitions: dict[str, str] | None = None
                ) -> dict[str, Any]:
        """The notebook's JSON for programs (written by `footer`, with its summary); returned."""
        self._payload = build_payload(self.notebook, self.period, self.data_source,
                                      self.params.timezone, metrics, definitions)
        return self._payload

    def summary(self) -> dict[str, Any]:
        """verdict: incomplete (sections skipped) / attention (alerts) / ok."""
        verdict = "incomplete" if self._skipped else "attention" if self._alerts else "ok"
        return {"verdict": verdict, "top_finding": self._findings[0] if self._findings else None,
                "alerts": self._alerts, "sections_skipped": self._skipped,
                "findings": list(self._findings)}  # every finding in order (the weekly poster)

    def write_file(self, name: str, text: str) -> Path | None:
        """An extra output next to the JSON (e.g. forecast.csv), when run by the suite."""
        if self.output_dir is None:
            return None
        path = self.output_dir / name
        write_atomic(path, text)
        return path

    def read_published(self, notebook: str) -> dict[str, Any] | None:
        """Another notebook's JSON of this period as the suite published it, or None when it has
        not been published. Only notebooks declared in `suite.Notebook.reads` can be read: the
        runner runs them first and keys this report's cache on exactly these files."""
        if notebook not in self.reads:
            raise KeyError(f"{self.notebook} does not declare that it reads {notebook} "
                           f"(helpers.suite: Notebook.reads)")
        path = self.reads[notebook]
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    def for_analysts(self, key: str, **values: Any) -> None:
        """A line for the analysts who maintain the report (which parameter to set, which file
        was looked for where): shown in the collapsed notes, never in a manager's way."""
        self._analyst_notes.append(runs(self.tx, key, **values))

    def footer(self) -> None:
        """The notes, collapsed by default (a manager reads the report, an analyst opens them):
        definitions of the metrics shown in the report language, their formulas in a nested
        block, data-quality counts in plain words, the privacy rule and the analysts' lines;
        then the JSON."""
        self.section("notes")
        display(HTML(notes_html(self.tx, self.wh.quality(), self.params.min_cell_size,
                                self._analyst_notes)))
        if self._payload and self.output_dir is not None:
            write_payload(self.output_dir / f"{self.notebook}.json", self._payload | {"summary": self.summary()})


def definitions_table(tx: Text) -> pd.DataFrame:
    """The definitions of the metrics `tx` has shown, in the report language, for the notes."""
    return pd.DataFrame([{tx("col_metric"): METRICS[k].label(tx.language),
                          tx("col_definition"): METRICS[k].describe(tx.language)} for k in tx.shown])


def formulas_table(tx: Text) -> pd.DataFrame:
    """The computations behind the metrics shown (data-contract columns, keys as in the JSON):
    for analysts, in the nested block of the notes."""
    return pd.DataFrame([{tx("col_metric"): METRICS[k].label(tx.language), tx("col_key"): k,
                          tx("col_formula"): METRICS[k].formula} for k in tx.shown])


def quality_lines(tx: Text, quality: pd.DataFrame) -> list[str]:
    """One plain sentence per data-quality finding, with its count ("128 条事件早于…"): no table
    or check names."""
    return [tx(QUALITY_TEXT[r.check_name], rows=int(r.rows)) for r in quality.itertuples()
            if r.check_name in QUALITY_TEXT]


def _block(tx: Text, key: str, anchor: str, body: str) -> str:
    return heading(3, tx(key), anchor) + body


def notes_html(tx: Text, quality: pd.DataFrame, min_cell_size: int,
               analyst_notes: Sequence[Phrase] = ()) -> str:
    """The notes section as one collapsed `<details>` (opened by the reader, or for printing by
    the page's print rule): it works without scripts. Headings keep their ids (notes-1, ...)."""
    definitions = definitions_table(tx)
    parts = []
    if len(definitions):
        formulas = tables.html(tables.styled(formulas_table(tx), {}, tx, text=True))
        parts.append(_block(tx, "definitions", "notes-1",
                            tables.html(tables.styled(definitions, {}, tx, text=True))
                            + f'<details class="wx-formulas"><summary>{escape(tx("formulas_summary"))}'
                            f'</summary>{formulas}</details>'))
    lines = quality_lines(tx, quality)
    parts.append(_block(tx, "data_quality", "notes-2",
                        bullet_list(lines, "wx-note") if lines
                        else element("p", tx("no_quality_issues"), "wx-note")))
    parts.append(_block(tx, "privacy", "notes-3",
                        element("p", tx("privacy_note", k=min_cell_size), "wx-note")))
    if analyst_notes:
        parts.append(_block(tx, "for_analysts", "notes-4", bullet_list(list(analyst_notes), "wx-note")))
    return (f'<details class="wx-notes"><summary>{escape(tx("notes_summary"))}</summary>'
            f'{"".join(parts)}</details>')
