"""Chart pieces every report uses (matplotlib, house style from `style.apply`), and the chart's
HTML: inline SVG with its text as text.

Why SVG with text as text: a PNG drawn ~900 px wide and shrunk onto a 390-px phone has 4-px labels
(issue 14). An inline SVG drawn `style.PHONE_WIDTH` units wide shows its text at the drawn size on
a phone, scales up to `style.DESKTOP_WIDTH` on a desktop, uses the page's embedded font
(`render.html.embed_cjk_font` subsets it from the page's characters, chart text included) and
weighs a few KB. Alt text is required: it is the chart's `aria-label` and `<title>`.
"""

from __future__ import annotations

import io
import itertools
import re
import unicodedata
from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.text import Text as MplText
from matplotlib.ticker import FuncFormatter

from helpers.render import fmt, style
from helpers.render.escape import escape

# The fonts an SVG chart's text is set in: "WX Chart" (the bundled font's Latin letters and digits,
# so the browser measures text as matplotlib did) and "WX CJK" (its Chinese), both embedded by
# render.html; then the reader's own fonts.
CHART_FONTS = "'WX Chart', 'WX CJK', sans-serif"
_SALT = itertools.count()
_FONT_FAMILY = re.compile(r"font-family: [^;\"]*")
_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_GROUP_ID = re.compile(r'<g id="[^"]*"')
_TAG = re.compile(r"<[^>]+>")
_BETWEEN_TAGS = re.compile(r">\s+<")
_DECIMALS = re.compile(r"(?<![\w.#-])(-?\d+\.\d)\d+")
_SIZE = re.compile(r'<svg([^>]*?) width="([\d.]+)pt" height="([\d.]+)pt"')


def _compact(tag: re.Match[str]) -> str:
    """A tag's coordinates to 0.1 unit (a tenth of a CSS px on a phone) and path data on one line:
    a third of the SVG's weight."""
    return _DECIMALS.sub(r"\1", tag.group(0).replace("\n", " ")).replace("  ", " ")


def value_axis(ax: plt.Axes, unit: str, language: str) -> None:
    """Tick labels in the report's number style (万 / K, ¥, %)."""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt.value(x, unit, language)))


def visible_texts(figure: Figure) -> list[MplText]:
    """The figure's text artists that are drawn (visible, non-empty)."""
    return [t for t in figure.findobj(MplText)
            if t.get_visible() and t.get_text().strip() and (t.axes is None or t.axes.get_visible())]


def small_texts(figure: Figure, minimum: float = style.MIN_TEXT) -> list[str]:
    """Texts drawn smaller than `minimum` units (each 'text (size)'): none in a house chart.
    Draws the figure first (tick labels exist only once it is drawn)."""
    figure.draw_without_rendering()
    return [f"{t.get_text()!r} ({t.get_fontsize():g})" for t in visible_texts(figure)
            if t.get_fontsize() < minimum - 1e-9]


def house_size(figure: Figure) -> None:
    """Make a figure follow the house rule before it is shown: drawn PHONE_WIDTH (or WIDE_WIDTH)
    units wide, no text under MIN_TEXT. Charts are written to it; this keeps a chart written
    otherwise (an analyst's own) readable on a phone instead of failing the report."""
    width, height = figure.get_size_inches() * style.POINTS_PER_INCH
    target = style.WIDE_WIDTH if width > (style.PHONE_WIDTH + style.WIDE_WIDTH) / 2 else style.PHONE_WIDTH
    if abs(width - target) > 0.5:
        figure.set_size_inches(target / style.POINTS_PER_INCH,
                               height * target / width / style.POINTS_PER_INCH)
    figure.draw_without_rendering()
    for ax in figure.axes:  # tick labels are made anew at each draw: set the axis' own size
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if any(t.get_fontsize() < style.MIN_TEXT for t in axis.get_ticklabels(which="both")):
                ax.tick_params(axis=name, which="both", labelsize=style.MIN_TEXT)
    for text in visible_texts(figure):
        if text.get_fontsize() < style.MIN_TEXT:
            text.set_fontsize(style.MIN_TEXT)
    fit_titles(figure)




