"""Typed report parameters: params/defaults.yaml (shared) + params/<notebook>.yaml + overrides.

The shared keys and the loading machinery live here; each report family defines its own model
(a subclass of `SharedParams`) in its package.

Every key is validated before any kernel starts; an error names the file (or "command line") and
the key, says what was expected and, for a typo, suggests the nearest known key. Types are strict
(YAML's `true` is no number, "10" no number, 2.5 no whole number); a file that is not UTF-8, is a
folder, or gives a key twice is an error too, naming the byte or the lines.
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
from helpers.core.periods import Period

DEFAULTS_FILE = "defaults.yaml"
COMMAND_LINE = "command line"
# Cells of fewer people identify them: the floor no params file can lower.
MIN_CELL_FLOOR = 5


class ParamsModel(BaseModel):
    """The base of every parameter model, nested ones included: unknown keys are errors, values are
    frozen, and types are strict, so YAML's `true` is not the number 1, 2.5 is not a whole number
    and "10" is not a number at all (a whole number is accepted where a fraction is expected)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class SparkParams(ParamsModel):
    """Where the Spark engine runs and reads (params/defaults.yaml `spark:`)."""

    master: str = Field("local[2]", pattern=r"^(local(\[(\d+|\*)(,\d+)?\])?|spark://\S+|yarn|k8s://\S+)$",
                        description="a local session (local[N]) or a cluster manager, when no remote is set")
    remote: str | None = Field(None, pattern=r"^sc://\S+$", description=(
        "Spark Connect URL of a running server or cluster, e.g. sc://host:15002; unset: the runner "
        "starts one local server on `master` for the run's notebooks"))
    database: str | None = Field(None, pattern=r"^[A-Za-z_][\w.]*$", description=(
        "read the contract's tables from this catalog database instead of <data>/<table>.parquet"))
    conf: dict[str, str] = Field(default_factory=dict, description="extra Spark settings (key: value)")


class SharedParams(ParamsModel):
    """Parameters every notebook takes (params/defaults.yaml)."""

    data: str = Field("sample", description="data folder or .duckdb file; 'sample' = bundled sample")
    timezone: str = Field("Asia/Shanghai", description="days and weeks are counted in this zone")
    language: Literal["zh", "en"] = Field("zh", description="report language")
    period: str = Field("latest", description="'latest' (last complete ISO week) or e.g. 2026-W47")
    min_cell_size: int = Field(10, ge=MIN_CELL_FLOOR, le=10_000, description=(
        "privacy: breakdown cells with fewer users are suppressed; at least 5, since cells of "
        "fewer people can identify them (common statistical-disclosure practice)"))
    min_group_size: int = Field(30, ge=1, le=1_000_000, description=(
        "a group (channel, segment, hour ...) needs at least this many users or items before a "
        "sentence ranks it or names it as best, worst or driver; smaller groups are described only"))
    out: str = Field("reports", description="output folder; reports go to <out>/<period>/")
    enabled: bool = Field(True, description="false skips the notebook (marked skipped in the index)")
    engine: Literal["duckdb", "spark"] = Field("duckdb", description=(
        "duckdb: one machine, the data in a local warehouse file; spark: the same queries on Spark "
        "(Parquet paths local/HDFS/object store, or a catalog database; needs Java and "
        "requirements-spark.txt)"))
    spark: SparkParams = Field(default_factory=SparkParams, description="the Spark engine's settings")

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
        if value != "latest":  # a week no year has (2026-W99) is said before the data is loaded
            try:
                Period.parse(value)
            except ValueError as exc:
                why = str(exc).split(": ", 1)[-1]  # the value itself is quoted after the message
                raise ValueError(f"{why}; use 'latest' or a week such as 2026-W47") from None
        return value


@dataclass(frozen=True)
class LoadedParams:
    """Validated values plus where each one came from (for error messages)."""

    notebook: str
    values: SharedParams
    origin: dict[str, str]

    def where(self, key: str) -> str:
        return f"{self.origin.get(key, 'default')}: key '{key}'"


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: Any, first: yaml.Mark, second: yaml.Mark):
        lines = (f"line {first.line + 1}" if first.line == second.line
                 else f"line {first.line + 1} and line {second.line + 1}")
        super().__init__(f"key '{key}' is given twice, on {lines}; YAML would silently keep only "
                         f"the last one: remove one")


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader (no tags that construct objects), except that a key given twice in one
    mapping is an error: PyYAML keeps the last, so an edit higher up would silently do nothing."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor` merges, and keys given next to it override on purpose
            key = self.construct_object(key_node, deep=True)
            try:
                seen = first.setdefault(key, key_node.start_mark)
            except TypeError:
                continue  # an unhashable key: the base loader reports it
            if seen is not key_node.start_mark:
                raise _DuplicateKey(key, seen, key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def _read_text(path: Path) -> str:
    """The file's text (UTF-8, a BOM allowed); a folder, an unreadable file or other bytes raise
    ParamError naming the file, the byte and its line."""
    if path.is_dir():
        raise ParamError(f"{path} is a folder; expected a YAML file of key: value lines")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParamError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParamError(f"{path}: not UTF-8 text: byte 0x{data[exc.start]:02x} at offset "
                         f"{exc.start} (line {line}); save the file as UTF-8") from None


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping, or {} when the file does not exist; a file that is not UTF-8, malformed
    YAML or a key given twice raise ParamError naming the file and line."""
    if not path.exists() and not path.is_symlink():
        return {}
    text = _read_text(path)
    try:
        doc = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: tags never run code
    except _DuplicateKey as exc:
        raise ParamError(f"{path}: {exc}") from None
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
    """The model's values; the first problem raises ParamError naming the source, the key (dotted
    for nested values), what was expected and what was given."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "?"
        top = str(err["loc"][0]) if err["loc"] else key
        source = (origin or {}).get(top, "parameters")
        if err["type"] == "extra_forbidden":
            raise ParamError(_unknown_key(source, key, model, None)) from None
        value = err.get("input")
        got = f" (got {value!r})" if "input" in err and not isinstance(value, dict) else ""
        message = err["msg"].removeprefix("Value error, ")
        hint = _hint(model, top, err["type"], value)
        raise ParamError(f"{source}: key '{key}': {message}{got}{hint}") from None


def _hint(model: type[SharedParams], top: str, kind: str, value: Any) -> str:
    """What the key is for when a bound was crossed (its schema description says why the bound
    is there), or why a value YAML read as another type is not taken for what was expected."""
    field = model.model_fields.get(top)
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        return f". {top}: {field.description}" if field and field.description else ""
    number = kind in {"int_type", "float_type"}
    if isinstance(value, bool) and (number or kind in {"string_type", "literal_error"}):
        return ("; YAML reads true/false, yes/no and on/off as yes-or-no values, "
                + ("not numbers" if number else "so quote the word to mean text"))
    if number and isinstance(value, str):
        return "; write numbers without quotes"
    if kind == "int_type" and isinstance(value, float):
        return "; expected a whole number"
    return ""


def _unknown_key(source: str, key: str, model: type[BaseModel], notebook: str | None) -> str:
    known = sorted(model.model_fields)
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    if source.endswith(DEFAULTS_FILE):
        whose = "a shared parameter (defaults.yaml holds only keys every notebook takes)"
    else:
        whose = f"a parameter of {notebook}" if notebook else "a known parameter"
    return f"{source}: key '{key}' is not {whose}.{hint} Known keys: {', '.join(known)}"
