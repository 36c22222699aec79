"""The raw store: every answer WeChat gave, as `DIR/raw/<api>/<begin YYYY-MM-DD>.json`, and which days
of an API it already covers with a final answer.

One file per request, written atomically (a hidden temporary file in the same folder, then
os.replace), holding {"api", "source", "begin_date", "end_date", "fetched_at" (ISO-8601 UTC),
"response" (WeChat's JSON body as sent)}. Nothing of the request is kept: no token, AppID or
secret. A day is covered when a file's [begin, end] contains it; when several files cover a day,
the most recently fetched wins (the conversion dedupes by day). A file that cannot be read covers
nothing (its window is fetched again and the file replaced). Leftover temporary files of an
interrupted write are ignored, and removed by a later run once an hour old.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from helpers.fetch.apis import Api, is_final
from helpers.fetch.codes import FetchError

TEMP_PREFIX = ".partial-"
STALE_TEMP_S = 3600


@dataclass(frozen=True)
class Record:
    path: Path
    begin: date
    end: date
    fetched_at: datetime
    final: bool

    def days(self) -> list[date]:
        return [self.begin + timedelta(days=i) for i in range((self.end - self.begin).days + 1)]


class RawStore:
    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / "raw"
        self.unreadable: list[Path] = []
        self.written = 0  # files written by this store object

    def folder(self, api: Api) -> Path:
        return self.root / api.name

    def records(self, api: Api) -> list[Record]:
        folder = self.folder(api)
        if not folder.is_dir():
            return []
        _sweep(folder)
        found = []
        for path in sorted(folder.glob("*.json")):
            record = self._read(api, path)
            if record is None:
                self.unreadable.append(path)
            else:
                found.append(record)
        return found

    def covered(self, api: Api) -> set[date]:
        """The days a final answer already covers."""
        return {day for record in self.records(api) if record.final for day in record.days()}

    def write(self, api: Api, begin: date, end: date, fetched_at: datetime, response: dict,
              unsayable: Iterable[str] = ()) -> Record:
        """Keep WeChat's answer for [begin, end]; refuses one that carries a secret or a token."""
        document = {"api": api.name, "source": api.source, "begin_date": begin.isoformat(),
                    "end_date": end.isoformat(), "fetched_at": _iso_utc(fetched_at), "response": response}
        text = json.dumps(document, ensure_ascii=False, indent=1)
        if any(secret and secret in text for secret in unsayable):
            raise FetchError(f"{api.name} {begin}: WeChat's answer carries a credential or a token; not kept")
        folder = self.folder(api)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{begin.isoformat()}.json"
        _write_atomic(path, text)
        self.written += 1
        return Record(path, begin, end, fetched_at, is_final(api, end, fetched_at, response))

    def _read(self, api: Api, path: Path) -> Record | None:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            begin = date.fromisoformat(document["begin_date"])
            end = date.fromisoformat(document["end_date"])
            fetched_at = datetime.fromisoformat(document["fetched_at"])
            response = document["response"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not isinstance(response, dict) or end < begin or fetched_at.tzinfo is None:
            return None
        return Record(path, begin, end, fetched_at, is_final(api, end, fetched_at, response))


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _sweep(folder: Path) -> None:
    """Remove temporary files an interrupted write left (old enough not to be another fetch's)."""
    for stale in folder.glob(f"{TEMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > STALE_TEMP_S:
                stale.unlink()


def _write_atomic(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
