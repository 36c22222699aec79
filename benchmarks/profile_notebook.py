"""Where a notebook's time goes: `python -m benchmarks.profile_notebook <notebook> <data> [period]`.

Runs `notebooks/<notebook>.py` (the jupytext twin of the .ipynb) cell by cell in this process, as
a notebook opened by hand would (`params = {"data": ...}`), and prints the wall time of each cell
and of each SQL query through `Warehouse.query`, grouped by the helper function that issued it
(the first caller outside core/warehouse.py), slowest first. The warehouse is built first when the
data has none in the cache (that time is printed apart). No kernel, no HTML rendering: the
runner's own overhead (kernel start, nbconvert) is what the notebook's wall time adds to these.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import time
import traceback
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT

CELL = re.compile(r"^# %%.*$", re.MULTILINE)


def _cells(notebook: str) -> list[str]:
    """The code cells of the notebook's .py twin (markdown cells are comments: they cost nothing)."""
    text = (ROOT / "notebooks" / f"{notebook}.py").read_text(encoding="utf-8")
    return [c for c in CELL.split(text)[1:] if c.strip()]


def _caller() -> str:
    """The helper function that issued the query: the first frame outside the warehouse module."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if "helpers" in name and not name.endswith("core/warehouse.py"):
            module = Path(name).stem
            return f"{Path(name).parent.name}.{module}.{frame.f_code.co_name}:{frame.f_lineno}"
        frame = frame.f_back
    return "?"


def profile(notebook: str, data: str, period: str | None = None) -> dict[str, Any]:
    """Per cell and per query-issuing function: seconds (and calls); the warehouse build apart."""
    from helpers.core import warehouse as wmod

    queries: dict[str, list[float]] = defaultdict(list)
    original = wmod.Warehouse.query

    def timed(self: Any, sql: str, params: dict[str, Any] | None = None) -> Any:
        started = time.perf_counter()
        try:
            return original(self, sql, params)
        finally:
            queries[_caller()].append(time.perf_counter() - started)

    started = time.perf_counter()
    from helpers.suite import resolve_data

    built = wmod.build_warehouse(resolve_data(data))
    build_s = time.perf_counter() - started
    import helpers.suite

    # the notebook opens this warehouse (no second build, even when the loader's code changed)
    helpers.suite.build_warehouse = lambda *_, **__: built  # type: ignore[assignment]
    wmod.Warehouse.query = timed  # type: ignore[method-assign]
    cells: list[tuple[int, float, str]] = []
    namespace: dict[str, Any] = {}
    try:
        for i, code in enumerate(_cells(notebook), 1):
            if "params = {}" in code:
                given = {"data": data, **({"period": period} if period else {})}
                code = code.replace("params = {}", f"params = {given!r}")
            started = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                try:
                    exec(compile(code, f"<{notebook} cell {i}>", "exec"), namespace)
                except Exception:
                    traceback.print_exc()
                    break
            cells.append((i, time.perf_counter() - started, code.strip().splitlines()[0][:70]))
    finally:
        wmod.Warehouse.query = original  # type: ignore[method-assign]
    return {"build_s": build_s, "cells": cells, "queries": dict(queries)}


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    found = profile(argv[0], argv[1], argv[2] if len(argv) > 2 else None)
    print(f"warehouse build (or cache lookup): {found['build_s']:.1f}s")
    total = sum(s for _, s, _ in found["cells"])
    print(f"\ncells ({total:.1f}s in all):")
    for i, seconds, first in sorted(found["cells"], key=lambda c: -c[1]):
        print(f"  {seconds:7.2f}s  cell {i:2d}  {first}")
    query_total = sum(sum(v) for v in found["queries"].values())
    print(f"\nqueries by caller ({query_total:.1f}s in all, {total - query_total:.1f}s outside SQL):")
    for caller, times in sorted(found["queries"].items(), key=lambda kv: -sum(kv[1])):
        print(f"  {sum(times):7.2f}s  x{len(times):<3d} {caller}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
