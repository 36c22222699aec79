"""Fixtures of the browser group: the browser (skipped without one, except under CI) and the
measured pages of one tiny-sample run (`browser.pages`), made once per test run whichever worker
asks first (`made_once`), so the suite runs once per `make test`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from browser.cdp import find_chromium, missing_browser
from browser.pages import run_and_measure

MEASUREMENTS = "measurements.json"


@pytest.fixture(scope="session")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        outcome, message = missing_browser()
        (pytest.fail if outcome == "fail" else pytest.skip)(message)
    return path


@pytest.fixture(scope="session")
def browser_run(chromium, made_once, request) -> dict[str, Any]:
    """What `browser.pages.run_and_measure` found, read back from `<made-once>/browser/`, where the
    reports, the screenshots and the measurements stay for a person to look at."""

    def make(folder: Path) -> None:
        data = run_and_measure(chromium, request.getfixturevalue("tiny_data"), folder)
        (folder / MEASUREMENTS).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")

    return json.loads((made_once("browser", make) / MEASUREMENTS).read_text(encoding="utf-8"))
