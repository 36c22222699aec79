"""Hand-made S2B2C shops for the merchant tests, and a plain-Python reference of the merchant
statuses (written from the definitions, without the family's code).

Days are counted back from END = Sunday 2026-11-22, the last day of 2026-W47 (the report week);
`Shop.sell(m, d, buyers, amount)` adds one paid order per buyer, `d` days before END.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from datasets import write_dataset
from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, build_warehouse, day_number

END = date(2026, 11, 22)
W47 = Period.parse("2026-W47")
HI = day_number(END)
SPAN_DAYS = 70  # events from END - 69 to END: ten complete weeks, 2026-W38 .. W47


def stamp(days_before: int, hour: int = 12, minute: int = 0) -> str:
    return f"{(END - timedelta(days=days_before)).isoformat()} {hour:02d}:{minute:02d}:00"


@dataclass
class Shop:
    orders: list[dict] = field(default_factory=list)
    merchants: list[dict] | None = None
    span_days: int = SPAN_DAYS

    def sell(self, merchant: str | None, days_before: int, buyers: list[str], amount: float,
             status: str = "paid", minute: int = 0) -> Shop:
        for buyer in buyers:
            self.orders.append({"order_id": f"o{len(self.orders) + 1}", "user_id": buyer,
                                "paid_at": stamp(days_before, 12, minute), "amount": float(amount),
                                "status": status, "merchant_id": merchant})
        return self

    def tables(self, with_merchant_id: bool = True) -> dict[str, list[dict]]:
        first_seen: dict[str, str] = {"u_span": stamp(self.span_days - 1, 0)}
        for o in sorted(self.orders, key=lambda o: o["paid_at"]):
            first_seen.setdefault(o["user_id"], stamp(self.span_days - 1, 1))
        users = [{"user_id": u, "first_seen_at": t} for u, t in first_seen.items()]
        events = [{"user_id": u, "event_time": t, "event": "launch"} for u, t in first_seen.items()]
        events.append({"user_id": "u_span", "event_time": stamp(0, 23), "event": "launch"})
        orders = [dict(o) for o in self.orders]
        if not with_merchant_id:
            for o in orders:
                o.pop("merchant_id")
        tables = {"users": users, "events": events, "orders": orders}
        if self.merchants is not None:
            tables["merchants"] = self.merchants
        return tables

    def warehouse(self, folder: Path, with_merchant_id: bool = True) -> Warehouse:
        source = write_dataset(folder / "source", self.tables(with_merchant_id))
        return Warehouse(build_warehouse(source, target=folder / "wh.duckdb"))


def people(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def reference_statuses(orders: list[dict], end: int, dormant: int = 14, churn: int = 30) -> dict[str, tuple]:
    """merchant -> (status, turned) at day `end` from the definitions, order by order."""
    days: dict[str, list[int]] = {}
    for o in orders:
        if o.get("merchant_id") and o["status"] == "paid":
            d = day_number(date.fromisoformat(o["paid_at"][:10]))
            days.setdefault(o["merchant_id"], []).append(d)
    out = {}
    for merchant, sold in days.items():
        sold = sorted(sold)
        if sold[0] > end:
            continue
        last = max(d for d in sold if d <= end)
        before = [d for d in sold if d <= end - 7]
        gap_before = (end - 7 - max(before)) if before else None

        def state(gap: int) -> str:
            return "churned" if gap >= churn else "dormant" if gap >= dormant else "quiet"

        if last >= end - 6:
            if sold[0] >= end - 6:
                status = "new"
            elif gap_before is not None and gap_before >= dormant:
                status = "reactivated"
            else:
                status = "active"
        else:
            status = state(end - last)
        was = state(gap_before) if gap_before is not None and gap_before > 6 else "active"
        turned = status if status in ("dormant", "churned") and was != status else None
        out[merchant] = (status, turned)
    return out
