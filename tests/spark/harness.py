"""Parity harness: run the suite's notebooks in this process (no kernel), recording every query the
reports send to the warehouse, and replay the recorded queries on another engine.

    python tests/spark/harness.py record <data folder> <queries.pkl>   # DuckDB, in process
    python tests/spark/harness.py replay <data folder> <queries.pkl>   # Spark local[2], compared

The record holds (notebook, sql, params, DuckDB's frame); `replay` runs each on SparkWarehouse and
prints the queries whose frames differ (columns, dtypes kind, values to a relative 1e-9, row order).
"""

from __future__ import annotations

import math
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jupytext
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
WEEK = "2026-W47"


def run_in_process(data: Path, out: Path, engine: str = "duckdb", only: list[str] | None = None
                   ) -> dict[str, Path]:
    """Run the notebooks (suite order) by executing their code cells here; returns each JSON."""
    import matplotlib

    matplotlib.use("Agg")
    from helpers.run.jobs import Options
    from helpers.run.plan import plan

    options = Options(data=str(data), period=WEEK, out=str(out), only=only, engine=engine)
    planned = plan(options)
    published = {}
    for job in planned.jobs:
        if only and job.name not in only:
            continue
        job.out_dir.mkdir(parents=True, exist_ok=True)
        runner = {"warehouse": str(job.warehouse), "output_dir": str(job.out_dir),
                  "reads": {n: str(p) for n, p in job.read_files().items()}}
        params = job.params | {"runner": runner}
        notebook = jupytext.read(job.notebook.with_suffix(".py"))
        scope: dict[str, Any] = {"__name__": "__main__"}
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            if "parameters" in cell.metadata.get("tags", []):
                scope["params"] = params
                continue
            exec(compile(cell.source, f"{job.name}.py", "exec"), scope)
        rep = scope.get("rep")
        if rep is not None:
            rep.wh.close()
        published[job.name] = job.out_dir / f"{job.name}.json"
        import matplotlib.pyplot as plt

        plt.close("all")
    return published


def record(data: Path) -> list[dict[str, Any]]:
    """Every query the suite's notebooks send on DuckDB for WEEK, with its result."""
    from helpers.core.warehouse import Warehouse

    calls: list[dict[str, Any]] = []
    original = Warehouse.query

    def recording(self, sql, params=None):
        frame = original(self, sql, params)
        calls.append({"sql": sql, "params": dict(params or {}), "frame": frame.copy()})
        return frame

    Warehouse.query = recording
    try:
        with tempfile.TemporaryDirectory() as tmp:
            run_in_process(data, Path(tmp) / "reports")
    finally:
        Warehouse.query = original
    return calls


def same_value(a: Any, b: Any, rel: float = 1e-9) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)) or a is pd.NaT or a is pd.NA:
        return b is None or (isinstance(b, float) and math.isnan(b)) or b is pd.NaT or b is pd.NA
    if isinstance(a, (int, float, np.integer, np.floating)) and not isinstance(a, bool):
        if not isinstance(b, (int, float, np.integer, np.floating)) or isinstance(b, bool):
            return False
        if math.isnan(float(b)):
            return False
        return a == b or math.isclose(float(a), float(b), rel_tol=rel, abs_tol=1e-12)
    return a == b


def frame_difference(expected: pd.DataFrame, got: pd.DataFrame) -> str | None:
    """Why two result frames differ, or None: columns, dtype kinds, shape, values in row order."""
    if list(expected.columns) != list(got.columns):
        return f"columns {list(expected.columns)} != {list(got.columns)}"
    if expected.shape != got.shape:
        return f"shape {expected.shape} != {got.shape}"
    for col in expected.columns:
        ek, gk = expected[col].dtype.kind, got[col].dtype.kind
        if ek != gk:
            return f"column {col}: dtype {expected[col].dtype} != {got[col].dtype}"
        for i, (a, b) in enumerate(zip(expected[col].tolist(), got[col].tolist(), strict=True)):
            if not same_value(a, b):
                return f"column {col} row {i}: {a!r} != {b!r}"
    return None


def ordered(sql: str) -> bool:
    """The query's result has an order (a top-level ORDER BY); else rows compare as a multiset."""
    import sqlglot

    from helpers.core.spark_sql import _PLACEHOLDER

    tree = sqlglot.parse_one(_PLACEHOLDER.sub(lambda m: "$" + m.group(1), sql), read="duckdb")
    return tree.args.get("order") is not None


def by_rows(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    keys = frame.astype(str)
    return frame.iloc[keys.sort_values(list(keys.columns)).index.map(frame.index.get_loc)].reset_index(drop=True)


def replay(calls: list[dict[str, Any]], wh: Any, show: Callable[[str], None] = print) -> int:
    bad = 0
    seen = set()
    for call in calls:
        key = (call["sql"], tuple(sorted(call["params"].items())))
        if key in seen:
            continue
        seen.add(key)
        try:
            got = wh.query(call["sql"], call["params"])
            expected = call["frame"]
            if not ordered(call["sql"]):
                expected, got = by_rows(expected), by_rows(got)
            why = frame_difference(expected, got)
        except Exception as exc:
            why = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if why:
            bad += 1
            show(f"--- {why}\n{call['sql'].strip()[:3000]}\n{call['params']}")
    show(f"{bad} of {len(seen)} distinct queries differ")
    return bad


IGNORED = {"generated_at"}  # differs between any two runs


def json_difference(expected: Any, got: Any, where: str = "") -> str | None:
    """Where two published JSON documents differ: numbers to a relative 1e-9, lists in order."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in sorted(set(expected) | set(got)):
            if key in IGNORED:
                continue
            if key not in expected or key not in got:
                return f"{where}.{key}: only in {'DuckDB' if key in expected else 'Spark'}"
            if why := json_difference(expected[key], got[key], f"{where}.{key}"):
                return why
        return None
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            return f"{where}: {len(expected)} items != {len(got)}"
        for i, (a, b) in enumerate(zip(expected, got, strict=True)):
            if why := json_difference(a, b, f"{where}[{i}]"):
                return why
        return None
    if isinstance(expected, bool) or isinstance(got, bool) or not isinstance(expected, int | float):
        return None if expected == got else f"{where}: {expected!r} != {got!r}"
    return None if same_value(expected, got) else f"{where}: {expected!r} != {got!r}"


if __name__ == "__main__":
    action, folder, store = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    if action == "record":
        recorded = record(folder)
        store.write_bytes(pickle.dumps(recorded))
        print(f"{len(recorded)} queries recorded")
    elif action == "notebooks":
        import json

        with tempfile.TemporaryDirectory() as tmp:
            duck = run_in_process(folder, Path(tmp) / "duckdb")
            spark = run_in_process(folder, Path(tmp) / "spark", engine="spark")
            for name, path in duck.items():
                why = json_difference(json.loads(path.read_text()), json.loads(spark[name].read_text()))
                print(f"{name}: {why or 'identical'}")
    else:
        from helpers.core.engines import open_spark_warehouse

        with open_spark_warehouse(folder) as spark_wh:
            sys.exit(1 if replay(pickle.loads(store.read_bytes()), spark_wh) else 0)
