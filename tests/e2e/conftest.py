"""Whole-suite runs that several end-to-end modules check, each made once per test run (`made_once`):
the bundled sample's reports (test_baseline, and in Chinese test_end_to_end too), and the planted
dataset's (test_hostile_text and test_privacy: see `e2e.planted`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from e2e import planted

ROOT = Path(__file__).resolve().parents[2]
WXREPORT = str(Path(sys.executable).with_name("wxreport"))
WEEK = "2026-W47"


def run_suite(folder: Path, language: str, *args: str) -> Path:
    """`wxreport run` of the whole suite for 2026-W47 into folder/reports, with the project's params
    in `language`; asserts it succeeded and returns the week's folder."""
    params = folder / "params"
    shutil.copytree(ROOT / "params", params)
    defaults = params / "defaults.yaml"
    defaults.write_text(defaults.read_text(encoding="utf-8").replace("language: zh", f"language: {language}"),
                        encoding="utf-8")
    out = folder / "reports"
    result = subprocess.run([WXREPORT, "run", *args, "--out", str(out), "--params", str(params), "--period", WEEK],
                            capture_output=True, text=True, cwd=ROOT, timeout=1200)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / WEEK


@pytest.fixture(scope="session")
def bundled_run(made_once) -> Callable[[str], Path]:
    """`bundled_run(language)`: the week folder of the bundled sample's 2026-W47 reports in that
    language (the params' default data), run once for the whole test run."""
    def week(language: str) -> Path:
        return made_once(f"bundled-{language}", lambda folder: run_suite(folder, language)) / "reports" / WEEK

    return week


@pytest.fixture(scope="session")
def planted_run(made_once, tiny_data) -> planted.Run:
    """The suite run once, in Chinese, on `planted.dataset(tiny_data)`: hostile text in every text
    column and a planted small cell."""
    def make(folder: Path) -> None:
        planted.dataset(tiny_data, folder / "shop")
        (folder / "alias").write_text(planted.alias(folder / "shop"), encoding="utf-8")
        run_suite(folder, "zh", "--data", str(folder / "shop"))

    folder = made_once("planted", make)
    return planted.Run(folder / "reports" / WEEK, (folder / "alias").read_text(encoding="utf-8"))
