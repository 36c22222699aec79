"""environment.yml (conda) and the pip requirement files pin the same packages at the same versions."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def pip_pins(name: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            pins.update(pip_pins(line[3:].strip()))
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        assert m, f"{name}: {line!r} is not pinned with =="
        pins[m.group(1).lower()] = m.group(2)
    return pins


def conda_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for line in dep["pip"]:
                name, version = line.split("==")
                pins[name.lower()] = version
        elif dep not in ("pip",) and not dep.startswith("python="):
            name, version = dep.split("=")
            pins[name.lower()] = version
    return pins


def test_environment_yml_matches_pip_pins():
    assert conda_pins() == pip_pins("requirements-dev.txt")


def test_every_runtime_dependency_is_pinned_exactly():
    runtime = pip_pins("requirements.txt")
    assert {"papermill", "nbconvert", "pandas", "duckdb", "pydantic", "jupytext"} <= set(runtime)
    assert all(re.fullmatch(r"\d+(\.\d+)*", v) for v in runtime.values())
