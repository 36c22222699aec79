"""`weekly_summary.png`: the week on one phone-shaped image (1080 px wide) that managers paste into
WeChat groups: the verdict, the KPI cards and the top three findings, in the report language.

Drawn with Pillow and the bundled CJK font, without a browser, and only from the week's published
JSON (`weekly_summary.json`: its summary and `metrics.kpi_status`), so the image says exactly what
the report and the index say.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from helpers.core.periods import Period
from helpers.render import fmt
from helpers.render.kpistatus import FORECAST_ICON, FORECAST_TEXT, TARGET_ICON, TARGET_TEXT
from helpers.render.style import PALETTE, cjk_font_path
from helpers.render.text import Text

WIDTH = 1080
MARGIN = 56
GAP = 28
BACKGROUND = "#f7f8fa"
INK = "#1f2430"
MUTED = "#5f6b7a"
TONE_COLOR = {"good": "#2aa876", "bad": "#d64550", "flat": "#9aa5b1"}
STATUS_COLOR = {"met": "#1e7d57", "within": "#1e7d57", "at_risk": "#8a6d00", "missed": "#b3263a",
                "above": "#1e7d57", "below": "#b3263a"}
MAX_HEIGHT = 6000
MIN_HEIGHT = WIDTH * 16 // 9  # at least a phone screen's shape, however little there is to say
FILE = "weekly_summary.png"
# A line breaks between CJK characters anywhere, between other words at spaces; an amount with its
# unit character (¥12.3万, ¥12.3万–¥17.3万) is one word.
_CJK = r"\u2e80-\u9fff\uff00-\uffef\u3000-\u303f"  # as regex escapes: no CJK in the source
_TOKEN = re.compile(rf"(?:[^\s{_CJK}]+[\u4e07\u4ebf]?)+\s*|[{_CJK}]|\s+")


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(cjk_font_path("bold" if bold else "regular"), size)


# Closing punctuation never starts a line (it stays with the character before it, as in print).
NO_LINE_START = {chr(c) for c in (0xFF0C, 0x3002, 0xFF1B, 0xFF1A, 0x3001, 0xFF09, 0x300D, 0x300F, 0xFF01, 0xFF1F,
                                   0x3011)} | set("),.;:!?%")


# Opening punctuation never ends one.
NO_LINE_END = {chr(c) for c in (0xFF08, 0x300C, 0x300E, 0x3010)} | {"("}


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines, line = [], ""
    for token in _TOKEN.findall(text):
        breakable = line.strip() and token[0] not in NO_LINE_START and not set(line.strip()) <= NO_LINE_END
        if breakable and font.getlength(line + token.rstrip()) > width:
            carry = line[-1] if line[-1] in NO_LINE_END and len(line) > 1 else ""
            lines.append(line[:len(line) - len(carry)].rstrip())
            line = carry + token.lstrip()
        else:
            line += token
    return [*lines, line.rstrip()] if line.strip() else lines


class _Canvas:
    """A tall image drawn top to bottom; cropped to what was drawn."""

    def __init__(self, draw: bool = True) -> None:
        self.image = Image.new("RGB", (WIDTH, MAX_HEIGHT if draw else 1), BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)
        self.drawing = draw
        self.y = self.top = MARGIN

    def text(self, text: str, size: int, color: str = INK, bold: bool = False, x: int = MARGIN,
             width: int = WIDTH - 2 * MARGIN, spacing: float = 1.45) -> int:
        """Wrapped text at (x, self.y); returns the height used and moves down."""
        font = _font(size, bold)
        top = self.y
        for line in _wrap(text, font, width):
            if self.drawing:
                self.draw.text((x, self.y), line, font=font, fill=color)
            self.y += round(size * spacing)
        return self.y - top

    def png(self) -> bytes:
        out = io.BytesIO()
        height = min(max(self.y + MARGIN, MIN_HEIGHT), MAX_HEIGHT)
        self.image.crop((0, 0, WIDTH, height)).save(out, "PNG", optimize=True)
        return out.getvalue()


def _card_lines(item: dict[str, Any], tx: Text) -> list[tuple[str, str]]:
    """(text, colour) of a card's status lines: target, forecast, week on week."""
    key, lines = item["metric"], []
    status = item.get("target_status")
    if status:
        lines.append((f"{TARGET_ICON[status]} " + tx(TARGET_TEXT[status],
                                                     target=tx.value(key, item.get("target"))),
                      STATUS_COLOR[status]))
    status = item.get("forecast_status")
    if status:
        span = f"{tx.value(key, item.get('forecast_lo80'))}–{tx.value(key, item.get('forecast_hi80'))}"
        lines.append((f"{FORECAST_ICON[status]} " + tx(FORECAST_TEXT[status], range=span),
                      STATUS_COLOR[status]))
    else:
        lines.append(("○ " + tx("ks_no_forecast"), MUTED))
    wow = item.get("wow")
    lines.append((tx("ks_no_wow") if wow is None else
                  tx("ks_wow", change=fmt.change(wow, "count", tx.language)), MUTED))
    return lines


