"""Tables for people: numbers formatted for the language, suppressed cells shown as "<k"."""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from . import fmt
from .i18n import column_label

PREFORMATTED = "preformatted"  # a unit for columns of numbers already formatted as text


def styled(frame: pd.DataFrame, units: dict[str, str], language: str,
           hidden: pd.DataFrame | None = None, k: int | None = None, index: bool = False,
           text: bool = False) -> Styler:
    """A Styler: each column in `units` formatted by its unit (users, CNY, fraction, ...);
    cells flagged in `hidden` read "<k"; other missing values read "—"; headers are labelled in
    the report language (`i18n.column_label`)."""
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
                values.append(fmt.value(v, unit, language))
        display[column] = values
    words = [column_label(str(c), language) for c in display.columns if c not in units]
    display.columns = [column_label(str(c), language) for c in display.columns]
    style = display.style.format(escape="html").format_index(escape="html", axis="columns")
    style = style.format_index(escape="html", axis="index") if index else style.hide(axis="index")
    if words:  # columns of words read left-aligned, numbers right-aligned
        style = style.set_properties(subset=words, **{"text-align": "left"})
    if text:  # mostly words: left-aligned
        style = style.set_table_attributes('class="wx-text"')
    return style
