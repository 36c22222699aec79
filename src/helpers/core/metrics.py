"""The metric registry: every reported number defined once (key, zh/en label, unit, definition in
English and in Chinese, formula).

Each report family lists its metrics in its own `metrics.yaml` (`helpers/<family>/metrics.yaml`);
this module reads them all into one registry, so a key is defined exactly once across the suite
and any report may show any metric by its key. The JSON outputs carry the definitions, the reports'
notes show them in the report language (`describe`), and each metric's computation is tested
against an independent one. The English `definition` is also what programs read in the JSON, so it
stays exact; `definition_zh` says the same in plain words for a manager reading the Chinese report
(no column names or parameter syntax: those belong to `formula`, shown to analysts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import yaml

from helpers.core.paths import PACKAGE_DIR

Unit = Literal["users", "orders", "CNY", "fraction", "relative_change", "points", "count", "ratio",
               "seconds", "minutes", "id"]
UNITS: frozenset[str] = frozenset(get_args(Unit))
_CJK = re.compile(r"[\u4e00-\u9fff]")
_REQUIRED = {"zh", "en", "unit", "definition", "definition_zh", "formula"}
_FIELDS = _REQUIRED | {"higher_is_better"}


@dataclass(frozen=True)
class Metric:
    key: str
    zh: str
    en: str
    unit: Unit
    definition: str  # plain English, exactly what the JSON "definitions" carries
    formula: str  # the computation, in terms of the data-contract columns
    higher_is_better: bool | None = True
    definition_zh: str = ""  # the definition in Chinese, for the zh report's notes

    def label(self, language: str) -> str:
        return {"zh": self.zh, "en": self.en}[language]

    def describe(self, language: str) -> str:
        """The definition in the report language (the notes' 定义 / Definition column)."""
        return {"zh": self.definition_zh, "en": self.definition}[language]


def registry_files() -> list[Path]:
    """The metrics.yaml of every package folder (core, render and the report families)."""
    return sorted(PACKAGE_DIR.glob("*/metrics.yaml"))


def _entry(key: str, spec: object, path: Path) -> Metric:
    where = f"{path}: metric {key!r}"
    if not isinstance(spec, dict):
        raise ValueError(f"{where}: expected a mapping of {', '.join(sorted(_FIELDS))}")
    unknown = set(spec) - _FIELDS
    missing = _REQUIRED - set(spec)
    if unknown or missing:
        raise ValueError(f"{where}: unknown field(s) {sorted(unknown)}, missing {sorted(missing)}")
    if spec["unit"] not in UNITS:
        raise ValueError(f"{where}: unit {spec['unit']!r} is not one of {sorted(UNITS)}")
    for name in ("definition", "definition_zh"):
        if not isinstance(spec[name], str) or not spec[name].strip():
            raise ValueError(f"{where}: {name} must be a non-empty sentence")
    if not _CJK.search(spec["definition_zh"]):
        raise ValueError(f"{where}: definition_zh must be written in Chinese")
    return Metric(key, spec["zh"], spec["en"], spec["unit"], spec["definition"], spec["formula"],
                  spec.get("higher_is_better", True), spec["definition_zh"])


def load_registry(files: list[Path] | None = None) -> dict[str, Metric]:
    """All metrics of `files` (default: every metrics.yaml); a key defined twice is an error."""
    metrics: dict[str, Metric] = {}
    where: dict[str, Path] = {}
    for path in files if files is not None else registry_files():
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, spec in doc.items():
            if key in metrics:
                raise ValueError(f"metric {key!r} is defined twice: {where[key]} and {path}")
            metrics[key] = _entry(key, spec, path)
            where[key] = path
    return metrics


METRICS: dict[str, Metric] = load_registry()
