"""Tables for people: numbers formatted for the language, suppressed cells shown as "<k".

Cells, headers and index labels are HTML-escaped (Styler's `escape="html"`; the index's names, which
the Styler leaves as they are, with `render.escape`): data text shows as typed."""

from __future__ import annotations

import unicodedata

import pandas as pd
from pandas.io.formats.style import Styler

from helpers.core.metrics import METRICS
from helpers.render import fmt
from helpers.render.escape import escape
from helpers.render.text import Text

PREFORMATTED = "preformatted"  # a unit for columns of numbers already formatted as text
NUMBER_CLASS = "wx-num"  # cells that never break inside (report.css): "+¥1.34万", "-0.8 pts"
MAX_UNIT_LETTERS = 4  # letters a number may carry: a unit (万, pts, 个百分点) or a duration (2分41秒)
# Catalog words of table columns that are not metric keys.
COLUMN_TEXT = {
    "users": "col_users", "customers": "col_customers", "share": "col_share", "starters": "col_starters",
    "converters": "col_converters", "conversion": "col_conversion", "median_minutes": "col_median_minutes",
    "referrer": "col_referrer", "invites": "col_invites", "recency_days": "col_recency_days",
    "frequency": "col_frequency", "monetary": "col_monetary", "channel": "col_channel",
    "segment_label": "col_segment_label", "value": "col_value",
}


def column_label(column: str, tx: Text) -> str:
    """A table header: the registry label of a metric key (shown, so defined in the notes), a
    known column's word, or the name as given (already in the report language)."""
    if column in METRICS:
        return tx.label(column)
    if column in COLUMN_TEXT:
        return tx(COLUMN_TEXT[column])
    return column


def is_number(cell: object) -> bool:
    """Whether a shown cell is a number (with its sign, unit and interval) that must stay on one
    line: it has a digit, and besides digits, punctuation, symbols and spaces at most a unit's few
    letters. Keeping such a short cell whole costs nothing; words of any length may wrap."""
    text = str(cell).strip()
    if not text or len(text) > 40 or not any(c.isdigit() for c in text):
        return text in {"—", "-"}
    letters = sum(1 for c in text if unicodedata.category(c)[0] == "L")
    return letters <= MAX_UNIT_LETTERS


def html(style: Styler) -> str:
    """A table in its own box that scrolls sideways when wider than the page (a phone), so the page
    itself never does; the first column stays in view (`report.css`: .wx-table)."""
    return f'<div class="wx-table">{style.to_html()}</div>'


def styled(frame: pd.DataFrame, units: dict[str, str], tx: Text,
           hidden: pd.DataFrame | None = None, k: int | None = None, index: bool = False,
           text: bool = False) -> Styler:
    """A Styler: each column in `units` formatted by its unit (users, CNY, fraction, ...);
    cells flagged in `hidden` read "<k"; other missing values read "—"; headers are labelled in
    the report language (`column_label`)."""
    display = frame.copy()
    for column in display.columns:
        unit = units.get(column)
        shown = (None if unit is None or unit == PREFORMATTED  # one precision per column
                 else fmt.column(list(display[column]), unit, tx.language))
        values = []
        for n, (i, v) in enumerate(zip(display.index, display[column], strict=True)):
            if hidden is not None and column in hidden and bool(hidden.at[i, column]):
                values.append(f"<{k}")
            elif shown is None:
                values.append(fmt.MISSING if v is None or (isinstance(v, float) and pd.isna(v))
                              else str(v))
            else:
                values.append(shown[n])
        display[column] = values
    words = [column_label(str(c), tx) for c in display.columns if c not in units]
    display.columns = [column_label(str(c), tx) for c in display.columns]
    display.index = display.index.set_names([None if n is None else escape(n) for n in display.index.names])
    style = display.style.format(escape="html").format_index(escape="html", axis="columns")
    style = style.format_index(escape="html", axis="index") if index else style.hide(axis="index")
    if words:  # columns of words read left-aligned, numbers right-aligned
        style = style.set_properties(subset=words, **{"text-align": "left"})
        left = set(words)  # and so do their headers
        style = style.map_index(lambda v: "text-align: left" if v in left else "", axis="columns")
    if display.columns.is_unique and display.index.is_unique:  # Styler's rule for cell classes
        style = style.set_td_classes(display.map(lambda v: NUMBER_CLASS if is_number(v) else ""))
    if text:  # mostly words: left-aligned
        style = style.set_table_attributes('class="wx-text"')
    return style
