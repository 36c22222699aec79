"""What a notebook holds on to: its parameters, period, warehouse and report-writing helpers.

A notebook's first code cell is `rep = open_report("<notebook>", params)`. Run by the suite, `params`
is the runner's fully resolved set (validated before the kernel started, warehouse already built);
opened by hand in JupyterLab, `params` may be empty and the values come from params/*.yaml, so
both paths give the same report.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from IPython.display import HTML, Markdown, display

from . import config
from .metrics.registry import METRICS, definitions_table
from .paths import project_root
from .periods import Period, resolve_period
from .report import fmt, style, tables
from .report.html import TOC_SLOT, stylesheet
from .report.i18n import notebook_title, t
from .report.outputs import build_payload, write_atomic, write_payload
from .sample import ensure_sample
from .warehouse import Warehouse, build_warehouse

SAMPLE = "sample"


def resolve_data(data: str, base: Path | None = None) -> Path:
    """'sample' -> the bundled sample (generated on first use); relative paths resolve on `base`."""
    if data == SAMPLE:
        return ensure_sample()
    path = Path(data).expanduser()
    return path if path.is_absolute() else (base or project_root()) / path


@dataclass
class Report:
    notebook: str
    params: config.SharedParams
    period: Period
    wh: Warehouse
    output_dir: Path | None = None
    _published: dict[str, Any] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return self.params.language

    @property
    def data_source(self) -> str:
        return SAMPLE if self.params.data == SAMPLE else str(self.wh.meta["source"])

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def text(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def label(self, metric: str) -> str:
        return METRICS[metric].label(self.lang)

    def fmt(self, metric: str, value: float | None) -> str:
        return fmt.value(value, METRICS[metric].unit, self.lang)

    # -- prose ---------------------------------------------------------------------------------

    def header(self) -> None:
        """Title with the period and data source, the page's table of contents, and the styles."""
        now = datetime.now(ZoneInfo(self.params.timezone))
        title = f"{notebook_title(self.notebook, self.lang)} · {self.period.describe(self.lang)}"
        subtitle = " · ".join([
            f"{self.t('data_source')}: {html.escape(self.data_source)}",
            f"{self.t('data_range')}: {self.wh.first_date} – {self.wh.last_date}",
            f"{self.t('generated')}: {now:%Y-%m-%d %H:%M}",
        ])
        display(HTML(f"<style>{stylesheet()}</style><h1>{html.escape(title)}</h1>"
                     f'<p class="wx-subtitle">{subtitle}</p>{TOC_SLOT}'))

    def section(self, zh: str, en: str) -> None:
        display(Markdown(f"## {self.text(zh, en)}"))

    def say(self, zh: str, en: str) -> None:
        """A short paragraph of prose (Markdown) in the report language."""
        display(Markdown(self.text(zh, en)))

    def finding(self, text: str) -> None:
        """The generated headline finding of a section."""
        display(HTML(f'<div class="wx-finding">{html.escape(text)}</div>'))

    def skipped(self, what_zh: str, what_en: str) -> None:
        """A section that needs a table the data source lacks."""
        self.caveat(self.t("skipped_section", what=self.text(what_zh, what_en)), "")

    def caveat(self, zh: str, en: str) -> None:
        """A visible warning box (e.g. too little data for a section); `en` may be "" to reuse `zh`."""
        text = zh if self.lang == "zh" or not en else en
        display(HTML(f'<p class="wx-skipped">{html.escape(text)}</p>'))

    def chart(self, figure: Any) -> None:
        """Show a figure here (not at the end of the cell) and release it."""
        import matplotlib.pyplot as plt

        display(figure)
        plt.close(figure)

    def table(self, frame: Any, units: dict[str, str], hidden: Any = None, index: bool = False,
              text: bool = False) -> None:
        """A table with numbers formatted by unit; `hidden` cells (privacy) read "<k"."""
        display(tables.styled(frame, units, self.lang, hidden, self.params.min_cell_size, index, text))

    def compare_table(self, current: dict[str, Any], previous: dict[str, Any]) -> None:
        """Metrics of this period against the previous one: relative change, or points for rates."""
        rows = []
        for key, now in current.items():
            metric = METRICS[key]
            before = previous.get(key)
            if now is None or before is None:
                change = fmt.MISSING
            elif metric.unit == "fraction":
                change = fmt.points(now - before, self.lang)
            else:
                change = fmt.relative_change(now / before - 1) if before else fmt.MISSING
            rows.append({self.text("指标", "Metric"): metric.label(self.lang),
                         self.text("本期", "This period"): self.fmt(key, now),
                         self.text("上期", "Previous period"): self.fmt(key, before),
                         self.text("变化", "Change"): change})
        frame = pd.DataFrame(rows)
        self.table(frame, {c: tables.PREFORMATTED for c in frame.columns[1:]})

    # -- outputs -------------------------------------------------------------------------------

    def publish(self, metrics: dict[str, Any], definitions: dict[str, str] | None = None
                ) -> dict[str, Any]:
        """Write <notebook>.json for programs (when run by the suite) and return it."""
        payload = build_payload(self.notebook, self.period, self.data_source, self.params.timezone,
                                metrics, definitions)
        if self.output_dir is not None:
            write_payload(self.output_dir / f"{self.notebook}.json", payload)
        self._published = payload
        return payload

    def write_file(self, name: str, text: str) -> Path | None:
        """An extra output next to the JSON (e.g. forecast.csv), when run by the suite."""
        if self.output_dir is None:
            return None
        path = self.output_dir / name
        write_atomic(path, text)
        return path

    def footer(self, metric_keys: list[str]) -> None:
        """Definitions of the metrics shown, data-quality findings and the privacy rule."""
        self.section("附注", "Notes")
        display(Markdown(f"### {self.t('definitions')}"))
        display(definitions_table(metric_keys, self.lang).style.hide(axis="index")
                .set_table_attributes('class="wx-text"'))
        display(Markdown(f"### {self.t('data_quality')}"))
        quality = self.wh.quality()
        if quality.empty:
            self.say(self.t("no_quality_issues"), self.t("no_quality_issues"))
        else:
            rows = "".join(
                f"<li>{html.escape(r.table_name)}: {html.escape(self.t('quality_' + r.check_name))}"
                f" — {fmt.number(r.rows, self.lang)} ({html.escape(self.t('quality_kept'))})</li>"
                for r in quality.itertuples())
            display(HTML(f"<ul class='wx-note'>{rows}</ul>"))
        display(Markdown(f"### {self.t('privacy')}"))
        note = self.t("privacy_note", k=self.params.min_cell_size)
        display(HTML(f"<p class='wx-note'>{html.escape(note)}</p>"))


def open_report(notebook: str, params: dict[str, Any] | None = None) -> Report:
    """Validate parameters, open the warehouse and resolve the period for one notebook."""
    params = dict(params or {})
    runner = params.pop("runner", None) or {}
    if runner:
        values = config.validate(config.params_model(notebook), params)
    else:
        values = config.load_params(notebook, project_root() / "params", params).values
    style.apply()
    warehouse = runner.get("warehouse") or build_warehouse(resolve_data(values.data), values.timezone)
    wh = Warehouse(Path(warehouse))
    period = resolve_period(values.period, wh.first_date, wh.last_date)
    output_dir = Path(runner["output_dir"]) if runner.get("output_dir") else None
    return Report(notebook, values, period, wh, output_dir)
