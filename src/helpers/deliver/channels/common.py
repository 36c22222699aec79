"""What the channels share: the platform's answer code, its meaning in words, and the errors."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from helpers.deliver.http import Answer, Http, HttpError
from helpers.deliver.log import DeliveryError, Sent, now_iso
from helpers.deliver.params import Destination

ERRMSG_CHARS = 300  # of the platform's own words quoted after ours


def code_of(answer: Mapping, *keys: str) -> int:
    """The answer's code under the first of `keys` present (0 when none is: success)."""
    for key in keys:
        if key in answer:
            try:
                return int(answer[key] or 0)
            except (TypeError, ValueError):
                return -1
    return 0


@dataclass(frozen=True)
class Platform:
    """How a robot API answers: where its code and words are, what they mean, which codes say
    "too fast" (retried by the HTTP client)."""

    name: str
    meanings: Mapping[int, str]
    rate_limited: Collection[int]
    code_keys: tuple[str, ...] = ("errcode",)
    message_keys: tuple[str, ...] = ("errmsg",)

    def code(self, answer: Mapping) -> int:
        return code_of(answer, *self.code_keys)

    def limited(self, answer: Mapping) -> bool:
        return self.code(answer) in self.rate_limited

    def words(self, answer: Mapping) -> object:
        return next((answer[key] for key in self.message_keys if key in answer), None)


def post_checked(platform: Platform, dest: Destination, http: Http, url: str, payload: dict, what: str,
                 done: Sequence[Sent]) -> Answer:
    """POST one message as JSON; the answer when the platform took it, else the error naming why."""
    try:
        answer = http.post_json(url, payload, what=f"{dest.name} ({what})", secrets=dest.secrets(),
                                limited=platform.limited, timeout=dest.timeout)
    except HttpError as exc:
        raise unreachable(dest, what, exc, done) from None
    code = platform.code(answer.body)
    if code:
        raise refused(dest, platform.name, what, code, platform.words(answer.body), platform.meanings, done,
                      limited=answer.limited, attempts=answer.attempts)
    return answer


def refused(dest: Destination, platform: str, what: str, code: int, errmsg: object,
            meanings: Mapping[int, str], sent: Sequence[Sent], *, limited: bool = False,
            attempts: int = 1) -> DeliveryError:
    """The error of a message the platform refused with `code`: its meaning, what to do, and the
    platform's own words (scrubbed by DeliveryError)."""
    meaning = meanings.get(code, "an error this client does not know")
    if limited:
        meaning = f"{meaning} (still after {attempts} attempts)"
    words = " ".join(str(errmsg or "").split())[:ERRMSG_CHARS]
    said = f" {platform} said: {words!r}" if words else ""
    return DeliveryError(dest.name, f"{platform} refused the {what}: error {code}: {meaning}.{said}",
                         sent=sent, code=code, secrets=dest.secrets())


def unreachable(dest: Destination, what: str, exc: HttpError, sent: Sequence[Sent]) -> DeliveryError:
    return DeliveryError(dest.name, f"the {what} could not be sent: {exc}", sent=sent, secrets=dest.secrets())


def sent(kind: str, answer: Answer, detail: str = "", size: int | None = None) -> Sent:
    """The Sent of a message the platform took; retries are said in the detail too (the log keeps it)."""
    if answer.attempts > 1:
        detail = "; ".join(d for d in (detail, answer.note.removeprefix("ok ")) if d)
    return Sent(kind, answer.size if size is None else size, result=answer.note, when=now_iso(), detail=detail)


def megabytes(size: int) -> str:
    """A size as people read it: 2.6 MB, 812 KB, 85 bytes."""
    if size >= 1_048_576:
        return f"{size / 1_048_576:.1f} MB"
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} bytes"
