"""What the run published for a week, read back for delivery: nothing is recomputed.

The week folder `<out>/<period>/` holds the landing page `index.html` (one `li.wx-ix-report` per
report with its status ok / failed / skipped — the only place the run records a report's status),
each report's `<notebook>.json` with its `summary` block, the weekly summary's
`metrics.kpi_status`, and the poster `weekly_summary.png`. A failed report leaves its last good
JSON behind, so its summary is used only when the report is ok this week and the JSON is of this
week.

Every text read here (titles, findings, alerts, reasons) is data text: the digest escapes it for
each format.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from helpers.core.errors import WxReportError
from helpers.core.periods import Period
from helpers.render.html import HTML_LANG
from helpers.render.index import POSTER, SUMMARY_REPORT
from helpers.render.text import Text

INDEX = "index.html"
KPIS = ("active_users", "new_users", "orders", "gmv")  # without kpi_status (older runs): these


class WeekError(WxReportError):
    """No published week to deliver (no index.html for the period in the output folder)."""


@dataclass(frozen=True)
class ReportLine:
    name: str
    title: str
    status: str  # ok | failed | skipped
    verdict: str | None = None
    top_finding: str | None = None
    alerts: tuple[str, ...] = ()
    sections_skipped: tuple[tuple[str, str], ...] = ()
    html: Path | None = None
    json: Path | None = None


@dataclass(frozen=True)
class Kpi:
    metric: str
    value: float | None
    wow: float | None = None
    target: float | None = None
    target_status: str | None = None
    forecast_status: str | None = None
    forecast_lo80: float | None = None
    forecast_hi80: float | None = None
    tone: str = "flat"


@dataclass(frozen=True)
class Week:
    period: Period
    folder: Path
    language: str
    verdict: str | None
    kpis: tuple[Kpi, ...]
    reports: tuple[ReportLine, ...]
    alerts: tuple[str, ...]
    poster: Path | None
    summary_html: Path | None
    index: Path
    complete: bool
    incomplete_why: tuple[str, ...]


class _IndexReader(HTMLParser):
    """The report lines of index.html: name (data-name, else the report's file), title, status."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.rows: list[dict[str, Any]] = []
        self._in_title = 0  # depth inside div.wx-ix-title; 0 = outside
        self._in_status = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        classes = a.get("class", "").split()
        if tag == "li" and "wx-ix-report" in classes:
            self.rows.append({"name": a.get("data-name", ""), "status": a.get("data-status", ""),
                              "title": "", "links": []})
        elif not self.rows:
            return
        row = self.rows[-1]
        if tag == "a" and a.get("href"):
            row["links"].append(a["href"])
        if tag == "div" and "wx-ix-title" in classes:
            self._in_title = 1
        elif self._in_title and tag == "div":
            self._in_title += 1
        if self._in_title and tag == "span" and any(c.startswith("wx-status-") for c in classes):
            self._in_status = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._in_status = False
        if tag == "div" and self._in_title:
            self._in_title -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title and not self._in_status and self.rows:
            self.rows[-1]["title"] += data


def _name(row: dict[str, Any]) -> str:
    if row["name"]:
        return row["name"]
    for link in row["links"]:  # the report's own page, or its saved failing notebook
        for suffix in (".failed.ipynb", ".html"):
            if link.endswith(suffix) and "/" not in link:
                return link[: -len(suffix)]
    return row["title"].strip()


def week_folders(out_dir: Path) -> list[tuple[Period, Path]]:
    """The week folders of `out_dir` with an index.html, oldest first."""
    found = []
    for path in Path(out_dir).glob(f"*-W[0-9][0-9]/{INDEX}"):
        try:
            found.append((Period.parse(path.parent.name), path.parent))
        except ValueError:
            continue
    return sorted(found)


def find_period(out_dir: Path, period: str | None, since: float | None = None) -> Period:
    """The week to deliver: `period` itself, or for 'latest'/None the newest week folder with an
    index.html (written at or after `since`, a time.time() value, when given)."""
    if period and period != "latest":
        try:
            return Period.parse(period)
        except ValueError as exc:
            raise WeekError(f"--period {period!r}: {exc}; use 'latest' or a week such as 2026-W47") from None
    weeks = [(p, f) for p, f in week_folders(out_dir)
             if since is None or (f / INDEX).stat().st_mtime >= since - 1]
    if not weeks:
        when = " by this run" if since is not None else ""
        raise WeekError(f"no week published{when} in {out_dir} (no <week>/{INDEX}): run `wxreport run` first")
    return weeks[-1][0]


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _text(value: Any) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _report(folder: Path, period: Period, row: dict[str, Any]) -> tuple[ReportLine, dict[str, Any]]:
    name, status = _name(row), row["status"] if row["status"] in ("ok", "failed", "skipped") else "failed"
    html, js = folder / f"{name}.html", folder / f"{name}.json"
    doc = _read_json(js) if status == "ok" else None
    if doc is not None and str(doc.get("period", period.label)) != period.label:
        doc = None  # another week's file: not this week's figures
    summary = doc.get("summary") if doc and isinstance(doc.get("summary"), dict) else {}
    alerts = tuple(t for a in summary.get("alerts") or [] if isinstance(a, dict) and (t := _text(a.get("text"))))
    skipped = tuple((_text(s.get("section")) or "", _text(s.get("reason")) or "")
                    for s in summary.get("sections_skipped") or [] if isinstance(s, dict))
    line = ReportLine(name=name, title=" ".join(row["title"].split()) or name, status=status,
                      verdict=_text(summary.get("verdict")), top_finding=_text(summary.get("top_finding")),
                      alerts=alerts, sections_skipped=skipped,
                      html=html if html.is_file() else None, json=js if js.is_file() else None)
    return line, doc or {}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _kpis(doc: dict[str, Any]) -> tuple[Kpi, ...]:
    metrics = doc.get("metrics") if isinstance(doc.get("metrics"), dict) else {}
    items = [i for i in metrics.get("kpi_status") or [] if isinstance(i, dict) and isinstance(i.get("metric"), str)]
    if not items:
        items = [{"metric": k, "value": metrics.get(k), "wow": metrics.get(f"{k}_wow")}
                 for k in KPIS if k in metrics]
    return tuple(Kpi(metric=i["metric"], value=_number(i.get("value")), wow=_number(i.get("wow")),
                     target=_number(i.get("target")), target_status=_text(i.get("target_status")),
                     forecast_status=_text(i.get("forecast_status")),
                     forecast_lo80=_number(i.get("forecast_lo80")), forecast_hi80=_number(i.get("forecast_hi80")),
                     tone=_text(i.get("tone")) or "flat") for i in items)


def _language(lang: str) -> str:
    return next((code for code, attr in HTML_LANG.items() if attr == lang), "zh")


def load_week(out_dir: Path, period: str) -> Week:
    """The week `period` ('latest' = the newest published) as the run left it in `out_dir`."""
    week = find_period(Path(out_dir), period)
    folder = Path(out_dir) / week.label
    index = folder / INDEX
    try:
        page = index.read_text(encoding="utf-8")
    except OSError:
        raise WeekError(f"{index}: not found: week {week.label} has not been published in {out_dir}; "
                        f"run `wxreport run --period {week.label}` first") from None
    reader = _IndexReader()
    reader.feed(page)
    language = _language(reader.lang)
    tx = Text(language)
    reports, docs = [], {}
    for row in reader.rows:
        line, doc = _report(folder, week, row)
        reports.append(line)
        docs[line.name] = doc
    weekly = next((r for r in reports if r.name == SUMMARY_REPORT and r.status == "ok"), None)
    why, alerts = incomplete_lines(reports, tx), alert_lines(reports, tx)
    poster, summary_html = folder / POSTER, folder / f"{SUMMARY_REPORT}.html"
    return Week(period=week, folder=folder, language=language,
                verdict=weekly.top_finding if weekly else None,
                kpis=_kpis(docs.get(SUMMARY_REPORT, {})) if weekly else (),
                reports=tuple(reports), alerts=tuple(alerts),
                poster=poster if poster.is_file() else None,
                summary_html=summary_html if weekly and summary_html.is_file() else None,
                index=index, complete=not why, incomplete_why=tuple(why))


def incomplete_lines(reports: Sequence[ReportLine], tx: Text) -> list[str]:
    """Why the week is incomplete, a line each, led by the report's title: the reports that failed,
    then the sections not shown (the index's wording)."""
    lines = [tx("ix_alert_from", report=r.title, text=tx("ix_report_failed")) for r in reports
             if r.status == "failed"]
    return lines + [tx("ix_alert_skipped", report=r.title, section=s, reason=reason) if s
                    else tx("ix_alert_from", report=r.title, text=reason)
                    for r in reports for s, reason in r.sections_skipped]


def alert_lines(reports: Sequence[ReportLine], tx: Text) -> list[str]:
    """Every report's alerts (anomalies, failed sample-ratio checks, targets at risk), led by its title."""
    return [tx("ix_alert_from", report=r.title, text=a) for r in reports for a in r.alerts]


def report_files(week: Week) -> list[Path]:
    """The week's report pages (email attachments): every report with an HTML page this week, the
    landing page first. A failed report's page is last week's good one: not attached."""
    return [week.index] + [r.html for r in week.reports if r.status == "ok" and r.html is not None]