def _card_text(canvas: _Canvas, item: dict[str, Any], x: int, width: int, tx: Text) -> None:
    canvas.text(tx.label(item["metric"]), 30, MUTED, x=x + 30, width=width - 50)
    canvas.text(tx.value(item["metric"], item.get("value")), 58, INK, True, x=x + 30, width=width - 50,
                spacing=1.3)
    for line, color in _card_lines(item, tx):
        canvas.text(line, 27, color, x=x + 30, width=width - 50, spacing=1.4)


def _cards(canvas: _Canvas, items: list[dict[str, Any]], tx: Text) -> None:
    """Two cards a row; each row as tall as its taller card (measured first, then drawn)."""
    width = (WIDTH - 2 * MARGIN - GAP) // 2
    for row in range(0, len(items), 2):
        pair, top, heights = items[row:row + 2], canvas.y, []
        for item in pair:
            scratch = _Canvas(draw=False)
            _card_text(scratch, item, 0, width, tx)
            heights.append(scratch.y - scratch.top)
        bottom = top + 24 + max(heights) + 18
        for col, item in enumerate(pair):
            x = MARGIN + col * (width + GAP)
            tone = TONE_COLOR.get(item.get("tone") or "flat", TONE_COLOR["flat"])
            canvas.draw.rounded_rectangle((x, top, x + width, bottom), 18, fill="#ffffff",
                                          outline="#e3e6ea", width=2)
            canvas.draw.rounded_rectangle((x, top, x + 12, bottom), 6, fill=tone)
            canvas.y = top + 24
            _card_text(canvas, item, x, width, tx)
        canvas.y = bottom + GAP


def top_findings(payload: dict[str, Any], n: int = 3) -> list[str]:
    """The findings the poster lists: the week's alerts (targets missed, at risk), then the
    report's findings after the verdict; at most `n`."""
    summary = payload.get("summary") or {}
    texts = [str(a.get("text")) for a in summary.get("alerts") or [] if a.get("text")]
    texts += [str(f) for f in (summary.get("findings") or [])[1:] if f]
    return list(dict.fromkeys(texts))[:n]


def poster(payload_json: str, language: str) -> bytes:
    """The PNG of a week from the text of its weekly_summary.json, in `language`."""
    payload = json.loads(payload_json)
    tx = Text(language)
    summary = payload.get("summary") or {}
    canvas = _Canvas()
    canvas.draw.rectangle((0, 0, WIDTH, 14), fill=PALETTE[0])
    period = Period.parse(payload["period"])
    canvas.text(tx("title_weekly_summary"), 44, INK, True)
    canvas.text(fmt.week_title(period, language), 30, MUTED)
    canvas.y += 16
    verdict = summary.get("top_finding") or tx("ix_verdict_missing")
    top = canvas.y
    canvas.y += 24
    canvas.text(verdict, 38, INK, True, x=MARGIN + 36, width=WIDTH - 2 * MARGIN - 60)
    canvas.draw.rectangle((MARGIN, top, MARGIN + 8, canvas.y + 8), fill=PALETTE[0])
    canvas.y += 36
    _cards(canvas, list((payload.get("metrics") or {}).get("kpi_status") or []), tx)
    findings = top_findings(payload)
    if findings:
        canvas.text(tx("ws_top_findings"), 34, INK, True)
        canvas.y += 8
        for i, text in enumerate(findings, 1):
            canvas.text(f"{i}. {text}", 30, INK, spacing=1.5)
            canvas.y += 12
    canvas.y += 12
    canvas.text(f"{tx('data_source')}: {payload.get('data_source', '')}", 24, MUTED)
    return canvas.png()


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename: a reader never sees half a PNG."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_poster(rep: Any) -> Path | None:
    """Draw weekly_summary.png next to the report from the JSON `rep.footer()` just wrote (run
    by the suite only: opened by hand, a report writes no files)."""
    if rep.output_dir is None:
        return None
    source = Path(rep.output_dir) / f"{rep.notebook}.json"
    if not source.is_file():
        return None
    path = Path(rep.output_dir) / FILE
    write_bytes_atomic(path, poster(source.read_text(encoding="utf-8"), rep.lang))
    return path
