"""Checks on a run's published reports: no missing value leaks into what a reader or a program sees.

`forbidden_words(week)` lists every place where a report's visible text (HTML pages, as
`baseline.visible_text` reads them) or a JSON string value says `nan`, `NaN`, `None`, `<NA>`, `NaT`
or `inf` as a word of its own, and every non-finite JSON number. Words that merely contain these
letters ("info", "Infinity", "nano", "Nanjing", "NaTional") are not flagged, nor English prose such as
"None of the campaigns ...".
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from e2e.baseline import visible_text

# A whole token: not inside a Latin word or number (Chinese text has no spaces: "回流nan" is flagged);
# "None" followed by a lower-case word is English prose ("None of ...").
FORBIDDEN = re.compile(r"(?<![A-Za-z0-9_<])(?:nan|NaN|NaT|inf|<NA>|None(?!\s+[a-z]))(?![A-Za-z0-9_>])")
_CONTEXT = 40


def offending(text: str) -> list[str]:
    """Each forbidden token of `text` with a little context around it."""
    return [f"{m.group()!r} in {text[max(0, m.start() - _CONTEXT):m.end() + _CONTEXT]!r}"
            for m in FORBIDDEN.finditer(text)]


def _strings(value: Any, path: str) -> list[tuple[str, str]]:
    """(path, text) of every string value (and key) in a JSON document."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [item for k, v in value.items() for item in [(f"{path}.{k}<key>", str(k)),
                                                             *_strings(v, f"{path}.{k}")]]
    if isinstance(value, list):
        return [item for i, v in enumerate(value) for item in _strings(v, f"{path}[{i}]")]
    return []


def _json_problems(path: Path) -> list[str]:
    constants: list[str] = []

    def constant(name: str) -> float:  # NaN / Infinity / -Infinity: not JSON, and a missing value
        constants.append(f"{path.name}: non-finite number {name}")
        return float("nan")

    doc = json.loads(path.read_text(encoding="utf-8"), parse_constant=constant)
    return constants + [f"{path.name} {where}: {found}" for where, text in _strings(doc, "$")
                        for found in offending(text)]


def forbidden_words(week: Path) -> list[str]:
    """Every forbidden word in the visible text of the folder's pages and its JSON strings."""
    problems = []
    for page in sorted(week.glob("*.html")):
        text = visible_text(page.read_text(encoding="utf-8"))
        problems += [f"{page.name}: {found}" for found in offending(text)]
    for doc in sorted(week.glob("*.json")):
        problems += _json_problems(doc)
    return problems
