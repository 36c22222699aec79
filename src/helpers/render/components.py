"""Small HTML pieces for reports (escaped; styled by report.css)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from helpers.core.metrics import METRICS
from helpers.render import fmt
from helpers.render.escape import escape
from helpers.render.text import Text


@dataclass(frozen=True)
class Kpi:
    key: str
    value: float | None
    wow: float | None  # relative for counts and money; for a rate (unit fraction): this - last, in points
    target: float | None = None
    previous: float | None = None  # last week's value when that week is entirely in the data


def _delta_class(change: float | None, higher_is_better: bool | None) -> str:
    if change is None or (isinstance(change, float) and math.isnan(change)) or change == 0 \
            or higher_is_better is None:
        return "wx-flat"
    return "wx-good" if (change > 0) == higher_is_better else "wx-bad"


def kpi_cards(kpis: list[Kpi], tx: Text) -> str:
    """KPI cards: label, value, week-on-week change (coloured by whether up is good), target.
    Each card shows its metric (and the week-on-week change of it, `<key>_wow`, when registered)."""
    cards = []
    for k in kpis:
        metric = METRICS[k.key]
        value = tx.value(k.key, k.value)
        if k.wow is None:  # no complete previous week, or one whose value was 0
            reason = "no_previous" if k.previous is None else "wow_from_zero"
            delta = f'<div class="wx-delta wx-flat">{escape(tx(reason))}</div>'
        else:
            if f"{k.key}_wow" in METRICS:
                tx.shows(f"{k.key}_wow")
            arrow = "▲" if k.wow > 0 else "▼" if k.wow < 0 else "■"
            css = _delta_class(k.wow, metric.higher_is_better)
            delta = (f'<div class="wx-delta {css}">{arrow} {escape(fmt.change(k.wow, metric.unit, tx.language))} '
                     f'{escape(tx("wow"))}</div>')
        target = ""
        if k.target:
            share = None if k.value is None else k.value / k.target
            target = (f'<div class="wx-target">{escape(tx("vs_target"))} '
                      f'{fmt.value(k.target, metric.unit, tx.language)} · '
                      f'{escape(tx("of_target"))} {fmt.percent(share, 0)}</div>')
        cards.append(f'<div class="wx-card"><div class="wx-label">{escape(tx.label(k.key))}'
                     f'</div><div class="wx-value">{escape(value)}</div>{delta}{target}</div>')
    return f'<div class="wx-cards">{"".join(cards)}</div>'
