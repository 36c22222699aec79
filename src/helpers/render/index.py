"""`<out>/<period>/index.html`: the week's landing page, read first and on a phone.

Top to bottom: the week's verdict in one sentence and the headline KPI cards (target status,
forecast range, week on week), which fill the first screen of a phone; then what needs attention
(anomalies, failed sample-ratio checks, targets at risk, sections not shown, reports that failed);
one line per report saying what it answers and its top finding; the shareable poster; earlier
weeks found in the same output folder; and how the run went.

Everything the page shows of a report comes from that report's published JSON (its `summary`
block, and the weekly summary's `metrics.kpi_status`), never recomputed here. Every text on the
page (titles, errors, findings, the data source, file names in links) goes through
`render.escape.escape`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from helpers.core.periods import Period
from helpers.render import fmt
from helpers.render.escape import bullet_list
from helpers.render.escape import escape as esc
from helpers.render.html import HTML_LANG, embed_cjk_font, external_references, stylesheet
from helpers.render.kpistatus import status_cards
from helpers.render.outputs import write_atomic
from helpers.render.text import Text

POSTER = "weekly_summary.png"  # helpers.weekly.poster writes it next to the reports
SUMMARY_REPORT = "weekly_summary"  # whose JSON holds the week's verdict and KPI cards
# What each report answers, in one line (a notebook the suite does not know has none).
ANSWERS = {"weekly_summary": "ix_answers_weekly_summary", "user_analysis": "ix_answers_user_analysis",
           "content_performance": "ix_answers_content_performance",
           "campaign_evaluation": "ix_answers_campaign_evaluation",
           "merchant_performance": "ix_answers_merchant_performance", "forecasting": "ix_answers_forecasting"}
MAX_ALERTS = 12  # more than this is a list nobody reads on a phone: the rest are counted


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


def read_published(folder: Path, names: list[str]) -> dict[str, dict[str, Any]]:
    """Each report's JSON in `folder` that can be read (a missing or broken one is left out)."""
    out = {}
    for name in names:
        try:
            doc = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict):
            out[name] = doc
    return out


def earlier_weeks(out: Path, period: Period) -> list[str]:
    """Labels of the weeks before `period` with an index.html in the same output folder, newest
    first."""
    found = []
    for path in out.glob("*-W[0-9][0-9]/index.html"):
        try:
            week = Period.parse(path.parent.name)
        except ValueError:
            continue
        if week < period:
            found.append(week)
    return [w.label for w in sorted(found, reverse=True)]


def _summary(doc: dict[str, Any] | None) -> dict[str, Any]:
    summary = (doc or {}).get("summary")
    return summary if isinstance(summary, dict) else {}


def _verdict(entries: list[IndexEntry], published: dict[str, dict[str, Any]], tx: Text) -> str:
    weekly = next((e for e in entries if e.name == SUMMARY_REPORT and e.status == "ok"), None)
    sentence = _summary(published.get(SUMMARY_REPORT)).get("top_finding") if weekly else None
    return f'<div class="wx-finding wx-ix-verdict">{esc(sentence or tx("ix_verdict_missing"))}</div>'


def _kpis(entries: list[IndexEntry], published: dict[str, dict[str, Any]], tx: Text) -> str:
    if not any(e.name == SUMMARY_REPORT and e.status == "ok" for e in entries):
        return ""
    items = ((published.get(SUMMARY_REPORT) or {}).get("metrics") or {}).get("kpi_status") or []
    return status_cards([i for i in items if isinstance(i, dict) and "metric" in i], tx)


def alerts(entries: list[IndexEntry], published: dict[str, dict[str, Any]], tx: Text) -> list[str]:
    """The week's lines needing attention, each led by its report's title: failed reports, then
    every report's alerts (anomalies, failed sample-ratio checks, targets at risk), then the
    sections not shown."""
    lines = [tx("ix_alert_from", report=e.title, text=tx("ix_report_failed")) for e in entries
             if e.status == "failed"]
    for e in entries:
        if e.status != "ok":
            continue
        for alert in _summary(published.get(e.name)).get("alerts") or []:
            if isinstance(alert, dict) and alert.get("text"):
                lines.append(tx("ix_alert_from", report=e.title, text=str(alert["text"])))
    for e in entries:
        for section, reason in e.sections_skipped:
            lines.append(tx("ix_alert_skipped", report=e.title, section=section, reason=reason)
                         if section else tx("ix_alert_from", report=e.title, text=reason))
    return lines


def _alerts_block(lines: list[str], tx: Text) -> str:
    heading = f'<h2 id="alerts">{esc(tx("ix_alerts"))}</h2>'
    if not lines:
        return heading + f'<p class="wx-note">{esc(tx("ix_no_alerts"))}</p>'
    shown = lines[:MAX_ALERTS]
    rest = len(lines) - len(shown)
    more = f'<p class="wx-note">{esc(tx("ix_more_alerts", n=rest))}</p>' if rest else ""
    return heading + bullet_list(shown, "wx-ix-alerts") + more


