"""The text catalog: every sentence and label the reports can say, zh and en side by side.

The catalog is the `text.yaml` files of the package: render's own words (titles, header, notes,
index, number units), core's, and one per report family (`helpers/<family>/text.yaml`), so each
family's wording can be read in one file. A key is defined once across all files. Sentences are
filled by `render.text`; this module only loads and looks up.
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

import yaml

from helpers.core.paths import PACKAGE_DIR

LANGUAGES = ("zh", "en")


def catalog_files() -> list[Path]:
    return sorted(PACKAGE_DIR.glob("*/text.yaml"))


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """key -> {"zh": template, "en": template} over every text.yaml; a key defined twice fails."""
    entries: dict[str, dict[str, str]] = {}
    where: dict[str, Path] = {}
    for path in catalog_files():
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, entry in doc.items():
            if key in entries:
                raise ValueError(f"text {key!r} is defined twice: {where[key]} and {path}")
            if not isinstance(entry, dict) or set(entry) != set(LANGUAGES):
                raise ValueError(f"{path}: text {key!r} needs exactly the keys zh and en")
            entries[key] = {lang: str(entry[lang]) for lang in LANGUAGES}
            where[key] = path
    return entries


def entry(key: str, language: str) -> str:
    """The raw template of `key` in `language`."""
    try:
        return catalog()[key][language]
    except KeyError:
        if key not in catalog():
            raise KeyError(f"text {key!r} is not in the catalog (helpers/*/text.yaml)") from None
        raise KeyError(f"language {language!r} is not one of {', '.join(LANGUAGES)}") from None


def placeholders(template: str) -> list[tuple[str, str]]:
    """(name, format) of each {name:format} placeholder of a template, in order."""
    return [(name, spec or "") for _, name, spec, _ in string.Formatter().parse(template)
            if name is not None]
