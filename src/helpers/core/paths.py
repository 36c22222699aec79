"""Where things live: the project folders, the sample data and the cache."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the helpers package


def project_root() -> Path:
    """The checkout holding notebooks/ and params/ (the package is installed editable from src/)."""
    candidate = PACKAGE_DIR.parents[1]
    if (candidate / "params").is_dir() and (candidate / "notebooks").is_dir():
        return candidate
    return Path.cwd()


def cache_dir() -> Path:
    """Warehouse files and run manifests; WXREPORT_CACHE overrides (tests use a temporary one)."""
    path = Path(os.environ.get("WXREPORT_CACHE") or project_root() / ".cache")
    path.mkdir(parents=True, exist_ok=True)
    return path


def sample_data_dir() -> Path:
    """The bundled sample data source (generated on first use, never committed)."""
    return Path(os.environ.get("WXREPORT_SAMPLE_DIR") or project_root() / "data" / "sample")
