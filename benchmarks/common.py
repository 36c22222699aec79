"""Measuring a command: wall time and peak memory of its whole process tree (kernels included)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_rss_mb: float
    returncode: int
    output: str
    # peak RSS (MB) of the processes `measure`'s `label` names, per label (e.g. per notebook kernel)
    peaks_mb: dict[str, float] = field(default_factory=dict)


def measure(cmd: list[str], poll_s: float = 0.1, env: dict[str, str] | None = None,
            label: Callable[[psutil.Process], str | None] | None = None) -> Measurement:
    """Run `cmd`; sample the summed RSS of it and all its descendants until it exits. `env` is
    added to this process's environment; `label(process)` names processes whose own peak RSS is
    wanted (asked once per process; None: not wanted)."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})
    root = psutil.Process(proc.pid)
    peak = 0
    labels: dict[int, str | None] = {}
    peaks: dict[str, int] = {}
    chunks: list[str] = []
    reader = threading.Thread(target=lambda: chunks.extend(proc.stdout or []), daemon=True)
    reader.start()  # a chatty command must not block on a full pipe while we sample
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            total = 0
            for p in [root, *root.children(recursive=True)]:
                rss = _rss(p)
                total += rss
                if label is not None:
                    if p.pid not in labels:
                        labels[p.pid] = _label(label, p)
                    if name := labels[p.pid]:
                        peaks[name] = max(peaks.get(name, 0), rss)
            peak = max(peak, total)
        time.sleep(poll_s)
    reader.join()
    return Measurement(time.monotonic() - started, peak / 2**20, proc.returncode, "".join(chunks),
                       {k: v / 2**20 for k, v in peaks.items()})


def _label(label: Callable[[psutil.Process], str | None], process: psutil.Process) -> str | None:
    try:
        return label(process)
    except (psutil.Error, OSError):
        return None


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