def wrap_line(text: str, width: int) -> str:
    """`text` on lines of about `width` characters, broken after punctuation or at a space when
    one is near the end of a line (Chinese has no spaces: otherwise between any two characters)."""
    lines, rest = [], text
    while len(rest) > width:
        cut = max((i + 1 for i, c in enumerate(rest[:width]) if _breaks_after(c) and i >= width // 2),
                  default=width)
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return "\n".join([*lines, rest])


def _breaks_after(char: str) -> bool:
    """A line may break after a space or punctuation that does not open a bracket (，、：）, ;)."""
    return char.isspace() or (unicodedata.category(char)[0] == "P" and unicodedata.category(char) != "Ps")


def fit_titles(figure: Figure) -> None:
    """Break titles wider than the figure (a long campaign name, a title with its method) into
    lines instead of letting the drawn width cut them off."""
    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()
    room = figure.bbox.width * 0.97
    titles = [t for ax in figure.axes for t in (ax.title, ax._left_title, ax._right_title)]
    if figure._suptitle is not None:
        titles.append(figure._suptitle)
    for title in titles:
        text = title.get_text()
        if not text or "\n" in text or not title.get_visible():
            continue
        extent = title.get_window_extent(renderer)
        right = figure.bbox.x1 - extent.x0 if title.get_horizontalalignment() == "left" else room
        if extent.width > min(room, right):
            per_line = max(6, int(len(text) * min(room, right) / extent.width) - 1)
            title.set_text(wrap_line(text, per_line))


def is_wide(figure: Figure) -> bool:
    return figure.get_size_inches()[0] * style.POINTS_PER_INCH > style.PHONE_WIDTH + 0.5


def svg(figure: Figure) -> str:
    """The figure as an inline <svg> element: text as text in the page's fonts, ids unique in the
    page, no XML prologue or metadata, sized by CSS (width 100%, height from its viewBox)."""
    house_size(figure)
    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"wx{next(_SALT)}",
                         "svg.image_inline": True}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = _PROLOGUE.sub("", buffer.getvalue(), count=1)
    text = _METADATA.sub("", text, count=1)
    text = _GROUP_ID.sub("<g", text)
    text = _FONT_FAMILY.sub(f"font-family: {CHART_FONTS}", text)
    text = _BETWEEN_TAGS.sub("><", _TAG.sub(_compact, text))
    # Width and height in px (one unit each) instead of pt: CSS scales it to the column.
    return _SIZE.sub(lambda m: f'<svg{m.group(1)} width="{m.group(2)}" height="{m.group(3)}"', text,
                     count=1).strip()


def figure_html(figure: Figure, alt: str) -> str:
    """A chart for the page: <figure> holding the SVG, described by `alt` (required, in the report
    language: what the chart shows), as role="img" with aria-label and <title>."""
    if not alt or not alt.strip():
        raise ValueError("a chart needs alt text saying what it shows (rep.chart(fig, alt=...))")
    label = escape(alt.strip())
    body = svg(figure).replace(
        "<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', 1)
    body = re.sub(r"(<svg[^>]*>)", lambda m: m.group(1) + f"<title>{label}</title>", body, count=1)
    css = "wx-chart wx-wide" if is_wide(figure) else "wx-chart"
    return f'<figure class="{css}">{body}</figure>'


def panels_html(panels: Sequence[tuple[Figure, str]]) -> str:
    """Small multiples: one figure per panel, each with its alt text, side by side on a wide
    screen and one per row on a phone (CSS grid `.wx-panels`)."""
    return f'<div class="wx-panels">{"".join(figure_html(f, alt) for f, alt in panels)}</div>'


def category_ticks(ax: plt.Axes, labels: Sequence[str], max_labels: int = 6, axis: str = "x") -> None:
    """Label at most `max_labels` of a categorical axis's positions 0..n-1 (counted back from the
    last, the report week, which is always labelled): phone-width charts have room for ~6."""
    n = len(labels)
    step = max(1, -(-n // max_labels))
    keep = [i for i in range(n) if (n - 1 - i) % step == 0]
    (ax.set_xticks if axis == "x" else ax.set_yticks)(keep, [str(labels[i]) for i in keep])


def date_axis(ax: plt.Axes, max_ticks: int = 5, style_: str = "%-m/%-d") -> None:
    """Dates on the x axis, at most `max_ticks` labels, written 11/16 (as the weekly charts)."""
    import matplotlib.dates as mdates

    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=max_ticks))
    ax.xaxis.set_major_formatter(mdates.DateFormatter(style_))


def legend_below(ax: plt.Axes, ncols: int = 3, **kwargs: object) -> None:
    """The legend of `ax` under the figure, in `ncols` columns: at phone width a legend inside the
    axes covers the data (constrained layout makes room for it)."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.figure.legend(handles, labels, loc="outside lower left", ncols=ncols, **kwargs)
