"""The weekly summary's sentence: each KPI with its week-on-week change, and the biggest move."""

from __future__ import annotations

from typing import Any

from helpers.core.kpis import KPIS
from helpers.render import fmt
from helpers.render.text import Text


def weekly_summary(metrics: dict[str, Any], tx: Text, wechat: dict[str, float | None] | None = None) -> str:
    """'本周活跃用户 2.3万（周环比 -3.1%），…，客单价 ¥86.89。变化最大的是成交额（GMV）（+8.2%）。' A KPI
    without a value (orders, GMV and AOV without an orders table) is left out, never shown as a dash.
    `wechat`: WeChat's figures shown on cards (key -> week on week), after the KPIs. '' when the
    week has no figure at all."""
    parts = []
    for k in (k for k in KPIS if metrics.get(k) is not None):
        wow = metrics.get(f"{k}_wow")
        values = {"label": tx.label(k), "value": tx.value(k, metrics.get(k))}
        parts.append(tx("ws_kpi", **values) if wow is None else
                     tx("ws_kpi_wow", **values, wow=tx.value(f"{k}_wow", wow)))
    if metrics.get("aov") is not None:
        parts.append(tx("ws_kpi", label=tx.label("aov"), value=tx.value("aov", metrics["aov"])))
    for k, wow in (wechat or {}).items():
        if metrics.get(k) is None:
            continue
        values = {"label": tx.label(k), "value": tx.value(k, metrics[k])}
        parts.append(tx("ws_kpi", **values) if wow is None else
                     tx("ws_kpi_wow", **values, wow=fmt.relative_change(wow)))
    if not parts:
        return ""
    sentence = tx("ws_summary", kpis=tx("ws_kpi_separator").join(parts))
    moved = [(abs(metrics[f"{k}_wow"]), k) for k in KPIS if metrics.get(f"{k}_wow") is not None]
    if moved:
        biggest = max(moved)[1]
        sentence += tx("ws_biggest_move", label=tx.label(biggest), change=metrics[f"{biggest}_wow"])
    return sentence
