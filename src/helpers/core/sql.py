"""Portable SQL fragments shared by the metric queries (ANSI SQL; integer day numbers)."""

from __future__ import annotations


def paid(alias: str = "") -> str:
    """Paid orders: status 'paid' or missing; refunded and cancelled orders are excluded."""
    column = f"{alias}.status" if alias else "status"
    return f"COALESCE(LOWER({column}), 'paid') = 'paid'"


PAID = paid()


def week_start(day_column: str) -> str:
    """Day number of the Monday starting the ISO week of `day_column` (day 0 = Thu 1970-01-01)."""
    return f"({day_column} - (({day_column} + 3) % 7))"
