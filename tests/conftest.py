"""Shared fixtures: a private cache, a tiny generated sample, hand-made data sources, and `made_once`
for costly outputs (whole-suite runs) that tests in several modules, on any test worker, share."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: each test worker makes its own
    fcntl = None

import pandas as pd
import pytest

# Every test process gets its own warehouse/run cache, never the developer's .cache.
os.environ["WXREPORT_CACHE"] = tempfile.mkdtemp(prefix="wxreport-test-cache-")

from helpers.core.warehouse import Warehouse, build_warehouse
from helpers.sample import SampleSpec, write_sample

# Tests whose shared setup takes minutes start first: the worker that makes it is busy from the
# start while the other runs the rest, instead of the other worker stealing one of them at the end
# and waiting for the setup under its lock (`made_once`).
FIRST = ("spark/test_parity.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not any(item.nodeid.startswith(f"tests/{path}") for path in FIRST))

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


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when closed, even by a killed worker
        yield


@pytest.fixture(scope="session")
def made_once(tmp_path_factory) -> Callable[[str, Callable[[Path], None]], Path]:
    """`made_once(name, make)`: the folder that `make(folder)` filled, made once per test run, by
    whichever worker asks first. pytest-xdist runs one session per worker; they meet in the folder
    above their own temporary folders, under a file lock (the pattern of pytest-xdist's docs). A
    whole-suite run costs tens of seconds, so tests in several modules that check the same run share
    it. A `make` that failed is not repeated: every test that asks for it fails with its message."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if fcntl is not None and os.environ.get("PYTEST_XDIST_WORKER") else base) / "made-once"
    shared.mkdir(exist_ok=True)

    def once(name: str, make: Callable[[Path], None]) -> Path:
        folder, done, failed = shared / name, shared / f"{name}.done", shared / f"{name}.failed"
        with _exclusive(shared / f"{name}.lock"):
            if not done.exists() and not failed.exists():
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir()
                try:
                    make(folder)
                except (Exception, pytest.fail.Exception) as exc:
                    failed.write_text("".join(traceback.format_exception_only(exc)), encoding="utf-8")
                    raise
                done.touch()
        if failed.exists():
            pytest.fail(f"making {name!r} failed (once, for every test that uses it):\n"
                        + failed.read_text(encoding="utf-8"), pytrace=False)
        return folder

    return once


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
