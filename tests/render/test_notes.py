"""Issue 14, item 5: the notes stay out of a manager's way. Collapsed by default (a `<details>`
that works without scripts), in the report language (Chinese definitions in the zh report), the
formulas in a nested block, data-quality lines in plain words with counts and no internal names;
and no manager-facing sentence of the catalog shows a server path, parameter syntax or "本期"."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
import yaml

from helpers.core.metrics import METRICS, load_registry
from helpers.render.catalog import LANGUAGES, catalog
from helpers.render.report import ANALYST_SUFFIX, QUALITY_TEXT, definitions_table, notes_html, quality_lines
from helpers.render.text import Text

CJK = re.compile(r"[\u4e00-\u9fff]")
QUALITY = pd.DataFrame([{"table_name": "events", "check_name": "events_unknown_user", "rows": 12_345},
                        {"table_name": "orders", "check_name": "orders_unknown_user", "rows": 7}])


@pytest.mark.parametrize("key", sorted(METRICS))
def test_every_metric_has_a_definition_in_both_languages(key):
    m = METRICS[key]
    assert m.describe("en").strip() and m.describe("en") == m.definition  # the JSON's, unchanged
    assert CJK.search(m.describe("zh")), f"{key}: definition_zh is not Chinese"
    assert m.describe("zh") != m.definition


def test_a_metric_without_a_chinese_definition_does_not_load(tmp_path):
    spec = {"zh": "甲", "en": "A", "unit": "users", "definition": "users", "formula": "COUNT(users)"}
    path = tmp_path / "metrics.yaml"
    path.write_text(yaml.safe_dump({"a": spec}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="definition_zh"):
        load_registry([path])
    path.write_text(yaml.safe_dump({"a": spec | {"definition_zh": "users only"}}), encoding="utf-8")
    with pytest.raises(ValueError, match="Chinese"):
        load_registry([path])
    path.write_text(yaml.safe_dump({"a": spec | {"definition_zh": "用户"}}, allow_unicode=True), encoding="utf-8")
    assert load_registry([path])["a"].describe("zh") == "用户"


@pytest.mark.parametrize("language", LANGUAGES)
def test_notes_are_collapsed_in_the_report_language_with_formulas_nested(language):
    tx = Text(language)
    tx.shows("new_users", "read_rate")
    page = notes_html(tx, QUALITY, 10, [["set a target"]])
    assert page.startswith('<details class="wx-notes">') and page.endswith("</details>")
    assert "<details open" not in page and "<script" not in page  # closed, no script needed
    assert page.index('<details class="wx-formulas">') > page.index('class="wx-notes"')
    definitions, formulas = page.split('<details class="wx-formulas">')
    new_users = METRICS["new_users"]
    # the tables escape quotes their own way (&#39;): compare the text a reader sees
    shown_definitions, shown_formulas = html.unescape(definitions), html.unescape(formulas)
    assert new_users.describe(language) in shown_definitions
    assert new_users.formula not in shown_definitions and new_users.formula in shown_formulas
    assert ">new_users<" not in definitions  # keys only among the formulas
    if language == "zh":
        assert new_users.definition not in page
    assert "set a target" in page


def test_definitions_follow_the_metrics_shown_in_order():
    tx = Text("zh")
    tx.shows("orders", "gmv")
    frame = definitions_table(tx)
    assert frame.iloc[:, 0].tolist() == ["支付订单", "成交额（GMV）"]
    assert frame.iloc[:, 1].tolist() == [METRICS["orders"].definition_zh, METRICS["gmv"].definition_zh]


@pytest.mark.parametrize(("language", "first"), [("zh", "1.23万 条行为记录"), ("en", "12.3K events")])
def test_quality_lines_are_plain_words_with_counts(language, first):
    lines = quality_lines(Text(language), QUALITY)
    assert lines[0].startswith(first) and lines[1].startswith("7 ")
    for line in lines:
        assert not re.search(r"[a-z]+_[a-z_]+", line), line  # no check or column names
        assert "events:" not in line and "orders:" not in line  # no table names


def test_every_quality_check_has_words():
    from helpers.core.loader import QUALITY_CHECKS

    assert set(QUALITY_CHECKS) == set(QUALITY_TEXT)


# -- manager-facing wording of the catalog ---------------------------------------------------------

PATH = re.compile(r"(/tmp|/home|/work|[A-Za-z]:\\|\bparams/|\.ya?ml\b|\.csv\b|\bpages/)")
PARAMETER = re.compile(r"(参数\s*[a-z][a-z0-9]*_[a-z0-9_]+|\bparameters? [a-z][a-z0-9]*_[a-z0-9_]+|[a-z]+\.[a-z_]+ ∈)")


def manager_facing() -> list[tuple[str, str, str]]:
    """(key, language, template) of every entry a manager may read: all but the analysts' lines."""
    return [(key, lang, entry[lang]) for key, entry in sorted(catalog().items())
            if not key.endswith(ANALYST_SUFFIX) for lang in LANGUAGES]


def test_no_bengqi_in_the_chinese_reports():
    found = [f"{k}: {t}" for k, lang, t in manager_facing() if lang == "zh" and re.search("本期|上期", t)]
    found += [f"{k}: {m.zh}" for k, m in METRICS.items() if re.search("本期|上期", m.zh + m.definition_zh)]
    assert not found, "本周/上周, not 本期/上期:\n" + "\n".join(found)


def test_no_parameter_syntax_in_manager_facing_text():
    # "{{" in a template is a literal brace on the page: {daily_gmv: 150000}, {a, b}
    found = [f"{k} ({lang}): {t}" for k, lang, t in manager_facing() if "{{" in t or PARAMETER.search(t)]
    assert not found, "parameter syntax belongs in <key>_analyst lines:\n" + "\n".join(found)


def test_no_paths_in_manager_facing_text():
    found = [f"{k} ({lang}): {t}" for k, lang, t in manager_facing()
             if PATH.search(t) or any(n in {"folder", "path", "file"} for n, _ in _names(t))]
    assert not found, "paths belong in <key>_analyst lines:\n" + "\n".join(found)


def _names(template: str) -> list[tuple[str, str]]:
    from helpers.render.catalog import placeholders

    return placeholders(template)


def test_the_scans_catch_what_issue_14_found():
    assert PATH.search("在 /tmp/x 中没有找到早前周报的 forecast.csv")
    assert PARAMETER.search("参数 compare_days") and "{{" in "参数 targets，如 {{daily_gmv: 150000}}"
    assert PATH.search("浏览最多的页面是 pages/product/detail")
    assert not PATH.search("本周成交额 ¥17.7万") and not PARAMETER.search("按报告设定的阈值")



@pytest.mark.parametrize(("path", "zh", "en"), [
    ("pages/product/detail", "商品详情", "Product detail"),
    ("pages/index/index", "首页", "Home"),
    ("pages/category/index", "分类", "Categories"),
    ("pages/live/room", "直播间", "Live room"),
    ("pages/x9/custom", "pages/x9/custom", "pages/x9/custom"),  # unknown words: as it is
])
def test_pages_are_named_not_shown_as_paths(path, zh, en):
    assert Text("zh").page(path) == zh and Text("en").page(path) == en


def test_a_push_time_in_a_sentence_reads_like_prose():
    from helpers.content.labels import published

    row = {"published": pd.Timestamp("2026-11-18 21:49")}
    assert published(row, Text("zh")) == "11-18 周三 21:49"
    assert published(row, Text("zh"), prose=True) == "11月18日（周三）21:49"
    assert published(row, Text("en"), prose=True) == "Wed 18 Nov 21:49"
