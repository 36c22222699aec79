"""Small shops for the user-analysis tests: load row dicts into a warehouse, read its day span."""

from __future__ import annotations

from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, build_warehouse

from conftest import write_source

WEEK = Period.parse("2026-W47")
STEPS = ["launch", "page_view", "add_to_cart", "pay"]


def load(tmp_path, shop) -> Warehouse:
    tables = {k: v for k, v in shop.items() if v}
    return Warehouse(build_warehouse(write_source(tmp_path, tables)))


def span(wh: Warehouse) -> tuple[int, int]:
    return wh.meta["first_day"], wh.meta["last_day"]
