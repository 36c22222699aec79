"""The machine-readable outputs of ../shared/reference/report-outputs.md (v1).

`<notebook>.json` has the shape {"notebook", "period", "period_start", "period_end", "data_source",
"generated_at", "metrics", "definitions"}, and since v1.1 "schema_version", "units" and "summary"
(schemas/<notebook>.schema.json: `helpers.render.schema`). A metric that cannot be computed is null, never 0;
rates are fractions; money is CNY yuan. The runner checks each notebook's file with `check_payload`
before publishing it. Every CSV a run writes is made by `csv_text`, which keeps spreadsheets from
reading data text as a formula.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from helpers.core.metrics import METRICS
from helpers.core.periods import Period


@dataclass(frozen=True)
class OutputContract:
    """What a notebook must publish: metric keys, the keys of each object of its list metrics,
    and extra files next to its JSON with their exact CSV header."""

    metrics: tuple[str, ...] = ()
    item_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)


CONTRACTS: dict[str, OutputContract] = {
    "weekly_summary": OutputContract(
        ("active_users", "new_users", "orders", "gmv", "active_users_wow", "new_users_wow", "orders_wow",
         "gmv_wow", "aov", "visits", "opens", "stay_time_uv", "stay_time_session")),
    "user_analysis": OutputContract(
        ("dau_mean", "wau", "mau", "stickiness", "new_users", "retention_d1", "retention_d7", "retention_d30",
         "buyers", "repurchase_rate", "returning_buyer_share", "arpu", "arppu", "referral_share",
         "funnel_conversion", "retention_d1_latest", "retention_d7_latest", "retention_d30_latest",
         "retention_d1_latest_cohort", "retention_d7_latest_cohort", "retention_d30_latest_cohort", "aov",
         "churn_rate", "follower_activity")),
    "content_performance": OutputContract(
        ("articles_published", "readers", "reads", "sharers", "read_rate", "share_rate", "new_followers",
         "unfollows", "net_followers", "best_article_id", "share_rate_reads")),
    "campaign_evaluation": OutputContract(
        ("campaigns",),
        {"campaigns": ("campaign_id", "type", "method", "metric", "lift_abs", "lift_rel", "ci_low",
                       "ci_high", "p_value", "srm_p_value", "cost", "roas", "roi",
                       "roi_low", "roi_high")}),
    "forecasting": OutputContract(
        ("series", "anomalies"),
        {"series": ("metric", "model", "horizon_days", "mase_backtest", "mase_seasonal_naive", "coverage80",
                    "coverage95"),
         "anomalies": ("metric", "date", "actual", "expected", "lo95", "hi95", "direction")},
        {"forecast.csv": "date,metric,model,yhat,lo80,hi80,lo95,hi95"}),
    "merchant_performance": OutputContract(
        ("merchants_active", "merchants_new", "merchants_dormant", "merchant_gmv", "merchant_gmv_share",
         "top10_share", "gini", "merchants"),
        {"merchants": ("id", "gmv", "orders", "buyers", "status")}),
}
# The version of the JSON shape (../shared/reference/report-outputs.md): 1.1 adds `schema_version`,
# `units`, `summary` and the v1.1 keys; a key never changes meaning within a major version.
SCHEMA_VERSION = "1.1"
PAYLOAD_KEYS = ("schema_version", "notebook", "period", "period_start", "period_end", "data_source",
                "generated_at", "metrics", "definitions", "units")
SUMMARY_KEYS = ("verdict", "top_finding", "alerts", "sections_skipped")
# A text cell starting with one of these is a formula to Excel, WPS and LibreOffice (OWASP, "CSV
# injection"): `=HYPERLINK(...)`, `@SUM(...)`, `+cmd`, `-1+1`; a leading tab or carriage return too.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
    """The JSON document; definitions default to the registry's for each metric key, and `units`
    says each registered metric's unit (the registry's), so that a program need not guess whether
    0.183 is a fraction or 18.3 points."""
    defs = {k: METRICS[k].definition for k in metrics if k in METRICS}
    defs.update(definitions or {})
    return {
        "schema_version": SCHEMA_VERSION,
        "notebook": notebook,
        "period": period.label,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "data_source": data_source,
        "generated_at": datetime.now(ZoneInfo(timezone)).isoformat(timespec="seconds"),
        "metrics": _clean(metrics),
        "definitions": defs,
        "units": units(metrics),
    }


def units(metrics: dict[str, Any]) -> dict[str, str]:
    """metric key -> unit (users, orders, CNY, fraction, relative_change, ...: `core.metrics.UNITS`)
    for each key of `metrics` the registry defines; list-valued metrics (campaigns, series,
    anomalies) have none of their own, their JSON Schema types their items."""
    return {k: METRICS[k].unit for k in metrics if k in METRICS}


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


def neutralise(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula, prefixed with a single quote so that it
    shows as typed; numbers and other text unchanged."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def csv_text(frame: pd.DataFrame) -> str:
    """The CSV text of a table for every CSV output: UTF-8, header row, no index, "\\n" line ends,
    text cells neutralised against formulas (`neutralise`), numbers written as numbers."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    return safe.to_csv(index=False, lineterminator="\n")


def write_payload(path: Path, payload: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False) + "\n")


def check_payload(payload: dict[str, Any], notebook: str, period: Period, contract: OutputContract
                  ) -> list[str]:
    """Problems with a notebook's JSON against the output contract (empty list = fine)."""
    problems = [f"missing key {k!r}" for k in PAYLOAD_KEYS if k not in payload]
    if problems:
        return problems
    if payload["notebook"] != notebook:
        problems.append(f"notebook is {payload['notebook']!r}, expected {notebook!r}")
    if payload["period"] != period.label:
        problems.append(f"period is {payload['period']!r}, expected {period.label!r}")
    metrics = payload["metrics"]
    summary = payload.get("summary")
    if not isinstance(summary, dict) or any(k not in summary for k in SUMMARY_KEYS):
        problems.append(f"summary lacks one of {', '.join(SUMMARY_KEYS)} (rep.footer() writes it)")
    for key in contract.metrics:
        if key not in metrics:
            problems.append(f"metrics lack {key!r}")
            continue
        if key not in payload["definitions"]:
            problems.append(f"definitions lack {key!r}")
        item_keys = contract.item_keys.get(key)
        if item_keys is None:
            continue
        if not isinstance(metrics[key], list):
            problems.append(f"metrics[{key!r}] is not a list")
            continue
        for i, item in enumerate(metrics[key]):
            missing = [k for k in item_keys if k not in item]
            if missing:
                problems.append(f"metrics[{key!r}][{i}] lacks {', '.join(missing)}")
    return problems


def check_files(folder: Path, contract: OutputContract) -> list[str]:
    """Problems with the extra files a notebook must write (e.g. forecast.csv)."""
    problems = []
    for name, header in contract.files.items():
        path = folder / name
        if not path.exists():
            problems.append(f"{name} was not written")
            continue
        with path.open(encoding="utf-8") as fh:
            first = fh.readline().strip()
        if first != header:
            problems.append(f"{name} header is {first!r}, expected {header!r}")
    return problems
