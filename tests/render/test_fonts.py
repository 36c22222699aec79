"""The bundled CJK fonts: both weights reach matplotlib, and they hold every character reports use."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager

from helpers.core.paths import PACKAGE_DIR
from helpers.render import style

# Where the words and data values of reports come from.
SOURCES = [*PACKAGE_DIR.glob("*/text.yaml"), *PACKAGE_DIR.glob("*/metrics.yaml"),
           PACKAGE_DIR / "core" / "wechat.py", PACKAGE_DIR / "core" / "vocabulary.py",
           *(PACKAGE_DIR / "sample").glob("*.py")]


@pytest.mark.parametrize("weight", ["normal", "bold"])
def test_each_weight_uses_its_bundled_file(weight):
    style.apply()
    found = font_manager.findfont(font_manager.FontProperties(family="sans-serif", weight=weight),
                                  fallback_to_default=False)
    assert Path(found) == Path(style.cjk_font_path("bold" if weight == "bold" else "regular"))


@pytest.mark.parametrize("weight", ["regular", "bold"])
def test_the_font_holds_every_character_of_the_catalogs_and_vocabularies(weight):
    cmap = TTFont(style.cjk_font_path(weight), lazy=True).getBestCmap()
    used = {c for path in SOURCES for c in path.read_text(encoding="utf-8") if ord(c) > 0x7E}
    assert sorted(c for c in used if ord(c) not in cmap) == []
