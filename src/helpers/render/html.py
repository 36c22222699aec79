"""Executed notebook -> self-contained HTML for managers: no code, no parameters, no CDN.

nbconvert's stock HTML templates load require.js, MathJax and Mermaid from CDNs; the `wxreport`
template drops those loaders and inlines the house stylesheet. Charts are inline SVG with their
text as text (`render.charts`), set in the embedded fonts (WOFF2 subsets of the bundled font). The
page gets its navigation (top bar, contents, back to top: `fill_toc`). After rendering,
`external_references` re-checks the page so that nothing fetched from a host slips in.
"""

from __future__ import annotations

import base64
import copy
import html
import io
import re
from collections.abc import Sequence
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from fontTools import subset
from fontTools.ttLib import TTFont

from helpers.render.escape import escape
from helpers.render.style import cjk_font_path
from helpers.render.text import text

if TYPE_CHECKING:  # nbformat and nbconvert take seconds to import: only the runner's render needs them
    import nbformat

TEMPLATES = Path(str(files("helpers.render") / "templates"))
HIDDEN_TAGS = {"parameters", "injected-parameters", "remove"}
TOC_SLOT = '<nav class="wx-toc"></nav>'
EMBEDDED_FONT = "WX CJK"
NBCONVERT_ALT = "No description has been provided for this image"
CHART_FONT = "WX Chart"  # the same font's Latin letters and digits, for chart text (render.charts)
_SLOT = re.compile(r'<nav class="wx-toc"(?: data-notebook="([^"]*)")?></nav>')
_SVG_TEXT = re.compile(r"<text\b[^>]*>([^<]*)</text>")
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


def render(nb: nbformat.NotebookNode, title: str, language: str, reports: Sequence[tuple[str, str]] = ()
           ) -> str:
    """The report page of an executed notebook; `reports` are the suite's (notebook, title) in
    suite order, for the page's navigation (the runner knows the suite; this layer does not)."""
    nb = for_managers(nb)
    nb.metadata["title"] = title
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="wxreport",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.language_code = HTML_LANG[language]
    body, _ = exporter.from_notebook_node(nb, resources={"wxreport_css": stylesheet()})
    # The header cell's copy of the stylesheet (for JupyterLab) is already in the page's head.
    body = body.replace(f"<style>{stylesheet()}</style>", "", 1)
    # A figure displayed without `rep.chart` has no alt text: never nbconvert's English default.
    body = body.replace(f'alt="{NBCONVERT_ALT}"', f'alt="{escape(text("chart_no_alt", language))}"')
    body = embed_cjk_font(fill_toc(body, language, reports))
    problems = external_references(body)
    if problems:
        raise ValueError("report would load external resources: " + "; ".join(problems[:5]))
    return body


def embed_cjk_font(page: str) -> str:
    """Inline the CJK font, cut down to the CJK characters the page uses (tens of KB): Chinese
    text never shows as boxes, even on a machine without Chinese fonts. The font holds only
    characters above U+2000, so Latin text keeps the reader's system font."""
    chars = "".join(sorted({c for c in page if ord(c) > 0x2000}))
    # Chart text is laid out by matplotlib with the bundled font's Latin letters and digits: the
    # charts get those too ("WX Chart", only the characters their text uses), so labels fit.
    chart_chars = "".join(sorted({c for t in _SVG_TEXT.findall(page) for c in html.unescape(t)
                                  if ord(c) <= 0x2000 and not c.isspace()}))
    faces = "".join(_font_face(name, text) for name, text in ((EMBEDDED_FONT, chars), (CHART_FONT, chart_chars))
                    if text)
    if not faces:
        return page
    return re.sub(r"(<head[^>]*>)", lambda m: m.group(1) + f"<style>{faces}</style>", page, count=1)


def font_subset(text: str) -> bytes:
    """The bundled regular font cut down to the characters of `text`, as WOFF2 (a fifth of the
    OpenType size: the week's pages each carry their own copy)."""
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.flavor = "woff2"
    font = TTFont(cjk_font_path(), lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    font.flavor = "woff2"
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _font_face(name: str, text: str) -> str:
    data = base64.b64encode(font_subset(text)).decode("ascii")
    return (f'@font-face {{ font-family: "{name}"; src: url(data:font/woff2;base64,{data}) format("woff2"); '
            f"font-display: block; }}")


def toc_slot(notebook: str) -> str:
    """Where `fill_toc` puts the page's navigation (`rep.header` displays it), naming the report."""
    return f'<nav class="wx-toc" data-notebook="{escape(notebook)}"></nav>'


def fill_toc(page: str, language: str, reports: Sequence[tuple[str, str]] = ()) -> str:
    """The page's navigation, reachable from anywhere on it (issue 14), in plain HTML (no script):
    a bar fixed at the top with a link back to the week's index and one to the contents; the
    contents (the page's sections, its h2s, and the reports of the suite) where the header's slot
    was; a back-to-top link at the end. A page without the slot is left as it is."""
    slot = _SLOT.search(page)
    if slot is None:
        return page
    entries = [(anchor, escape(html.unescape(_TAG.sub("", inner)).replace("¶", "").strip()))
               for anchor, inner in _H2.findall(page)]
    page = page[:slot.start()] + contents(slot.group(1) or "", entries, reports, language) + page[slot.end():]
    page = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + top_bar(language), page, count=1)
    top = f'<p class="wx-back"><a href="#top">↑ {escape(text("nav_back_to_top", language))}</a></p>'
    return page.replace("</main>", top + "</main>", 1)


def top_bar(language: str) -> str:
    """The bar fixed at the top of a report: back to index.html (the week's landing page, in the
    same folder) and to the contents. Links only: a menu that opens over the page would stay open
    over the section just jumped to without a script."""
    return (f'<header class="wx-bar" id="top"><a class="wx-home" href="index.html">'
            f'← {escape(text("nav_index", language))}</a>'
            f'<a class="wx-menu" href="#contents">{escape(text("nav_menu", language))} ↑</a></header>')


def contents(notebook: str, sections: list[tuple[str, str]], reports: Sequence[tuple[str, str]],
             language: str) -> str:
    """The contents under a report's title: its sections (escaped text) and the suite's reports
    (notebook, title) in suite order, this one marked."""
    current = ' aria-current="page"'
    links = "".join(f'<li><a href="{escape(name)}.html"{current if name == notebook else ""}>'
                    f"{escape(title)}</a></li>" for name, title in reports)
    items = "".join(f'<li><a href="#{anchor}">{label}</a></li>' for anchor, label in sections)
    listed = f'<strong>{escape(text("contents", language))}</strong><ol>{items}</ol>' if items else ""
    # Folded (one line) so that the first screen of a phone shows the findings and KPI cards; in
    # the page's flow, so an open menu never covers what a link jumps to. Following the top bar's
    # link to #contents unfolds it (browsers reveal a fragment's closed <details> ancestor).
    others = (f'<strong>{escape(text("nav_reports", language))}</strong><ul class="wx-reports">{links}</ul>'
              if links else "")
    summary = escape(text("contents", language)) + (f' · {escape(text("nav_reports", language))}' if links else "")
    return (f'<details class="wx-contents"><summary>{summary}</summary>'
            f'<nav id="contents" class="wx-toc">{listed}{others}</nav></details>')


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
