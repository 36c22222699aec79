"""Data text is never interpreted: every text path of a report page goes through `render.escape`,
charts draw `$` as a character, and CSV outputs cannot be read as spreadsheet formulas.

`PAYLOAD` and `active_content` are shared with the end-to-end hostile-payload test
(tests/e2e/test_hostile_text.py)."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from helpers.core.periods import Period
from helpers.render import escape as esc
from helpers.render import html as report_html
from helpers.render import index, report, style, tables
from helpers.render.outputs import csv_text, neutralise
from helpers.render.text import Text

ROOT = Path(__file__).resolve().parents[2]
PIECES = ('<script>alert("CAB")</script>', "<img src=x onerror=alert(1)>", "<svg onload=alert(2)>",
          '<a href="javascript:alert(4)">a</a>', "直播 $_$", "满$100减$20", "![x](http://evil.example/x.png)",
          "**bold**", '=HYPERLINK("http://evil.example")', "@cmd", "{{7*7}}")
PAYLOAD = " ".join(PIECES)


class _Active(HTMLParser):
    """Elements and attributes of a page that could run code or fetch something. The one SVG
    allowed is a house chart: `<svg role="img">` directly inside `<figure class="wx-chart">`
    (matplotlib's output, text escaped by it); its attributes are checked like any other."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._chart_figure = False  # the last element opened is a chart's <figure>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        chart = tag == "svg" and self._chart_figure and ("role", "img") in attrs
        self._chart_figure = tag == "figure" and "wx-chart" in (dict(attrs).get("class") or "").split()
        if tag in ("script", "svg", "iframe", "object", "embed", "form", "base", "math") and not chart:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value \
                    and re.sub(r"\s", "", value).lower().startswith(("javascript:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value[:40]}>")
            if tag == "img" and name == "src" and value and not value.startswith("data:image/png;"):
                self.found.append(f"<img src={value[:40]}>")


def active_content(page: str) -> list[str]:
    """Scripts, event handlers, javascript: URLs, SVG other than the house charts, images other
    than PNG data."""
    parser = _Active()
    parser.feed(page)
    parser.close()
    return parser.found


def _text_of(fragment: str) -> str:
    parser = HTMLParser(convert_charrefs=True)
    chunks: list[str] = []
    parser.handle_data = chunks.append
    parser.feed(fragment)
    parser.close()
    return "".join(chunks)


def test_the_checker_finds_each_active_piece_when_unescaped():
    found = active_content("".join(PIECES) + '<img src="data:image/png;base64,AA">')
    assert found == ["<script>", "<img src=x>", "<img onerror>", "<svg>", "<svg onload>",
                     "<a href=javascript:alert(4)>"]


def test_markdown_output_would_let_the_payload_run():
    """Why nothing is displayed as Markdown: nbconvert passes HTML in Markdown through (issue 10)."""
    nb = new_notebook()
    nb.cells = [new_code_cell("rep.subsection(name)")]
    nb.cells[0].outputs = [new_output("display_data", data={"text/markdown": "### " + " ".join(
        p for p in PIECES if "img" not in p and "png" not in p), "text/plain": "md"})]
    assert active_content(report_html.render(nb, "t", "zh")) == [
        "<script>", "<svg>", "<svg onload>", "<a href=javascript:alert(4)>"]


def test_the_escaping_point_shows_text_as_typed():
    html = esc.element("p", PAYLOAD, "wx-note")
    assert active_content(html) == [] and "<img" not in html and "<a " not in html
    assert _text_of(html) == PAYLOAD
    assert esc.escape('"><x') == "&quot;&gt;&lt;x"
    assert esc.phrase([esc.Strong("<b>"), " & ", esc.Code("`x`")]) == \
        "<strong>&lt;b&gt;</strong> &amp; <code>`x`</code>"
    listing = esc.bullet_list([PAYLOAD, [esc.Strong(PAYLOAD), ": x"]], "wx-note")
    assert active_content(listing) == [] and listing.count("<li>") == 2
    head = esc.heading(3, PAYLOAD, "notes-1")
    assert head.startswith('<h3 id="notes-1">') and _text_of(head) == PAYLOAD + "¶"


def test_runs_keep_emphasis_of_placeholders_only():
    tx = Text("zh")
    got = esc.runs(tx, "ce_scorecard_note", name=esc.Strong(PAYLOAD + "\x00"), text="**x** $y$")
    assert got == [esc.Strong(PAYLOAD + "\x00"), "：**x** $y$"]
    got = esc.runs(Text("en"), "fc_no_targets_analyst", example=esc.Code("{daily_gmv: 150000}"))
    assert got == ["To set weekly targets, add targets to params/forecasting.yaml, e.g. ",
                   esc.Code("{daily_gmv: 150000}"), "."]
    assert esc.runs(tx, "ce_days_total", days=3) == [tx("ce_days_total", days=3)]


def test_every_report_text_method_escapes(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(report, "display", lambda obj: shown.append(obj.data))
    rep = report.Report("campaign_evaluation", SimpleNamespace(language="zh", min_cell_size=10), None, None)
    rep.section("notes")
    rep.subsection(PAYLOAD)
    rep.paragraph(PAYLOAD)
    rep.bullets([[esc.Strong(PAYLOAD), PAYLOAD]])
    rep.finding(PAYLOAD)
    rep.note(PAYLOAD)
    rep.caveat_text(PAYLOAD)
    rep.alarm(PAYLOAD)
    rep.say("ce_scorecard_note", name=esc.Strong(PAYLOAD), text=PAYLOAD)
    page = "".join(shown)
    assert active_content(page) == []
    assert page.count("&lt;script&gt;") == 10  # every payload shown, as text
    assert '<h2 id="notes">' in page and '<h3 id="notes-1">' in page
    assert report_html.external_references(page) == []


def test_table_cells_headers_and_index_labels_are_escaped():
    frame = pd.DataFrame({PAYLOAD: [PAYLOAD, 1.5]}, index=pd.Index([PAYLOAD, "b"], name=PAYLOAD))
    for with_index in (False, True):
        page = tables.styled(frame, {}, Text("en"), index=with_index).to_html()
        assert active_content(page) == [] and report_html.external_references(page) == []
        assert page.count("&lt;script&gt;") == (4 if with_index else 2)


def test_index_page_escapes_titles_errors_and_the_source():
    entry = index.IndexEntry(PAYLOAD, PAYLOAD, "failed", error=PAYLOAD, report=f"{PAYLOAD}.html",
                             failed_notebook=PAYLOAD)
    source = "/srv/data/<script>alert(1)<\\script>"  # the page shows the folder's name only
    page = index.render_index(Period.parse("2026-W47"), source, pd.Timestamp("2026-11-23").to_pydatetime(),
                              [entry], "zh")
    # 4 texts (alert line, title, error, source name), 3 link targets (report, last good, failed)
    assert active_content(page) == [] and page.count("&lt;script&gt;") == 7
    assert "/srv/data" not in page


@pytest.mark.filterwarnings("ignore:Tight layout")
@pytest.mark.parametrize("text", [PAYLOAD, "直播 $_$", "满$100减$20", r"$\frac{1}{0}$", "$x^2$ 满减"])
def test_chart_text_is_drawn_as_typed(text):
    style.apply()
    fig, ax = plt.subplots()
    ax.plot([1, 2], [1, 2], label=text)
    ax.set_title(text)
    ax.set_xlabel(text)
    ax.set_xticks([1, 2], [text, "b"])
    ax.annotate(text, (1, 1))
    legend = ax.legend()
    fig.savefig(io.BytesIO(), format="png")  # draws every text; mathtext would fail or change it
    drawn = [ax.get_title(loc="left"), ax.xaxis.label.get_text(), ax.get_xticklabels()[0].get_text(),
             ax.texts[0].get_text(), legend.get_texts()[0].get_text()]
    assert drawn == [text] * 5
    assert not ax.texts[0]._preprocess_math(text)[1]  # matplotlib's own verdict: not math
    plt.close(fig)


def test_csv_cells_that_spreadsheets_would_run_are_neutralised():
    frame = pd.DataFrame({"metric": ["=HYPERLINK(\"x\")", "+1", "-2", "@cmd", "\tx", "daily_gmv", None],
                          "value": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0],
                          "@head": [1, 2, 3, 4, 5, 6, 7]})
    text = csv_text(frame)
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert list(back.columns) == ["metric", "value", "'@head"]
    assert list(back["metric"]) == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@cmd", "'\tx", "daily_gmv", ""]
    assert list(back["value"]) == [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0]  # numbers stay numbers
    assert neutralise(-1) == -1 and neutralise("a=b") == "a=b"


def _sources() -> list[Path]:
    return [*(ROOT / "src" / "helpers").rglob("*.py"), *(ROOT / "notebooks").glob("*.py")]


def test_nothing_is_displayed_as_markdown():
    users = [p.relative_to(ROOT) for p in _sources()
             if re.search(r"\bMarkdown\s*\(|import[^\n]*\bMarkdown\b", p.read_text(encoding="utf-8"))]
    assert users == []


def test_one_csv_writer():
    writers = [p.relative_to(ROOT) for p in _sources()
               if ".to_csv(" in p.read_text(encoding="utf-8") and "sample" not in p.parts]
    assert writers == [Path("src/helpers/render/outputs.py")]
