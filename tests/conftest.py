"""Shared fixtures: a private cache, a tiny generated sample, and hand-made data sources."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest

# Every test process gets its own warehouse/run cache, never the developer's .cache.
os.environ["WXREPORT_CACHE"] = tempfile.mkdtemp(prefix="wxreport-test-cache-")

from helpers.core.warehouse import Warehouse, build_warehouse
from helpers.sample import SampleSpec, write_sample

TINY = SampleSpec(seed=11, users=1500, days=42)  # 2026-10-12 .. 2026-11-22: weeks W42..W47


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "shop"
    write_sample(path, TINY)
    return path


@pytest.fixture(scope="session")
def tiny_wh(tiny_data) -> Warehouse:
    wh = Warehouse(build_warehouse(tiny_data))
    yield wh
    wh.close()


def write_source(folder: Path, tables: dict[str, list[dict]], fmt: str = "csv",
                 encoding: str = "utf-8") -> Path:
    """A data-source folder with one file per table (CSV by default), from lists of row dicts."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        frame = pd.DataFrame(rows)
        if fmt == "csv":
            frame.to_csv(folder / f"{name}.csv", index=False, encoding=encoding)
        else:
            frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def minimal_tables() -> dict[str, list[dict]]:
    """Two users, a handful of events and orders across ISO weeks 2026-W46 and W47."""
    return {
        "users": [
            {"user_id": "a", "first_seen_at": "2026-11-09 10:00:00", "channel": "search"},
            {"user_id": "b", "first_seen_at": "2026-11-17 09:00:00", "channel": "share"},
        ],
        "events": [
            {"user_id": "a", "event_time": "2026-11-09 10:00:00", "event": "launch"},
            {"user_id": "a", "event_time": "2026-11-15 23:59:59", "event": "launch"},
            {"user_id": "a", "event_time": "2026-11-16 00:00:00", "event": "page_view"},
            {"user_id": "b", "event_time": "2026-11-17 09:00:00", "event": "launch"},
            {"user_id": "b", "event_time": "2026-11-22 20:00:00", "event": "pay"},
        ],
        "orders": [
            {"order_id": "o1", "user_id": "a", "paid_at": "2026-11-10 12:00:00", "amount": 50.0,
             "status": "paid"},
            {"order_id": "o2", "user_id": "b", "paid_at": "2026-11-22 20:00:00", "amount": 30.5,
             "status": "paid"},
            {"order_id": "o3", "user_id": "b", "paid_at": "2026-11-22 20:05:00", "amount": 99.0,
             "status": "refunded"},
        ],
    }
