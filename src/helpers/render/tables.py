"""Tables for people: numbers formatted for the language, suppressed cells shown as "<k".

Cells, headers and index labels are HTML-escaped (Styler's `escape="html"`; the index's names, which
the Styler leaves as they are, with `render.escape`): data text shows as typed."""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from helpers.core.metrics import METRICS
from helpers.render import fmt
from helpers.render.escape import escape
from helpers.render.text import Text

PREFORMATTED = "preformatted"  # a unit for columns of numbers already formatted as text
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


def styled(frame: pd.DataFrame, units: dict[str, str], tx: Text,
           hidden: pd.DataFrame | None = None, k: int | None = None, index: bool = False,
           text: bool = False) -> Styler:
    """A Styler: each column in `units` formatted by its unit (users, CNY, fraction, ...);
    cells flagged in `hidden` read "<k"; other missing values read "—"; headers are labelled in
    the report language (`column_label`)."""
    display = frame.copy()
    for column in display.columns:
        unit = units.get(column)
        values = []
        for i, v in zip(display.index, display[column], strict=True):
            if hidden is not None and column in hidden and bool(hidden.at[i, column]):
                values.append(f"<{k}")
            elif unit is None or unit == PREFORMATTED:
                values.append(fmt.MISSING if v is None or (isinstance(v, float) and pd.isna(v))
                              else str(v))
            else:
                values.append(fmt.value(v, unit, tx.language))
        display[column] = values
    words = [column_label(str(c), tx) for c in display.columns if c not in units]
    display.columns = [column_label(str(c), tx) for c in display.columns]
    display.index = display.index.set_names([None if n is None else escape(n) for n in display.index.names])
    style = display.style.format(escape="html").format_index(escape="html", axis="columns")
    style = style.format_index(escape="html", axis="index") if index else style.hide(axis="index")
    if words:  # columns of words read left-aligned, numbers right-aligned
        style = style.set_properties(subset=words, **{"text-align": "left"})
    if text:  # mostly words: left-aligned
        style = style.set_table_attributes('class="wx-text"')
    return style
