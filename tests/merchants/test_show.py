"""The merchant report's sections in this process (`show.*` on a Report whose display is captured),
in both languages, on the hand-made shop with and without its merchants table, and without
orders.merchant_id: what is shown, what is hidden, what is escaped, and what is said instead."""

from __future__ import annotations

import html
import json
import re

import matplotlib
import matplotlib.pyplot as plt
import pytest

import helpers.render.report as report_module
from helpers.merchants import show
from helpers.merchants.data import load
from helpers.merchants.headline import DEFINITIONS, headline
from helpers.merchants.params import MerchantPerformanceParams
from helpers.render import style
from helpers.render.report import Report
from merchants.canonical import CHAIN, K, canonical
from merchants.shop import W47

matplotlib.use("Agg")
MISSING_WORDS = re.compile(r"\b(nan|NaN|None|NaT|inf)\b|<NA>")


def render(wh, tmp_path, monkeypatch, **params):
    """Every section of the report on `wh`: (visible text, raw HTML, published JSON)."""
    style.apply()
    shown: list[str] = []
    monkeypatch.setattr(report_module, "display", lambda obj: shown.append(getattr(obj, "data", "")))
    values = MerchantPerformanceParams(min_cell_size=K, **params)
    rep = Report("merchant_performance", values, W47, wh, tmp_path, "title_merchant_performance")
    try:
        rep.header()
        data = load(wh, W47, values)
        metrics = rep.publish(headline(data), DEFINITIONS)["metrics"]
        show.glance(rep, data, metrics)
        show.sales(rep, data)
        show.concentration(rep, data, metrics)
        show.lifecycle(rep, data, metrics)
        show.retention(rep, data)
        show.customers(rep, data)
        show.chains(rep, data)
        rep.footer()
    finally:
        plt.close("all")
    page = "\n".join(shown)
    body = page.split('id="notes"')[0]
    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", body, flags=re.S)))
    doc = json.loads((tmp_path / "merchant_performance.json").read_text(encoding="utf-8"))
    return text, page, doc


@pytest.fixture(scope="module")
def chain_wh(tmp_path_factory):
    wh = canonical(CHAIN).warehouse(tmp_path_factory.mktemp("show_chain"))
    yield wh
    wh.close()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_section_on_the_shop_with_its_merchants_table(chain_wh, tmp_path, monkeypatch, language):
    text, page, doc = render(chain_wh, tmp_path, monkeypatch, language=language, show_merchant_names=True)
    assert doc["summary"]["sections_skipped"] == []
    assert len(doc["summary"]["findings"]) == 7
    assert not MISSING_WORDS.findall(text)
    assert f"<{K}" in text  # B and J are hidden in the sales table
    # names shown with show_merchant_names, escaped as data text; never in the JSON
    assert "A · Ann&#39;s &lt;b&gt;shop&lt;/b&gt;" in page
    assert "<b>shop</b>" not in page
    assert "Ann" not in json.dumps(doc)
    # the hidden merchants' figures appear nowhere: B sold ¥100 to 2 buyers, J ¥100 to 5
    assert doc["metrics"]["merchants"][2] == {"id": "B", "gmv": None, "orders": None, "buyers": None,
                                              "status": "new"}
    assert 'aria-label' in page and "<svg" in page


def test_names_stay_out_without_the_parameter(chain_wh, tmp_path, monkeypatch):
    text, page, _ = render(chain_wh, tmp_path, monkeypatch, language="en")
    assert "Ann" not in page and "H &amp; co" not in page
    assert "Distributor" in text or "distributor" in text  # kinds still shown


def test_ids_only_without_a_merchants_table(tmp_path, monkeypatch):
    wh = canonical().warehouse(tmp_path / "ids")
    try:
        text, _, doc = render(wh, tmp_path, monkeypatch, language="en")
    finally:
        wh.close()
    reasons = [s["reason"] for s in doc["summary"]["sections_skipped"]]
    assert len(reasons) == 1 and "parent_id" in reasons[0]
    assert doc["metrics"]["merchant_gmv"] == 1000.0 and doc["metrics"]["gini"] == pytest.approx(0.35)
    assert not MISSING_WORDS.findall(text)


def test_without_merchant_ids_every_section_says_what_it_needs(tmp_path, monkeypatch):
    wh = canonical().warehouse(tmp_path / "no_id", with_merchant_id=False)
    try:
        _, _, doc = render(wh, tmp_path, monkeypatch, language="en")
    finally:
        wh.close()
    reasons = [s["reason"] for s in doc["summary"]["sections_skipped"]]
    assert len(reasons) == 7 and all("orders.merchant_id" in r for r in reasons)
    assert doc["summary"]["verdict"] == "incomplete"
    assert all(v is None for k, v in doc["metrics"].items() if k != "merchants") and doc["metrics"]["merchants"] == []
