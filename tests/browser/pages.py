"""One run of the suite on the tiny sample, two consecutive weeks into one out folder (so that the
index has a previous week to link), then every page of the latest week opened in headless Chromium
at each screen size and measured (`browser.probe`), with screenshots."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from browser.cdp import Browser, CDPError
from browser.probe import SCREENS, measure
from helpers.suite import SUITE

ROOT = Path(__file__).resolve().parents[2]
WXREPORT = str(Path(sys.executable).with_name("wxreport"))
PREVIOUS, LATEST = "2026-W46", "2026-W47"  # the tiny sample's last two whole weeks (W42..W47)
PAGES = ("index", *(nb.name for nb in SUITE))


def _wxreport(*args: str) -> dict[str, Any]:
    start = time.monotonic()
    result = subprocess.run([WXREPORT, "run", *args], capture_output=True, text=True, cwd=ROOT, timeout=900)
    return {"args": list(args), "returncode": result.returncode, "seconds": round(time.monotonic() - start, 1),
            "output": (result.stdout + result.stderr)[-3000:]}


def run_and_measure(chromium: str, data: Path, folder: Path) -> dict[str, Any]:
    """Run the two weeks into `folder`/reports and measure the latest week's pages."""
    out = folder / "reports"
    runs = [_wxreport("--data", str(data), "--out", str(out), "--period", PREVIOUS, "--only", "weekly_summary"),
            _wxreport("--data", str(data), "--out", str(out), "--period", LATEST)]
    return {**measure_week(chromium, out, folder / "screenshots"), "runs": runs}


def measure_week(chromium: str, out: Path, shots: Path, period: str = LATEST) -> dict[str, Any]:
    """Every page of `out`/`period` at every screen size (None for a page the run did not write)."""
    week = out / period
    pages: dict[str, dict[str, Any] | None] = {}
    start = time.monotonic()
    with Browser(chromium) as browser, browser.page() as page:
        for name in PAGES:
            path = week / f"{name}.html"
            if not path.exists():
                pages[name] = None
                continue
            try:
                pages[name] = {s.name: measure(page, path.as_uri(), s, shots, name) for s in SCREENS}
            except CDPError as exc:  # one page that hangs or breaks the probe fails its own tests
                pages[name] = {"error": str(exc)}
        version = browser.version
    return {"out": str(out), "week": str(week), "previous": str(out / PREVIOUS), "screenshots": str(shots),
            "browser": version, "browser_seconds": round(time.monotonic() - start, 1), "pages": pages}


if __name__ == "__main__":  # python tests/browser/pages.py <out> <shots> [<period>]
    import json

    from browser.cdp import find_chromium

    result = measure_week(find_chromium() or "chromium", Path(sys.argv[1]), Path(sys.argv[2]), *sys.argv[3:4])
    print(json.dumps(result, ensure_ascii=False, indent=1))
