"""The text catalog: both languages for every entry, the same placeholders, every key used exists,
every entry is used; and the Text API formats numbers only through render.fmt."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from helpers.core.metrics import METRICS
from helpers.render.catalog import LANGUAGES, catalog, placeholders
from helpers.render.fmt import FORMATS
from helpers.render.report import ANALYST_SUFFIX
from helpers.render.text import Text

ROOT = Path(__file__).resolve().parents[2]
# Calls whose first argument is a catalog key.
TEXT_CALLS = {"tx", "text", "entry", "section", "say", "caveat", "skipped", "for_analysts", "Text.__call__"}


def sources() -> dict[str, str]:
    """Every Python source that may use the catalog: the package and the notebooks' code."""
    found = {str(p): p.read_text(encoding="utf-8") for p in (ROOT / "src" / "helpers").rglob("*.py")}
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        cells = nbformat.read(path, as_version=4).cells
        found[str(path)] = "\n".join(c.source for c in cells if c.cell_type == "code")
    return found


def literal_keys(source: str) -> list[tuple[str, int]]:
    """First-argument string literals of the calls in TEXT_CALLS."""
    keys = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in TEXT_CALLS:
                keys.append((node.args[0].value, node.lineno))
    return keys


def all_literals(source: str) -> set[str]:
    return {n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


@pytest.mark.parametrize("key", sorted(catalog()))
def test_both_languages_with_the_same_placeholders(key):
    entry = catalog()[key]
    assert all(entry[lang].strip() for lang in LANGUAGES), f"{key}: empty wording"
    zh, en = (Counter(placeholders(entry[lang])) for lang in LANGUAGES)
    assert zh == en, f"{key}: zh has {dict(zh)}, en has {dict(en)}"
    unknown = {spec for _, spec in zh if spec and spec not in FORMATS}
    assert not unknown, f"{key}: formats {unknown} are not in render.fmt.FORMATS"


def test_every_key_used_exists():
    missing = [f"{path}:{line}: {key}" for path, source in sources().items()
               for key, line in literal_keys(source) if key not in catalog() and key not in METRICS]
    assert not missing, "\n".join(missing)


def test_every_entry_is_used():
    used = set().union(*(all_literals(s) for s in sources().values()))
    # An analysts' companion `<key>_analyst` is used wherever `rep.say("<key>")` is.
    used |= {f"{key}{ANALYST_SUFFIX}" for key in used}
    unused = sorted(set(catalog()) - used)
    assert not unused, f"catalog entries no code uses: {unused}"


def test_sentences_format_numbers_by_unit_and_record_the_metrics_shown():
    zh, en = Text("zh"), Text("en")
    assert zh("ws_kpi_wow", label=zh.label("gmv"), value=zh.value("gmv", 176_543.2),
              wow=zh.value("gmv_wow", -0.098)) == "成交额（GMV） ¥17.7万（周环比 -9.8%）"
    assert en("ws_biggest_move", label="GMV", change=0.082) == " Largest week-on-week change: GMV (+8.2%)."
    assert zh.shown == ["gmv", "gmv_wow"] and en.shown == []
    assert zh("ws_trend", weeks=8) == "近 8 周趋势"


def test_a_bare_number_never_reaches_a_sentence():
    with pytest.raises(TypeError, match="give it a format"):
        Text("en")("ws_kpi", label=1.5, value="x")
    with pytest.raises(KeyError, match="needs a value"):
        Text("en")("ws_kpi", label="x")
    with pytest.raises(KeyError, match="not in the catalog"):
        Text("en")("no_such_key")


def test_the_usage_scan_sees_calls_and_attributes():
    assert literal_keys('rep.section("a"); tx("b", n=1); rep.tx("c"); f("d")') == [("a", 1), ("b", 1), ("c", 1)]
