"""What a finished fetch must leave: complete, duplicate-free tables and a raw store that covers every
day (tests/fetch)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from fetch.conftest import read_table, tables
from fetch.wechat_server import MP, RULES
from helpers.core import contract


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def mondays(first: date, last: date) -> list[date]:
    """Mondays of the complete weeks inside [first, last]."""
    return [d for d in days(first, last) if d.weekday() == 0 and d + timedelta(days=6) <= last]


def months(first: date, last: date) -> list[date]:
    return [d for d in days(first, last) if d.day == 1 and (d.replace(day=28) + timedelta(days=4)).replace(day=1)
            - timedelta(days=1) <= last]


def assert_no_duplicates(data: Path) -> None:
    for name, rows in tables(data).items():
        key = contract.TABLES[name].key
        counts = Counter(tuple(row[k] for k in key) for row in rows)
        repeated = [k for k, n in counts.items() if n > 1]
        assert not repeated, f"{name}: {len(repeated)} keys repeated, e.g. {repeated[:3]}"


def dates(data: Path, table: str, **where: str) -> list[str]:
    return sorted({row["date"] for row in read_table(data, table)
                   if all(row[k] == v for k, v in where.items())})


def iso(values: list[date]) -> list[str]:
    return [d.isoformat() for d in values]


def assert_complete_mp(data: Path, first: date, last: date) -> None:
    assert_no_duplicates(data)
    every = iso(days(first, last))
    assert dates(data, "mp_visits", period="day") == every
    assert dates(data, "mp_visits", period="week") == iso(mondays(first, last))
    assert dates(data, "mp_visits", period="month") == iso(months(first, last))
    assert dates(data, "mp_retention", period="day") == every
    assert dates(data, "mp_retention", period="week") == iso(mondays(first, last))
    for table in ("mp_sources", "mp_distribution", "mp_pages"):
        assert dates(data, table) == every, table
    assert dates(data, "mp_portrait") == [(m + timedelta(days=6)).isoformat() for m in mondays(first, last)]
    cumulative = [row["cumulative_users"] for row in read_table(data, "mp_visits") if row["period"] == "day"]
    assert all(cumulative), "every day has the daily summary's numbers"


def assert_complete_oa(data: Path, first: date, last: date) -> None:
    assert_no_duplicates(data)
    every = iso(days(first, last))
    assert dates(data, "followers") == every
    assert dates(data, "oa_reads") == every
    assert len(read_table(data, "articles")) == len(every)  # the server publishes one article a day


def raw_answers(data: Path) -> dict[tuple[str, str], object]:
    """(api, begin) -> WeChat's answer, as kept (fetched_at left out)."""
    found = {}
    for path in sorted((data / "raw").glob("*/*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert set(document) == {"api", "source", "begin_date", "end_date", "fetched_at", "response"}
        assert document["api"] == path.parent.name and path.stem == document["begin_date"]
        assert document["source"] == RULES[document["api"]][0]
        found[(document["api"], document["begin_date"])] = (document["end_date"], document["response"])
    return found


def covered_days(data: Path, api: str) -> set[date]:
    covered: set[date] = set()
    for path in (data / "raw" / api).glob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        covered |= set(days(date.fromisoformat(document["begin_date"]), date.fromisoformat(document["end_date"])))
    return covered


def mp_apis() -> list[str]:
    return [api for api, (source, _, _) in RULES.items() if source == MP]
