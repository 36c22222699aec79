"""Every reported number, defined once: key, zh/en label, unit, definition and formula.

Notebooks display these labels, the JSON outputs carry the definitions, and each metric's
computation is tested against an independent one. Keys match ../shared/reference/report-outputs.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

Unit = Literal["users", "orders", "CNY", "fraction", "relative_change", "count"]


@dataclass(frozen=True)
class Metric:
    key: str
    zh: str
    en: str
    unit: Unit
    definition: str  # plain English, exactly what the JSON "definitions" carries
    formula: str  # the computation, in terms of the data-contract columns
    higher_is_better: bool | None = True

    def label(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


METRICS: dict[str, Metric] = {}


def register(*metrics: Metric) -> None:
    for m in metrics:
        if m.key in METRICS:
            raise ValueError(f"metric {m.key!r} is defined twice")
        METRICS[m.key] = m


def week_on_week(base: Metric) -> Metric:
    """The relative change of `base` against the previous ISO week."""
    return Metric(
        key=f"{base.key}_wow",
        zh=f"{base.zh}周环比",
        en=f"{base.en}, week on week",
        unit="relative_change",
        definition=f"relative change of {base.key} against the previous ISO week: "
                   f"(this week - previous week) / previous week; null when the previous week is "
                   f"not entirely inside the data or its value is 0",
        formula=f"{base.key}[week] / {base.key}[week - 1] - 1",
        higher_is_better=base.higher_is_better,
    )


PAID_ORDER = ("orders with status 'paid' or no status (refunded and cancelled orders are "
              "excluded), dated by paid_at")

ACTIVE_USERS = Metric(
    "active_users", "活跃用户", "Active users", "users",
    "distinct users with any event in the period",
    "COUNT(DISTINCT events.user_id) WHERE event_time in the period")
NEW_USERS = Metric(
    "new_users", "新增用户", "New users", "users",
    "users whose first_seen_at falls in the period",
    "COUNT(users) WHERE first_seen_at in the period")
ORDERS = Metric(
    "orders", "支付订单", "Paid orders", "orders",
    f"paid orders: {PAID_ORDER}",
    "COUNT(orders) WHERE status is paid (or empty) AND paid_at in the period")
GMV = Metric(
    "gmv", "成交额（GMV）", "GMV", "CNY",
    f"sum of paid order amounts (CNY yuan) of {PAID_ORDER}",
    "SUM(orders.amount) WHERE status is paid (or empty) AND paid_at in the period")

register(ACTIVE_USERS, NEW_USERS, ORDERS, GMV)
register(*(week_on_week(m) for m in (ACTIVE_USERS, NEW_USERS, ORDERS, GMV)))


def definitions_table(keys: list[str], language: str) -> pd.DataFrame:
    """The definitions of `keys` as a table for a report's appendix."""
    zh = language == "zh"
    rows = [{
        ("指标" if zh else "Metric"): METRICS[k].label(language),
        ("键" if zh else "Key"): k,
        ("单位" if zh else "Unit"): METRICS[k].unit,
        ("定义" if zh else "Definition"): METRICS[k].definition,
        ("计算" if zh else "Formula"): METRICS[k].formula,
    } for k in keys]
    return pd.DataFrame(rows)
