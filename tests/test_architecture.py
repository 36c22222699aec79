"""The layout rules that keep the code livable, checked on the source (see README, "How it is built").

- core imports only core; stats only stats; render core and render; a report family core, stats,
  render and itself — never another family; the sample generator and the WeChat fetch client core
  and themselves. Only the suite registry, the runner and the CLI see every family.
- Test statistics (scipy.stats, statsmodels) are computed in helpers.stats only.
- No Chinese in Python string literals outside the data vocabularies: every sentence and label is
  in a catalog (helpers/*/text.yaml) or a registry (helpers/*/metrics.yaml).
- No wording chosen by comparing the language; modules and functions of a size one person can hold;
  no assert for control flow.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "helpers"
FAMILIES = {"weekly", "users", "content", "campaigns", "forecasting", "merchants"}
ALLOWED = {
    "core": {"core"},
    "stats": {"stats"},
    "render": {"core", "render"},
    "sample": {"core", "sample"},
    **{family: {"core", "stats", "render", family} for family in FAMILIES},
    "run": {"core", "render", "run", "suite"},
    "suite": {"core", "render", "sample", *FAMILIES},
    "fetch": {"core", "fetch"},
    "deliver": {"core", "render", "deliver"},
    "cli": {"run", "sample", "fetch", "deliver"},
}
# Data vocabularies: WeChat's codes, data values as people say them, and the sample shop's own data
# (cities, campaign and article names) — data, not report wording.
VOCABULARIES = {PACKAGE / "core" / "wechat.py", PACKAGE / "core" / "vocabulary.py", PACKAGE / "sample" / "world.py"}
INFERENCE = ("scipy.stats", "statsmodels")
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
MODULES = sorted(PACKAGE.rglob("*.py"))


def layer(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


def imported(path: Path) -> list[str]:
    """Every module name imported anywhere in the file (top level or inside functions)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            if node.module == "helpers":
                names += [f"helpers.{a.name}" for a in node.names]
    return names


def test_every_module_has_a_layer():
    assert {layer(p) for p in MODULES} - {"__init__"} <= set(ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layers(path):
    own = layer(path)
    if own == "__init__":
        return
    used = {name.split(".")[1] for name in imported(path) if name.startswith("helpers.")}
    assert used <= ALLOWED[own] | {own}, f"{own} may not import helpers.{sorted(used - ALLOWED[own])}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_test_statistics_live_in_stats(path):
    if layer(path) == "stats":
        return
    found = [n for n in imported(path) if n.startswith(INFERENCE) or n in ("scipy", "statsmodels")]
    assert not found, f"{path.name} imports {found}: put the statistic in helpers.stats"


def string_literals(source: str) -> list[tuple[int, str]]:
    """String constants of the code, f-string parts included, docstrings (documentation) excluded."""
    tree = ast.parse(source)
    docs = {id(body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and (body := node.body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_chinese_outside_the_catalog(path):
    if path in VOCABULARIES:
        return
    found = [f"line {line}: {text[:40]}" for line, text in string_literals(path.read_text(encoding="utf-8"))
             if CJK.search(text)]
    assert not found, f"{path.name}: words belong in a text.yaml catalog: {found[:3]}"


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_notebooks_take_their_words_from_the_catalog(path):
    code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    found = [text[:40] for _, text in string_literals(code) if CJK.search(text)]
    assert not found, f"{path.name}: {found[:3]}"


def _language_comparisons(tree: ast.AST) -> list[int]:
    def is_language(node: ast.AST) -> bool:
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
        return name in {"language", "lang"}

    def is_code(node: ast.AST) -> bool:
        return isinstance(node, ast.Constant) and node.value in ("zh", "en")

    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Compare)
            and any((is_language(a) and is_code(b)) or (is_code(a) and is_language(b))
                    for a, b in zip([node.left, *node.comparators], node.comparators, strict=False))]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_wording_chosen_by_language(path):
    lines = _language_comparisons(ast.parse(path.read_text(encoding="utf-8")))
    assert not lines, f"{path.name} lines {lines}: look words up in the catalog instead"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_sizes_one_person_can_hold(path):
    source = path.read_text(encoding="utf-8")
    assert source.count("\n") <= MAX_MODULE_LINES, f"{path.name}: split it by topic"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"{path.name}: {long}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_assert_for_control_flow(path):
    found = [n.lineno for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Assert)]
    assert not found, f"{path.name} lines {found}: raise a specific error instead"


def test_the_checks_catch_what_they_forbid():
    """Each rule, tried on a source that breaks it."""
    assert _language_comparisons(ast.parse('x = "a" if language == "zh" else "b"')) == [1]
    assert _language_comparisons(ast.parse('x = "a" if "en" != self.lang else "b"')) == [1]
    assert _language_comparisons(ast.parse('x = WORDS[language]')) == []
    assert [t for _, t in string_literals('x = f"本周{n}人"; y = "ok"') if CJK.search(t)]
    assert not [t for _, t in string_literals('x = "ok"  # 注释') if CJK.search(t)]
