"""Raw answers as `wxreport fetch` keeps them, WeChat's sample answers, and the converted tables:
what every conversion test writes and reads."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

from helpers.core import contract

FIXTURES = Path(__file__).parent / "fixtures"


def store(data: Path, api: str, begin: date | str, end: date | str, response: object,
          fetched_at: str = "2026-11-23T01:00:00Z", name: str | None = None,
          source: str = "mini-program") -> Path:
    """One raw file (`DIR/raw/<api>/<begin>.json`) in the fetch's wrapper."""
    path = data / "raw" / api / (name or f"{begin}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"api": api, "source": source, "begin_date": str(begin),
                                "end_date": str(end), "fetched_at": fetched_at, "response": response},
                               ensure_ascii=False), encoding="utf-8")
    return path


def answer(folder: str, api: str) -> Any:
    """WeChat's sample answer of `api` from fixtures/<folder> (legacy/mini_program, published ...)."""
    return json.loads((FIXTURES / folder / f"datacube_{api}.json").read_text(encoding="utf-8"))


def rows(data: Path, table: str) -> list[dict[str, str]]:
    """A converted table's rows; its header is the contract's columns in order."""
    with (data / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == [c.name for c in contract.TABLES[table].columns]
        return list(reader)
