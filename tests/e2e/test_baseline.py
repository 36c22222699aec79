"""The bundled sample's reports publish the numbers commit ea798a7 published (apart from the
deliberate, listed changes of `e2e.baseline`) and show the words of the `visible` fixture, in zh
and en. The notes' list of definitions is not compared (it holds exactly the metrics shown)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from e2e.baseline import compare

ROOT = Path(__file__).resolve().parents[2]
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
    assert compare(out / "2026-W47", language) == []
