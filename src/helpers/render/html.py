"""Executed notebook -> self-contained HTML for managers: no code, no parameters, no CDN.

nbconvert's stock HTML templates load require.js, MathJax and Mermaid from CDNs; the `wxreport`
template drops those loaders and inlines the house stylesheet. Charts are inline PNGs. After
rendering, `external_references` re-checks the page so that nothing fetched from a host slips in.
"""

from __future__ import annotations

import base64
import copy
import html
import io
import re
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path

import nbformat
from fontTools import subset
from fontTools.ttLib import TTFont
from nbconvert import HTMLExporter

from helpers.render.escape import escape
from helpers.render.style import cjk_font_path
from helpers.render.text import text

TEMPLATES = Path(str(files("helpers.render") / "templates"))
HIDDEN_TAGS = {"parameters", "injected-parameters", "remove"}
TOC_SLOT = '<nav class="wx-toc"></nav>'
EMBEDDED_FONT = "WX CJK"
HTML_LANG = {"zh": "zh-CN", "en": "en"}  # the pages' lang attribute per report language
_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)
_TAG = re.compile(r"<[^>]+>")
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.I)
_RESOURCE_ATTRS = {"src", "href", "data", "poster", "srcset", "xlink:href"}


def stylesheet() -> str:
    return (files("helpers.render") / "report.css").read_text(encoding="utf-8")


def for_managers(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Only what the code displayed: no Markdown/raw cells (analysts' notes; report prose is
    generated in the report language), no parameter cells, no stderr, no bare reprs."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        cell.outputs = [
            o for o in cell.outputs
            if not (o.output_type == "stream" and o.get("name") == "stderr")
            and not (o.output_type == "execute_result" and set(o.get("data", {})) == {"text/plain"})
        ]
        cells.append(cell)
    nb.cells = cells
    return nb


def render(nb: nbformat.NotebookNode, title: str, language: str) -> str:
    """The report page of an executed notebook."""
    nb = for_managers(nb)
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name="wxreport",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.language_code = HTML_LANG[language]
    body, _ = exporter.from_notebook_node(nb, resources={"wxreport_css": stylesheet()})
    body = embed_cjk_font(fill_toc(body, language))
    problems = external_references(body)
    if problems:
        raise ValueError("report would load external resources: " + "; ".join(problems[:5]))
    return body


def embed_cjk_font(page: str) -> str:
    """Inline the CJK font, cut down to the CJK characters the page uses (tens of KB): Chinese
    text never shows as boxes, even on a machine without Chinese fonts. The font holds only
    characters above U+2000, so Latin text keeps the reader's system font."""
    chars = "".join(sorted({c for c in page if ord(c) > 0x2000}))
    if not chars:
        return page
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(cjk_font_path(), lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    face = (f'<style>@font-face {{ font-family: "{EMBEDDED_FONT}"; '
            f'src: url(data:font/otf;base64,{data}) format("opentype"); font-display: block; }}</style>')
    return re.sub(r"(<head[^>]*>)", lambda m: m.group(1) + face, page, count=1)


def fill_toc(page: str, language: str) -> str:
    """Put a table of contents of the page's h2 sections into the header's TOC slot."""
    entries = [(anchor, escape(html.unescape(_TAG.sub("", inner)).replace("¶", "").strip()))
               for anchor, inner in _H2.findall(page)]
    if not entries or TOC_SLOT not in page:
        return page
    items = "".join(f'<li><a href="#{anchor}">{text}</a></li>' for anchor, text in entries)
    nav = f'<nav class="wx-toc"><strong>{text("contents", language)}</strong><ol>{items}</ol></nav>'
    return page.replace(TOC_SLOT, nav, 1)


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self.found += [(tag, u) for u in _css_urls(value)]
            elif name in _RESOURCE_ATTRS and not (tag == "a" and name == "href"):
                urls = [part.strip().split(" ")[0] for part in value.split(",")] \
                    if name == "srcset" else [value]
                self.found += [(tag, u) for u in urls]

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += [("style", u) for u in _css_urls(data)]


def _css_urls(css: str) -> list[str]:
    return [a or b for a, b in _CSS_URL.findall(css)]


def external_references(page: str) -> list[str]:
    """Resources (scripts, styles, fonts, images, frames) the page would fetch: each a problem.

    Only inline `data:` URIs and in-page `#anchors` are allowed; links between reports (<a href>)
    are navigation, not resources.
    """
    parser = _References()
    parser.feed(page)
    return [f"<{tag}> {url[:80]}" for tag, url in parser.found
            if not (url.startswith("data:") or url.startswith("#"))]
