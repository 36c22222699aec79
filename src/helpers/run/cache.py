"""The run cache: a notebook whose inputs did not change reuses its published outputs.

A job's key covers the notebook, its resolved parameters, the warehouse (named by the data's
fingerprint), the helpers' code, catalogs and pinned packages, the other files it reads (CSV
series named in its parameters, earlier weeks' forecasts: `Job.inputs`) and the other notebooks'
published JSON it reads. A manifest per published notebook, kept outside the report folder, holds
the key and the files' hashes, so edited or missing outputs are made again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from helpers.core.paths import PACKAGE_DIR, cache_dir, project_root
from helpers.render.outputs import write_atomic
from helpers.run.jobs import Job, Outcome


def code_fingerprint() -> str:
    """Hash of the helpers package (code, text catalogs, metric registries, templates, styles,
    fonts) and the pinned dependencies."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            _fold(h, str(path.relative_to(PACKAGE_DIR)), path)
    requirements = project_root() / "requirements.txt"
    if requirements.exists():
        h.update(requirements.read_bytes())
    return h.hexdigest()


def base_key(job: Job, code: str) -> str:
    """The key known when planning: everything but the other notebooks' JSON (see `seal`)."""
    h = hashlib.sha256()
    h.update(job.notebook.read_bytes())
    h.update(json.dumps(job.params, sort_keys=True).encode())
    h.update(job.warehouse.name.encode())  # the warehouse file is named by the data fingerprint
    h.update(code.encode())
    for path in sorted(job.inputs):  # CSV series, earlier weeks' forecast.csv ...
        _fold(h, str(path), path)
    return h.hexdigest()


def seal(job: Job) -> None:
    """Complete a job's key with the files it reads (other notebooks' JSON, as published now):
    a reader whose inputs changed runs again."""
    h = hashlib.sha256(job.key.encode())
    for name, path in sorted(job.read_files().items()):
        _fold(h, name, path)
    job.key = h.hexdigest()


def _fold(h: Any, label: str, path: Path) -> None:
    """Add a file's label and content hash to `h` ("missing" when it is not there)."""
    h.update(label.encode())
    h.update(_sha(path).encode() if path.is_file() else b"missing")


def _manifest_path(job: Job) -> Path:
    ident = hashlib.sha256(f"{job.out_dir.resolve()}|{job.name}".encode()).hexdigest()[:24]
    return cache_dir() / "runs" / f"{ident}.json"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cached_outcome(job: Job) -> Outcome | None:
    """An outcome from the previous run when its key matches and its files are untouched."""
    path = _manifest_path(job)
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError):  # none yet, or cut short (e.g. by a full disk): run again
        return None
    if not isinstance(manifest, dict) or manifest.get("key") != job.key:
        return None
    for name, digest in manifest["files"].items():
        f = job.out_dir / name
        if not f.exists() or _sha(f) != digest:
            return None
    return Outcome(job.name, "ok", manifest.get("seconds", 0.0), cached=True,
                   files=sorted(manifest["files"]))


def save_manifest(job: Job, files: list[str], seconds: float) -> None:
    path = _manifest_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"key": job.key, "seconds": seconds,
           "files": {f: _sha(job.out_dir / f) for f in files}}
    write_atomic(path, json.dumps(doc, indent=1))
