"""Small cells reveal nothing, in any output: the tiny sample with a handful of planted users who
form a cell of their own in every breakdown that exists (channel, province, city, the article they
read and bought from, the funnel, the order channel, the referrer who invited them), run through the
whole suite. The run is test_hostile_text's (`e2e.planted`: the other users' text carries the hostile
payload, the planted cell's labels stay plain), since each suite run costs about 40 s.

The planted users (PROBES of them, fewer than `min_cell_size`) are the only ones with these labels,
and they pay an amount no one else pays, so any statistic of their cell is recognisable:
- no sentence (paragraph, list item, finding, note) names a planted label, or ties the planted
  article to buying, and no table row of the article shows the planted users' count;
- a table row that names a planted label shows no figure but the suppression mark "<k";
- no JSON or CSV holds a planted label, and no output holds the planted amount, its sums over the
  planted users or their mean in any of the ways the reports write money;
- the referrer who did not consent is never listed, not even by pseudonym.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from e2e.baseline import visible_text
from e2e.planted import AMOUNT, LABELS, PROBES, REFERRER, TITLE, K, dataset
from helpers.core.warehouse import Warehouse, build_warehouse

BUYING_WORDS = ("成交额", "订单", "下单", "GMV", "order", "buyer")


def _money(value: float) -> list[str]:
    """The ways a report writes an amount: plain, grouped, rounded, in 万."""
    return [f"{value:.2f}", f"{value:,.2f}", f"{value:,.0f}", f"{value:.0f}", f"{value:.1f}",
            f"{value / 1e4:.2f}万", f"{value / 1e4:.1f}万", f"{value / 1e3:.1f}k", f"{value / 1e3:.2f}k"]


AMOUNTS = [s for n in range(1, PROBES + 1) for s in _money(AMOUNT * n)]
_NUMBER = re.compile("|".join(rf"(?<![\d.,]){re.escape(s)}(?![\d])" for s in AMOUNTS))


class _Blocks(HTMLParser):
    """Table rows (their cells' text) and prose blocks (p, li, figcaption) of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.prose: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._prose: list[str] | None = None
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._hidden += tag in ("style", "script", "head")
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag in ("p", "li", "figcaption", "summary") and self._row is None:
            self._prose = []

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("style", "script", "head")
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag in ("p", "li", "figcaption", "summary") and self._prose is not None:
            self.prose.append(" ".join(self._prose))
            self._prose = None

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._prose is not None:
            self._prose.append(data)


def test_the_planted_users_are_a_cell_of_their_own(tiny_data, tmp_path):
    dataset(tiny_data, tmp_path / "shop")
    users = pd.read_parquet(tmp_path / "shop" / "users.parquet")
    assert (users["channel"] == "probe_channel").sum() == PROBES < K
    assert (users["referrer_id"] == REFERRER).sum() == PROBES
    assert not users.loc[users["user_id"] == REFERRER, "consent"].iloc[0]
    orders = pd.read_parquet(tmp_path / "shop" / "orders.parquet")
    assert (orders["amount"] >= AMOUNT).sum() == PROBES
    wh = Warehouse(build_warehouse(tmp_path / "shop"))
    assert wh.scalar("SELECT COUNT(*) FROM users WHERE city = '探针市'") == PROBES
    wh.close()


def test_the_amount_patterns_catch_what_reports_write():
    for shown in ("¥9,876.54", "¥2.96万", "合计 19753.08", "¥29,630"):
        assert _NUMBER.search(shown), shown
    for other in ("¥19,876.54", "0.9876", "98765"):
        assert not _NUMBER.search(other), other


@pytest.mark.slow
def test_no_page_reveals_the_small_cell(planted_run):
    week, alias = planted_run
    problems = []
    for page in sorted(week.glob("*.html")):
        parser = _Blocks()
        parser.feed(page.read_text(encoding="utf-8"))
        for text in parser.prose:
            problems += [f"{page.name}: sentence names {label!r}: {text[:160]!r}" for label in (*LABELS, alias)
                         if label in text]
        problems += [f"{page.name}: sentence ties {TITLE!r} to buying: {text[:160]!r}" for text in parser.prose
                     if TITLE in text and any(w in text for w in BUYING_WORDS)]
        problems += [f"{page.name}: row {row}" for row in parser.rows
                     if any(TITLE in c for c in row) and str(PROBES) in row]
        for row in parser.rows:
            if any(label in " ".join(row) for label in (*LABELS, alias)):
                figures = [c for c in row if re.search(r"\d", c) and not any(lab in c for lab in LABELS)
                           and c.strip() != f"<{K}"]
                if figures or alias in " ".join(row):
                    problems.append(f"{page.name}: row {row}")
        found = _NUMBER.findall(visible_text(page.read_text(encoding="utf-8")))  # not inside images' base64
        problems += [f"{page.name}: planted amount shown as {f!r}" for f in found]
    assert problems == []


@pytest.mark.slow
def test_no_json_or_csv_reveals_the_small_cell(planted_run):
    week, alias = planted_run
    problems = []
    for path in [*sorted(week.glob("*.json")), *sorted(week.glob("*.csv"))]:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            text = json.dumps(json.loads(text), ensure_ascii=False)
        problems += [f"{path.name}: names {label!r}" for label in (*LABELS, alias) if label in text]
        problems += [f"{path.name}: planted amount as {f!r}" for f in _NUMBER.findall(text)]
    assert not list(week.glob("*.failed.ipynb"))
    assert problems == []
