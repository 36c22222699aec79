"""`<out>/<period>/index.html`: the entry page linking every notebook's report, with its status.

Every text on the page (titles, errors, the data source, file names in links) goes through
`render.escape.escape`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from helpers.core.periods import Period
from helpers.render.escape import bullet_list
from helpers.render.escape import escape as esc
from helpers.render.fmt import week_title
from helpers.render.html import HTML_LANG, embed_cjk_font, external_references, stylesheet
from helpers.render.outputs import write_atomic
from helpers.render.text import Text


@dataclass(frozen=True)
class IndexEntry:
    name: str
    title: str
    status: str  # ok | failed | skipped
    seconds: float = 0.0
    cached: bool = False
    error: str | None = None
    report: str | None = None  # file name of the (last good) report, when there is one
    failed_notebook: str | None = None
    # (section, reason) of each section the report skipped or could not show (its JSON summary):
    # the report is still ok, but visibly thin.
    sections_skipped: tuple[tuple[str, str], ...] = ()


STATUS_TEXT = {"ok": "status_ok", "failed": "status_failed", "skipped": "status_skipped"}


def render_index(period: Period, data_source: str, generated_at: datetime,
                 entries: list[IndexEntry], language: str) -> str:
    tx = Text(language)
    rows = []
    for e in entries:
        links = []
        if e.report:
            label = tx("open_report") if e.status != "failed" else tx("last_good")
            links.append(f'<a href="{esc(e.report)}">{esc(label)}</a>')
        if e.failed_notebook:
            links.append(f'<a href="{esc(e.failed_notebook)}">{esc(tx("open_failed"))}</a>')
        detail = f'<div class="wx-note">{esc(e.error)}</div>' if e.error else ""
        detail += _sections_skipped(e.sections_skipped, tx)
        seconds = "" if e.status == "skipped" else esc(
            f"{e.seconds:.0f}s" + (" (cached)" if e.cached else ""))
        title = f'<a href="{esc(e.report)}">{esc(e.title)}</a>' if e.report else esc(e.title)
        rows.append(
            f"<tr><td>{title}{detail}</td>"
            f'<td class="wx-status-{esc(e.status)}">{esc(tx(STATUS_TEXT[e.status]))}</td>'
            f"<td>{seconds}</td><td>{' · '.join(links)}</td></tr>")
    heading = f"{tx('index_title')} · {week_title(period, language)}"
    lang = HTML_LANG[language]
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(heading)}</title><style>{stylesheet()}</style></head><body><main>"
        f"<h1>{esc(heading)}</h1>"
        f'<p class="wx-subtitle">{esc(tx("data_source"))}: {esc(data_source)} · '
        f'{esc(tx("generated"))}: {esc(generated_at.isoformat(timespec="seconds"))}</p>'
        f"<table><thead><tr><th>{esc(tx('notebook'))}</th>"
        f"<th>{esc(tx('status'))}</th><th>{esc(tx('duration'))}</th><th></th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></main></body></html>\n")


def _sections_skipped(sections: tuple[tuple[str, str], ...], tx: Text) -> str:
    """'Sections not shown (n)' and one line per section: its title and why."""
    if not sections:
        return ""
    lead = f'<div class="wx-note">{esc(tx("index_sections_skipped", n=len(sections)))}</div>'
    return lead + bullet_list([f"{section} — {reason}" if section else reason
                               for section, reason in sections], "wx-note")


def write_index(path: Path, period: Period, data_source: str, generated_at: datetime,
                entries: list[IndexEntry], language: str) -> None:
    page = embed_cjk_font(render_index(period, data_source, generated_at, entries, language))
    problems = external_references(page)
    if problems:
        raise ValueError("index would load external resources: " + "; ".join(problems[:5]))
    write_atomic(path, page)
