"""The week's digest, one per message format: what a manager reads in the chat or the mail.

Top to bottom: when the week is incomplete (a report failed, a section was not shown), a line
saying so and why, first, so nobody takes partial numbers for the week; the verdict (the weekly
summary's sentence); the four KPIs with week on week, target and forecast status; the week's
alerts; one line per report with its top finding; and a link to the week's reports when
`report_url_base` is set (report names are links then too).

The content is built once (`_content`) as lines of segments (text, url); each format renders it
with its own escaping (`deliver/escape.py`) around the text, and links only around escaped text,
so data text can never open a link, an image or a mention. Robot Markdown is cut to its byte
limit (WeCom: 4,096 bytes of UTF-8) at a line, ending with a "more in the report" line.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from helpers.core.metrics import METRICS
from helpers.deliver import escape
from helpers.deliver.params import Destination
from helpers.deliver.week import Week, alert_lines, incomplete_lines
from helpers.render import fmt
from helpers.render.html import HTML_LANG
from helpers.render.index import SUMMARY_REPORT
from helpers.render.kpistatus import FORECAST_ICON, FORECAST_TEXT, TARGET_ICON, TARGET_TEXT
from helpers.render.text import Text

POSTER_CID = "poster"  # email: Content-ID of the inline poster (<img src="cid:poster">)
# Bytes of UTF-8 Markdown a robot takes. WeCom: "markdown.content ... 最长不超过4096个字节";
# DingTalk documents no markdown limit of its own: the same, so a digest reads the same in both.
MARKDOWN_LIMIT = {"wecom": 4096, "dingtalk": 4096}
# Feishu: a custom robot's request body is at most 20 KB (H14's robot server checks it); the
# card's Markdown is kept well under it.
CARD_LIMIT = 12_000
SENTINEL = "\x00"

Segment = tuple[str, str | None]  # (text, url or None)


@dataclass(frozen=True)
class Line:
    segments: tuple[Segment, ...]
    heading: bool = False  # a block's heading: never left as the last line of a cut digest
    bullet: bool = False


@dataclass(frozen=True)
class Content:
    title: str
    tone: str  # incomplete | attention | ok
    blocks: tuple[tuple[Line, ...], ...]
    more: tuple[Segment, ...]  # the "more in the report" line, linked when there is a URL
    closing: tuple[Segment, ...] | None  # the link to the week's reports, or None


@dataclass(frozen=True)
class Digest:
    title: str
    text: str
    card: dict[str, Any] | None = None
    html: str | None = None
    links: bool = False

    @property
    def sha256(self) -> str:
        body = json.dumps([self.title, self.text, self.html], ensure_ascii=False)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


def report_url(url_base: str | None, week: Week, file_name: str) -> str | None:
    """<report_url_base>/<period>/<file>, percent-encoded so no sign of it can close a Markdown link."""
    if not url_base:
        return None
    base = quote(url_base.rstrip("/"), safe=":/?=&%~.-_+,;@!$")
    return f"{base}/{quote(week.period.label)}/{quote(file_name)}"


def _fill(tx: Text, key: str, slot: str, segment: Segment, **values: str) -> tuple[Segment, ...]:
    """The catalog sentence `key` with the segment (e.g. a linked title) in place of {slot}."""
    before, _, after = tx(key, **{slot: SENTINEL}, **values).partition(SENTINEL)
    return tuple(s for s in ((before, None), segment, (after, None)) if s[0])


def kpi_line(kpi: Any, tx: Text) -> str | None:
    """'成交额（GMV） ¥17.7万 · 周环比 -9.8% · ✓ 达到目标 ¥15.0万 · ● 在预测范围内（…）'."""
    if kpi.metric not in METRICS:
        return None
    key, unit = kpi.metric, METRICS[kpi.metric].unit
    parts = [tx("dl_kpi", label=tx.label(key), value=tx.value(key, kpi.value))]
    if kpi.wow is not None:
        parts.append(tx("ks_wow", change=fmt.change(kpi.wow, unit, tx.language)))
    if kpi.target_status in TARGET_TEXT and kpi.target is not None:
        parts.append(f"{TARGET_ICON[kpi.target_status]} "
                     + tx(TARGET_TEXT[kpi.target_status], target=tx.value(key, kpi.target)))
    if kpi.forecast_status in FORECAST_TEXT:
        span = f"{tx.value(key, kpi.forecast_lo80)}–{tx.value(key, kpi.forecast_hi80)}"
        parts.append(f"{FORECAST_ICON[kpi.forecast_status]} " + tx(FORECAST_TEXT[kpi.forecast_status], range=span))
    return " · ".join(parts)


def _report_line(report: Any, week: Week, tx: Text, url_base: str | None) -> Line:
    url = report_url(url_base, week, report.html.name) if report.html and report.status == "ok" else None
    title: Segment = (report.title, url)
    if report.status != "ok":
        return Line(_fill(tx, "ix_alert_from", "report", title, text=tx("status_failed")), bullet=True)
    if not report.top_finding or report.name == SUMMARY_REPORT:  # its finding is the verdict above
        return Line((title,), bullet=True)
    return Line(_fill(tx, "ix_alert_from", "report", title, text=report.top_finding), bullet=True)


def _content(week: Week, tx: Text, url_base: str | None) -> Content:
    period = fmt.week_title(week.period, tx.language)
    tone = "incomplete" if not week.complete else "attention" if week.alerts else "ok"
    title = tx({"incomplete": "dl_title_incomplete", "attention": "dl_title_attention", "ok": "dl_title"}[tone],
               week=period)
    blocks: list[tuple[Line, ...]] = []
    if not week.complete:
        blocks.append((Line(((tx("dl_incomplete"), None),), heading=True),
                       *(Line(((why, None),), bullet=True) for why in incomplete_lines(week.reports, tx))))
    blocks.append((Line(((week.verdict or tx("ix_verdict_missing"), None),)),))
    kpis = [line for k in week.kpis if (line := kpi_line(k, tx))]
    if kpis:
        blocks.append((Line(((tx("dl_kpis"), None),), heading=True),
                       *(Line(((k, None),), bullet=True) for k in kpis)))
    alerts = alert_lines(week.reports, tx)
    if alerts:
        blocks.append((Line(((tx("ix_alerts"), None),), heading=True),
                       *(Line(((a, None),), bullet=True) for a in alerts)))
    shown = [r for r in week.reports if r.status != "skipped"]  # switched off, or not for this data
    if shown:
        blocks.append((Line(((tx("ix_reports"), None),), heading=True),
                       *(_report_line(r, week, tx, url_base) for r in shown)))
    index = report_url(url_base, week, week.index.name)
    closing = ((tx("dl_open_index"), index),) if index else None
    return Content(title, tone, tuple(blocks), ((tx("dl_more"), index),), closing)


# -- Robot Markdown: WeCom, DingTalk, Feishu's lark_md ----------------------------------------------

def _markdown_line(line: Line | tuple[Segment, ...], esc: Callable[[object], str]) -> str:
    segments = line.segments if isinstance(line, Line) else line
    text = "".join(f"[{esc(t)}]({url})" if url else esc(t) for t, url in segments)
    if isinstance(line, Line) and line.heading:
        return f"**{text}**"
    return f"- {text}" if isinstance(line, Line) and line.bullet else text


def _clip(text: str, budget: int) -> str:
    """`text` cut to `budget` UTF-8 bytes at a character, with an ellipsis."""
    data = text.encode("utf-8")
    if len(data) <= budget:
        return text
    return data[: max(0, budget - 3)].decode("utf-8", errors="ignore") + "…"


def _cut(header: str, blocks: list[list[tuple[str, Line]]], closing: str | None, more: str,
         limit: int) -> str:
    """Header, blocks (separated by a blank line) and the closing link, within `limit` bytes; when
    they do not fit, the lines that fit and the `more` line."""
    def size(parts: list[str]) -> int:
        return len("\n".join(parts).encode("utf-8"))

    kept: list[str] = [header]
    for block in blocks:
        first = True
        for text, line in block:
            candidate = kept + ([""] if first else []) + [text]
            if size([*candidate, "", more]) > limit:
                if not any(url for _, url in line.segments) and not line.heading:
                    room = limit - size(kept + ([""] if first else []) + ["", more]) - 1
                    if room > 40:
                        kept = kept + ([""] if first else []) + [_clip(text, room)]
                if len(kept) > 1 and kept[-1].startswith("**"):
                    kept.pop()  # a heading without its lines
                while kept[-1] == "":
                    kept.pop()
                return "\n".join([*kept, "", more])
            kept, first = candidate, False
    if closing and size([*kept, "", closing]) <= limit:
        kept += ["", closing]
    return "\n".join(kept)


def digest_markdown(week: Week, flavour: str, tx: Text, url_base: str | None, limit_bytes: int) -> str:
    """The digest as robot Markdown, for 'wecom' or 'dingtalk' ('feishu' gives lark_md), at most
    `limit_bytes` bytes of UTF-8."""
    return _markdown(_content(week, tx, url_base), flavour, limit_bytes)


def _markdown(content: Content, flavour: str, limit: int) -> str:
    esc = escape.ESCAPE[flavour]
    header = f"### {esc(content.title)}" if flavour == "dingtalk" else f"**{esc(content.title)}**"
    blocks = [[(_markdown_line(line, esc), line) for line in block] for block in content.blocks]
    closing = _markdown_line(content.closing, esc) if content.closing else None
    return _cut(header, blocks, closing, _markdown_line(content.more, esc), limit)


# -- Feishu card ------------------------------------------------------------------------------------

HEADER_COLOUR = {"incomplete": "red", "attention": "orange", "ok": "blue"}


def digest_card(week: Week, tx: Text, url_base: str | None) -> dict[str, Any]:
    """The `card` of a Feishu interactive message: a coloured header with the week, the digest
    in lark_md blocks, and a button to the week's reports when report_url_base is set."""
    content = _content(week, tx, url_base)
    body = _markdown(replace(content, closing=None), "feishu", CARD_LIMIT)  # the button links instead
    blocks = body.split("\n\n")[1:]  # the title is the card's header
    elements: list[dict[str, Any]] = [{"tag": "div", "text": {"tag": "lark_md", "content": b}} for b in blocks]
    if content.closing:
        label, url = content.closing[0]
        elements.append({"tag": "action", "actions": [{
            "tag": "button", "type": "primary", "url": url,
            "text": {"tag": "plain_text", "content": escape.plain(label)}}]})
    return {"config": {"wide_screen_mode": True},
            "header": {"template": HEADER_COLOUR[content.tone],
                       "title": {"tag": "plain_text", "content": escape.plain(content.title)}},
            "elements": elements}


