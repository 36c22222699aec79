"""Small HTML pieces for reports (escaped; styled by report.css)."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

from ..metrics.registry import METRICS
from . import fmt
from .i18n import t


@dataclass(frozen=True)
class Kpi:
    key: str
    value: float | None
    wow: float | None
    target: float | None = None


def _delta_class(change: float | None, higher_is_better: bool | None) -> str:
    if change is None or (isinstance(change, float) and math.isnan(change)) or change == 0 \
            or higher_is_better is None:
        return "wx-flat"
    return "wx-good" if (change > 0) == higher_is_better else "wx-bad"


def kpi_cards(kpis: list[Kpi], language: str) -> str:
    """KPI cards: label, value, week-on-week change (coloured by whether up is good), target."""
    cards = []
    for k in kpis:
        metric = METRICS[k.key]
        value = fmt.value(k.value, metric.unit, language)
        if k.wow is None:
            delta = f'<div class="wx-delta wx-flat">{html.escape(t("no_previous", language))}</div>'
        else:
            arrow = "▲" if k.wow > 0 else "▼" if k.wow < 0 else "■"
            css = _delta_class(k.wow, metric.higher_is_better)
            delta = (f'<div class="wx-delta {css}">{arrow} {fmt.relative_change(k.wow)} '
                     f'{html.escape(t("wow", language))}</div>')
        target = ""
        if k.target:
            share = None if k.value is None else k.value / k.target
            target = (f'<div class="wx-target">{html.escape(t("vs_target", language))} '
                      f'{fmt.value(k.target, metric.unit, language)} · '
                      f'{html.escape(t("of_target", language))} {fmt.percent(share, 0)}</div>')
        cards.append(f'<div class="wx-card"><div class="wx-label">{html.escape(metric.label(language))}'
                     f'</div><div class="wx-value">{value}</div>{delta}{target}</div>')
    return f'<div class="wx-cards">{"".join(cards)}</div>'
