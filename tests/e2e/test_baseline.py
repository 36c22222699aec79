"""The bundled sample's reports are the ones commit ea798a7 made (before the restructure into one
package per report family): the same published numbers and the same visible words, in zh and en.
Only the notes' list of definitions may differ (it now holds exactly the metrics shown)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from e2e.baseline import compare

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures" / "ea798a7"
WXREPORT = str(Path(sys.executable).with_name("wxreport"))


@pytest.mark.slow
@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_bundled_sample_reports_as_before(language, tmp_path):
    params = tmp_path / "params"
    shutil.copytree(ROOT / "params", params)
    defaults = params / "defaults.yaml"
    defaults.write_text(defaults.read_text().replace("language: zh", f"language: {language}"))
    out = tmp_path / "reports"
    result = subprocess.run([WXREPORT, "run", "--out", str(out), "--params", str(params), "--period", "2026-W47"],
                            capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert compare(out / "2026-W47", FIXTURES / language) == []
