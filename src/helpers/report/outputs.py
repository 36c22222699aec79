"""The machine-readable outputs of ../shared/reference/report-outputs.md (v1).

`<notebook>.json` has the shape {"notebook", "period", "period_start", "period_end", "data_source",
"generated_at", "metrics", "definitions"}. A metric that cannot be computed is null, never 0;
rates are fractions; money is CNY yuan. The runner checks each notebook's file with `check_payload`
before publishing it.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..metrics.registry import METRICS
from ..periods import Period

REQUIRED_METRICS: dict[str, tuple[str, ...]] = {
    "weekly_summary": ("active_users", "new_users", "orders", "gmv", "active_users_wow",
                       "new_users_wow", "orders_wow", "gmv_wow"),
}
PAYLOAD_KEYS = ("notebook", "period", "period_start", "period_end", "data_source", "generated_at",
                "metrics", "definitions")


def _clean(value: Any) -> Any:
    """JSON-safe values: NaN becomes null, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def build_payload(notebook: str, period: Period, data_source: str, timezone: str,
                  metrics: dict[str, Any], definitions: dict[str, str] | None = None
                  ) -> dict[str, Any]:
    """The JSON document; definitions default to the registry's for each metric key."""
    defs = {k: METRICS[k].definition for k in metrics if k in METRICS}
    defs.update(definitions or {})
    return {
        "notebook": notebook,
        "period": period.label,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "data_source": data_source,
        "generated_at": datetime.now(ZoneInfo(timezone)).isoformat(timespec="seconds"),
        "metrics": _clean(metrics),
        "definitions": defs,
    }


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_payload(path: Path, payload: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False) + "\n")


def check_payload(payload: dict[str, Any], notebook: str, period: Period) -> list[str]:
    """Problems with a notebook's JSON against the output contract (empty list = fine)."""
    problems = [f"missing key {k!r}" for k in PAYLOAD_KEYS if k not in payload]
    if problems:
        return problems
    if payload["notebook"] != notebook:
        problems.append(f"notebook is {payload['notebook']!r}, expected {notebook!r}")
    if payload["period"] != period.label:
        problems.append(f"period is {payload['period']!r}, expected {period.label!r}")
    metrics = payload["metrics"]
    for key in REQUIRED_METRICS.get(notebook, ()):
        if key not in metrics:
            problems.append(f"metrics lack {key!r}")
        elif key not in payload["definitions"]:
            problems.append(f"definitions lack {key!r}")
    return problems
