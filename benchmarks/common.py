"""Measuring a command: wall time and peak memory of its whole process tree (kernels included)."""

from __future__ import annotations

import contextlib
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_rss_mb: float
    returncode: int
    output: str


def measure(cmd: list[str], poll_s: float = 0.1) -> Measurement:
    """Run `cmd`; sample the summed RSS of it and all its descendants until it exits."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, sum(_rss(p) for p in [root, *root.children(recursive=True)]))
        time.sleep(poll_s)
    output = proc.stdout.read() if proc.stdout else ""
    return Measurement(time.monotonic() - started, peak / 2**20, proc.returncode, output)


def _rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.Error:  # exited between listing and reading
        return 0


def report(name: str, rows: list[dict[str, object]]) -> None:
    """Print one benchmark's figures as an aligned table."""
    print(f"\n== {name} ==")
    if not rows:
        return
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in keys}
    print("  ".join(k.ljust(widths[k]) for k in keys))
    for r in rows:
        print("  ".join(str(r[k]).ljust(widths[k]) for k in keys))
