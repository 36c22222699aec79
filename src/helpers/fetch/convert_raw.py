"""The raw store as the converter reads it: `DIR/raw/<api>/<begin>.json` wrappers, the latest
fetch of each day, and lenient readers for the values inside WeChat's responses.

A wrapper is `{"api", "source", "begin_date", "end_date", "fetched_at", "response"}` (written by
`wxreport fetch`, one file per request). A file covers the days of its [begin_date, end_date] and
every period it holds records for; when several files cover a day, the most recently fetched one
wins for that day (ties: the later begin, the later end, the later name), so overlapping reruns
never duplicate rows and a refetch replaces what an earlier fetch said about the same days.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from helpers.core.errors import DataError

SOURCES = ("mini-program", "official-account")
WRAPPER_KEYS = ("api", "source", "begin_date", "end_date", "fetched_at", "response")
_DAY = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-?(\d{2})$")


@dataclass(frozen=True, eq=False)
class RawFile:
    """One stored request: where it is, what it asked for, when, and WeChat's answer."""

    path: Path
    api: str
    source: str
    begin: date
    end: date
    fetched_at: datetime
    response: Any

    @property
    def rank(self) -> tuple[datetime, date, date, str]:
        """Later is better: the most recent fetch wins a day."""
        return (self.fetched_at, self.begin, self.end, self.path.name)

    def days(self) -> Iterator[date]:
        d = self.begin
        while d <= self.end:
            yield d
            d += timedelta(days=1)

    def fail(self, what: str) -> DataError:
        return DataError(f"{self.path}: {what}; delete the file and run `wxreport fetch` again")


# Records of one file, by the period they describe (a date, or another hashable unit).
Records = Callable[[RawFile], Iterable[tuple[Hashable, Any]]]


class RawStore:
    """Every wrapper under `data_dir/raw`, read once per API on demand."""

    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / "raw"
        self._files: dict[str, list[RawFile]] = {}

    def has(self, api: str) -> bool:
        return bool(self.files(api))

    def files(self, api: str) -> list[RawFile]:
        if api not in self._files:
            folder = self.root / api
            paths = sorted(p for p in folder.glob("*.json")
                           if p.is_file() and not p.name.startswith((".", "~")))
            self._files[api] = [read_wrapper(p, api) for p in paths]
        return self._files[api]

    def latest(self, api: str, records: Records, days: bool = True
               ) -> dict[Hashable, tuple[RawFile, list[Any]]]:
        """Period -> (the file that wins it, that file's records of it); see `latest`."""
        return latest(self.files(api), records, days)


