"""The browser checks as pure functions of what `browser.probe.PROBE` measured on a page: each returns
the problems found (empty = passes), worded so that a failure says what to fix."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

DEFAULT_ALT = "No description has been provided for this image"  # nbconvert's placeholder
LOCAL_SCHEMES = {"file", "data", "blob", "about"}
ICON_PX = 48  # images smaller than this both ways are icons: no chart text to read
MIN_TEXT_PX = {"phone": 10.0, "desktop": 12.0}
CJK = re.compile(r"[\u3400-\u9fff]")
TOLERANCE = 0.05  # px: rounding of fractional sizes


def overflow(m: dict[str, Any], width: int) -> list[str]:
    """No horizontal page scroll. The layout viewport (clientWidth) is measured, not innerWidth: a
    mobile browser zooms out to fit an overflowing page, and innerWidth grows with it."""
    problems = []
    vp = m["viewport"]
    if vp["client_width"] != width:
        problems.append(f"the layout viewport is {vp['client_width']} px wide, not {width}: is "
                        '<meta name="viewport" content="width=device-width, initial-scale=1"> missing?')
    if m["scroll_width"] > vp["client_width"]:
        sticking = "; ".join(f"{w['label']} (to {w['right']} px)" for w in m["wide"]) or "?"
        problems.append(f"the page is {m['scroll_width']} px wide on a {vp['client_width']} px screen "
                        f"(innerWidth {vp['inner_width']}); sticking out: {sticking}")
    return problems


def network(m: dict[str, Any], root: str) -> list[str]:
    """Nothing fetched from a network, and no local file outside the run's out folder `root` (a
    forwarded page must carry what it shows)."""
    problems = []
    for url in m["requests"]:
        parsed = urlparse(url)
        if parsed.scheme not in LOCAL_SCHEMES:
            problems.append(f"requested {url[:120]}")
        elif parsed.scheme == "file" and not _inside(unquote(parsed.path), root):
            problems.append(f"read a file outside the out folder: {unquote(parsed.path)}")
    return problems


def _inside(path: str, root: str) -> bool:
    return PurePosixPath(path).is_relative_to(PurePosixPath(root))


def script_errors(m: dict[str, Any]) -> list[str]:
    return [f"script error: {e[:200]}" for e in m["exceptions"]]


def fonts(m: dict[str, Any]) -> list[str]:
    """The page declares its own (embedded) fonts and every one of them loads."""
    if not m["fonts"]:
        return ["the page declares no font of its own (@font-face): the embedded font is missing"]
    return [f"font {f['family']} ({f['weight']} {f['style']}) did not load: {f['status']}"
            for f in m["fonts"] if f["status"] != "loaded"]


def alt_texts(m: dict[str, Any]) -> list[str]:
    """Every image says what it shows, in the page's language; decorative ones are marked so."""
    problems = []
    chinese = m["lang"].lower().startswith("zh")
    for img in m["images"]:
        if img["aria_hidden"] or img["role"] in ("presentation", "none"):
            continue
        if img["kind"] == "img":
            text = (img["alt"] or "").strip()
            where = "alt"
        else:
            if img["role"] != "img":
                problems.append(f"{img['label']}: an inline {img['kind']} needs role=\"img\" (or aria-hidden)")
            text = (img["aria_label"] or img["title"] or "").strip()
            where = "aria-label or <title>"
        if not text:
            problems.append(f"{img['label']}: no {where}")
        elif DEFAULT_ALT.lower() in text.lower():
            problems.append(f"{img['label']}: the placeholder alt text {DEFAULT_ALT!r}")
        elif chinese and not CJK.search(text):
            problems.append(f"{img['label']}: {where} {text[:60]!r} is not in the report's language (zh)")
    return problems


def images_load(m: dict[str, Any]) -> list[str]:
    return [f"{img['label']}: the image did not load" for img in m["images"] if not img["loaded"]]


def chart_text(m: dict[str, Any], screen: str) -> list[str]:
    """The smallest text of every chart shown on the page, in CSS px, at least MIN_TEXT_PX[screen].
    A chart whose text cannot be measured (an <img> without data-wx-min-text-px, an SVG whose
    text is drawn as paths) fails too: the size has to be known to be checked."""
    least = MIN_TEXT_PX[screen]
    problems = []
    for img in m["images"]:
        if not img["shown"] or img["aria_hidden"] or (img["width"] < ICON_PX and img["height"] < ICON_PX):
            continue
        if img["kind"] == "canvas":
            problems.append(f"{img['label']}: a canvas chart's text cannot be measured")
        elif not img["measured"]:
            why = ("no data-wx-min-text-px on the <img>" if img["kind"] == "img"
                   else "no <text> in the SVG (text drawn as paths? use svg.fonttype 'none')")
            problems.append(f"{img['label']}: chart text cannot be measured: {why}")
        elif img["min_text_px"] < least - TOLERANCE:
            sample = f" (e.g. {img['text_sample']!r})" if img.get("text_sample") else ""
            problems.append(f"{img['label']}: text {img['min_text_px']:.1f} px{sample}, "
                            f"under {least:g} px on the {screen}, shown {img['width']:.0f} px wide")
    return problems


def first_screen(m: dict[str, Any], height: int, width: int) -> list[str]:
    """The verdict (.wx-verdict) and every headline KPI card (.wx-card in the first .wx-cards) are
    wholly on the first screen."""
    problems = []
    shown = m["first_screen"]
    verdict, cards = shown["verdict"], shown["cards"]
    if verdict is None:
        problems.append("no verdict (.wx-verdict or .wx-ix-verdict) on the page")
    elif not _on_screen(verdict, height, width):
        problems.append(f"the verdict {verdict['label']} is not wholly on the first screen "
                        f"({verdict['top']:.0f}-{verdict['bottom']:.0f} px of {height})")
    if not cards:
        problems.append("no headline KPI cards (.wx-cards .wx-card) on the page")
    for card in cards or []:
        if not _on_screen(card, height, width):
            problems.append(f"the KPI card {card['label']} is not wholly on the first screen "
                            f"({card['top']:.0f}-{card['bottom']:.0f} px of {height}, "
                            f"{card['left']:.0f}-{card['right']:.0f} px of {width})")
    return problems


def _on_screen(item: dict[str, Any], height: int, width: int) -> bool:
    return (item["shown"] and item["top"] >= -TOLERANCE and item["bottom"] <= height + TOLERANCE
            and item["left"] >= -TOLERANCE and item["right"] <= width + TOLERANCE)


def links_to(m: dict[str, Any], targets: dict[str, str]) -> list[str]:
    """Each of `targets` (what -> absolute file path) is linked from the page."""
    linked = {unquote(urlparse(link["href"]).path) for link in m["links"]
              if urlparse(link["href"]).scheme == "file"}
    return [f"no link to {what} ({path})" for what, path in targets.items() if path not in linked]


def navigation(m: dict[str, Any]) -> list[str]:
    """From the end of a long report the reader gets back: a pinned (fixed or sticky) link to the
    index and to a contents menu (a <summary> that opens one, or a link to the block of contents
    links) are on screen there, and a link goes back to the top."""
    nav = m["navigation"]
    problems = []
    if not nav["index_at_end"]:
        problems.append("at the end of the page no pinned link to index.html is on screen")
    if not nav["menu_at_end"]:
        problems.append("at the end of the page no pinned way to the contents (a <summary> or a link to them) "
                        "is on screen")
    if not nav["back_to_top"]:
        problems.append("no back-to-top link (href=\"#top\" or to an element at the top)")
    return problems
