"""Generated one-line findings: the numbers of a section said in a sentence, zh or en."""

from __future__ import annotations

from typing import Any

from ..metrics.registry import METRICS
from . import fmt


def weekly_summary(metrics: dict[str, Any], language: str) -> str:
    """'活跃用户 2.3万（周环比 -3.1%），…；变化最大：GMV +8.2%。'"""
    keys = ["active_users", "new_users", "orders", "gmv"]
    parts = []
    for k in keys:
        value = fmt.value(metrics.get(k), METRICS[k].unit, language)
        wow = metrics.get(f"{k}_wow")
        change = "" if wow is None else (f"（周环比 {fmt.relative_change(wow)}）" if language == "zh"
                                         else f" ({fmt.relative_change(wow)} week on week)")
        parts.append(f"{METRICS[k].label(language)} {value}{change}")
    moved = [(abs(metrics[f"{k}_wow"]), k) for k in keys if metrics.get(f"{k}_wow") is not None]
    biggest = max(moved)[1] if moved else None
    if language == "zh":
        text = "本周" + "，".join(parts) + "。"
        if biggest:
            change = fmt.relative_change(metrics[biggest + "_wow"])
            text += f"变化最大的是{METRICS[biggest].label(language)}（{change}）。"
        return text
    text = "This week: " + "; ".join(parts) + "."
    if biggest:
        change = fmt.relative_change(metrics[biggest + "_wow"])
        text += f" The biggest move: {METRICS[biggest].label(language)} ({change})."
    return text
