"""KPI cards that say whether the week was good or bad and why: value, week on week, the target
(met / at risk / missed) and the forecast made before the week (within / above / below its range).

Drawn from the JSON objects of the weekly summary's `metrics.kpi_status` (helpers.weekly.judgement),
so the weekly summary and the index show the very same cards from the same published numbers.
Every status is an icon and a word, never a colour alone; the card's edge carries its tone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from helpers.core.metrics import METRICS
from helpers.render import fmt
from helpers.render.escape import escape
from helpers.render.text import Text

TARGET_ICON = {"met": "✓", "at_risk": "⚠", "missed": "×"}
FORECAST_ICON = {"within": "●", "above": "▲", "below": "▼"}
TONES = ("good", "bad", "flat")
TARGET_TEXT = {"met": "ks_target_met", "at_risk": "ks_target_at_risk", "missed": "ks_target_missed"}
FORECAST_TEXT = {"within": "ks_forecast_within", "above": "ks_forecast_above", "below": "ks_forecast_below"}


def _line(css: str, icon: str, text: str, keep: str = "") -> str:
    """A status line; the part `keep` of it (a number range) never breaks inside."""
    body = escape(text)
    if keep:
        body = body.replace(escape(keep), f'<span class="wx-nowrap">{escape(keep)}</span>', 1)
    return (f'<div class="wx-ks-line {css}"><span class="wx-ks-icon" aria-hidden="true">'
            f"{escape(icon)}</span> {body}</div>")


def _wow(item: dict[str, Any], tx: Text) -> str:
    wow = item.get("wow")
    if wow is None:
        return _line("wx-flat", "–", tx("ks_no_wow"))
    unit = METRICS[item["metric"]].unit
    arrow = "▲" if wow > 0 else "▼" if wow < 0 else "■"
    return _line("wx-ks-wow", arrow, tx("ks_wow", change=fmt.change(wow, unit, tx.language)))


def _target(item: dict[str, Any], tx: Text) -> str:
    status = item.get("target_status")
    if status is None:
        return ""
    target = tx.value(item["metric"], item.get("target"))
    return _line(f"wx-ks-target wx-ks-{status}", TARGET_ICON[status],
                 tx(TARGET_TEXT[status], target=target), keep=target)


def _forecast(item: dict[str, Any], tx: Text) -> str:
    status = item.get("forecast_status")
    if status is None:
        return _line("wx-flat", "○", tx("ks_no_forecast"))
    key = item["metric"]
    span = f"{tx.value(key, item.get('forecast_lo80'))}–{tx.value(key, item.get('forecast_hi80'))}"
    return _line(f"wx-ks-forecast wx-ks-{status}", FORECAST_ICON[status],
                 tx(FORECAST_TEXT[status], range=span), keep=span)


def status_card(item: dict[str, Any], tx: Text) -> str:
    """One card from a `kpi_status` object."""
    key = item["metric"]
    tone = item.get("tone") if item.get("tone") in TONES else "flat"
    return (f'<div class="wx-card wx-ks wx-ks-{tone}"><div class="wx-label">{escape(tx.label(key))}</div>'
            f'<div class="wx-value">{escape(tx.value(key, item.get("value")))}</div>'
            f"{_target(item, tx)}{_forecast(item, tx)}{_wow(item, tx)}</div>")


def status_cards(items: Sequence[dict[str, Any]], tx: Text) -> str:
    """The cards of a week's KPIs (empty when there are none)."""
    if not items:
        return ""
    return f'<div class="wx-cards wx-ks-cards">{"".join(status_card(i, tx) for i in items)}</div>'
