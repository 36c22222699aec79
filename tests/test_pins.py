"""environment.yml (conda) and the pip requirement files pin the same packages at the same versions."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
# Imported by scripts that remake committed files, deliberately not installed: name -> where.
NOT_INSTALLED = {"lifetimes": "tests/stats/cdnow/make_reference.py (reference outputs for test_clv.py)"}


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
    assert conda_pins() == pip_pins("requirements-spark.txt")  # which includes the test pins


def test_every_runtime_dependency_is_pinned_exactly():
    runtime = pip_pins("requirements.txt")
    assert {"papermill", "nbconvert", "pandas", "duckdb", "pydantic", "jupytext"} <= set(runtime)
    assert all(re.fullmatch(r"\d+(\.\d+)*", v) for v in runtime.values())


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# The Spark engine's modules and tests import what requirements-spark.txt pins (not the runtime pins).
SPARK_FILES = ("helpers/core/spark_*.py", "spark/*.py")


def _spark_file(path: Path) -> bool:
    return any(path.match(pattern) for pattern in SPARK_FILES)


def _imported_top_names(folder: Path, spark: bool = False) -> set[str]:
    """Top-level names of the absolute imports in the .py files under `folder` (with `spark`, only
    in the Spark engine's files; else only in the others)."""
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        if _spark_file(path) != spark:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def _is_local(name: str, folder: Path) -> bool:
    return name == "helpers" or any((base / name).is_dir() or (base / f"{name}.py").is_file()
                                    for base in (folder, ROOT))


@pytest.mark.parametrize(("folder", "requirements", "spark"), [
    ("src", "requirements.txt", False), ("notebooks", "requirements.txt", False),
    ("tests", "requirements-dev.txt", False), ("tools", "requirements-dev.txt", False),
    ("benchmarks", "requirements-bench.txt", False),
    ("src", "requirements-spark.txt", True), ("tests", "requirements-spark.txt", True),
])
def test_every_directly_imported_package_is_pinned(folder, requirements, spark):
    """A package the code imports must be pinned itself, not only arrive with another pin: an upgrade of
    the other package could drop or change it."""
    pinned = {_normalized(name) for name in pip_pins(requirements)}
    distributions = packages_distributions()
    unpinned = set()
    for name in _imported_top_names(ROOT / folder, spark):
        if name in sys.stdlib_module_names or _is_local(name, ROOT / folder) or name in NOT_INSTALLED:
            continue
        if not {_normalized(d) for d in distributions.get(name, [name])} & pinned:
            unpinned.add(name)
    assert not unpinned, f"imported in {folder}/ but not pinned in {requirements}"
