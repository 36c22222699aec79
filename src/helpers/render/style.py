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

# Charts are drawn for the width they are shown at (issue 14). A report page is read on a phone
# (390-px screen, ~360 CSS px of content) as often as on a desktop, and a chart is inline SVG with
# its text as text (render.charts.figure_html): one SVG unit (1/72 in) is one CSS px when shown at
# the width it was drawn for. So every chart is drawn PHONE_WIDTH units wide with text of at least
# MIN_TEXT units: on a 390-px phone it shows at ~350-360 px (text >= 10 px); on a desktop it is
# shown at most DESKTOP_WIDTH px wide (text >= 14 px). A chart too dense for a phone (a wide
# heatmap) is drawn WIDE_WIDTH units wide and scrolls sideways inside its own box on the phone.
POINTS_PER_INCH = 72  # SVG user units per figure inch
PHONE_WIDTH = 360
WIDE_WIDTH = 640
DESKTOP_WIDTH = 480  # CSS max-width of a phone-width chart on a wide screen (render/report.css)
MIN_TEXT = 10.5  # smallest chart text, in SVG units (= CSS px at the drawn width)
ROW_HEIGHT = 22  # units per labelled row of a horizontal bar chart or heatmap


def figure_size(height: float = 230, wide: bool = False) -> tuple[float, float]:
    """(width, height) in inches of a house chart `height` CSS px tall at its drawn width:
    PHONE_WIDTH wide, or WIDE_WIDTH for a chart that scrolls sideways on a phone."""
    width = WIDE_WIDTH if wide else PHONE_WIDTH
    return width / POINTS_PER_INCH, max(float(height), 120.0) / POINTS_PER_INCH


def rows_height(rows: int, extra: float = 70) -> float:
    """The height in CSS px of a chart with `rows` labelled rows (bars, heatmap rows) plus
    `extra` for its title and axis."""
    return ROW_HEIGHT * max(rows, 1) + extra


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
        "figure.figsize": figure_size(),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        # Constrained layout: room for titles, tick labels, colorbars and legends placed
        # "outside" the axes (render.charts.legend_below) within the fixed drawn width.
        "figure.autolayout": False,
        "figure.constrained_layout.use": True,
        "figure.constrained_layout.h_pad": 0.03,
        "figure.constrained_layout.w_pad": 0.03,
        "axes.prop_cycle": mpl.cycler(color=PALETTE),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "grid.color": "#e6e6e6",
        "font.size": MIN_TEXT,
        "axes.titlesize": 12.5,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": MIN_TEXT,
        "xtick.labelsize": MIN_TEXT,
        "ytick.labelsize": MIN_TEXT,
        "xtick.major.pad": 2,
        "ytick.major.pad": 2,
        "legend.frameon": False,
        "legend.fontsize": MIN_TEXT,
        "legend.handlelength": 1.4,
        "legend.columnspacing": 1.0,
        "figure.titlesize": 12.5,
        "figure.titleweight": "bold",
        # Text as text in the page's embedded font (render.charts.figure_html); ids salted per chart.
        "svg.fonttype": "none",
        # Titles, labels and legends carry data text (a campaign "满$100减$20"): shown as typed,
        # never parsed as mathtext. No chart uses mathtext on purpose.
        "text.parse_math": False,
    })
    try:  # a figure shown in JupyterLab outside `rep.chart`: crisp PNG at twice the resolution
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina")
    except Exception:  # not inside IPython
        pass
