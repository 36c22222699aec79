"""Good or bad, and why: each KPI against its target, against the forecast made before the week,
and week on week, with the calendar and campaigns of both weeks as context.

How a KPI card is judged (its tone), in this order:
1. a target, when set: met is good, missed is bad (at risk is neither: its line says so);
2. else a forecast made before the week: above the range is good, below is bad, within is as
   expected (a drop after 双11 that the forecast expected is no news);
3. else week on week, but only when neither week held a calendar event or campaign: against a week
   with 双11 or a live campaign, week on week alone judges nothing, so the card stays neutral.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from helpers.core.metrics import METRICS
from helpers.render.text import Text
from helpers.weekly.context import Event, short_names
from helpers.weekly.expected import Expected

# A target reached to at least this share but not fully is "at risk" rather than "missed": a week
# 3% short is a nudge, 20% short is a miss.
AT_RISK_SHARE = 0.95
FORECAST_VERDICT = {"within": "ws_verdict_within", "above": "ws_verdict_above", "below": "ws_verdict_below"}
TARGET_VERDICT = {"met": "ws_verdict_target_met", "at_risk": "ws_verdict_target_at_risk",
                  "missed": "ws_verdict_target_missed"}
TARGET_ALERT = {"at_risk": "ws_alert_target_at_risk", "missed": "ws_alert_target_missed"}


@dataclass(frozen=True)
class KpiStatus:
    """One KPI of the week with everything it is judged against."""

    key: str
    value: float | None
    wow: float | None
    target: float | None = None
    expected: Expected | None = None

    @property
    def target_status(self) -> str | None:
        """met / at_risk / missed, None without a target or a value."""
        if self.target is None or self.value is None or not self.target:
            return None
        better = METRICS[self.key].higher_is_better is not False
        share = self.value / self.target if better else self.target / self.value if self.value else 1.0
        return "met" if share >= 1 else "at_risk" if share >= AT_RISK_SHARE else "missed"

    @property
    def forecast_status(self) -> str | None:
        """within / above / below the forecast range, None without a forecast."""
        return None if self.expected is None else self.expected.status(self.value)

    def tone(self, eventful: bool) -> str:
        """good / bad / flat, by the rules of the module docstring."""
        better = METRICS[self.key].higher_is_better
        if better is None:
            return "flat"
        up = {"above": True, "below": False, "met": True, "missed": False}
        judged = self.target_status or self.forecast_status
        if judged is not None:
            if judged not in up:
                return "flat"
            return "good" if up[judged] == better else "bad"
        if eventful or not self.wow:
            return "flat"
        return "good" if (self.wow > 0) == better else "bad"

    def json(self, eventful: bool) -> dict[str, Any]:
        """The JSON object of metrics.kpi_status (what the index shows of the week's KPIs)."""
        e = self.expected
        return {"metric": self.key, "tone": self.tone(eventful), "value": self.value, "wow": self.wow,
                "target": self.target, "target_status": self.target_status,
                "forecast": _cents(e and e.value), "forecast_lo80": _cents(e and e.lo),
                "forecast_hi80": _cents(e and e.hi), "forecast_made_in": e and e.made_in,
                "forecast_status": self.forecast_status}


def _cents(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def statuses(metrics: dict[str, Any], keys: list[str], targets: dict[str, float],
             expected: dict[str, Expected]) -> list[KpiStatus]:
    return [KpiStatus(k, metrics.get(k), metrics.get(f"{k}_wow"), targets.get(k), expected.get(k))
            for k in keys]


def _join(keys: list[str], tx: Text) -> str:
    return tx("ws_list_separator").join(tx.label(k) for k in keys)


def verdict(items: list[KpiStatus], events: list[Event], tx: Text) -> str:
    """The week in one sentence, claiming only what is computed: '上周有双11 当天（11月11日）；
    成交额（GMV）在预测范围内，支付订单低于预测范围；成交额（GMV）未达目标。'"""
    parts = []
    for week, key in (("previous", "ws_context_previous"), ("this", "ws_context_this")):
        names = short_names(events, week, tx)
        if names:
            parts.append(tx(key, events=names))
    for status, key in FORECAST_VERDICT.items():
        keys = [i.key for i in items if i.forecast_status == status]
        if keys:
            parts.append(tx(key, kpis=_join(keys, tx)))
    for status, key in TARGET_VERDICT.items():
        keys = [i.key for i in items if i.target_status == status]
        if keys:
            parts.append(tx(key, kpis=_join(keys, tx)))
    if not any(i.forecast_status or i.target_status for i in items):
        parts.append(tx("ws_verdict_no_yardstick"))
    return tx("ws_verdict", parts=capitalized(tx("ws_clause_separator").join(parts)))


def capitalized(text: str) -> str:
    """A sentence's first letter in capitals (a clause may begin it; CJK text is unchanged)."""
    return text[:1].upper() + text[1:]


def target_alerts(items: list[KpiStatus], tx: Text) -> list[dict[str, Any]]:
    """A target at risk or missed, as JSON summary alerts (kind 'target')."""
    out = []
    for i in items:
        if i.target_status in TARGET_ALERT:
            out.append({"kind": "target", "metric": i.key, "status": i.target_status,
                        "text": tx(TARGET_ALERT[i.target_status], label=tx.label(i.key),
                                   value=tx.value(i.key, i.value), target=tx.value(i.key, i.target))})
    return out


DEFINITIONS = {
    "kpi_status": "per KPI shown: metric, tone (good/bad/flat: how the card is coloured), value, wow "
                  "(relative change), target, target_status (met/at_risk/missed, at_risk = at least "
                  "95% of the target), forecast (sum of the daily forecasts made by the previous "
                  "week's forecasting report), forecast_lo80/forecast_hi80 (sum of the daily 80% "
                  "bounds), forecast_made_in (week label), forecast_status (within/above/below); null "
                  "when there is no target or forecast",
    "context": "calendar events (holidays, make-up workdays, shopping festivals and pre-sales) and "
               "campaigns of this and the previous week: kind (calendar/campaign), name (calendar "
               "column or campaign name), week (this/previous), start, end",
}


def published(items: list[KpiStatus], events: list[Event]) -> dict[str, Any]:
    """The metrics added to the weekly summary's JSON (issue 14): kpi_status and context."""
    eventful = bool(events)
    return {"kpi_status": [i.json(eventful) for i in items], "context": [e.json() for e in events]}
