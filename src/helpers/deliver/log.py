"""The delivery log of a week, `<out>/<period>/delivery.json`, and what a channel reports back.

One record per message and attempt: destination, its type, the message kind, the SHA-256 and size
of what was sent, when (UTC), the result (ok / failed) and a secret-free detail. A rerun sends a
(destination, kind) again only when no record says it went out with the same content
(`--resend` sends anyway). No secret is ever in a record: details are scrubbed of every secret
value the command knows before they are written, and the file is checked again before it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helpers.core.errors import WxReportError
from helpers.render.outputs import write_atomic

LOG_NAME = "delivery.json"
OK, FAILED = "ok", "failed"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


@dataclass(frozen=True)
class Sent:
    """A message that went out, as the channel reports it."""

    kind: str
    size: int
    result: str = OK
    when: str = ""
    detail: str = ""


class DeliveryError(WxReportError):
    """A destination that could not take the week: `reason` says why in words (the platform's
    code and what it means), with every secret value replaced by ***; `sent` holds the messages
    that went out before the failure."""

    def __init__(self, destination: str, reason: str, *, sent: Sequence[Sent] = (), code: int | None = None,
                 secrets: Iterable[str] = ()):
        self.destination = destination
        self.reason = _scrub(str(reason), secrets)
        self.sent = tuple(sent)
        self.code = code
        super().__init__(f"{destination}: {self.reason}")


@dataclass(frozen=True)
class Record:
    destination: str
    type: str
    kind: str
    sha256: str
    bytes: int
    when: str
    result: str
    detail: str = ""


class DeliveryLog:
    """The records of one week folder, read at start and written after every destination."""

    def __init__(self, folder: Path, period: str, secrets: Iterable[str] = ()):
        self.path = Path(folder) / LOG_NAME
        self.period = period
        self._secrets = {s for s in secrets if s}
        self.records: list[Record] = self._read()

    def _read(self) -> list[Record]:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError):
            return []  # unreadable: everything counts as not sent (a resend beats a silent gap)
        found = doc.get("records") if isinstance(doc, dict) else None
        records = []
        for r in found if isinstance(found, list) else []:
            if not isinstance(r, dict):
                continue
            try:
                records.append(Record(**{k: r[k] for k in Record.__dataclass_fields__ if k in r}))
            except TypeError:
                continue
        return records

    def sent(self, destination: str, kind: str, sha256: str) -> Record | None:
        """The record saying this content already went out to this destination, if any."""
        return next((r for r in reversed(self.records) if r.destination == destination and r.kind == kind
                     and r.sha256 == sha256 and r.result == OK), None)

    def last_ok(self, destination: str, kind: str) -> Record | None:
        """The last record of this message going out, whatever its content."""
        return next((r for r in reversed(self.records)
                     if r.destination == destination and r.kind == kind and r.result == OK), None)

    def add(self, record: Record) -> None:
        self.records.append(Record(**{**asdict(record), "detail": _scrub(record.detail, self._secrets)}))

    def write(self) -> None:
        text = json.dumps({"period": self.period, "records": [asdict(r) for r in self.records]},
                          ensure_ascii=False, indent=1) + "\n"
        if any(s in text for s in self._secrets):  # never: details are scrubbed on the way in
            raise WxReportError(f"{self.path}: refusing to write a log that would hold a secret")
        write_atomic(self.path, text)

    def as_json(self) -> dict[str, Any]:
        return {"period": self.period, "records": [asdict(r) for r in self.records]}
