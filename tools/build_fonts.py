"""Build the chart fonts shipped in src/helpers/render/fonts/ from Noto Sans CJK.

Extracts the Simplified Chinese face (family "Noto Sans CJK SC") from the Regular and Bold OpenType
collections and subsets it to what reports can contain: every character encodable in GB 2312, plus
ASCII and Latin-1, general punctuation, currency signs, arrows, mathematical operators (− ≥ ±...),
geometric shapes (▲▼■...), check marks and warning signs (✓ ⚠), CJK symbols and punctuation and the
full-width forms (the BLOCKS below, as far as the font has them). The output does not depend on the time it is
built (the head table's timestamp is kept), so rerunning on the same input gives the same bytes.

    apt-get install fonts-noto-cjk            # Debian/Ubuntu; or the .ttc files from
                                              # https://github.com/notofonts/noto-cjk
    .venv/bin/python tools/build_fonts.py     # --regular/--bold for other locations

See src/helpers/render/fonts/README.md for the source, version and licence.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

FAMILY = "Noto Sans CJK SC"
SYSTEM_DIR = Path("/usr/share/fonts/opentype/noto")
OUT_DIR = Path(__file__).resolve().parents[1] / "src" / "helpers" / "render" / "fonts"
# Unicode blocks kept besides GB 2312: (first, last) code points.
BLOCKS = {
    "Basic Latin (printable)": (0x0020, 0x007E),
    "Latin-1 Supplement": (0x00A0, 0x00FF),
    "General Punctuation": (0x2000, 0x206F),
    "Superscripts and Subscripts": (0x2070, 0x209F),
    "Currency Symbols": (0x20A0, 0x20CF),
    "Letterlike Symbols": (0x2100, 0x214F),
    "Number Forms": (0x2150, 0x218F),
    "Arrows": (0x2190, 0x21FF),
    "Mathematical Operators": (0x2200, 0x22FF),
    "Enclosed Alphanumerics": (0x2460, 0x24FF),
    "Box Drawing": (0x2500, 0x257F),
    "Block Elements": (0x2580, 0x259F),
    "Geometric Shapes": (0x25A0, 0x25FF),
    "Miscellaneous Symbols": (0x2600, 0x26FF),
    "Dingbats": (0x2700, 0x27BF),
    "CJK Symbols and Punctuation": (0x3000, 0x303F),
    "Halfwidth and Fullwidth Forms": (0xFF00, 0xFFEF),
}


def gb2312_characters() -> set[int]:
    """Every code point of the Basic Multilingual Plane that Python's gb2312 codec can encode."""
    found = set()
    for cp in range(0x80, 0x10000):
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        found.add(cp)
    return found


def wanted_characters() -> set[int]:
    """GB 2312 plus the BLOCKS."""
    chars = gb2312_characters()
    for first, last in BLOCKS.values():
        chars.update(range(first, last + 1))
    return chars


def sc_face(collection: Path) -> TTFont:
    """The face of `collection` whose family is FAMILY (not the Mono one)."""
    for index in range(len(TTCollection(collection, lazy=True).fonts)):
        font = TTFont(collection, fontNumber=index, recalcTimestamp=False)
        if font["name"].getDebugName(1) == FAMILY:
            return font
    raise SystemExit(f"{collection}: no face of the family {FAMILY!r}")


def build(collection: Path, out: Path, chars: set[int]) -> None:
    """Subset the SC face of `collection` to `chars` and save it as OpenType (CFF) at `out`."""
    font = sc_face(collection)
    options = subset.Options()
    options.name_IDs = ["*"]  # keep the copyright, licence and trademark records
    options.notdef_outline = True
    options.drop_tables += ["VORG", "vhea", "vmtx"]  # vertical metrics: charts set text horizontally
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(chars & set(font.getBestCmap())))
    subsetter.subset(font)
    font.save(out)
    print(f"{out.name}: {len(font.getBestCmap())} characters, {out.stat().st_size:,} bytes, "
          f"sha256 {hashlib.sha256(out.read_bytes()).hexdigest()}")
    print(f"  from {collection} (sha256 {hashlib.sha256(collection.read_bytes()).hexdigest()})")


def main() -> None:
    """Build NotoSansCJKsc-Regular.otf and NotoSansCJKsc-Bold.otf."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regular", type=Path, default=SYSTEM_DIR / "NotoSansCJK-Regular.ttc")
    parser.add_argument("--bold", type=Path, default=SYSTEM_DIR / "NotoSansCJK-Bold.ttc")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    chars = wanted_characters()
    build(args.regular, args.out / "NotoSansCJKsc-Regular.otf", chars)
    build(args.bold, args.out / "NotoSansCJKsc-Bold.otf", chars)


if __name__ == "__main__":
    main()