# -- Email ---------------------------------------------------------------------------------------

def _plain_line(line: Line | tuple[Segment, ...]) -> str:
    segments = line.segments if isinstance(line, Line) else line
    text = "".join(f"{escape.plain(t)} <{url}>" if url else escape.plain(t) for t, url in segments)
    return f"- {text}" if isinstance(line, Line) and line.bullet else text


def _html_line(line: Line | tuple[Segment, ...]) -> str:
    segments = line.segments if isinstance(line, Line) else line
    return "".join(f'<a href="{escape.email_html(url)}">{escape.email_html(t)}</a>' if url
                   else escape.email_html(t) for t, url in segments)


def _html_block(block: tuple[Line, ...]) -> str:
    out, items = [], []
    for line in block:
        if line.bullet:
            items.append(f"<li>{_html_line(line)}</li>")
        elif line.heading:
            out.append(f"<h3>{_html_line(line)}</h3>")
        else:
            out.append(f"<p>{_html_line(line)}</p>")
    return "".join(out) + (f"<ul>{''.join(items)}</ul>" if items else "")


def digest_email(week: Week, tx: Text, url_base: str | None) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the mail; the HTML shows the poster inline (cid:poster)
    when the week has one, and says the reports are attached unless they are linked."""
    content = _content(week, tx, url_base)
    tail = [_plain_line(content.closing)] if content.closing else [tx("dl_attached")]
    text = "\n\n".join(["\n".join(_plain_line(line) for line in block) for block in content.blocks]
                       + tail + [tx("dl_sent_by")]) + "\n"
    poster = (f'<p><img src="cid:{POSTER_CID}" alt="{escape.email_html(tx("ix_poster"))}" '
              f'style="max-width:100%;width:360px"></p>' if week.poster else "")
    closing = (f"<p><strong>{_html_line(content.closing)}</strong></p>" if content.closing
               else f"<p>{escape.email_html(tx('dl_attached'))}</p>")
    html = (f'<!DOCTYPE html><html lang="{HTML_LANG[tx.language]}"><head><meta charset="utf-8">'
            f"<title>{escape.email_html(content.title)}</title></head>"
            f'<body style="font-family:sans-serif;line-height:1.5;max-width:640px">'
            f"<h2>{escape.email_html(content.title)}</h2>"
            f"{''.join(_html_block(b) for b in content.blocks)}{poster}{closing}"
            f'<p style="color:#888">{escape.email_html(tx("dl_sent_by"))}</p></body></html>\n')
    return escape.plain(content.title), text, html


def build_digest(week: Week, dest: Destination, tx: Text) -> Digest:
    """The digest `dest` sends, in its format."""
    url_base = dest.report_url_base
    links = bool(url_base)
    if dest.type == "feishu":
        card = digest_card(week, tx, url_base)
        return Digest(title=escape.plain(_content(week, tx, url_base).title),
                      text=json.dumps(card, ensure_ascii=False), card=card, links=links)
    if dest.type == "email":
        subject, text, html = digest_email(week, tx, url_base)
        return Digest(title=subject, text=text, html=html, links=links)
    markdown = digest_markdown(week, dest.type, tx, url_base, MARKDOWN_LIMIT[dest.type])
    return Digest(title=escape.plain(_content(week, tx, url_base).title), text=markdown, links=links)