def read_wrapper(path: Path, api: str) -> RawFile:
    """One raw file, checked: valid JSON holding the wrapper of a request to `api`."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: not a readable JSON file ({exc}); expected a raw response "
                        f"stored by `wxreport fetch` (delete it and fetch again)") from None
    missing = [k for k in WRAPPER_KEYS if not isinstance(doc, dict) or k not in doc]
    if missing:
        raise DataError(f"{path}: not a raw-response wrapper (missing {', '.join(missing)}); "
                        f"expected an object with {', '.join(WRAPPER_KEYS)} as `wxreport fetch` "
                        f"writes it (delete it and fetch again)")
    if doc["api"] != api:
        raise DataError(f"{path}: holds a response of {doc['api']!r} but is stored under {api!r}; "
                        f"expected raw/<api>/<begin>.json")
    if doc["source"] not in SOURCES:
        raise DataError(f"{path}: source {doc['source']!r}; expected one of {', '.join(SOURCES)}")
    begin, end = _iso_day(path, doc, "begin_date"), _iso_day(path, doc, "end_date")
    if end < begin:
        raise DataError(f"{path}: end_date {end} is before begin_date {begin}")
    try:
        fetched = datetime.fromisoformat(str(doc["fetched_at"]).replace("Z", "+00:00"))
    except ValueError:
        raise DataError(f"{path}: fetched_at {doc['fetched_at']!r} is not an ISO-8601 time; "
                        f"expected e.g. 2026-11-23T01:02:03Z") from None
    if fetched.tzinfo is None:  # the store writes UTC; a naive time is taken as UTC
        fetched = fetched.replace(tzinfo=UTC)
    response = doc["response"]
    if isinstance(response, dict) and response.get("errcode") not in (None, 0, "0"):
        raise DataError(f"{path}: holds WeChat error {response.get('errcode')} "
                        f"({response.get('errmsg', '')}), not data; delete it and fetch again")
    return RawFile(path, api, doc["source"], begin, end, fetched, response)


def _iso_day(path: Path, doc: dict[str, Any], key: str) -> date:
    value = doc[key]
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DataError(f"{path}: {key} {value!r} is not a date; expected YYYY-MM-DD") from None


def latest(files: list[RawFile], records: Records, days: bool = True
           ) -> dict[Hashable, tuple[RawFile, list[Any]]]:
    """Each period (a day, or another unit such as a portrait window) -> the file that wins it and
    that file's records of it. The candidates for a period are the files whose [begin, end]
    contains it (date periods) and the files holding records of it; the latest fetch wins. With
    `days`, the days a winning file covers without any record of them map to (file, []): the file
    said "nothing" about them (without, only periods holding records are returned)."""
    produced: dict[RawFile, dict[Hashable, list[Any]]] = {}
    for f in files:
        per: dict[Hashable, list[Any]] = defaultdict(list)
        for unit, record in records(f):
            per[unit].append(record)
        produced[f] = per
    ranked = sorted(files, key=lambda f: f.rank, reverse=True)
    units: set[Hashable] = set()
    for f in files:
        units |= set(produced[f]) | (set(f.days()) if days else set())
    out: dict[Hashable, tuple[RawFile, list[Any]]] = {}
    for unit in units:
        winner = next(f for f in ranked if unit in produced[f] or (
            isinstance(unit, date) and f.begin <= unit <= f.end))
        out[unit] = (winner, produced[winner].get(unit, []))
    return out


# --------------------------------------------------------------------------------------------
# Values inside responses: lenient (missing or unreadable -> None), dates strict (they place rows)
# --------------------------------------------------------------------------------------------

def listed(f: RawFile, key: str = "list") -> list[dict[str, Any]]:
    """The objects of the response's `key` list (the response itself when it is a list); no list
    (or an empty one) -> no records."""
    items = f.response if isinstance(f.response, list) else (
        f.response.get(key) if isinstance(f.response, dict) else None)
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def top(f: RawFile) -> dict[str, Any]:
    """A response that is one record (retention, distribution, pages, portrait)."""
    return f.response if isinstance(f.response, dict) else {}


def count(value: Any) -> int | None:
    """A count: a whole number >= 0 (also written as text or as 12.0); anything else -> None."""
    number = real(value)
    return None if number is None or number < 0 else round(number)


def real(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", ""))
        except ValueError:
            return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def share(value: Any) -> float | None:
    """A rate in [0, 1]; "35%" or a value in (1, 100] is read as a percentage."""
    if isinstance(value, str) and value.strip().endswith("%"):
        number = real(value.strip()[:-1])
        return None if number is None else _unit_share(number / 100)
    number = real(value)
    if number is not None and 1 < number <= 100:
        number /= 100
    return None if number is None else _unit_share(number)


def _unit_share(number: float) -> float | None:
    return number if 0 <= number <= 1 else None


def text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    out = str(value).strip()
    return out or None


def code_text(value: Any) -> str | None:
    """A code as text: 30, 30.0 and "30" -> "30"; other text as it is."""
    number = real(value)
    if number is not None and number == int(number):
        return str(int(number))
    return text(value)


def day(f: RawFile, value: Any, what: str = "ref_date") -> date:
    """A day written YYYYMMDD or YYYY-MM-DD; missing -> the file's day when it asked for one day,
    else an error naming the file."""
    raw = text(value)
    if raw is None:
        if f.begin == f.end:
            return f.begin
        raise f.fail(f"a record without {what} in a request for {f.begin} .. {f.end}")
    m = _DAY.match(raw)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise f.fail(f"{what} {raw!r} is not a date (expected YYYYMMDD or YYYY-MM-DD)")


def window(f: RawFile, value: Any) -> tuple[date, date]:
    """The period a ref_date names: "20170306-20170312" (a week or window), "201702" (a month),
    "20170313" (a day); missing -> the file's [begin, end]."""
    raw = text(value)
    if raw is None:
        return f.begin, f.end
    first, sep, last = raw.partition("~") if "~" in raw else _split_range(raw)
    if sep:
        return day(f, first), day(f, last)
    m = _MONTH.match(raw)
    if m:
        try:
            start = date(int(m[1]), int(m[2]), 1)
        except ValueError:
            raise f.fail(f"ref_date {raw!r} is not a month (expected YYYYMM)") from None
        following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return start, following - timedelta(days=1)
    single = day(f, raw)
    return single, single


def _split_range(raw: str) -> tuple[str, str, str]:
    """ "20170306-20170312" -> ("20170306", "-", "20170312"); a single ISO day is not a range."""
    if len(raw) == 17 and raw[8] == "-":
        return raw[:8], "-", raw[9:]
    if len(raw) == 21 and raw[10] == "-":
        return raw[:10], "-", raw[11:]
    return raw, "", ""