def _run_note(e: IndexEntry, tx: Text) -> str:
    """How the run went, in the page's language: '耗时 42秒' / '未变化，沿用上次结果'."""
    if e.status == "skipped":
        return tx("ix_report_skipped")
    if e.cached:
        return tx("ix_run_reused")
    return tx("ix_run_time", time=fmt.duration(e.seconds, tx.language))


def _report_line(e: IndexEntry, doc: dict[str, Any] | None, tx: Text) -> str:
    title = f'<a href="{esc(e.report)}">{esc(e.title)}</a>' if e.report else esc(e.title)
    answers = f'<div class="wx-ix-answers">{esc(tx(ANSWERS[e.name]))}</div>' if e.name in ANSWERS else ""
    # The weekly summary's top finding is the verdict at the top of the page: not said twice.
    finding = _summary(doc).get("top_finding") if e.status == "ok" and e.name != SUMMARY_REPORT else None
    body = f'<div class="wx-ix-finding">{esc(finding)}</div>' if finding else ""
    status = ""
    if e.status != "ok":
        status = f' <span class="wx-status-{esc(e.status)}">{esc(tx(STATUS_TEXT[e.status]))}</span>'
    links = []
    if e.status == "failed" and e.report:
        links.append(f'<a href="{esc(e.report)}">{esc(tx("last_good"))}</a>')
    if e.failed_notebook:
        links.append(f'<a href="{esc(e.failed_notebook)}">{esc(tx("open_failed"))}</a>')
    error = f'<div class="wx-note">{esc(e.error)}</div>' if e.error else ""
    meta = " · ".join([esc(_run_note(e, tx)), *links])
    return (f'<li class="wx-ix-report" data-status="{esc(e.status)}">'
            f'<div class="wx-ix-title">{title}{status}</div>{answers}{body}'
            f'{error}<div class="wx-note">{meta}</div></li>')


def _earlier(weeks: list[str], tx: Text) -> str:
    if not weeks:
        return ""
    links = "".join(f'<li><a href="../{esc(w)}/index.html">{esc(w)}</a></li>' for w in weeks)
    return f'<h2 id="earlier">{esc(tx("ix_previous_weeks"))}</h2><ul class="wx-ix-weeks">{links}</ul>'


def render_index(period: Period, data_source: str, generated_at: datetime,
                 entries: list[IndexEntry], language: str,
                 published: dict[str, dict[str, Any]] | None = None,
                 weeks: list[str] | None = None, poster: str | None = None) -> str:
    """The page; `published` holds the reports' JSON by notebook name, `weeks` the earlier weeks'
    labels, `poster` the file name of the week's shareable image when there is one."""
    tx = Text(language)
    published = published or {}
    heading = f"{tx('index_title')} · {fmt.week_title(period, language)}"
    reports = "".join(_report_line(e, published.get(e.name), tx) for e in entries)
    share = (f'<p class="wx-ix-poster"><a href="{esc(poster)}">{esc(tx("ix_poster"))}</a></p>'
             if poster else "")
    footer = (f'<p class="wx-subtitle">{esc(tx("data_source"))}: {esc(fmt.source_name(data_source))} · '
              f'{esc(tx("generated"))}: {esc(fmt.timestamp(generated_at, language))}</p>')
    return (
        f'<!DOCTYPE html><html lang="{HTML_LANG[language]}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(heading)}</title><style>{stylesheet()}</style></head>"
        f'<body class="wx-ix"><main>'
        f'<h1 id="top">{esc(heading)}</h1>{_verdict(entries, published, tx)}'
        f"{_kpis(entries, published, tx)}{share}"
        f"{_alerts_block(alerts(entries, published, tx), tx)}"
        f'<h2 id="reports">{esc(tx("ix_reports"))}</h2><ul class="wx-ix-reports">{reports}</ul>'
        f"{_earlier(weeks or [], tx)}{footer}</main></body></html>\n")


def write_index(path: Path, period: Period, data_source: str, generated_at: datetime,
                entries: list[IndexEntry], language: str) -> None:
    """Write the index of the week folder `path.parent`, reading the reports' JSON there, the
    poster next to them and the earlier weeks beside the folder."""
    folder = path.parent
    published = read_published(folder, [e.name for e in entries])
    poster = POSTER if (folder / POSTER).is_file() else None
    page = embed_cjk_font(render_index(period, data_source, generated_at, entries, language, published,
                                       earlier_weeks(folder.parent, period), poster))
    problems = external_references(page)
    if problems:
        raise ValueError("index would load external resources: " + "; ".join(problems[:5]))
    write_atomic(path, page)
