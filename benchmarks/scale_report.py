"""The scale benchmark's tables: figures per size, per notebook, the pandas check, the grown-data
run, and the targets met or missed."""

from __future__ import annotations

from typing import Any

from benchmarks.common import report

TARGETS = (  # size, what, seconds, MB (None: no bound)
    ("10M", "user_analysis alone", 20, 1536),
    ("10M", "whole run (build + suite)", 90, None),
    ("100M", "whole run (build + suite)", 600, 8192),
)


def mb(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f} MB"


def sec(x: float | None) -> str:
    return "-" if x is None else f"{x:,.1f} s"


def whole(r: dict[str, Any]) -> tuple[float, float]:
    """The whole run: the warehouse build, then the suite (what a run on new data does)."""
    return r["build"].seconds + r["suite"].seconds, max(r["build"].peak_rss_mb, r["suite"].peak_rss_mb)


def _sizes(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        gen, pandas = r.get("generate"), r.get("pandas")
        total_s, total_mb = whole(r)
        p = pandas["m"] if pandas else None
        rows.append({
            "size": r["label"], "events": f"{r['rows']['events']:,}", "users": f"{r['rows']['users']:,}",
            "parquet": mb(r["parquet_mb"]),
            "generate": f"{sec(gen.seconds)}, {mb(gen.peak_rss_mb)}" if gen else "(cached)",
            "warehouse build": f"{sec(r['build'].seconds)}, {mb(r['build'].peak_rss_mb)}",
            "warehouse file": mb(r["warehouse_mb"]),
            f"suite (jobs {2})": f"{sec(r['suite'].seconds)}, {mb(r['suite'].peak_rss_mb)}",
            "whole run": f"{sec(total_s)}, {mb(total_mb)}",
            "pandas": f"{sec(p.seconds)}, {mb(p.peak_rss_mb)}" if p else "-",
            "suite/pandas": (f"{r['suite'].seconds / p.seconds:.1f}x time, "
                             f"{r['suite'].peak_rss_mb / p.peak_rss_mb:.1f}x memory") if p else "-",
            "load": f"{r['load_start']} .. {r['load_end']}",
        })
    report("scale: the whole suite per size (wall time, peak memory of the process tree)", rows)


def _notebooks(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        in_suite = {name: float(s) for name, s in _done(r["suite"].output)}
        alone = r.get("alone", {})
        for name in sorted(set(in_suite) | set(alone)):
            a = alone.get(name)
            rows.append({"size": r["label"], "notebook": name,
                         "in suite: runner time": sec(in_suite.get(name)),
                         "in suite: kernel peak": mb(r["suite"].peaks_mb.get(name)),
                         "alone: wall": sec(a.seconds) if a else "-",
                         "alone: peak (tree)": mb(a.peak_rss_mb) if a else "-",
                         "ok": (a.returncode == 0 if a else True) and name in in_suite})
    report("scale: each notebook (in the suite run, and alone with --jobs 1)", rows)


def _done(output: str) -> list[tuple[str, str]]:
    import re

    return re.findall(r"ok\s+(\w+): done in ([\d.]+)s", output)


def _checks(results: list[dict[str, Any]]) -> bool:
    rows, ok = [], True
    for r in results:
        if not r.get("pandas"):
            continue
        for key, mine, theirs, same in r["pandas"]["check"]:
            ok &= same
            rows.append({"size": r["label"], "week of": r["pandas"]["week"], "metric": key,
                         "pandas": _num(mine), "suite JSON": _num(theirs), "equal": same})
    report("scale: headline metrics by hand (pandas) against the suite's JSON", rows)
    return ok


def _num(x: Any) -> str:
    if x is None:
        return "null"
    return f"{x:,}" if isinstance(x, int) else f"{x:.10g}"


def _grown(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        g = r.get("grown")
        if not g:
            continue
        rows.append({"size": r["label"], "warehouse": f"{g['plan'].get('mode', '?')}: {g['plan'].get('reason', '')}",
                     "update": f"{sec(g['update'].seconds)}, {mb(g['update'].peak_rss_mb)}",
                     "suite": f"{sec(g['suite'].seconds)}, {mb(g['suite'].peak_rss_mb)}",
                     "update + suite": sec(g["update"].seconds + g["suite"].seconds),
                     "full build of the grown data": f"{sec(g['full'].seconds)}, {mb(g['full'].peak_rss_mb)}",
                     "first build (for comparison)": sec(r["build"].seconds)})
    report("scale: the weekly run after the data gained a week (2026-W48)", rows)


def _targets(results: list[dict[str, Any]]) -> bool:
    by_size = {r["label"]: r for r in results}
    rows, ok = [], True
    for size, what, seconds, limit_mb in TARGETS:
        r = by_size.get(size)
        if r is None:
            rows.append({"target": f"{size}: {what}", "bound": _bound(seconds, limit_mb),
                         "measured": "not run", "result": "-"})
            continue
        if what.startswith("user_analysis"):
            m = r.get("alone", {}).get("user_analysis")
            got = (m.seconds, m.peak_rss_mb) if m else (None, None)
        else:
            got = whole(r)
        met = got[0] is not None and got[0] <= seconds and (limit_mb is None or got[1] <= limit_mb)
        ok &= met
        rows.append({"target": f"{size}: {what}", "bound": _bound(seconds, limit_mb),
                     "measured": f"{sec(got[0])}, {mb(got[1])}", "result": "met" if met else "MISSED"})
    report("scale: targets (binding on a quiet 2-core, 24 GB machine)", rows)
    return ok


def _bound(seconds: float, limit_mb: float | None) -> str:
    return f"<= {seconds} s" + (f", <= {limit_mb / 1024:.1f} GB" if limit_mb else "")


def tables(results: list[dict[str, Any]]) -> int:
    """Print every table; 1 when a run failed, a check disagreed or a target was missed."""
    _sizes(results)
    _notebooks(results)
    checks = _checks(results)
    _grown(results)
    targets = _targets(results)
    failed = any(m.returncode for r in results for m in _measurements(r))
    return 0 if checks and targets and not failed else 1


def _measurements(r: dict[str, Any]) -> list[Any]:
    found = [r["build"], r["suite"], *r.get("alone", {}).values()]
    if r.get("pandas"):
        found.append(r["pandas"]["m"])
    if r.get("grown"):
        found += [r["grown"]["update"], r["grown"]["suite"], r["grown"]["full"]]
    return found
