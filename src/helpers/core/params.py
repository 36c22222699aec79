"""Typed report parameters: params/defaults.yaml (shared) + params/<notebook>.yaml + overrides.

The shared keys and the loading machinery live here; each report family defines its own model
(a subclass of `SharedParams`) in its package.

Every key is validated before any kernel starts; an error names the file (or "command line") and
the key, says what was expected and, for a typo, suggests the nearest known key.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from helpers.core.errors import ParamError

DEFAULTS_FILE = "defaults.yaml"
COMMAND_LINE = "command line"


class SharedParams(BaseModel):
    """Parameters every notebook takes (params/defaults.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data: str = Field("sample", description="data folder or .duckdb file; 'sample' = bundled sample")
    timezone: str = Field("Asia/Shanghai", description="days and weeks are counted in this zone")
    language: Literal["zh", "en"] = Field("zh", description="report language")
    period: str = Field("latest", description="'latest' (last complete ISO week) or e.g. 2026-W47")
    min_cell_size: int = Field(10, ge=1, le=10_000,
                               description="privacy: breakdown cells with fewer users are suppressed")
    out: str = Field("reports", description="output folder; reports go to <out>/<period>/")
    enabled: bool = Field(True, description="false skips the notebook (marked skipped in the index)")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except Exception:
            raise ValueError(f"{value!r} is not an IANA time zone such as Asia/Shanghai") from None
        return value

    @field_validator("period")
    @classmethod
    def _period_form(cls, value: str) -> str:
        if value != "latest" and not re.fullmatch(r"\d{4}-W\d{2}", value):
            raise ValueError(f"{value!r} is neither 'latest' nor an ISO week such as 2026-W47")
        return value


@dataclass(frozen=True)
class LoadedParams:
    """Validated values plus where each one came from (for error messages)."""

    notebook: str
    values: SharedParams
    origin: dict[str, str]

    def where(self, key: str) -> str:
        return f"{self.origin.get(key, 'default')}: key '{key}'"


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping, or {} when the file does not exist; malformed files raise ParamError."""
    if not path.exists():
        return {}
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ParamError(f"{path}{at}: malformed YAML: {problem}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise ParamError(f"{path}: expected a mapping of key: value, got {type(doc).__name__}")
    return doc


def load_params(notebook: str, model: type[SharedParams], params_dir: Path,
                overrides: dict[str, Any] | None = None) -> LoadedParams:
    """Merge defaults.yaml, <notebook>.yaml and overrides (later wins) and validate them."""
    layers = [
        (str(params_dir / DEFAULTS_FILE), read_yaml(params_dir / DEFAULTS_FILE), SharedParams),
        (str(params_dir / f"{notebook}.yaml"), read_yaml(params_dir / f"{notebook}.yaml"), model),
        (COMMAND_LINE, {k: v for k, v in (overrides or {}).items() if v is not None}, model),
    ]
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for source, layer, allowed in layers:
        for key, value in layer.items():
            if key not in allowed.model_fields:
                raise ParamError(_unknown_key(source, str(key), allowed, notebook))
            merged[key] = value
            origin[key] = source
    return LoadedParams(notebook, validate(model, merged, origin), origin)


def validate(model: type[SharedParams], values: dict[str, Any], origin: dict[str, str] | None = None
             ) -> SharedParams:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "?"
        top = str(err["loc"][0]) if err["loc"] else key
        source = (origin or {}).get(top, "parameters")
        if err["type"] == "extra_forbidden":
            raise ParamError(_unknown_key(source, key, model, None)) from None
        got = f" (got {err['input']!r})" if "input" in err and not isinstance(err["input"], dict) else ""
        message = err["msg"].removeprefix("Value error, ")
        raise ParamError(f"{source}: key '{key}': {message}{got}") from None


def _unknown_key(source: str, key: str, model: type[BaseModel], notebook: str | None) -> str:
    known = sorted(model.model_fields)
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    if source.endswith(DEFAULTS_FILE):
        whose = "a shared parameter (defaults.yaml holds only keys every notebook takes)"
    else:
        whose = f"a parameter of {notebook}" if notebook else "a known parameter"
    return f"{source}: key '{key}' is not {whose}.{hint} Known keys: {', '.join(known)}"
