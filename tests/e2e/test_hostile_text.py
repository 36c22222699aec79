"""Hostile text in every text column of every table: the whole suite still runs, and no output
channel interprets it (HTML, chart text, JSON, CSV).

The columns come from `core.contract`, so a table or text column added later is planted too. Every
value v of a text column becomes PAYLOAD + v, the same way in every table, so keys stay unique and
references (user_id / referrer_id, campaign_id, article_id, ...) still match. A few columns hold
codes the reports act on; their codes stay, and the payload is planted next to them (see CODES in
`e2e.planted`, which also plants test_privacy's small cell into the same run).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from e2e.planted import hostile_copy
from helpers.core.contract import TABLES, ColumnType
from helpers.render import style
from helpers.render.html import external_references
from helpers.render.outputs import FORMULA_START
from helpers.render.text import Text
from helpers.users import charts as user_charts
from render.test_escape import PAYLOAD, active_content

SUITE = ("weekly_summary", "user_analysis", "content_performance", "campaign_evaluation", "merchant_performance",
         "forecasting")


def test_every_text_column_of_the_contract_is_planted(tiny_data, tmp_path):
    planted = hostile_copy(tiny_data, tmp_path / "shop")
    for name, table in TABLES.items():
        if not (tiny_data / f"{name}.parquet").exists():
            continue
        frame = pd.read_parquet(tmp_path / "shop" / f"{name}.parquet")
        for column in (c.name for c in table.columns if c.type == ColumnType.STRING):
            assert column in planted[name] or column not in frame, (name, column)
            if column in frame and frame[column].notna().any():
                assert frame[column].astype(str).str.startswith(PAYLOAD).any(), (name, column)
        if table.key:
            assert not frame.duplicated(list(table.key)).any(), name
    users = pd.read_parquet(tmp_path / "shop" / "users.parquet")
    referrers = users["referrer_id"].dropna()
    assert len(referrers) and referrers.isin(users["user_id"]).all()


@pytest.fixture(scope="module")
def hostile_run(planted_run) -> Path:
    """One run, in Chinese: data text reaches the page through the same escaping point in either
    language (the English catalog's own text is checked by tests/render/test_catalog.py). It is the
    run test_privacy checks too (e2e.planted: the small cell planted there stays plain text and adds
    no campaign), since each suite run costs about 40 s of the test budget."""
    return planted_run.week


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v or "" for k, v in attrs if tag == "a" and k == "href"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


SHARED = {"index.html", "weekly_summary.png"}  # the landing page and the poster, next to the reports
EARLIER_WEEK = re.compile(r"\.\./\d{4}-W\d{2}/index\.html")


@pytest.mark.slow
def test_html_pages_show_the_payload_as_text_and_run_nothing(hostile_run):
    index = (hostile_run / "index.html").read_text(encoding="utf-8")
    assert index.count('data-status="ok"') == len(SUITE)
    own = {f"{n}.html" for n in SUITE}
    shown = {}
    for path in sorted(hostile_run.glob("*.html")):
        page = path.read_text(encoding="utf-8")
        assert active_content(page) == [], path.name
        assert external_references(page) == [], path.name
        parser = _Page()
        parser.feed(page)
        assert all(h.startswith("#") or h in own | SHARED or EARLIER_WEEK.fullmatch(h)
                   for h in parser.links), (path.name, parser.links)
        shown[path.stem] = "".join(parser.text).count(PAYLOAD)
    # names, titles, channels, provinces, pages, sources and merchant ids are on these pages, as typed
    assert all(shown[n] > 0 for n in ("user_analysis", "content_performance", "campaign_evaluation",
                                      "merchant_performance")), shown


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def _no_nan(constant: str) -> None:
    pytest.fail(f"JSON holds {constant}")


@pytest.mark.slow
def test_json_is_valid_and_holds_data_text_verbatim(hostile_run):
    docs = {n: json.loads((hostile_run / f"{n}.json").read_text(encoding="utf-8"), parse_constant=_no_nan)
            for n in SUITE}
    campaigns = docs["campaign_evaluation"]["metrics"]["campaigns"]
    assert campaigns and all(c["campaign_id"].startswith(PAYLOAD) for c in campaigns)
    assert docs["content_performance"]["metrics"]["best_article_id"].startswith(PAYLOAD)
    merchants = docs["merchant_performance"]["metrics"]["merchants"]
    assert merchants and all(m["id"].startswith(PAYLOAD) for m in merchants)
    assert any(PAYLOAD in s for s in _strings(docs["campaign_evaluation"]["summary"]))


@pytest.mark.slow
def test_csv_outputs_hold_no_formula(hostile_run):
    paths = sorted(hostile_run.glob("*.csv"))
    assert paths
    for path in paths:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        for cell in (c for row in rows for c in row):
            if cell.startswith(FORMULA_START):
                assert math.isfinite(float(cell)), (path.name, cell)  # only numbers may start so


@pytest.mark.filterwarnings("ignore:Tight layout")
@pytest.mark.parametrize("text", [PAYLOAD, "直播 $_$", "满$100减$20"])
def test_report_charts_draw_data_text_as_typed(text):
    style.apply()
    tx = Text("zh")
    fig = user_charts.top_bars(pd.Series({text: 3.0, "b": 1.0}), "new_users", text, tx)
    fig.canvas.draw()
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == text
    assert text in [t.get_text() for t in ax.get_yticklabels()]
    wide = pd.DataFrame({text: [1.0, 2.0], "search": [2.0, 1.0]},
                        index=pd.to_datetime(["2026-11-09", "2026-11-16"]))
    fig = user_charts.new_users_by_channel(wide, tx)
    fig.canvas.draw()
    legends = [*fig.legends, *(a.get_legend() for a in fig.axes if a.get_legend())]  # below the axes
    assert text in [t.get_text() for legend in legends for t in legend.get_texts()]
