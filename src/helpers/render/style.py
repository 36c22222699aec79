"""One chart style for every report, with a CJK font so Chinese labels never render as boxes.

The font (Noto Sans CJK SC, regular and bold, SIL Open Font License 1.1) ships inside the package in
render/fonts/, cut down to GB 2312 and the punctuation and symbols reports use (see its README.md and
tools/build_fonts.py), so analysts on macOS, Windows and Linux get the same glyphs without installing
system fonts, and bold chart titles are really bold.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Literal

import matplotlib as mpl
from matplotlib import font_manager

CJK_FONT = "Noto Sans CJK SC"
CJK_FONT_FILES = {"regular": "NotoSansCJKsc-Regular.otf", "bold": "NotoSansCJKsc-Bold.otf"}
PALETTE = ["#2f6fdf", "#f08c2e", "#2aa876", "#d64550", "#8e6cd9", "#7f8c8d", "#c9a227", "#1fb3c4",
           "#e377c2", "#8c564b"]
GOOD, BAD, NEUTRAL = "#2aa876", "#d64550", "#7f8c8d"


def cjk_font_path(weight: Literal["regular", "bold"] = "regular") -> str:
    """The bundled CJK font file of a weight (charts register both; the HTML embeds the regular)."""
    return str(files("helpers.render") / "fonts" / CJK_FONT_FILES[weight])


def apply() -> None:
    """Register the CJK fonts and set the house style (call once per kernel; idempotent)."""
    registered = {f.fname for f in font_manager.fontManager.ttflist}
    for weight in CJK_FONT_FILES:
        if cjk_font_path(weight) not in registered:
            font_manager.fontManager.addfont(cjk_font_path(weight))
    mpl.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [CJK_FONT, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "figure.figsize": (9.0, 3.6),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "figure.autolayout": True,
        "axes.prop_cycle": mpl.cycler(color=PALETTE),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "grid.color": "#e6e6e6",
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.frameon": False,
        "legend.fontsize": 9,
        # Titles, labels and legends carry data text (a campaign "满$100减$20"): shown as typed,
        # never parsed as mathtext. No chart uses mathtext on purpose.
        "text.parse_math": False,
    })
    try:  # crisp charts in the HTML: PNG at twice the resolution, shown at normal size
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina")
    except Exception:  # not inside IPython
        pass
